"""Webhook mode on both engines: Telegram (the emulator) posts updates to our server; a
wrong or missing secret is refused and changes nothing; a redelivered update acts once; a
body that is no readable update is logged and answered 200 (never redelivered forever);
``/healthz`` tells an outsider only whether the process is healthy."""

from __future__ import annotations

import json
import logging
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
from bot.webhook import SECRET_HEADER, WebhookServer
from storage.models import ProcessedUpdate
from tests.conftest import FakeClock
from tests.postgres import PostgresServer

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
            assert response.status == 200  # skipped: an error would only be redelivered
    assert await processed(app) == 2


async def test_healthz_tells_an_outsider_only_whether_the_process_is_healthy(
    webhook_bot: tuple[App, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, base = webhook_bot
    async with aiohttp.ClientSession() as http:
        for headers, seen in (
            ({}, {"status": "ok"}),
            ({SECRET_HEADER: "a-guess"}, {"status": "ok"}),
            (
                {SECRET_HEADER: SECRET},
                {"status": "ok", "leader": False, "outbox_backlog": 0, "database": "ok"},
            ),
        ):
            async with http.get(f"{base}/healthz", headers=headers) as response:
                assert response.status == 200
                assert await response.json() == seen

        class Unreachable:
            def connect(self) -> Any:
                raise ConnectionRefusedError("database down")

        monkeypatch.setattr(app, "database", Unreachable())
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 503
            assert await response.json() == {"status": "unavailable"}
        async with http.get(f"{base}/healthz", headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 503
            assert (await response.json())["database"] == "unreachable: ConnectionRefusedError"


async def test_healthz_is_ok_right_after_postgresql_closed_the_pooled_connections(
    webhook_bot: tuple[App, str], database_url: str, request: pytest.FixtureRequest
) -> None:
    """A restart of the database is no failure of the process: the load balancer would
    otherwise take it out of rotation for the one check that met a closed connection."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite is a file in the bot's process: no connection to lose")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    _app, base = webhook_bot
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
        assert await server.close_connections(database_url.rsplit("/", 1)[1]) >= 1
        async with http.get(f"{base}/healthz", headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 200
            assert (await response.json())["database"] == "ok"


def nested_replies(depth: int) -> bytes:
    """A message quoting a message quoting … ``depth`` times (Telegram nests one level),
    as JSON text: Python's own encoder would give up first."""
    chat = json.dumps(help_update(0)["message"]["chat"])
    quoted = f'{{"message_id": 1, "date": 0, "chat": {chat}, "reply_to_message": '
    return (
        quoted * depth + f'{{"message_id": 1, "date": 0, "chat": {chat}}}' + "}" * depth
    ).encode()


def malformed_bodies() -> dict[str, bytes]:
    """Bodies a webhook could get with the right secret that are no update the bot can read."""
    good = help_update(960)
    message = good["message"]
    press = {"id": "q1", "chat_instance": "c", "data": "lang:km", "message": message}
    updates: dict[str, Any] = {
        "not an object": [good],
        "a string": "update",
        "null": None,
        "no update_id": {"message": message},
        "update_id a string": {**good, "update_id": "961"},
        "update_id too large": {**good, "update_id": 10**30},
        "text a number": {"update_id": 962, "message": {**message, "text": 12345}},
        "sender a string": {"update_id": 963, "message": {**message, "from": "Dara"}},
        "sender id a string": {
            "update_id": 964,
            "message": {**message, "from": {**message["from"], "id": "dara"}},
        },
        "message a list": {"update_id": 965, "message": [message]},
        "callback without from": {"update_id": 966, "callback_query": press},
        "callback data a list": {
            "update_id": 967,
            "callback_query": {**press, "from": message["from"], "data": ["lang", "km"]},
        },
        "replies 1,000 deep": {
            "update_id": 968,
            "message": {**message, "reply_to_message": "DEEP"},
        },
        "a field 1,000 deep": {"update_id": 969, "message": {**message, "entities": "DEEP"}},
    }
    bodies = {name: json.dumps(update).encode() for name, update in updates.items()}
    deep = b"[" * 1000 + b"]" * 1000
    bodies["a field 1,000 deep"] = bodies["a field 1,000 deep"].replace(b'"DEEP"', deep)
    replies = nested_replies(1000)
    bodies["replies 1,000 deep"] = bodies["replies 1,000 deep"].replace(b'"DEEP"', replies)
    bodies["not JSON"] = b"{not json"
    bodies["not UTF-8"] = b'{"update_id": 970, "text": "\xff\xfe"}'
    bodies["arrays 100,000 deep"] = b"[" * 100_000 + b"]" * 100_000
    return bodies


async def test_a_body_that_is_no_readable_update_is_logged_answered_200_and_changes_nothing(
    emulator: BotApiEmulator, webhook_bot: tuple[App, str], caplog: pytest.LogCaptureFixture
) -> None:
    app, base = webhook_bot
    emulator.register(DARA)
    bodies = malformed_bodies()
    statuses: dict[str, int] = {}
    caplog.set_level(logging.WARNING)
    async with aiohttp.ClientSession() as http:
        for name, body in bodies.items():
            async with http.post(
                f"{base}/dcc/hook",
                data=body,
                headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"},
            ) as response:
                statuses[name] = response.status
        huge = json.dumps({**help_update(971), "padding": "x" * 3_000_000}).encode()
        async with http.post(
            f"{base}/dcc/hook", data=huge, headers={SECRET_HEADER: SECRET}
        ) as response:
            assert response.status == 413  # refused unread; Telegram's updates are small
    assert statuses == {name: 200 for name in bodies}
    skipped = [r for r in caplog.records if "skipped, it cannot be read" in r.getMessage()]
    assert len(skipped) == len(bodies)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert await processed(app) == 0 and emulator.message_count(DARA.id) == 0

    assert await emulator.post_update(help_update(972), SECRET) == 200  # the next one works
    assert await processed(app) == 1 and emulator.message_count(DARA.id) == 1
    assert "<b>DCC Bot</b> connects" in (emulator.last(DARA.id).text or "")
