"""Reads that grew with the community, on both databases: /leaderboard ranks and cuts the
month's totals in the database, as the rules rank them (handlers.competitions.rules). What
the pages say is checked by the scenario tests (test_leaderboard)."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.competitions.rules import standings
from storage.db import make_sessionmaker
from storage.models import Member, ReputationGrant
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
