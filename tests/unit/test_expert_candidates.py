"""Which experts the database offers routing for a question (QuestionRepository.candidates)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_sessionmaker
from storage.questions import ExpertRow
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture
async def uow(database: AsyncEngine) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(make_sessionmaker(database)) as uow:
        await uow.tags.sync_seed()
        yield uow


async def member(uow: UnitOfWork, telegram_id: int, *tags: str, cap: int = 3) -> int:
    row = {
        "telegram_id": telegram_id, "full_name": f"Member {telegram_id}", "language": "km",
        "role": "private-sector", "province": "phnom-penh", "country": None,
        "skills": ["web"], "open_to_work": False, "alert_frequency": "off",
        "directory_visible": False, "username": None, "organisation": None,
        "years_experience": 5,
    }  # fmt: skip
    await uow.members.upsert_many([row], NOW)
    found = await uow.members.get(telegram_id)
    assert found is not None
    if tags:
        profile = await uow.questions.make_expert(found.id, tags)
        profile.cap = cap
    return found.id


def by_member(rows: list[ExpertRow]) -> dict[int, ExpertRow]:
    return {row.member_id: row for row in rows}


async def test_only_free_reachable_experts_of_the_tags_other_than_the_asker(
    uow: UnitOfWork,
) -> None:
    asker = await member(uow, 1, "web")  # an expert asking in their own field
    both = await member(uow, 2, "web", "cloud", "ai")
    web = await member(uow, 3, "web")
    away = await member(uow, 4, "web")
    blocked = await member(uow, 5, "web")
    await member(uow, 6, "design")  # another field
    full = await member(uow, 7, "cloud", cap=1)
    profile = await uow.questions.expert_profile(away)
    assert profile is not None
    profile.available = False
    gone = await uow.members.by_id(blocked)
    assert gone is not None
    gone.unreachable = True
    held = await uow.questions.add_question(asker, "Old question?", "", ["cloud"], NOW, NOW)
    await uow.questions.add_assignment(held.id, full, 1, NOW)

    rows = by_member(await uow.questions.candidates(["web", "cloud"], asker))
    assert set(rows) == {both, web}
    assert rows[both].tags == frozenset({"web", "cloud"})  # only the question's tags
    assert rows[both].telegram_id == 2 and rows[both].language == "km"
    assert rows[both].quiet_start == time(21, 0) and rows[both].open_assignments == 0

    held.round = 2  # escalated: the round-1 offer no longer counts against the cap
    rows = by_member(await uow.questions.candidates(["cloud"], asker))
    assert set(rows) == {both, full} and rows[full].open_assignments == 0


async def test_open_offers_count_only_while_their_question_is_open(uow: UnitOfWork) -> None:
    asker = await member(uow, 1)
    expert = await member(uow, 2, "web", cap=2)
    first = await uow.questions.add_question(asker, "First?", "", ["web"], NOW, NOW)
    second = await uow.questions.add_question(asker, "Second?", "", ["web"], NOW, NOW)
    for question in (first, second):
        await uow.questions.add_assignment(question.id, expert, 1, NOW)
    assert await uow.questions.candidates(["web"], asker) == []  # at the cap of 2

    first.status = "answered"
    [row] = await uow.questions.candidates(["web"], asker)
    assert row.open_assignments == 1
