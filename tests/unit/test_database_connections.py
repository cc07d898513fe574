"""The PostgreSQL pool pings only a connection left unused for ``PING_AFTER_IDLE``; one used a
moment ago that the server closed fails the statement that meets it, is recognised as lost
(``connection_lost``: the caller runs its work again) and the pool is replaced."""

from __future__ import annotations

import pytest

import storage.db
from storage.db import connection_lost, make_engine, make_sessionmaker
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
        assert connection_lost(lost.value)
        assert await read() == (None, None)  # a fresh connection

        monkeypatch.setattr(storage.db, "PING_AFTER_IDLE", 0.0)  # as if idle for long
        assert await server.close_connections(name) == 1
        assert await read() == (None, None)  # pinged, found closed, replaced
        assert not connection_lost(ValueError("not the database's"))
    finally:
        await engine.dispose()
        await server.drop_database(name)
