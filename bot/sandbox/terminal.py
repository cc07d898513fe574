"""``dcc-bot sandbox``: chat with the real bot in a terminal, no token needed.

The real bot (real engine, real dispatch, an SQLite file of its own) talks over HTTP to the
local emulator on 127.0.0.1; this module plays the member. Buttons are shown as numbered
choices; ``#N`` presses choice N of the last message that has buttons. With ``--script``
the inputs come from a file (one a line; blank lines and ``# comments`` are skipped) and
the whole conversation is printed: for demos and staff training.
"""

from __future__ import annotations

import asyncio
import html
import mimetypes
import re
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.config import ConfigError, Settings
from bot.demo import DEMO_MEMBERS, seed_demo_company, seed_demo_content, seed_demo_members
from bot.sandbox.emulator import BotApiEmulator, EmuUser, SentMessage

if TYPE_CHECKING:
    from bot.app import App
    from web.server import ConsoleServer

SANDBOX_DATABASE = "sqlite+aiosqlite:///dcc-sandbox.sqlite3"
SANDBOX_PHONE = "+85512345678"
SANDBOX_ADMIN = 9000  # the sandbox's administrator, who signs in to the web console
CHOICE = re.compile(r"#\s*(\d+)")
HELP = (
    "Type a message and press Enter. #N presses button N; :sticker and :photo send one;"
    " /photo PATH [caption] and /file PATH [caption] send that file; Ctrl-D or Ctrl-C leaves."
)
FILE_INPUT = re.compile(r"/(photo|file)\s+(\S+)(?:\s+(.*))?", re.DOTALL)


@dataclass(frozen=True)
class Choice:
    label: str
    message_id: int
    callback_data: str | None = None
    url: str | None = None
    request_contact: bool = False


class SandboxChat:
    """One member's side of the chat: sends inputs, prints what the bot answers."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        user: EmuUser,
        wait: Callable[[int], Awaitable[None]],
        out: TextIO,
        echo: bool = True,
    ) -> None:
        self.echo = echo
        self.emulator = emulator
        self.user = user
        self._wait = wait
        self.out = out
        self.sent = 0
        self.choices: list[Choice] = []  # the inline buttons of the last message with some
        self.keyboard: list[Choice] = []  # the reply keyboard shown under the text field
        self._seen: dict[int, tuple[int, bool]] = {}  # message id → (edits, had buttons)
        self._texts: dict[int, str] = {}
        self._toasts = 0  # callback answers already shown

    async def say(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        if self.echo:
            print(f"you> {line}", file=self.out)
        match = CHOICE.fullmatch(line)
        if match:
            if not self._press(int(match.group(1))):
                return
        elif line == ":sticker":
            self.emulator.send_sticker(self.user)
        elif line == ":photo":
            self.emulator.send_photo(self.user)
        elif FILE_INPUT.fullmatch(line):
            if not self._send_file(line):
                return
        else:
            self.emulator.send_text(self.user, line)
        self.sent += 1
        await self._wait(self.sent)
        self.show_new()

    def _send_file(self, line: str) -> bool:
        """``/photo PATH [caption]`` or ``/file PATH [caption]``: the file as the member's
        photo or document (its type guessed from the name); False when it cannot be read."""
        match = FILE_INPUT.fullmatch(line)
        assert match is not None
        kind, name, caption = match.group(1), match.group(2), match.group(3) or None
        path = Path(name).expanduser()
        try:
            data = path.read_bytes()
        except OSError as error:
            print(f"     (cannot read {name}: {error.strerror or error})", file=self.out)
            return False
        if kind == "photo":
            self.emulator.send_photo(self.user, caption=caption, data=data)
        else:
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self.emulator.send_document(self.user, data, path.name, mime_type, caption=caption)
        return True

    def _press(self, number: int) -> bool:
        choices = self.all_choices
        if not 1 <= number <= len(choices):
            print(f"     (there is no choice {number}; pick 1 to {len(choices)})", file=self.out)
            return False
        choice = choices[number - 1]
        if choice.url:
            print(f"     (opens {choice.url})", file=self.out)
            return False
        if choice.request_contact:
            self.emulator.send_contact(self.user, SANDBOX_PHONE)
        elif choice.callback_data is not None:
            self.emulator.press(self.user, choice.message_id, choice.callback_data)
        else:
            self.emulator.send_text(self.user, choice.label)
        return True

    def show_new(self) -> None:
        """Print what the bot sent or changed since the last input, then the choices."""
        printed = False
        answers = self.emulator.callback_answers
        for answer in answers[self._toasts :]:
            if answer.get("text"):
                print(f"     ({answer['text']})", file=self.out)
        self._toasts = len(answers)
        for message in self.emulator.messages(self.user.id):
            before = self._seen.get(message.message_id)
            now = (message.edits, bool(message.inline_keyboard))
            if before == now or message.deleted:
                continue
            self._seen[message.message_id] = now
            if not message.inline_keyboard and any(
                c.message_id == message.message_id for c in self.choices
            ):
                self.choices = []  # its buttons were taken away
            if before is not None and not message.inline_keyboard and before[0] == now[0] - 1:
                if message.edits and not self._text_changed(message):
                    continue  # only its buttons were taken away after a press
            self._print(message, edited=before is not None)
            if message.reply_keyboard is not None:
                self.keyboard = self._reply_choices(message)
            elif message.removes_keyboard:
                self.keyboard = []
            inline = self._inline_choices(message)
            if inline:
                self.choices = inline
                self._print_choices(inline, 1)
            printed = True
        if printed and self.keyboard:
            self._print_choices(self.keyboard, len(self.choices) + 1, "keyboard: ")

    def _text_changed(self, message: SentMessage) -> bool:
        shown = self._texts.get(message.message_id)
        self._texts[message.message_id] = message.text or ""
        return shown is not None and shown != (message.text or "")

    def _print(self, message: SentMessage, edited: bool) -> None:
        self._texts[message.message_id] = message.text or ""
        if message.kind == "document":
            size = len(message.document or b"")
            body = f"[file {message.filename}, {size} bytes] {plain(message.text or '')}"
        elif message.kind == "photo":
            body = f"[photo] {plain(message.text or '')}"
        elif edited and message.inline_keyboard:
            body = "(buttons updated)"
        else:
            body = plain(message.text or "")
        lines = body.splitlines() or [""]
        print("bot> " + lines[0], file=self.out)
        for line in lines[1:]:
            print("     " + line, file=self.out)

    def _print_choices(self, choices: list[Choice], first: int, prefix: str = "") -> None:
        numbered = [f"[{i}] {c.label}" for i, c in enumerate(choices, first)]
        for start in range(0, len(numbered), 3):
            print("     " + prefix + "   ".join(numbered[start : start + 3]), file=self.out)

    @property
    def all_choices(self) -> list[Choice]:
        return self.choices + self.keyboard

    @staticmethod
    def _inline_choices(message: SentMessage) -> list[Choice]:
        return [
            Choice(b["text"], message.message_id, b.get("callback_data"), b.get("url"))
            for row in message.inline_keyboard
            for b in row
        ]

    @staticmethod
    def _reply_choices(message: SentMessage) -> list[Choice]:
        found = []
        for row in (message.reply_keyboard or {}).get("keyboard", []):
            for button in row:
                label = button if isinstance(button, str) else button.get("text", "")
                contact = isinstance(button, dict) and bool(button.get("request_contact"))
                found.append(Choice(label, message.message_id, request_contact=contact))
        return found


def plain(text: str) -> str:
    """HTML as the member would read it, without the tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def run_sandbox(
    settings: Settings,
    user_id: int,
    language: str,
    script: Path | None,
    out: TextIO = sys.stdout,
    database_url: str = SANDBOX_DATABASE,
) -> int:
    """Chat as ``user_id``; the sandbox's own SQLite file never mixes with a real bot's data."""
    from bot.app import build_app

    if script is None and not sys.stdin.isatty():
        raise ConfigError(
            "standard input is not a terminal: pass --script FILE to play inputs from a file"
        )
    if script is not None and not script.is_file():
        raise ConfigError(f"{script}: no such file")
    # Update ids only grow on Telegram; the sandbox's database outlives one emulator run.
    async with BotApiEmulator(first_update_id=int(time.time() * 1000)) as emulator:
        app = await build_app(
            settings.with_(token=emulator.token, api_url=emulator.url, database_url=database_url),
            migrate=True,
        )
        async with app.unit_of_work() as uow:  # demo experts to ask, demo jobs to browse
            await seed_demo_members(uow)
            await seed_demo_company(uow, app.clock.now(), app.settings.tz)
            await seed_demo_content(uow, app.clock.now(), app.settings.tz)
            await uow.commit()
        for demo in DEMO_MEMBERS:  # the demo members have "opened the bot"
            emulator.register(EmuUser(demo["telegram_id"], demo["full_name"]))
        await app.start(poll_timeout=1)
        user = EmuUser(user_id, "Sandbox", language_code=language, username=f"user{user_id}")
        chat = SandboxChat(emulator, user, app.dispatcher.wait_processed, out, echo=bool(script))
        console = None if script is not None else await _open_console(app, out)
        try:
            chat.show_new()
            if script is not None:
                for line in script.read_text(encoding="utf-8").splitlines():
                    if line.strip().startswith("# ") or line.strip() == "#":
                        continue
                    await chat.say(line)
            else:
                print(f"DCC Bot sandbox: you are user {user_id} ({language}). {HELP}", file=out)
                await _interactive(chat)
        finally:
            if console is not None:
                await console.stop()
            await app.stop()
    return 0


async def _open_console(app: App, out: TextIO) -> ConsoleServer | None:
    """The web console beside the chat, and a sign-in link for the sandbox's administrator
    (the first of DCC_ADMIN_IDS, else SANDBOX_ADMIN); a taken port only costs the console."""
    from web.server import ConsoleServer, console_for
    from web.signin import issue_link

    settings = app.settings
    admin = settings.admin_ids[0] if settings.admin_ids else SANDBOX_ADMIN
    server = ConsoleServer(
        console_for(settings, app.unit_of_work, app.dispatcher.translations, app.clock.now),
        settings.web_address,
    )
    try:
        await server.start()
    except OSError as error:
        host, port = settings.web_address
        print(f"The web console could not listen on {host}:{port} ({error}).", file=out)
        return None
    async with app.unit_of_work() as uow:
        await uow.staff.grant(admin, "admin", granted_by=None)
        link = await issue_link(uow, admin, app.clock.now(), settings.web_base_url)
        await uow.commit()
    print(f"Web console: {settings.web_base_url}/", file=out)
    print(f"Sign in as the sandbox administrator ({admin}), within 10 minutes: {link}", file=out)
    return server


async def _interactive(chat: SandboxChat) -> None:
    """Read lines on a daemon thread, so Ctrl-C and Ctrl-D end the sandbox at once."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, name="sandbox-input", daemon=True).start()
    while (line := await lines.get()) is not None:
        if line.strip() == "?":
            print(HELP, file=chat.out)
            continue
        await chat.say(line)
    print("", file=chat.out)
