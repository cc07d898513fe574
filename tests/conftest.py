"""Shared fixtures: a migrated SQLite database per test and a movable clock."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.core.i18n import Translations
from storage.db import make_engine
from storage.migrate import upgrade
from tests.postgres import NoPostgres, PostgresServer

PROJECT = Path(__file__).resolve().parents[1]


class FakeClock:
    """The one clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'dcc.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated database for the storage and rule tests: SQLite, and PostgreSQL 15."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'dcc.sqlite3'}")
        await upgrade(engine)
        yield engine
        await engine.dispose()
        return
    server, name = await postgres_database(request)
    engine = make_engine(server.url(name))
    yield engine
    await engine.dispose()
    await server.drop_database(name)


@pytest.fixture(scope="session")
def translations() -> Translations:
    return Translations(PROJECT / "locales", strict=True)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        token="123456:TEST",
        api_url="http://127.0.0.1:9",
        database_url=database_url,
        locales_dir=PROJECT / "locales",
        strict_translations=True,
        strict_flows=True,
        send_rate=1000.0,
        per_chat_interval=0.0,
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL 15 server for the whole run (skipped where none is installed, except
    in CI: there a missing server must not turn half the suite into skips)."""
    try:
        server = PostgresServer.start()
    except NoPostgres as missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL's initdb and pg_ctl ({missing} not found)")
        pytest.skip(f"no PostgreSQL on this machine ({missing})")
    try:
        with ThreadPoolExecutor(1) as thread:  # first asked for inside a test's event loop
            thread.submit(asyncio.run, server.create_template()).result()
        yield server
    finally:
        server.stop()


async def postgres_database(request: pytest.FixtureRequest) -> tuple[PostgresServer, str]:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server, await server.new_database()
