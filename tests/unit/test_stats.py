"""The figures of /stats: the arithmetic, and the counts on a seeded database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.admin.figures import first_moment, per_week, week_starts
from storage.broadcasts import Audience
from storage.db import make_sessionmaker
from storage.stats import MEDIAN_KEPT
from storage.uow import UnitOfWork
from tests.conftest import FakeClock

TZ = ZoneInfo("Asia/Phnom_Penh")
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 09:00 in Phnom Penh
Factory = Callable[[], UnitOfWork]


def test_twelve_weeks_end_with_this_one_and_start_on_mondays() -> None:
    weeks = week_starts(NOW, TZ)
    assert len(weeks) == 12 and weeks[-1] == date(2026, 11, 23)
    assert weeks[0] == date(2026, 9, 7) and all(w.weekday() == 0 for w in weeks)
    assert first_moment(weeks, TZ) == datetime(2026, 9, 7, tzinfo=TZ)


def test_a_moment_counts_in_its_week_in_cambodia_time() -> None:
    weeks = week_starts(NOW, TZ)
    sunday_night = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # Sunday 23:30 local
    monday_morning = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)  # Monday 00:30 local
    too_old = datetime(2026, 9, 6, 12, 0, tzinfo=UTC)
    counts = per_week([sunday_night, monday_morning, monday_morning, too_old], weeks, TZ)
    assert counts[-1] == 2 and counts[-2] == 1 and sum(counts) == 3


@pytest.fixture
async def uow_factory(database: AsyncEngine, clock: FakeClock) -> AsyncIterator[Factory]:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker) as uow:
        await uow.tags.sync_seed()
        await uow.commit()
    assert clock.now() == NOW
    yield lambda: UnitOfWork(sessionmaker, clock.now)


async def test_the_counts_on_a_seeded_database(uow_factory: Factory) -> None:
    async with uow_factory() as uow:
        rows = [
            {"telegram_id": t, "full_name": f"M{t}", "role": role, "province": province,
             "skills": skills}
            for t, role, province, skills in (
                (1, "student", "kep", ["ai", "web"]), (2, "student", "kampot", ["ai"]),
                (3, "academic", "kep", ["data"]), (4, "other", "abroad", ["ai"]),
            )
        ]  # fmt: skip
        await uow.members.upsert_many(rows, NOW - timedelta(days=3))
        gone = await uow.members.get(4)
        assert gone is not None
        await uow.members.erase(gone, NOW)
        asker = await uow.members.get(1)
        expert = await uow.members.get(3)
        assert asker is not None and expert is not None
        first = await uow.questions.add_question(
            asker.id, "q1", "", ["ai"], NOW - timedelta(hours=5), NOW
        )
        await uow.questions.add_question(asker.id, "q2", "", ["ai"], NOW, NOW)
        await uow.questions.add_answer(first.id, expert.id, "a1", NOW - timedelta(hours=3), None)
        await uow.questions.add_answer(first.id, expert.id, "a2", NOW - timedelta(hours=1), None)
        second = await uow.questions.add_question(asker.id, "q3", "", ["ai"], NOW, NOW)
        hidden = await uow.questions.add_answer(second.id, expert.id, "spam", NOW, None)
        hidden.hidden = True  # a moderator hid the only answer: not answered
        broadcast = await uow.broadcasts.add("k", "e", None, Audience(), NOW, None, NOW)
        broadcast.status = "done"
        await uow.commit()
    async with uow_factory() as uow:
        s = uow.stats
        assert await s.members() == 3  # the erased member is not counted
        assert await s.members_by("role") == [("student", 2), ("academic", 1)]
        assert await s.members_by("province") == [("kep", 2), ("kampot", 1)]
        assert await s.top_skills(2) == [("ai", 2), ("data", 1)]
        assert await s.questions() == (3, 1)
        assert await s.median_first_answer() == 2 * 3600.0  # to the first answer only
        assert await s.jobs(NOW) == (0, 0, 0)
        assert await s.broadcast_reach() == (1, 0)
        assert len(await s.joined_since(NOW - timedelta(days=7))) == 4
        assert len(await s.asked_since(NOW - timedelta(hours=2))) == 2


async def answered_after(uow: UnitOfWork, *minutes: float) -> None:
    """A question asked at NOW for each of ``minutes``, first answered that long after."""
    if await uow.members.get(1) is None:
        rows = [{"telegram_id": t, "full_name": f"M{t}"} for t in (1, 2)]
        await uow.members.upsert_many(rows, NOW - timedelta(days=3))
    asker, expert = await uow.members.get(1), await uow.members.get(2)
    assert asker is not None and expert is not None
    for after in minutes:
        question = await uow.questions.add_question(asker.id, "q", "", ["ai"], NOW, NOW)
        at = NOW + timedelta(minutes=after)
        await uow.questions.add_answer(question.id, expert.id, "a", at, None)
    await uow.commit()


async def test_the_median_time_to_a_first_answer_is_found_by_the_database(
    uow_factory: Factory, clock: FakeClock
) -> None:
    """An odd count gives the middle one, an even count the mean of the two in the middle;
    none answered, none at all."""
    async with uow_factory() as uow:
        assert await uow.stats.median_first_answer() is None
        await answered_after(uow, 60, 180, 120, 600)
        clock.advance(seconds=MEDIAN_KEPT.total_seconds())
        assert await uow.stats.median_first_answer() == 150 * 60.0  # (120 + 180) / 2
        await answered_after(uow, 300 + 1 / 60)
        clock.advance(seconds=MEDIAN_KEPT.total_seconds())
        assert await uow.stats.median_first_answer() == 180 * 60.0


async def test_the_median_is_kept_five_minutes_and_found_by_one_reader_at_a_time(
    database: AsyncEngine, uow_factory: Factory, clock: FakeClock
) -> None:
    """It sorts every answered question's delay (0.2 s at 100,000 on SQLite, holding the bot's
    one database turn): a second /stats or console page within five minutes sends nothing,
    and readers who come while it is being found wait for that one finding."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    async with uow_factory() as uow:
        await answered_after(uow, 60, 180, 120)
    event.listen(database.sync_engine, "before_cursor_execute", record)
    try:
        async with uow_factory() as uow:
            assert await uow.stats.median_first_answer() == 120 * 60.0
        # one sort by PostgreSQL's percentile_cont; on SQLite a count that groups nothing,
        # then the middle of the sorted delays
        postgresql = database.dialect.name == "postgresql"
        assert ["GROUP BY" in s for s in sent] == ([True] if postgresql else [False, True])
        found_once = len(sent)
        async with uow_factory() as uow:
            await answered_after(uow, 1, 2)  # the median is now 60 minutes
        sent.clear()
        clock.advance(minutes=4, seconds=59)
        async with uow_factory() as uow:
            assert await uow.stats.median_first_answer() == 120 * 60.0  # as it was
        assert sent == []
        clock.advance(seconds=1)

        async def read() -> float | None:
            async with uow_factory() as uow:
                return await uow.stats.median_first_answer()

        assert await asyncio.gather(read(), read(), read()) == [60 * 60.0] * 3
        assert len(sent) == found_once  # found once, not three times
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", record)
