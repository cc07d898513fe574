"""Webhook mode on both engines: Telegram (the emulator) posts updates to our server; a
wrong or missing secret is refused and changes nothing; a redelivered update acts once."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator, EmuUser
from bot.webhook import WebhookServer
from storage.models import ProcessedUpdate
from tests.conftest import FakeClock

DARA = EmuUser(1701, "Dara")
SECRET = "s3cret_token-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def webhook_bot(
    emulator: BotApiEmulator, settings: Settings, clock: FakeClock, engine: str
) -> AsyncIterator[tuple[App, str]]:
    port = free_port()
    app = await build_app(
        settings.with_(
            token=emulator.token, api_url=emulator.url, engine=engine,
            webhook_url=f"http://127.0.0.1:{port}/dcc/hook", webhook_secret=SECRET,
            webhook_listen=("127.0.0.1", port),
        ),
        migrate=True,
        clock=clock,
    )  # fmt: skip
    server = WebhookServer(app)
    await server.start()
    await app.start(scheduler=False, webhook=True)
    yield app, f"http://127.0.0.1:{port}"
    await server.stop()
    await app.stop()


def help_update(update_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": int(time.time()), "text": "/help",
            "from": {"id": DARA.id, "is_bot": False, "first_name": "Dara", "language_code": "en"},
            "chat": {"id": DARA.id, "type": "private", "first_name": "Dara"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }  # fmt: skip


async def processed(app: App) -> int:
    async with app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0


async def test_updates_arrive_by_webhook_and_a_wrong_secret_changes_nothing(
    emulator: BotApiEmulator, webhook_bot: tuple[App, str]
) -> None:
    app, base = webhook_bot
    assert emulator.webhook == {"url": f"{base}/dcc/hook", "secret_token": SECRET}
    emulator.register(DARA)
    emulator.send_text(DARA, "/help")
    await emulator.wait_until(lambda: emulator.message_count(DARA.id) == 1)
    assert "<b>DCC Bot</b> connects" in (emulator.last(DARA.id).text or "")
    assert await processed(app) == 1

    assert await emulator.post_update(help_update(900), "not-the-secret") == 403
    assert await emulator.post_update(help_update(901), None) == 403
    assert await processed(app) == 1 and emulator.message_count(DARA.id) == 1

    assert await emulator.post_update(help_update(902), SECRET) == 200
    assert await emulator.post_update(help_update(902), SECRET) == 200  # Telegram retried
    assert await processed(app) == 2 and emulator.message_count(DARA.id) == 2

    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{base}/dcc/hook",
            data=b"{not json",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        ) as response:
            assert response.status == 400
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
            health = await response.json()
    assert health == {"leader": False, "outbox_backlog": 0, "database": "ok"}
