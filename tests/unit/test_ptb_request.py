"""python-telegram-bot's calls over aiohttp: the same requests as over httpx, and the same
exceptions when the network fails."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.web_request import FileField
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.engines import ptb  # noqa: F401  (python-telegram-bot set up as the bot runs it)
from bot.engines.ptb_request import AiohttpRequest

TOKEN = "123:abc"
ME = {"id": 123, "is_bot": True, "first_name": "DCC Bot", "username": "dcc_bot"}


class FakeTelegram:
    """Answers each call with what ``answers`` holds for its method; keeps what came."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.answers: dict[str, tuple[int, dict[str, Any]]] = {
            "getMe": (200, {"ok": True, "result": ME}),
        }
        self.delay = 0.0
        self.targets: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        fields: dict[str, Any] = {}
        for name, value in (await request.post()).items():
            fields[name] = (
                (value.filename, value.file.read()) if isinstance(value, FileField) else value
            )
        self.calls.append((method, request.content_type, fields))
        self.targets.append(request.raw_path)  # absolute (http://host/…) when proxied
        await asyncio.sleep(self.delay)
        status, body = self.answers.get(method, (200, {"ok": True, "result": True}))
        return web.json_response(body, status=status)


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeTelegram, str]]:
    fake = FakeTelegram()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield fake, f"http://127.0.0.1:{port}/bot"
    await runner.cleanup()


def make_bot(base_url: str, request: AiohttpRequest | None = None) -> Bot:
    request = request or AiohttpRequest()
    return Bot(TOKEN, base_url=base_url, request=request, get_updates_request=AiohttpRequest(1))


async def test_a_call_goes_as_form_fields_and_its_answer_is_read(
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake, url = telegram
    fake.answers["sendMessage"] = (
        200,
        {"ok": True, "result": {"message_id": 7, "date": 0, "chat": {"id": 5, "type": "private"}}},
    )
    async with make_bot(url) as bot:
        message = await bot.send_message(5, "ជំរាបសួរ <b>", reply_markup=None)
    assert message.message_id == 7
    method, content_type, fields = fake.calls[-1]
    assert (method, content_type) == ("sendMessage", "application/x-www-form-urlencoded")
    assert fields["chat_id"] == "5" and fields["text"] == "ជំរាបសួរ <b>"


async def test_an_upload_goes_as_multipart_with_its_file_name(
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake, url = telegram
    fake.answers["sendDocument"] = (
        200,
        {
            "ok": True,
            "result": {
                "message_id": 8, "date": 0, "chat": {"id": 5, "type": "private"},
                "document": {"file_id": "F", "file_unique_id": "U"},
            },
        },
    )  # fmt: skip
    async with make_bot(url) as bot:
        await bot.send_document(5, b"%PDF-1.4 cv", filename="cv.pdf", caption="CV")
    method, content_type, fields = fake.calls[-1]
    assert (method, content_type) == ("sendDocument", "multipart/form-data")
    assert fields["document"] == ("cv.pdf", b"%PDF-1.4 cv")
    assert fields["caption"] == "CV" and fields["chat_id"] == "5"


async def test_telegram_refusals_raise_python_telegram_bots_own_errors(
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake, url = telegram
    fake.answers["sendMessage"] = (
        429,
        {"ok": False, "error_code": 429, "description": "Too Many Requests",
         "parameters": {"retry_after": 3}},
    )  # fmt: skip
    fake.answers["editMessageText"] = (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: message is not modified"},
    )
    async with make_bot(url) as bot:
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(5, "hi")
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("hi", chat_id=5, message_id=1)
    assert flood.value.retry_after == timedelta(seconds=3)


async def test_a_slow_answer_times_out(telegram: tuple[FakeTelegram, str]) -> None:
    fake, url = telegram
    fake.delay = 0.5
    async with make_bot(url) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(5, "hi", read_timeout=0.1, write_timeout=0.1)


async def test_no_server_is_a_network_error() -> None:
    port = unused_port()
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as error:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    assert not isinstance(error.value, TimedOut)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy of the machine's own: urllib reads the lower-case names first."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def unused_port() -> int:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("scheme", ["http://", ""])
async def test_calls_go_through_the_proxy_the_environment_names(
    telegram: tuple[FakeTelegram, str], environment: pytest.MonkeyPatch, scheme: str
) -> None:
    """An operator behind a proxy sets HTTP(S)_PROXY, as for httpx (with or without its
    scheme): the fake Telegram plays the proxy, and the host in the bot's URL does not exist
    (written in capitals: a scheme is the same in any case)."""
    fake, url = telegram
    environment.setenv("HTTP_PROXY", scheme + url.removeprefix("http://").removesuffix("/bot"))
    async with make_bot("HTTP://api.telegram.invalid/bot") as bot:  # getMe first
        await bot.send_message(5, "hi")
    assert fake.targets == [
        f"http://api.telegram.invalid/bot{TOKEN}/getMe",
        f"http://api.telegram.invalid/bot{TOKEN}/sendMessage",
    ]


async def test_a_host_the_environment_exempts_is_called_directly(
    telegram: tuple[FakeTelegram, str], environment: pytest.MonkeyPatch
) -> None:
    fake, url = telegram
    environment.setenv("HTTP_PROXY", f"http://127.0.0.1:{unused_port()}")  # would fail
    environment.setenv("NO_PROXY", "localhost,127.0.0.1")
    async with make_bot(url) as bot:  # getMe first
        assert bot.username == "dcc_bot"
    assert fake.targets == [f"/bot{TOKEN}/getMe"]


async def test_a_proxy_aiohttp_cannot_speak_is_left_out_and_named_in_the_log(
    telegram: tuple[FakeTelegram, str],
    environment: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """ALL_PROXY=socks5://… (common on workstations): aiohttp would send HTTP to the SOCKS
    port and every call would fail; the calls go direct, as they did with trust_env."""
    fake, url = telegram
    environment.setenv("ALL_PROXY", f"socks5://127.0.0.1:{unused_port()}")
    async with make_bot(url) as bot:
        await bot.send_message(5, "hi")
    assert fake.targets == [f"/bot{TOKEN}/getMe", f"/bot{TOKEN}/sendMessage"]
    assert "the all proxy is a socks5 one" in caplog.text
