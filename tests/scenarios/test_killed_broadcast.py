"""``dcc-bot run`` is killed (SIGKILL) in the middle of a broadcast and started again:
every member gets it, and only messages in flight at the kill can arrive twice."""

from __future__ import annotations

from bot.sandbox.emulator import BotApiEmulator
from storage.db import make_engine, make_sessionmaker
from tests.conftest import FakeClock
from tests.scenarios.audience import add_audience, finished_broadcast, received
from tests.scenarios.test_killed_bot import BotProcess

MEMBERS = 300
RATE = 60  # messages a second: a round of the sender, the bound on duplicates
TEXT = "ព័ត៌មានសំខាន់ពីក្រសួង"


async def test_a_broadcast_killed_half_way_reaches_everyone(
    emulator: BotApiEmulator, database_url: str, clock: FakeClock, engine: str
) -> None:
    bot = BotProcess(emulator, database_url, engine)
    bot.env["DCC_SEND_RATE"] = str(RATE)
    await bot.cli("db", "upgrade")
    database = make_engine(database_url)
    sessionmaker = make_sessionmaker(database)
    chats = await add_audience(
        sessionmaker, emulator, clock.now(), 70_000, MEMBERS, "kandal", "data"
    )
    await bot.cli("broadcast", "create", "--text", TEXT)

    try:
        await bot.start()
        await emulator.wait_until(
            lambda: sum(received(emulator, chats, TEXT).values()) >= MEMBERS // 3, 30
        )
        await bot.kill()
        halfway = sum(received(emulator, chats, TEXT).values())
        assert halfway < MEMBERS
        await bot.start()
        await emulator.wait_until(lambda: len(received(emulator, chats, TEXT)) == MEMBERS, 30)
        broadcast = await finished_broadcast(sessionmaker)
        assert broadcast is not None and broadcast.status == "done"
    finally:
        await bot.kill()
        await database.dispose()
    counts = received(emulator, chats, TEXT)
    assert set(counts) == set(chats)  # nobody lost
    duplicates = sum(count - 1 for count in counts.values())
    assert max(counts.values()) <= 2 and duplicates <= RATE  # at most the round in flight
