"""What the two kill-mid-broadcast scenarios share: an audience stored and known to the
emulator, what reached each member, and waiting for the broadcast to be counted done."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.sandbox.emulator import BotApiEmulator, EmuUser
from storage.models import Broadcast
from storage.uow import UnitOfWork


async def add_audience(
    sessionmaker: async_sessionmaker[AsyncSession],
    emulator: BotApiEmulator,
    now: datetime,
    first_id: int,
    count: int,
    province: str,
    skill: str,
) -> list[int]:
    """``count`` students (every other one reads Khmer); their chat ids."""
    rows: list[dict[str, Any]] = [
        {"telegram_id": first_id + n, "full_name": f"M{n}", "language": "km" if n % 2 else "en",
         "role": "student", "province": province, "skills": [skill]}
        for n in range(count)
    ]  # fmt: skip
    async with UnitOfWork(sessionmaker) as uow:
        await uow.members.upsert_many(rows, now)
        await uow.commit()
    chats = [row["telegram_id"] for row in rows]
    for chat in chats:
        emulator.register(EmuUser(chat, "M"))
    return chats


def received(emulator: BotApiEmulator, chats: list[int], text: str) -> Counter[int]:
    """How many times each member got ``text``."""
    return Counter(
        chat for chat in chats for m in emulator.messages(chat) if text in (m.text or "")
    )


async def finished_broadcast(sessionmaker: async_sessionmaker[AsyncSession]) -> Broadcast | None:
    """The broadcast once the sender has counted the last ones and marked it done (up to
    ten seconds), else as it stands."""
    broadcast = None
    for _ in range(100):
        async with sessionmaker() as session:
            broadcast = await session.scalar(select(Broadcast))
        if broadcast is not None and broadcast.status == "done":
            break
        await asyncio.sleep(0.1)
    return broadcast
