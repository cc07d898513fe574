"""The SQLite driver: one trip to aiosqlite's thread a statement, and SQLAlchemy's results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine


async def test_a_statement_is_one_trip_and_gives_rows_counts_and_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'trips.sqlite3'}")
    trips = 0
    execute = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal trips
        trips += 1
        return await execute(self, fn, *args, **kwargs)

    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        async with engine.connect() as connection:
            trips = 0
            inserted = await connection.execute(
                text("INSERT INTO t (name) VALUES (:name)"), [{"name": "a"}, {"name": "b"}]
            )
            assert (trips, inserted.rowcount) == (1, 2)
            trips = 0
            rows = (await connection.execute(text("SELECT id, name FROM t ORDER BY id"))).all()
            assert trips == 1
            assert [tuple(row) for row in rows] == [(1, "a"), (2, "b")]
            changed = await connection.execute(text("UPDATE t SET name = 'c' WHERE id = 2"))
            assert changed.rowcount == 1
            with pytest.raises(IntegrityError):
                await connection.execute(text("INSERT INTO t (id, name) VALUES (1, 'again')"))
            await connection.rollback()
            assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 0
    finally:
        await engine.dispose()


async def test_streamed_results_still_come_in_parts(tmp_path: Path) -> None:
    """``stream`` (the CSV export) keeps aiosqlite's own cursor: rows are fetched as read."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'stream.sqlite3'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (n INTEGER)"))
            await connection.execute(
                text("INSERT INTO t (n) VALUES (:n)"), [{"n": n} for n in range(250)]
            )
        async with engine.connect() as connection:
            result = await connection.stream(text("SELECT n FROM t ORDER BY n"))
            parts = [list(part) async for part in result.partitions(100)]
        assert [len(part) for part in parts] == [100, 100, 50]
    finally:
        await engine.dispose()


async def test_handing_back_a_connection_rolls_back_only_what_is_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a commit the pool's reset costs no trip; an open transaction is still undone."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'reset.sqlite3'}")
    done: list[str] = []
    execute = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        done.append(getattr(fn, "__name__", ""))
        return await execute(self, fn, *args, **kwargs)

    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (n INTEGER)"))
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO t (n) VALUES (1)"))
            await connection.commit()
        assert done == ["_run", "commit"]
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO t (n) VALUES (2)"))
        assert done[-1] == "rollback"
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT n FROM t"))).scalars().all() == [1]
    finally:
        await engine.dispose()
