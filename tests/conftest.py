"""Shared fixtures: a migrated SQLite database per test and a movable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.core.i18n import Translations
from storage.db import make_engine
from storage.migrate import upgrade

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


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


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
        send_rate=1000.0,
        per_chat_interval=0.0,
    )
