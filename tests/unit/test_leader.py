"""The scheduler's leadership: one process among several holds the PostgreSQL lock; when
it lets go (or dies), another takes over. On SQLite the one process leads."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from scheduler.leader import Leadership
from storage.db import make_engine


async def test_one_leader_at_a_time_and_a_successor_when_it_goes(database: AsyncEngine) -> None:
    events: list[str] = []

    def leadership(name: str, engine: AsyncEngine) -> Leadership:
        async def gain() -> None:
            events.append(f"{name} leads")

        async def lose() -> None:
            events.append(f"{name} stops")

        return Leadership(engine, gain, lose, check_every=0.05)

    other_engine = make_engine(database.url.render_as_string(hide_password=False))
    first, second = leadership("first", database), leadership("second", other_engine)
    first_run = asyncio.create_task(first.run())
    await asyncio.sleep(0.2)
    second_run = asyncio.create_task(second.run())
    await asyncio.sleep(0.3)
    if not first.exclusive:  # SQLite: one process by design, each leads its own file
        assert first.leading and second.leading
    else:
        assert (first.leading, second.leading) == (True, False)
        assert first._connection is not None  # the server drops a vanished leader's lock
        assert await first._connection.scalar(text("SHOW tcp_keepalives_idle")) in ("20", "20s")
        first_run.cancel()  # the leader goes: its lock's connection closes
        await asyncio.gather(first_run, return_exceptions=True)
        for _ in range(40):
            if second.leading:
                break
            await asyncio.sleep(0.05)
        assert events == ["first leads", "first stops", "second leads"]
    for task in (first_run, second_run):
        task.cancel()
    await asyncio.gather(first_run, second_run, return_exceptions=True)
    await other_engine.dispose()
