"""``dcc-bot run`` is killed (SIGKILL) in the middle of a broadcast and started again:
every member gets it, and only messages in flight at the kill can arrive twice; a poster
broadcast the same way, each member getting the photo protected and pinned."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator import BotApiEmulator, SentMessage
from storage.db import make_engine, make_sessionmaker
from tests.conftest import FakeClock
from tests.scenarios.audience import add_audience, finished_broadcast, received
from tests.scenarios.test_killed_bot import BotProcess

MEMBERS = 300
RATE = 60  # messages a second: a round of the sender, the bound on duplicates
TEXT = "ព័ត៌មានសំខាន់ពីក្រសួង"
POSTER = b"\xff\xd8\xff\xe0the ministry's poster"


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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the claims: test above
async def test_a_poster_broadcast_killed_half_way_reaches_everyone_protected(
    emulator: BotApiEmulator, database_url: str, clock: FakeClock, engine: str
) -> None:
    bot = BotProcess(emulator, database_url, engine)
    bot.env["DCC_SEND_RATE"] = str(RATE)
    await bot.cli("db", "upgrade")
    database = make_engine(database_url)
    sessionmaker = make_sessionmaker(database)
    chats = await add_audience(
        sessionmaker, emulator, clock.now(), 71_000, MEMBERS, "kandal", "data"
    )
    poster = emulator.hold_file(POSTER, "poster.jpg", "image/jpeg")
    await bot.cli("broadcast", "create", "--text", TEXT, "--photo", poster, "--protect", "--pin")

    def posters() -> dict[int, list[SentMessage]]:
        return {
            chat: [m for m in emulator.messages(chat) if TEXT in (m.text or "")] for chat in chats
        }

    try:
        await bot.start()
        await emulator.wait_until(
            lambda: sum(len(got) for got in posters().values()) >= MEMBERS // 3, 30
        )
        await bot.kill()
        assert sum(len(got) for got in posters().values()) < MEMBERS
        await bot.start()
        await emulator.wait_until(lambda: all(posters().values()), 30)
        broadcast = await finished_broadcast(sessionmaker)
        assert broadcast is not None and broadcast.status == "done"
    finally:
        await bot.kill()
        await database.dispose()
    got = posters()
    every = [m for messages in got.values() for m in messages]
    assert all((m.kind, m.document, m.protected) == ("photo", POSTER, True) for m in every)
    # pinned in every chat: a copy sent again after the kill (its pin lost with the process)
    # is pinned the second time
    assert all(any(m.pinned for m in messages) for messages in got.values())
    duplicates = sum(len(messages) - 1 for messages in got.values())
    assert set(got) == set(chats) and all(1 <= len(m) <= 2 for m in got.values())  # nobody lost
    assert duplicates <= RATE  # at most the round in flight at the kill
