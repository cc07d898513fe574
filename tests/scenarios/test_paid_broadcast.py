"""A paid broadcast (``broadcasts.paid``) goes out with Telegram's ``allow_paid_broadcast``
on both engines, in the paid lane, while the emulator holds other sends to 30 a second and
one a second to a chat; killed (SIGKILL) half way and started again, every member gets it,
and only messages in flight at the kill can arrive twice."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.sandbox.emulator import BotApiEmulator
from storage.db import make_engine, make_sessionmaker
from storage.models import Broadcast
from tests.conftest import FakeClock
from tests.scenarios.audience import add_audience, finished_broadcast, received
from tests.scenarios.test_killed_bot import BotProcess

MEMBERS = 300
TEXT = "ការព្រមានទឹកជំនន់ពីក្រសួង"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_paid_broadcast_goes_with_allow_paid_broadcast_and_survives_a_kill(
    emulator: BotApiEmulator, database_url: str, clock: FakeClock, engine: str
) -> None:
    emulator.limit_rate(30, paid_per_second=1000)
    bot = BotProcess(emulator, database_url, engine)
    bot.env["DCC_SEND_RATE"] = "30"
    await bot.cli("db", "upgrade")
    database = make_engine(database_url)
    sessionmaker = make_sessionmaker(database)
    chats = await add_audience(
        sessionmaker, emulator, clock.now(), 72_000, MEMBERS, "kandal", "data"
    )
    await bot.cli("broadcast", "create", "--text", TEXT)
    async with database.begin() as connection:  # what `broadcast create --paid` marks
        await connection.execute(update(Broadcast).values(paid=True))

    try:
        await bot.start()
        await emulator.wait_until(
            lambda: sum(received(emulator, chats, TEXT).values()) >= MEMBERS // 3, 30
        )
        await bot.kill()
        await bot.start()
        await emulator.wait_until(lambda: len(received(emulator, chats, TEXT)) == MEMBERS, 30)
        broadcast = await finished_broadcast(sessionmaker)
        assert broadcast is not None and broadcast.status == "done"
    finally:
        await bot.kill()
        await database.dispose()
    counts = received(emulator, chats, TEXT)
    assert set(counts) == set(chats)  # nobody lost
    assert max(counts.values()) <= 2
    sends = [
        params
        for method, params in emulator.calls
        if method == "sendMessage" and TEXT in str(params.get("text", ""))
    ]
    assert sends and all(params.get("allow_paid_broadcast") is True for params in sends)
    assert emulator.flood_answers == 0  # 300 in under a second or two: the paid limit
