"""The database a bench fills and measures: a temporary SQLite file, or an empty database on
this machine named by ``--database-url``. Anything else is refused: the benches write
messages and broadcasts that a bot running on that database would send."""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine
from storage.migrate import upgrade

LOCAL_HOSTS = ("", "127.0.0.1", "localhost", "::1")


def refuse_remote(url: str) -> None:
    """Stop the bench unless ``url`` is SQLite or a server on this machine."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" and (parsed.host or "") not in LOCAL_HOSTS:
        sys.exit(f"bench: refusing {parsed.host!r}: only a database on 127.0.0.1 is allowed")


def run_on_scratch(
    database_url: str | None, name: str, run: Callable[[str], Coroutine[Any, Any, int]]
) -> int:
    """``run`` on ``database_url`` (refused unless on this machine), or on a SQLite file
    named ``name`` in a folder removed afterwards; its exit status."""
    if database_url:
        refuse_remote(database_url)
    workdir = Path(tempfile.mkdtemp(prefix=f"dcc-bench-{name}-"))
    try:
        return asyncio.run(run(database_url or f"sqlite+aiosqlite:///{workdir / name}.sqlite3"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def migrated_empty(url: str) -> AsyncEngine:
    """The database at ``url``, migrated; a bench that finds tables there stops."""
    engine = make_engine(url)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    if tables:
        await engine.dispose()
        sys.exit("bench: refusing a database that is not empty")
    await upgrade(engine)
    return engine


async def as_kept(engine: AsyncEngine) -> None:
    """PostgreSQL's tables as its autovacuum keeps them (statistics, visibility)."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
