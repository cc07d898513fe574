"""Every question asked counts the hidden answers, questions and items (whether /search's
index is still current: storage.questions and storage.content). Those counts read an index
of the hidden rows alone, on both databases, so they stay small however many rows there
are; migration 0023 adds it and takes it away."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Select

from storage.content import SEARCH_VERSION as ITEMS_VERSION
from storage.db import make_engine
from storage.migrate import downgrade, upgrade
from storage.questions import SEARCH_VERSION as ANSWERS_VERSION

INDEXES = ("ix_questions_hidden", "ix_answers_hidden", "ix_content_items_hidden")


async def plan(database: AsyncEngine, statement: Select[tuple[int, ...]]) -> str:
    dialect = database.dialect
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    async with database.connect() as connection:
        if dialect.name == "sqlite":
            rows = await connection.execute(text("EXPLAIN QUERY PLAN " + sql))
            return "\n".join(str(row[-1]) for row in rows)
        # an empty table is cheaper to scan than to look up: ask whether the index can serve
        await connection.execute(text("SET enable_seqscan = off"))
        rows = await connection.execute(text("EXPLAIN " + sql))
        return "\n".join(str(row[0]) for row in rows)


async def test_the_counts_of_hidden_rows_read_the_index_of_hidden_rows(
    database: AsyncEngine,
) -> None:
    answers = await plan(database, ANSWERS_VERSION)
    assert "ix_answers_hidden" in answers and "ix_questions_hidden" in answers
    assert "ix_content_items_hidden" in await plan(database, ITEMS_VERSION)


async def test_the_migration_adds_the_indexes_and_takes_them_away(tmp_path: Path) -> None:
    def indexes(connection: Connection) -> set[str]:
        inspector = inspect(connection)
        return {
            index["name"]
            for table in ("questions", "answers", "content_items")
            for index in inspector.get_indexes(table)
            if index["name"]
        }

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
    await upgrade(engine, "0023")
    async with engine.connect() as connection:
        assert set(INDEXES) <= await connection.run_sync(indexes)
    await downgrade(engine, "0022")
    async with engine.connect() as connection:
        assert not set(INDEXES) & await connection.run_sync(indexes)
    await upgrade(engine)
    async with engine.connect() as connection:
        assert set(INDEXES) <= await connection.run_sync(indexes)
    await engine.dispose()
