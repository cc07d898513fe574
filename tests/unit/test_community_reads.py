"""Reads that grew with the community, on both databases: /leaderboard ranks and cuts the
month's totals in the database, as the rules rank them (handlers.competitions.rules), and
the judge picker reads a page of the few who may judge by their ids, not every member.
What the pages say is checked by the scenario tests (test_leaderboard, test_competitions)."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.competitions.rules import standings
from storage.db import make_sessionmaker
from storage.models import ExpertProfile, Member, ReputationGrant, StaffRole
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
START, END = datetime(2026, 11, 30, 17, 0, tzinfo=UTC), datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
SHOWN = 10


@pytest.fixture
async def uow(database: AsyncEngine) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(make_sessionmaker(database), lambda: NOW) as uow:
        yield uow


@contextlib.contextmanager
def sent(uow: UnitOfWork) -> Iterator[list[tuple[str, Any]]]:
    """The statements sent while the block runs, with their parameters."""
    engine, seen = uow.session.get_bind(), list[tuple[str, Any]]()

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def add_members(uow: UnitOfWork, names: list[str | None]) -> list[int]:
    """Members of these names, Telegram ids 10,000 onwards: their ids."""
    rows = [
        {"telegram_id": 10_000 + n, "full_name": name, "language": "en", "created_at": NOW,
         "updated_at": NOW}
        for n, name in enumerate(names)
    ]  # fmt: skip
    await uow.session.execute(insert(Member), rows)
    return list(await uow.session.scalars(select(Member.id).order_by(Member.id)))


async def test_the_leaderboard_is_ranked_and_cut_by_the_database_as_the_rules_rank(
    uow: UnitOfWork,
) -> None:
    """Ties at every place (a tie across the tenth place too), grants outside the month
    left out: each member's /leaderboard gets the rules' first ten and their own place, in
    one statement with a LIMIT (it read every contributor of the month)."""
    rng = random.Random(5)
    ids = await add_members(uow, [f"Member {n}" for n in range(40)])
    totals: dict[int, int] = {}
    for member_id in ids[:34]:
        for points in rng.choices((2, 10), k=rng.randrange(1, 4)):
            moment = START + (END - START) * rng.random()
            uow.session.add(
                ReputationGrant(
                    member_id=member_id, points=points, reason="helpful", created_at=moment
                )
            )
            totals[member_id] = totals.get(member_id, 0) + points
    for moment in (START - timedelta(seconds=1), END):  # the months before and after
        uow.session.add(
            ReputationGrant(member_id=ids[35], points=50, reason="accepted", created_at=moment)
        )
    await uow.session.flush()
    expected = standings(totals.items())
    assert len({s.points for s in expected[SHOWN - 2 : SHOWN + 2]}) < 4  # a tie around 10th
    for asking in [*ids, None]:  # a member without points, and someone not a member
        with sent(uow) as seen:
            found = await uow.reputation.placed_between(START, END, SHOWN, asking)
        assert len(seen) == 1 and " LIMIT " in seen[0][0]
        assert [
            (p.contributor.member_id, p.contributor.points, p.place, p.position) for p in found
        ] == [
            (s.member_id, s.points, s.place, position)
            for position, s in enumerate(expected, 1)
            if position <= SHOWN or s.member_id == asking
        ]


async def plans(uow: UnitOfWork, statements: list[tuple[str, Any]]) -> list[str]:
    """The lines of the statements' plans, as the database would run them."""
    sqlite = uow.session.get_bind().dialect.name == "sqlite"
    connection = await uow.session.connection()
    found = []
    for statement, parameters in statements:
        explain = ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement
        rows = await connection.exec_driver_sql(explain, parameters)
        found += [str(row[-1] if sqlite else row[0]).strip() for row in rows]
    return found


async def test_the_judge_picker_reads_a_page_of_those_who_may_judge_by_their_ids(
    uow: UnitOfWork,
) -> None:
    """Each page is the slice of the whole list (by name, then member number) and comes
    with a LIMIT; the members are read by their key: no scan of every member (PostgreSQL
    is shown 3,000 members and its statistics, as its autovacuum would keep them)."""
    ids = await add_members(uow, [None if n == 60 else f"Judge {n % 7}" for n in range(3000)])
    judges = ids[::60]  # 50, one of them without a name
    uow.session.add_all(ExpertProfile(member_id=m) for m in judges[1:])
    removed = ExpertProfile(member_id=ids[1], removed_at=NOW)  # no longer an expert
    uow.session.add_all([removed, StaffRole(telegram_id=10_000, role="admin", granted_at=NOW)])
    uow.session.add(StaffRole(telegram_id=10_001, role="moderator", granted_at=NOW))
    await uow.session.commit()
    if uow.session.get_bind().dialect.name == "postgresql":
        await uow.session.execute(text("ANALYZE"))
    everyone = await uow.competitions.judge_candidates()
    assert sorted(c.member_id for c in everyone) == judges
    for offset in range(0, 60, 20):
        with sent(uow) as seen:
            page = await uow.competitions.judge_candidates(offset, 21)
        assert page == everyone[offset : offset + 21] and " LIMIT " in seen[-1][0]
        plan = await plans(uow, seen)
        scans = ("SCAN members", "Seq Scan on members")  # SQLite's, PostgreSQL's
        assert not [line for line in plan if line.lstrip("-> ").startswith(scans)], plan
    chosen = await uow.competitions.judge_candidates_among([ids[1], ids[2], judges[3]])
    assert [c.member_id for c in chosen] == [judges[3]]
