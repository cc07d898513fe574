"""/search's index is kept by the process and grows with the community: a new answer adds
or replaces its question's document, a new item adds its own, a hide builds it again. What
it finds must be what an index built afresh from the database would find."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.questions import knowledge
from handlers.questions.indexing import question_tokens, reindex
from handlers.questions.knowledge import ANSWERS_OVERLAP, ITEMS_OVERLAP, search_index
from handlers.text_search.ranking import SearchIndex
from handlers.text_search.tokens import search_tokens, tokens
from scheduler.feeds import MAX_NEW
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import Answer, ContentItem, Question
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
TEXTS = [
    "How do I reset my router password?",
    "Which cloud provider has a region near Phnom Penh?",
    "តើខ្ញុំអាចរៀនសរសេរកម្មវិធីនៅឯណា?",
    "How do I back up a PostgreSQL database every night?",
    "Is Khmer Unicode supported by my phone's keyboard?",
    "What should a small office firewall block?",
]
QUERIES = ["password router", "cloud region", "សរសេរកម្មវិធី", "database backup night", "firewall"]


def found(index: SearchIndex, query: str) -> list[tuple[int, float]]:
    return index.search(tokens(query))


def same_ranking(one: SearchIndex, other: SearchIndex) -> None:
    for query in [*QUERIES, "kubernetes cluster", "office keyboard phone"]:
        a, b = found(one, query), found(other, query)
        assert [n for n, _ in a] == [n for n, _ in b], query
        assert all(math.isclose(x, y) for (_, x), (_, y) in zip(a, b, strict=True)), query


def test_an_index_grown_by_additions_and_replacements_ranks_as_one_built_whole() -> None:
    documents = [(n, tokens(text)) for n, text in enumerate(TEXTS, start=1)]
    grown = SearchIndex(documents[:2])
    grown.add(documents[2:])
    same_ranking(grown, SearchIndex(documents))

    answered = (4, tokens(TEXTS[3] + " Use pg_dump from cron, or a kubernetes cluster job."))
    grown.add([answered, documents[0]])  # the first again, unchanged: not replaced
    assert grown.retired == 1 and len(grown) == len(TEXTS)
    whole = SearchIndex([answered if n == 4 else (n, words) for n, words in documents])
    same_ranking(grown, whole)
    assert found(grown, "kubernetes")[0][0] == 4


async def prepare(maker: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    """The tags, an asker (Telegram id 1) and an expert (2)."""
    async with UnitOfWork(maker, lambda: NOW) as setup:
        await setup.tags.sync_seed()
        rows: list[dict[str, Any]] = [
            {
                "telegram_id": telegram_id, "full_name": name, "language": "en",
                "role": "student", "province": "phnom-penh", "country": None, "skills": [],
                "open_to_work": False, "alert_frequency": "off", "directory_visible": False,
                "username": None, "organisation": None, "years_experience": None,
            }
            for telegram_id, name in [(1, "Dara"), (2, "Sophea")]
        ]  # fmt: skip
        await setup.members.upsert_many(rows, NOW)
        await setup.commit()
    return maker


@pytest.fixture
async def sessions(database: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return await prepare(make_sessionmaker(database))


async def ids_of(uow: UnitOfWork) -> tuple[int, int]:
    asker, expert = await uow.members.get(1), await uow.members.get(2)
    assert asker is not None and expert is not None
    return asker.id, expert.id


async def ask(maker: async_sessionmaker[AsyncSession], text: str) -> int:
    async with UnitOfWork(maker, lambda: NOW) as uow:
        asker, _ = await ids_of(uow)
        question = await uow.questions.add_question(
            asker, text, question_tokens(text), ["web"], NOW, NOW
        )
        await uow.commit()
        return question.id


async def answer(
    maker: async_sessionmaker[AsyncSession], question_id: int, text: str, answer_id: int
) -> None:
    """An answer stored with the id given: one the database took earlier may commit later."""
    async with UnitOfWork(maker, lambda: NOW) as uow:
        _, expert = await ids_of(uow)
        uow.session.add(
            Answer(
                id=answer_id, question_id=question_id, expert_id=expert, text=text,
                helpful=False, accepted=False, hidden=False, anonymous=False, created_at=NOW,
            )
        )  # fmt: skip
        await uow.session.flush()
        question = await uow.session.get(Question, question_id)
        assert question is not None
        await reindex(uow, question)
        await uow.commit()


async def publish(maker: async_sessionmaker[AsyncSession], title: str, item_id: int) -> None:
    async with UnitOfWork(maker, lambda: NOW) as uow:
        uow.session.add(
            ContentItem(
                id=item_id, kind="news", title_en=title, search_tokens=search_tokens(title),
                hidden=False, published_at=NOW,
            )
        )  # fmt: skip
        await uow.commit()


async def index_now(maker: async_sessionmaker[AsyncSession]) -> SearchIndex:
    async with UnitOfWork(maker, lambda: NOW) as uow:
        return await search_index(uow)


async def fresh(maker: async_sessionmaker[AsyncSession]) -> SearchIndex:
    """The index built from the database as it is now, nothing kept."""
    async with UnitOfWork(maker, lambda: NOW) as uow:
        documents = [(n, t.split()) for n, t in await uow.questions.answered_documents()]
        documents += [(-n, t.split()) for n, t in await uow.content.searchable()]
    return SearchIndex(documents)


async def test_answers_grow_the_kept_index_and_a_hide_builds_it_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    questions = [await ask(sessions, text) for text in TEXTS]
    await answer(sessions, questions[0], "Hold the reset button for ten seconds.", 1000)
    first = await index_now(sessions)
    assert [n for n, _ in found(first, "password")] == [questions[0]]

    await answer(sessions, questions[3], "Run pg_dump from cron every night.", 1001)
    await answer(sessions, questions[0], "Then log in with the kubernetes default.", 1002)
    grown = await index_now(sessions)
    assert grown is first  # grown, not built again
    assert [n for n, _ in found(grown, "kubernetes")] == [questions[0]]  # replaced
    assert questions[3] in [n for n, _ in found(grown, "database night")]
    assert grown.retired == 1
    same_ranking(grown, await fresh(sessions))

    # An answer whose id was taken before the newest one's but committed after it is read
    # when the index next grows, and so is a question answered only by it.
    await answer(
        sessions, questions[1], "Singapore is the nearest region.", 1002 - ANSWERS_OVERLAP + 1
    )
    assert not found(await index_now(sessions), "singapore")  # the newest id did not move
    await answer(sessions, questions[2], "The ministry's free courses.", 1003)
    caught_up = await index_now(sessions)
    assert caught_up is first and found(caught_up, "singapore")[0][0] == questions[1]
    same_ranking(caught_up, await fresh(sessions))

    # Items alike, further back: a feed's poll writes many of them in one transaction.
    assert ITEMS_OVERLAP >= 5 * MAX_NEW
    await publish(sessions, "Datacentre opening ceremony", 5000)
    assert [n for n, _ in found(await index_now(sessions), "datacentre")] == [-5000]
    await publish(sessions, "Ministry guidance on passwords", 5000 - ITEMS_OVERLAP + 1)
    await publish(sessions, "Scholarship deadline", 5001)
    grown = await index_now(sessions)
    assert grown is first and found(grown, "guidance")[0][0] == -(5000 - ITEMS_OVERLAP + 1)
    same_ranking(grown, await fresh(sessions))

    async with UnitOfWork(sessions, lambda: NOW) as uow:
        hidden = await uow.session.get(Answer, 1001)
        assert hidden is not None
        hidden.hidden = True
        question = await uow.session.get(Question, questions[3])
        assert question is not None
        await reindex(uow, question)
        await uow.commit()
    rebuilt = await index_now(sessions)
    assert rebuilt is not first
    assert questions[3] not in [n for n, _ in found(rebuilt, "database night")]
    same_ranking(rebuilt, await fresh(sessions))


async def test_each_database_keeps_its_own_index(tmp_path: Path) -> None:
    engines = [make_engine(f"sqlite+aiosqlite:///{tmp_path / name}.sqlite3") for name in "ab"]
    texts = [(TEXTS[0], "Hold the reset button."), (TEXTS[4], "Yes, install the keyboard.")]
    makers = []
    for engine, (text, reply) in zip(engines, texts, strict=True):
        await upgrade(engine)
        maker = await prepare(make_sessionmaker(engine))
        await answer(maker, await ask(maker, text), reply, 1)
        makers.append(maker)
    one, two = await index_now(makers[0]), await index_now(makers[1])
    assert found(one, "password") and not found(one, "keyboard")
    assert found(two, "keyboard") and not found(two, "password")
    for engine in engines:
        await engine.dispose()


async def test_updates_that_find_the_index_out_of_date_at_once_build_it_once(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first questions after a start, or after a hide, arrive together: one reads the
    documents and builds the index, the others wait for it (each building its own took as
    many times the CPU and the memory)."""
    await answer(sessions, await ask(sessions, TEXTS[0]), "Hold the reset button.", 1)
    built: list[SearchIndex] = []

    class Counted(SearchIndex):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            built.append(self)

    monkeypatch.setattr(knowledge, "SearchIndex", Counted)
    units = [UnitOfWork(sessions, lambda: NOW) for _ in range(6)]
    try:
        indexes = await asyncio.gather(*(search_index(uow) for uow in units))
    finally:
        for uow in units:
            await uow.close()
    assert len(built) == 1 and all(index is built[0] for index in indexes)
    assert found(built[0], "password")


async def test_a_new_answer_reads_again_the_answers_only(
    sessions: async_sessionmaker[AsyncSession], database: AsyncEngine
) -> None:
    """The items did not move: their documents (a feed's long summaries, 2,000 ids back) are
    not read for an answer."""
    from sqlalchemy import event

    await publish(sessions, "Datacentre opening ceremony", 7)
    await answer(sessions, await ask(sessions, TEXTS[0]), "Hold the reset button.", 1)
    first = await index_now(sessions)
    await answer(sessions, await ask(sessions, TEXTS[1]), "Singapore is nearest.", 2)
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(database.sync_engine, "before_cursor_execute", record)
    try:
        grown = await index_now(sessions)
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", record)
    assert grown is first and found(grown, "singapore")
    assert not [s for s in sent if "content_items.search_tokens" in s]
    assert [s for s in sent if "questions.search_tokens" in s]
