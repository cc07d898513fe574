"""Two SQL idioms every repository here needs, written once for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

# Each database's INSERT, with ``on_conflict_do_nothing`` and friends: for a statement built
# once a database (module constants keyed by dialect name), or per call (``upsert``).
INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def upsert(session: AsyncSession, table: Any) -> Any:
    """INSERT … for the session's database, with ``on_conflict_do_nothing`` and friends."""
    dialect = session.get_bind().dialect.name
    return INSERTS.get(dialect, sqlite_insert)(table)


def among(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """``column IN (1, 2, …)`` with the numbers written into the SQL, not bound.

    Bound, each batch reuses one prepared statement, and PostgreSQL (asyncpg) soon switches
    it to a generic plan made while the table looked empty: a sequential scan comparing
    every row with every parameter, so a 100,000-row import took three times as long.
    """
    return column.in_(bindparam("among", list(values), expanding=True, literal_execute=True))


async def update_if(
    session: AsyncSession, row: Any, condition: ColumnElement[bool], **values: Any
) -> bool:
    """Write ``values`` to ``row`` only where ``condition`` still holds, in one UPDATE: of
    two people (or processes) acting at once, one changes the row and the other is told.
    The row is refreshed either way, so the caller sees what stands."""
    model = type(row)
    result = await session.execute(
        update(model)
        .where(model.id == row.id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(row)
    return bool(getattr(result, "rowcount", 0))


async def transition(
    session: AsyncSession, row: Any, expected: str, status: str, **values: Any
) -> bool:
    """Move ``row`` from status ``expected`` to ``status`` (with ``values``): ``update_if``
    on the status."""
    return await update_if(session, row, type(row).status == expected, status=status, **values)
