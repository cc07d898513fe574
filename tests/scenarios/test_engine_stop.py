"""Stopping the bot lets the updates it has taken finish and their replies go out: an
update taken from Telegram is confirmed there, so dropping it would lose it for good."""

from __future__ import annotations

import asyncio

from bot.app import _engine
from bot.config import Settings
from bot.core.events import Event
from bot.sandbox.emulator import BotApiEmulator, EmuUser


async def test_stopping_waits_for_the_update_being_handled(
    emulator: BotApiEmulator, engine: str
) -> None:
    adapter = _engine(Settings(token=emulator.token, api_url=emulator.url, engine=engine))
    entered, gate = asyncio.Event(), asyncio.Event()

    async def slow_sink(event: Event) -> None:
        entered.set()
        await gate.wait()  # the database is slow today
        await adapter.messenger.send_message(event.chat_id, "done")

    adapter.attach(slow_sink)
    await adapter.start(1)
    dara = EmuUser(7001, "Dara")
    emulator.send_text(dara, "hello")
    async with asyncio.timeout(10):
        await entered.wait()
    stopping = asyncio.create_task(adapter.stop())
    await asyncio.sleep(0.3)
    assert not stopping.done()  # still waiting for the update
    gate.set()
    async with asyncio.timeout(10):
        await stopping
    assert [m.text for m in emulator.messages(dara.id)] == ["done"]
