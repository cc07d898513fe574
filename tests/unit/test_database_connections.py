"""The PostgreSQL pool pings only a connection left unused for ``PING_AFTER_IDLE``; one used a
moment ago that the server closed fails the statement that meets it, is recognised as lost
(``dropped``: the caller runs its work again) and the pool is replaced. A deadlock's victim
is dropped too."""

from __future__ import annotations

import pytest

import storage.db
from storage.db import dropped, make_engine, make_sessionmaker
from storage.uow import UnitOfWork
from tests.conftest import postgres_database


async def test_a_connection_idle_long_enough_is_pinged_and_one_in_use_is_not(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, name = await postgres_database(request)
    engine = make_engine(server.url(name))
    sessionmaker = make_sessionmaker(engine)

    async def read() -> tuple[object, object]:
        async with UnitOfWork(sessionmaker) as uow:
            return await uow.load_user(7)

    try:
        assert await read() == (None, None)
        assert await server.close_connections(name) == 1
        with pytest.raises(Exception) as lost:  # used a moment ago: not pinged
            await read()
        assert dropped(lost.value)
        assert await read() == (None, None)  # a fresh connection

        monkeypatch.setattr(storage.db, "PING_AFTER_IDLE", 0.0)  # as if idle for long
        assert await server.close_connections(name) == 1
        assert await read() == (None, None)  # pinged, found closed, replaced
        assert not dropped(ValueError("not the database's"))
    finally:
        await engine.dispose()
        await server.drop_database(name)


async def test_a_deadlocks_victim_is_dropped_and_runs_again(
    request: pytest.FixtureRequest,
) -> None:
    """Two transactions that lock two rows in opposite orders: PostgreSQL ends one whole
    (40P01), which ``dropped`` recognises, and the work run again then goes through."""
    import asyncio

    from sqlalchemy import text

    server, name = await postgres_database(request)
    engine = make_engine(server.url(name))
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE pair (id int PRIMARY KEY, n int)"))
            await connection.execute(text("INSERT INTO pair VALUES (1, 0), (2, 0)"))
        both_hold_one = asyncio.Barrier(2)

        async def lock(first: int, second: int, meeting: asyncio.Barrier | None) -> None:
            async with engine.begin() as connection:
                await connection.execute(text(f"UPDATE pair SET n = n + 1 WHERE id = {first}"))
                if meeting is not None:
                    await meeting.wait()
                await connection.execute(text(f"UPDATE pair SET n = n + 1 WHERE id = {second}"))

        outcomes = await asyncio.gather(
            lock(1, 2, both_hold_one), lock(2, 1, both_hold_one), return_exceptions=True
        )
        victims = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(victims) == 1 and dropped(victims[0]), outcomes
        await storage.db.again_if_dropped(lambda: lock(2, 1, None), "the test")  # alone: through
    finally:
        await engine.dispose()
        await server.drop_database(name)
