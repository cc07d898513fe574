"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_driver import OneTripDBAPI

log = logging.getLogger(__name__)
T = TypeVar("T")

# A pooled PostgreSQL connection left unused this long is pinged before it is handed out.
# ``pool_pre_ping`` pinged every one (a transaction begun and rolled back around a query:
# three round trips, about a third of a busy update's database time, for a connection used
# a millisecond before). A connection that was just in use and dies anyway (the server
# restarted under load) fails the statement that meets it: SQLAlchemy then replaces the
# whole pool, and the work is run again where it can be (``dropped``).
PING_AFTER_IDLE = 10.0  # seconds


def make_engine(url: str) -> AsyncEngine:
    if not url.startswith("sqlite"):
        engine = create_async_engine(url)
        _ping_when_idle(engine)
        return engine
    options = {"module": OneTripDBAPI()} if url.startswith("sqlite+aiosqlite") else {}
    engine = create_async_engine(url, **options)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


# PostgreSQL's codes for a transaction it ended whole for another's sake: chosen as a
# deadlock's victim, or a serialization failure. Run again, it meets the other one finished.
DROPPED_WHOLE = {"40P01", "40001"}


def dropped(error: BaseException) -> bool:
    """Whether the database dropped the work's transaction whole, so that the work can run
    again: its connection found closed (nothing of the transaction was kept or, when it
    closed during the commit, the update's claim was, and a second run skips it), or
    PostgreSQL ended it to undo a deadlock with another transaction."""
    if not isinstance(error, DBAPIError):
        return False
    return error.connection_invalidated or getattr(error.orig, "sqlstate", None) in DROPPED_WHOLE


async def again_if_dropped(work: Callable[[], Awaitable[T]], what: str) -> T:
    """``work()``, run once more when the database dropped it (``dropped``): for work whose
    first run kept nothing (a page, a timed job, a health check)."""
    try:
        return await work()
    except Exception as error:
        if not dropped(error):
            raise
        log.warning("%s was dropped by the database (%s); once more", what, type(error).__name__)
        return await work()


def _ping_when_idle(engine: AsyncEngine) -> None:
    dialect = engine.dialect

    def returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned"] = time.monotonic()

    def taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("returned")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return  # new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool replaces it (up to three times) and goes on
            raise DisconnectionError("a pooled connection no longer answers") from error

    event.listen(engine.sync_engine, "checkin", returned)
    event.listen(engine.sync_engine, "checkout", taken)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on; WAL so the CLI can read while the bot writes; wait, don't fail."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
