"""Guarded writes: a member's "at most" limits as conditions of the write itself.

Each limit is one ``INSERT … SELECT … WHERE <count> < <limit>``: the rows are counted by
the statement that writes, never read first and written after. Two transactions at once
could still count the same rows on PostgreSQL (under READ COMMITTED each statement sees
what was committed when it started), so the row the limit belongs to (the member, the
expert's profile, the answer replied to) is locked first with ``SELECT … FOR UPDATE``: the
second transaction waits there until the first commits, and its counting INSERT then sees
the first one's row. This holds across processes, with or without any other lock around
the update. SQLite has one writer at a time (SQLAlchemy leaves ``FOR UPDATE`` out there),
and the single INSERT … SELECT counts and writes under that writer's lock.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Insert,
    Table,
    and_,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import Base, Member, ProfileReport, Report

DAY = timedelta(hours=24)  # a limit's "day": any 24 hours
ReportRow = TypeVar("ReportRow", Report, ProfileReport)
Row = TypeVar("Row", bound=Base)


async def hold(
    session: AsyncSession, column: InstrumentedAttribute[Any], key: object, key_share: bool = False
) -> None:
    """Lock the row whose ``column`` is ``key`` until the transaction ends (PostgreSQL).
    On SQLite there is nothing to run: ``FOR UPDATE`` is left out there, and a plain read
    would lock nothing (the transaction is its database's one writer already).
    ``key_share``: held as an UPDATE of its other columns would be (``FOR NO KEY UPDATE``),
    so that rows referring to it can still be written meanwhile."""
    if session.get_bind().dialect.name == "sqlite":
        return
    await session.execute(select(column).where(column == key).with_for_update(key_share=key_share))


def insert_where(
    table: Table, values: Mapping[str, ColumnElement[Any]], condition: ColumnElement[bool]
) -> Insert:
    """``INSERT INTO table … SELECT values WHERE condition``: one row, written only when the
    condition (a count under its limit) holds as the statement runs. ``values`` are literals
    for a statement built per call, bound parameters for one built once."""
    return insert(table).from_select(list(values), select(*values.values()).where(condition))


async def insert_if(
    session: AsyncSession,
    model: type[Row],
    values: Mapping[str, Any],
    condition: ColumnElement[bool],
) -> Row | None:
    """Insert one row of ``model`` when ``condition`` holds, in one statement that also
    returns it (``RETURNING``: no second read); the new row, or None when the condition
    refused it."""
    table = typing.cast(Table, model.__table__)
    await session.flush()  # rows added to the session count too
    row = {name: literal(value, table.c[name].type) for name, value in values.items()}
    added = insert_where(table, row, condition).returning(*table.c)
    return await session.scalar(select(model).from_statement(added))


def reports_filed_since(reporter_id: int, since: datetime) -> ColumnElement[int]:
    """How many reports the member filed after ``since``: on questions and answers and on
    profiles together, the moderators' one queue."""
    filed = union_all(
        select(Report.id).where(Report.reporter_id == reporter_id, Report.created_at > since),
        select(ProfileReport.id).where(
            ProfileReport.reporter_id == reporter_id, ProfileReport.created_at > since
        ),
    ).subquery()
    return select(func.count()).select_from(filed).scalar_subquery()


async def insert_report(
    session: AsyncSession,
    model: type[ReportRow],
    values: Mapping[str, Any],
    same: ColumnElement[bool],
    now: datetime,
    per_day: int,
) -> ReportRow | None:
    """A report of ``model`` (a question's or answer's, or a profile's) unless ``same``
    (an open report of this member on the same thing) exists or the member filed
    ``per_day`` reports of either kind in the last 24 hours; None then. Behind a lock on
    the reporter, counted by the INSERT."""
    reporter_id = values["reporter_id"]
    await hold(session, Member.id, reporter_id)
    return await insert_if(
        session, model, values,
        and_(~same, reports_filed_since(reporter_id, now - DAY) < per_day),
    )  # fmt: skip


async def report_times(session: AsyncSession, reporter_id: int, since: datetime) -> list[datetime]:
    """When the member filed each report after ``since`` (both kinds), oldest first."""
    rows = await session.scalars(
        union_all(
            select(Report.created_at).where(
                Report.reporter_id == reporter_id, Report.created_at > since
            ),
            select(ProfileReport.created_at).where(
                ProfileReport.reporter_id == reporter_id, ProfileReport.created_at > since
            ),
        )
    )
    return sorted(rows)
