"""SQLAlchemy's aiosqlite driver, with one trip to the SQLite thread a statement.

aiosqlite runs SQLite in a thread of its own, and its cursor API costs a trip there and
back for each step: make the cursor, execute, fetch the rows, close it. SQLAlchemy's adapter
takes all four for every statement, and each trip wakes the thread and then the event loop,
and passes the GIL twice; on an update of six statements that was most of its database
time (about 23 trips, a millisecond of CPU). Here a statement is one trip: the thread makes
a plain sqlite3 cursor, executes, fetches and closes it, and hands back the rows; and the
rollback the pool does on every connection handed back is skipped when no transaction is
open (after a commit), as there is nothing to undo.

Everything else is SQLAlchemy's (connections, transactions, errors, the server-side cursors
``stream`` uses). The one private piece is ``aiosqlite.Connection._execute``, which queues a
function for the thread; its public methods are built on it. ``make_engine`` uses this for
``sqlite+aiosqlite`` URLs through ``create_async_engine(module=...)``.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT

Outcome = tuple[Any, list[Any], int, int | None]  # description, rows, rowcount, lastrowid


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    """In the SQLite thread: the whole statement, cursor made and closed."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """Holds what the statement returned; has no aiosqlite cursor to close (so no
    ``nextset`` or ``setinputsizes`` either: SQLAlchemy uses neither on SQLite)."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._trip(operation, seq_of_parameters, many=True)

    async def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            outcome: Outcome = await connection._execute(
                _run, connection._conn, operation, parameters, many
            )
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        return None  # the rows are here already; there is nothing open in the thread

    def close(self) -> None:
        self._rows.clear()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor

    def rollback(self) -> None:
        """Outside a transaction there is nothing to roll back: the pool's reset of every
        connection handed back after a commit would cost a trip for nothing."""
        driver: sqlite3.Connection | None = self._connection._connection
        if driver is not None and not driver.in_transaction:
            return
        super().rollback()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)
