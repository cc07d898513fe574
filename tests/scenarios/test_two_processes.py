"""Two ``dcc-bot run --webhook`` processes against one PostgreSQL: one leads the scheduler
and the sender, a 1,000-member broadcast goes out once to each member; the leader is
killed half-way and the other process takes over and finishes it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import aiohttp
import pytest

from bot.sandbox.emulator import BotApiEmulator
from bot.webhook import SECRET_HEADER
from storage.db import make_engine, make_sessionmaker
from tests.conftest import PROJECT, FakeClock
from tests.scenarios.audience import add_audience, finished_broadcast, received
from tests.scenarios.test_webhook import free_port

MEMBERS = 1000
RATE = 100  # messages a second: a round of the sender, the bound on duplicates at a kill
TEXT = "សេចក្តីជូនដំណឹងសំខាន់: the ministry's digital skills week"


class WebhookProcess:
    def __init__(self, emulator: BotApiEmulator, database_url: str, engine: str) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": emulator.token, "TELEGRAM_API_URL": emulator.url,
            "DATABASE_URL": database_url, "DCC_ENGINE": engine, "PYTHONPATH": str(PROJECT),
            "DCC_SEND_RATE": str(RATE), "DCC_LEADER_CHECK": "0.5",
            "DCC_WEBHOOK_URL": f"http://127.0.0.1:{self.port}/hook",
            "DCC_WEBHOOK_SECRET": "two-processes", "DCC_WEBHOOK_LISTEN": f"127.0.0.1:{self.port}",
        }  # fmt: skip
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", "--webhook", env=self.env, cwd=PROJECT,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip

    async def health(self) -> dict[str, object] | None:
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.get(
                    f"http://127.0.0.1:{self.port}/healthz",
                    headers={SECRET_HEADER: self.env["DCC_WEBHOOK_SECRET"]},  # with details
                ) as response,
            ):
                return dict(await response.json())
        except aiohttp.ClientError:
            return None

    async def wait_health(self, seconds: float = 20) -> dict[str, object]:
        for _ in range(int(seconds * 10)):
            found = await self.health()
            if found is not None:
                return found
            await asyncio.sleep(0.1)
        raise AssertionError("the webhook server did not answer /healthz")

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()


async def test_a_broadcast_survives_its_leader_and_reaches_everyone_once(
    emulator: BotApiEmulator, database_url: str, clock: FakeClock, engine: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share a PostgreSQL database, not a SQLite file")
    first, second = (WebhookProcess(emulator, database_url, engine) for _ in range(2))
    upgrade = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "db", "upgrade", env=first.env, cwd=PROJECT,
        stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert await upgrade.wait() == 0  # the seed tags
    database = make_engine(database_url)
    sessionmaker = make_sessionmaker(database)
    chats = await add_audience(sessionmaker, emulator, clock.now(), 80_000, MEMBERS, "kep", "web")

    try:
        await first.start()
        await first.wait_health()
        for _ in range(100):  # the first process takes the lead
            if (await first.health() or {}).get("leader"):
                break
            await asyncio.sleep(0.1)
        await second.start()
        health = await second.wait_health()
        assert health["leader"] is False and health["database"] == "ok"

        done = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "broadcast", "create", "--text", TEXT,
            env=first.env, cwd=PROJECT, stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        assert await done.wait() == 0
        await emulator.wait_until(
            lambda: sum(received(emulator, chats, TEXT).values()) >= MEMBERS // 3, 30
        )
        before_kill = received(emulator, chats, TEXT)
        assert max(before_kill.values()) == 1  # two processes, one sender: once each so far

        await first.kill()
        for _ in range(100):  # the other process takes over
            if (await second.health() or {}).get("leader"):
                break
            await asyncio.sleep(0.1)
        assert (await second.health() or {}).get("leader") is True
        await emulator.wait_until(lambda: len(received(emulator, chats, TEXT)) == MEMBERS, 60)
        broadcast = await finished_broadcast(sessionmaker)
        assert broadcast is not None and broadcast.status == "done"
    finally:
        await first.kill()
        await second.kill()
        await database.dispose()
    counts = received(emulator, chats, TEXT)
    assert set(counts) == set(chats)  # nobody lost
    duplicates = sum(count - 1 for count in counts.values())
    assert max(counts.values()) <= 2 and duplicates <= RATE  # at most the round in flight
