"""``dcc-bot run`` is killed (SIGKILL) in the middle of a broadcast and started again:
every member gets it, and only messages in flight at the kill can arrive twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from sqlalchemy import select

from bot.sandbox.emulator import BotApiEmulator, EmuUser
from storage.db import make_engine, make_sessionmaker
from storage.models import Broadcast
from storage.uow import UnitOfWork
from tests.conftest import FakeClock
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
    rows: list[dict[str, Any]] = [
        {"telegram_id": 70_000 + n, "full_name": f"M{n}", "language": "km" if n % 2 else "en",
         "role": "student", "province": "kandal", "skills": ["data"]}
        for n in range(MEMBERS)
    ]  # fmt: skip
    async with UnitOfWork(sessionmaker) as uow:
        await uow.members.upsert_many(rows, clock.now())
        await uow.commit()
    chats = [row["telegram_id"] for row in rows]
    for chat in chats:
        emulator.register(EmuUser(chat, "M"))
    await bot.cli("broadcast", "create", "--text", TEXT)

    def received() -> Counter[int]:
        return Counter(
            chat for chat in chats for m in emulator.messages(chat) if TEXT in (m.text or "")
        )

    try:
        await bot.start()
        await emulator.wait_until(lambda: sum(received().values()) >= MEMBERS // 3, 30)
        await bot.kill()
        halfway = sum(received().values())
        assert halfway < MEMBERS
        await bot.start()
        await emulator.wait_until(lambda: len(received()) == MEMBERS, 30)
        for _ in range(100):  # until the bot has counted the last ones and finished
            async with sessionmaker() as session:
                broadcast = await session.scalar(select(Broadcast))
                if broadcast is not None and broadcast.status == "done":
                    break
            await asyncio.sleep(0.1)
        assert broadcast is not None and broadcast.status == "done"
    finally:
        await bot.kill()
        await database.dispose()
    counts = received()
    assert set(counts) == set(chats)  # nobody lost
    duplicates = sum(count - 1 for count in counts.values())
    assert max(counts.values()) <= 2 and duplicates <= RATE  # at most the round in flight
