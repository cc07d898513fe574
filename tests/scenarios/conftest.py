from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator
from tests.conftest import FakeClock, postgres_database
from tests.scenarios.harness import Scenario


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Every scenario runs on SQLite (the embedded default) and on PostgreSQL 15."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'dcc.sqlite3'}"
        return
    server, name = await postgres_database(request)
    yield server.url(name)
    await server.drop_database(name)


@pytest.fixture(params=["ptb", "aiogram"])
def engine(request: pytest.FixtureRequest) -> str:
    """Every scenario runs on both engines: the same dialogue, the same expectations."""
    return str(request.param)


@pytest.fixture
async def scenario(
    emulator: BotApiEmulator, settings: Settings, clock: FakeClock, engine: str
) -> AsyncIterator[Scenario]:
    scenario = Scenario(emulator, settings.with_(engine=engine), clock)
    await scenario.start()
    yield scenario
    await scenario.stop()
