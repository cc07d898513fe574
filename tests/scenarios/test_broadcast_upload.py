"""``dcc-bot broadcast create --photo PATH``: the running bot uploads the local file with the
first message, keeps the file_id Telegram gives it, and sends every later one by that id."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.sandbox.emulator import BotApiEmulator
from storage.db import make_engine, make_sessionmaker
from storage.models import Broadcast
from tests.conftest import FakeClock
from tests.scenarios.audience import add_audience, finished_broadcast
from tests.scenarios.test_killed_bot import BotProcess

MEMBERS = 40
TEXT = "ផ្ទាំងផ្សព្វផ្សាយពីក្រសួង"
POSTER = b"\xff\xd8\xff\xe0the ministry's poster, from a file"


async def test_a_local_poster_is_uploaded_once_and_then_sent_by_its_file_id(
    emulator: BotApiEmulator, database_url: str, clock: FakeClock, engine: str, tmp_path: Path
) -> None:
    bot = BotProcess(emulator, database_url, engine)
    bot.env["DCC_SEND_RATE"] = "60"
    await bot.cli("db", "upgrade")
    database = make_engine(database_url)
    sessionmaker = make_sessionmaker(database)
    chats = await add_audience(sessionmaker, emulator, clock.now(), 72_000, MEMBERS, "kandal", "ai")
    poster = tmp_path / "poster.jpg"
    poster.write_bytes(POSTER)
    await bot.cli("broadcast", "create", "--text", TEXT, "--photo", str(poster), "--protect")

    def got(chat: int) -> list:
        return [m for m in emulator.messages(chat) if TEXT in (m.text or "")]

    try:
        await bot.start()
        await emulator.wait_until(lambda: all(got(chat) for chat in chats), 30)
        broadcast = await finished_broadcast(sessionmaker)
        assert broadcast is not None and broadcast.status == "done"
    finally:
        await bot.kill()
    async with sessionmaker() as session:
        kept = await session.scalar(select(Broadcast.file_id))
    await database.dispose()
    assert [upload.data for upload in emulator.uploads] == [POSTER]  # uploaded once
    assert kept  # the file_id Telegram gave it, kept on the broadcast
    for chat in chats:
        (message,) = got(chat)
        assert (message.kind, message.document, message.protected) == ("photo", POSTER, True)
