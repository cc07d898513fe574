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


@pytest.fixture
async def scenario(
    emulator: BotApiEmulator, settings: Settings, clock: FakeClock
) -> AsyncIterator[Scenario]:
    scenario = Scenario(emulator, settings, clock)
    await scenario.start()
    yield scenario
    await scenario.stop()
