"""The bot process is killed (SIGKILL) mid-sign-up and started again: nothing is lost."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator

import pytest

from bot.core.i18n import Translations
from bot.sandbox.emulator import BotApiEmulator, EmuUser
from tests.conftest import PROJECT

KANHA = EmuUser(801, "កញ្ញា", language_code="km")


class BotProcess:
    """``dcc-bot run`` as a real child process polling the emulator."""

    def __init__(self, emulator: BotApiEmulator, database_url: str, engine: str = "ptb") -> None:
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_URL": emulator.url,
            "DATABASE_URL": database_url,
            "DCC_ENGINE": engine,
            "PYTHONPATH": str(PROJECT),
        }
        self.process: asyncio.subprocess.Process | None = None

    async def cli(self, *args: str) -> None:
        done = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", *args, env=self.env, cwd=PROJECT
        )
        assert await done.wait() == 0

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=self.env, cwd=PROJECT,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, database_url: str, engine: str
) -> AsyncIterator[BotProcess]:
    process = BotProcess(emulator, database_url, engine)
    await process.cli("db", "upgrade")
    yield process
    if process.process is not None and process.process.returncode is None:
        await process.kill()


async def reply_to(
    emulator: BotApiEmulator, user: EmuUser, send: object, count: int = 1
) -> list[str]:
    before = emulator.message_count(user.id)
    send()  # type: ignore[operator]
    await emulator.wait_until(lambda: emulator.message_count(user.id) >= before + count, 20)
    return [m.text or "" for m in emulator.messages(user.id)[before:]]


def button(emulator: BotApiEmulator, user: EmuUser, label: str) -> tuple[int, str]:
    for message in reversed(emulator.messages(user.id)):
        for row in message.inline_keyboard:
            for b in row:
                if label in b["text"]:
                    return message.message_id, b["callback_data"]
    raise AssertionError(label)


async def test_a_killed_bot_resumes_the_signup_at_the_same_step(
    emulator: BotApiEmulator, bot: BotProcess, translations: Translations
) -> None:
    km = translations.for_language("km")
    await bot.start()
    await reply_to(emulator, KANHA, lambda: emulator.send_text(KANHA, "/start"))
    await reply_to(emulator, KANHA, lambda: emulator.press(KANHA, *button(emulator, KANHA, "ខ្មែរ")))
    agree = button(emulator, KANHA, km.gettext("I agree"))
    replies = await reply_to(emulator, KANHA, lambda: emulator.press(KANHA, *agree))
    assert replies[-1] == km.gettext("What is your full name?")

    await bot.kill()
    await bot.start()

    replies = await reply_to(emulator, KANHA, lambda: emulator.send_text(KANHA, "កញ្ញា សុខ"))
    assert replies == [km.gettext("What is your role?")]
    replies = await reply_to(
        emulator,
        KANHA,
        lambda: emulator.press(KANHA, *button(emulator, KANHA, km.gettext("Student"))),
    )
    assert (
        km.gettext("Which organisation or school are you with? Type its name, or press Skip.")
        in replies
    )
