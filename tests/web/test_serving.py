"""Serving the console beside the bot: on the webhook's server when DCC_WEB_LISTEN is the
webhook's address (both answer; a webhook path that is a console page is refused at start
in one line), and in the sandbox (its address and a sign-in link that works once; a taken
port costs the console only, the chat carries on). The refusal pages tell administrators
and moderators where their Web console button is."""

from __future__ import annotations

import asyncio
import io
import re
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput
from yarl import URL

from bot.app import App, build_app
from bot.cli import main
from bot.commands import run
from bot.config import ConfigError, Settings
from bot.sandbox.emulator import BotApiEmulator, EmuUser
from bot.sandbox.terminal import run_sandbox
from bot.webhook import SECRET_HEADER, WebhookServer
from tests.conftest import FakeClock
from tests.web.test_console import CSRF, MODERATOR, World
from web.server import check_shared_address, console_for
from web.signin import issue_link

DARA = EmuUser(1801, "Dara")
SECRET = "s3cret_token-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def browser() -> aiohttp.ClientSession:
    """A client that keeps cookies of 127.0.0.1, as a browser does."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def sign_in_with(http: aiohttp.ClientSession, base: str, link: str) -> int:
    """Open a sign-in link and press Sign in; the status of the answer (303: signed in)."""
    target = urlsplit(link)
    page = await http.get(f"{base}{target.path}?{target.query}")
    form = CSRF.search(await page.text())
    assert page.status == 200 and form is not None, await page.text()
    token = target.query.split("token=")[1]
    signed = await http.post(
        f"{base}/signin", data={"csrf": form.group(1), "token": token}, allow_redirects=False
    )
    return signed.status


# -- the webhook's server -----------------------------------------------------------------------
@pytest.fixture
async def shared_server(
    settings: Settings, clock: FakeClock
) -> AsyncIterator[tuple[App, BotApiEmulator, str]]:
    """The bot in webhook mode with the console on the webhook's address, as ``dcc-bot run
    --webhook`` builds it when DCC_WEB_LISTEN equals DCC_WEBHOOK_LISTEN."""
    port = free_port()
    async with BotApiEmulator() as emulator:
        app = await build_app(
            settings.with_(
                token=emulator.token, api_url=emulator.url, engine="ptb",
                webhook_url=f"http://127.0.0.1:{port}/dcc/hook", webhook_secret=SECRET,
                webhook_listen=("127.0.0.1", port), web_listen=("127.0.0.1", port),
            ),
            migrate=True,
            clock=clock,
        )  # fmt: skip
        console = console_for(
            app.settings, app.unit_of_work, app.dispatcher.translations, clock.now
        )
        server = WebhookServer(app, console)
        await server.start()
        await app.start(scheduler=False, webhook=True)
        try:
            yield app, emulator, f"http://127.0.0.1:{port}"
        finally:
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


async def test_one_server_answers_the_webhook_the_health_check_and_the_console(
    shared_server: tuple[App, BotApiEmulator, str],
) -> None:
    app, emulator, base = shared_server
    emulator.register(DARA)
    async with browser() as http:
        health = await http.get(f"{base}/healthz")
        assert health.status == 200 and await health.json() == {"status": "ok"}
        refused = await http.post(f"{base}/dcc/hook", json=help_update(1))
        assert refused.status == 403  # the webhook's secret is still checked
        hook = await http.post(
            f"{base}/dcc/hook", json=help_update(2), headers={SECRET_HEADER: SECRET}
        )
        assert hook.status == 200 and await hook.text() == "ok"
        assert emulator.message_count(DARA.id) == 1  # the bot answered /help
        signin = await http.get(f"{base}/signin")
        assert signin.status == 200 and "sign-in link" in await signin.text()
        assert (await http.get(f"{base}/static/console.css")).status == 200
        # the console's own POST is not the webhook's: a moderator signs in on this server
        async with app.unit_of_work() as uow:
            await uow.staff.grant(MODERATOR, "moderator", None)
            link = await issue_link(uow, MODERATOR, uow.now(), base)
            await uow.commit()
        assert await sign_in_with(http, base, link) == 303
        reports = await http.get(f"{base}/reports")
        assert reports.status == 200 and "<h1>Reports</h1>" in await reports.text()


@pytest.mark.parametrize("path", ["/signin", "/overview", "/broadcasts/7", "/static/hook", "/"])
async def test_a_webhook_path_that_is_a_console_page_is_refused_at_start(
    settings: Settings, path: str
) -> None:
    shared = settings.with_(
        webhook_url=f"https://bot.example.org{path}", webhook_secret=SECRET,
        webhook_listen=("127.0.0.1", 8080), web_listen=("127.0.0.1", 8080),
    )  # fmt: skip
    with pytest.raises(ConfigError) as refused:
        await run(shared, webhook=True)
    message = str(refused.value)
    assert f"DCC_WEBHOOK_URL ({path})" in message and "\n" not in message
    check_shared_address(shared.with_(webhook_url="https://bot.example.org/telegram/webhook"))


def test_the_cli_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "TELEGRAM_BOT_TOKEN": "123456:TEST", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
        "DCC_WEBHOOK_URL": "https://bot.example.org/signin", "DCC_WEBHOOK_SECRET": SECRET,
        "DCC_WEBHOOK_LISTEN": "127.0.0.1:8080", "DCC_WEB_LISTEN": "127.0.0.1:8080",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    assert main(["run", "--webhook"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(
        "dcc-bot: error: the path of DCC_WEBHOOK_URL"
    )
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened


# -- the sandbox --------------------------------------------------------------------------------
class Terminal:
    """Standard input as a terminal: the lines a test types, one at a time, as keys."""

    def __init__(self, keys: PipeInput) -> None:
        self.keys = keys

    def isatty(self) -> bool:
        return True

    def type(self, line: str | None) -> None:
        self.keys.send_text("\x04" if line is None else line.replace("\n", "\r"))


class Screen(io.StringIO):
    """What the sandbox prints; ``shown`` is set once a line containing ``wanted`` appears."""

    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted = wanted
        self.shown = asyncio.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.wanted in self.getvalue():
            self.shown.set()
        return written


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[Terminal]:
    with create_pipe_input() as keys:
        typed = Terminal(keys)
        monkeypatch.setattr(sys, "stdin", typed)
        yield typed


async def chat_in_sandbox(
    settings: Settings, terminal: Terminal, tmp_path: Path, wanted: str
) -> tuple[asyncio.Task[int], Screen]:
    screen = Screen(wanted)
    sandbox = asyncio.create_task(
        run_sandbox(
            settings, 4242, "en", None, screen,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.sqlite3'}",
            prompt_io={"input": terminal.keys, "output": DummyOutput()},
        )
    )  # fmt: skip
    await asyncio.wait_for(screen.shown.wait(), 30)
    return sandbox, screen


async def finish(sandbox: asyncio.Task[int], terminal: Terminal, screen: Screen) -> str:
    """Type /help, then end the input; all the sandbox printed."""
    terminal.type("/help\n")
    terminal.type(None)
    assert await asyncio.wait_for(sandbox, 30) == 0
    return screen.getvalue()


async def test_the_sandbox_serves_the_console_and_a_link_that_works_once(
    settings: Settings, terminal: Terminal, tmp_path: Path
) -> None:
    port = free_port()
    sandbox, screen = await chat_in_sandbox(
        settings.with_(web_listen=("127.0.0.1", port)), terminal, tmp_path, "Sign in as"
    )
    try:
        shown = screen.getvalue()
        assert f"Web console: http://127.0.0.1:{port}/\n" in shown
        found = re.search(r"Sign in as the sandbox administrator \((\d+)\).*: (\S+)", shown)
        assert found is not None, shown
        link, base = found.group(2), f"http://127.0.0.1:{port}"
        assert link.startswith(f"{base}/signin?token=")
        async with browser() as first:
            assert await sign_in_with(first, base, link) == 303
            overview = await first.get(f"{base}/overview")
            assert overview.status == 200 and "<h1>Overview</h1>" in await overview.text()
        async with browser() as second:  # the same link again: refused
            page = await second.get(link)
            assert page.status == 403 and "cannot be used" in await page.text()
            await second.get(f"{base}/signin")  # its form token, then the link's token posted
            form = second.cookie_jar.filter_cookies(URL(base)).get("dcc_console_form")
            assert form is not None
            token = link.split("token=")[1]
            pressed = await second.post(f"{base}/signin", data={"csrf": form.value, "token": token})
            assert pressed.status == 403
    finally:
        shown = await finish(sandbox, terminal, screen)
    assert "bot> DCC Bot connects the Digital Community" in shown  # the chat carried on


async def test_a_taken_port_costs_the_sandbox_its_console_only(
    settings: Settings, terminal: Terminal, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        sandbox, screen = await chat_in_sandbox(
            settings.with_(web_listen=("127.0.0.1", port)), terminal, tmp_path, "DCC Bot sandbox"
        )
        shown = await finish(sandbox, terminal, screen)
    refusals = [line for line in shown.splitlines() if "web console" in line.lower()]
    assert refusals == [refusals[0]] and refusals[0].startswith(
        f"The web console could not listen on 127.0.0.1:{port}"
    ), shown
    assert "Sign in as" not in shown
    assert "bot> DCC Bot connects the Digital Community" in shown.split("DCC Bot sandbox:")[1]


# -- where the Web console button is --------------------------------------------------------------
async def test_the_refusals_tell_moderators_to_look_under_reports(world: World) -> None:
    page = await world.client.get("/signin")
    text = await page.text()
    assert "administrators send /admin and moderators send /reports" in text
    expired = await world.client.get("/signin?token=made-up")
    assert expired.status == 403
    assert "administrators under /admin, moderators under /reports" in await expired.text()
    await world.client.get("/signin?lang=km")
    khmer = await world.client.get("/signin?token=made-up&lang=km")
    assert "អ្នកសម្របសម្រួលនៅក្រោម /reports" in await khmer.text()
