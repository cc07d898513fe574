"""One member's updates take turns across processes: two dispatchers, each with its own
engine (its own connections, as two processes have), share one PostgreSQL database, and
the same member's two taps reach both at once. Today's races: Helpful on one answer gave
the points twice, Accept on two answers left both accepted, a one-entry competition took
two entries. The turn is a transaction-scoped advisory lock taken with the update's claim."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

import bot.core.dispatch
from bot.app import CONCURRENT_UPDATES, UPDATE_GROUP
from bot.core.context import flow_callback
from bot.core.dispatch import Dispatcher
from bot.core.events import Event, EventKind, User
from bot.core.i18n import Translations
from handlers import all_routers
from handlers.help import fallback
from handlers.questions.settings import QaSettings
from storage.db import make_engine, make_sessionmaker
from storage.models import CompetitionEntry, Member, ProcessedUpdate, ReputationGrant
from storage.uow import UnitOfWork
from tests.conftest import FakeClock, postgres_database
from tests.fakes import RecordingMessenger

ASKER = User(7101, "Dara", language_code="en")
EXPERT_ID = 7102
_updates = itertools.count(1)


@dataclass
class Process:
    """What one bot process has of its own: an engine, a dispatcher, a messenger."""

    engine: AsyncEngine
    dispatcher: Dispatcher
    messenger: RecordingMessenger


@pytest.fixture
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    server, name = await postgres_database(request)
    yield server.url(name)
    await server.drop_database(name)


@pytest.fixture
async def processes(
    database_url: str, translations: Translations, clock: FakeClock
) -> AsyncIterator[list[Process]]:
    from storage.migrate import upgrade

    found = []
    for _ in range(2):
        engine = make_engine(database_url)
        sessionmaker = make_sessionmaker(engine)
        messenger = RecordingMessenger()
        dispatcher = Dispatcher(
            lambda s=sessionmaker: UnitOfWork(s, clock.now),  # type: ignore[misc]
            messenger, translations, clock, fallback, timezone=ZoneInfo("Asia/Phnom_Penh"),
            concurrency=CONCURRENT_UPDATES["postgresql"], group=UPDATE_GROUP,
        )  # fmt: skip
        for router in all_routers():
            dispatcher.include(router)
        dispatcher.extras["qa"] = QaSettings(3, timedelta(hours=24))
        found.append(Process(engine, dispatcher, messenger))
    await upgrade(found[0].engine)
    async with UnitOfWork(make_sessionmaker(found[0].engine), clock.now) as uow:
        await uow.tags.sync_seed()
        await uow.commit()
    yield found
    for process in found:
        await process.engine.dispose()


def tap(data: str) -> Event:
    update_id = next(_updates)
    return Event(
        update_id, EventKind.CALLBACK, ASKER, ASKER.id, callback_id=f"cb{update_id}",
        callback_data=data, message_id=1,
    )  # fmt: skip


async def at_once(processes: list[Process], data: str) -> None:
    """The same tap delivered twice (the member pressed twice, each reached a process)."""
    await asyncio.gather(*(p.dispatcher.feed(tap(data)) for p in processes))


def uow(processes: list[Process], clock: FakeClock) -> UnitOfWork:
    return UnitOfWork(make_sessionmaker(processes[0].engine), clock.now)


async def seed_question(processes: list[Process], clock: FakeClock) -> tuple[int, list[int]]:
    now = clock.now()
    async with uow(processes, clock) as session:
        rows = [
            {"telegram_id": tid, "full_name": name, "language": "en", "role": "student",
             "province": "kep", "skills": ["web"]}
            for tid, name in ((ASKER.id, "Dara"), (EXPERT_ID, "Sok"))
        ]  # fmt: skip
        await session.members.upsert_many(rows, now)
        asker, expert = await session.members.get(ASKER.id), await session.members.get(EXPERT_ID)
        assert asker is not None and expert is not None
        question = await session.questions.add_question(
            asker.id, "How do I secure a web server?", "", ["web"], now, now + timedelta(days=1)
        )
        answers = [
            await session.questions.add_answer(question.id, expert.id, f"Answer {n}", now, None)
            for n in range(2)
        ]
        await session.commit()
        return expert.id, [a.id for a in answers]


async def test_helpful_pressed_twice_at_two_processes_grants_once(
    processes: list[Process], clock: FakeClock
) -> None:
    expert, [answer, _other] = await seed_question(processes, clock)
    await at_once(processes, f"qa:h:{answer}")
    async with uow(processes, clock) as session:
        member = await session.session.get(Member, expert)
        grants = await session.session.scalar(select(func.count()).select_from(ReputationGrant))
    assert member is not None and (member.reputation, grants) == (2, 1)


async def test_accept_on_two_answers_at_two_processes_accepts_one(
    processes: list[Process], clock: FakeClock
) -> None:
    expert, [one, two] = await seed_question(processes, clock)
    await asyncio.gather(
        processes[0].dispatcher.feed(tap(f"qa:c:{one}")),
        processes[1].dispatcher.feed(tap(f"qa:c:{two}")),
    )
    async with uow(processes, clock) as session:
        member = await session.session.get(Member, expert)
        accepted = await session.questions.answer(one)
        assert accepted is not None
        answers = await session.questions.answers_to(accepted.question_id)
    assert [a.accepted for a in answers].count(True) == 1
    assert member is not None and member.reputation == 10


async def test_send_pressed_twice_at_two_processes_takes_one_entry(
    processes: list[Process], clock: FakeClock
) -> None:
    await seed_question(processes, clock)  # the members
    now = clock.now()
    async with uow(processes, clock) as session:
        competition = await session.competitions.add(
            ("ប្រកួត", "Contest"), ("ច្បាប់", "Rules"), ("រង្វាន់", "A prize"), now + timedelta(days=3),
            1, ["web"], [], [], None, now,
        )  # fmt: skip
        await session.save_conversation(
            ASKER.id,
            {"flow": "cpentry", "step": "confirm", "token": "tok1", "language": "en",
             "data": {"competition": competition.id, "entry": None, "text": "My work"}},
        )  # fmt: skip
        await session.commit()
    await at_once(processes, flow_callback("tok1", "confirm", "send"))
    async with uow(processes, clock) as session:
        count = await session.session.scalar(select(func.count()).select_from(CompetitionEntry))
    assert count == 1


async def test_the_turn_is_the_members_alone(processes: list[Process], clock: FakeClock) -> None:
    """A second update of the member waits for the first's transaction; another member's
    update does not."""
    sessionmaker = make_sessionmaker(processes[0].engine)
    first, second, other = (UnitOfWork(sessionmaker, clock.now) for _ in range(3))
    try:
        assert await first.claim_update(next(_updates), ASKER.id)
        waiting = asyncio.create_task(second.claim_update(next(_updates), ASKER.id))
        assert await other.claim_update(next(_updates), EXPERT_ID)  # not held up
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await first.commit()
        assert await asyncio.wait_for(waiting, 5) is True
    finally:
        for session in (first, second, other):
            await session.rollback()
            await session.close()


async def test_updates_reaching_both_processes_at_once_are_handled_once_in_groups(
    processes: list[Process], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty members' updates, each delivered to both processes at once (a webhook retried
    while the first delivery was still being handled): the processes handle them in groups,
    a transaction of several updates each, and every update is acted on once. (A group's
    time is not what is tested: on a busy machine a group would be cut to single updates.)"""
    monkeypatch.setattr(bot.core.dispatch, "GROUP_SECONDS", 60.0)
    members = [User(7200 + n, f"M{n}", language_code="en") for n in range(40)]
    events = [
        Event(next(_updates), EventKind.COMMAND, m, m.id, True, "/help", "help") for m in members
    ]
    await asyncio.gather(*(p.dispatcher.feed(e) for e in events for p in processes))
    helped = sorted(sent.chat_id for p in processes for sent in p.messenger.sent)
    assert helped == [m.id for m in members]  # one /help answer each, from one process
    assert all(p.dispatcher.grouped > 0 for p in processes)  # both took groups
    async with uow(processes, clock) as session:
        claimed = await session.session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert claimed == len(events)


def test_fold_keeps_ids_in_32_bits() -> None:
    from storage.uow import member_turn_key

    for user_id in (1, 2**31, 2**32 + 5, 2**52 - 1, 7_123_456_789):
        assert -(2**31) <= member_turn_key(user_id) < 2**31
