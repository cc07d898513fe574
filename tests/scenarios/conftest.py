from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator
from tests.conftest import FakeClock
from tests.scenarios.harness import Scenario


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


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
