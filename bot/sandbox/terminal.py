"""``dcc-bot sandbox``: chat with the real bot in a terminal, no token needed.

The real bot (real engine, real dispatch, an SQLite file of its own) talks over HTTP to the
local emulator on 127.0.0.1; this module plays the people. Buttons are shown as [b2] (see
``bot.sandbox.chat``). What the bot sends while nobody types (an answer routed from an
expert, a broadcast's progress, a notice from the outbox) is printed as it comes, above the
prompt; the bot's log lines go to a file named at start, beside the database, so they never
cut into the conversation. ``/as ID`` plays another person of the same sandbox (an expert,
the demo company's representative, a member with a connection request waiting), ``/as me``
comes back; ``--admin`` makes the sandbox person an administrator, through the audited
``grant_role`` as the operator. With ``--script`` the inputs come from a file (one a line;
blank lines and ``# comments`` are skipped) and the whole conversation is printed: for demos
and staff training.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy.engine import make_url

from bot.config import ConfigError, Settings
from bot.demo import (
    DEMO_COMPETITION,
    DEMO_CONNECTION,
    DEMO_EXPERTS,
    DEMO_MEMBERS,
    DEMO_QUESTION,
    DEMO_REPRESENTATIVE,
    resend_demo_request,
    seed_demo_activity,
    seed_demo_company,
    seed_demo_content,
    seed_demo_members,
)
from bot.sandbox.chat import SandboxChat
from bot.sandbox.emulator import BotApiEmulator, EmuUser

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.ports import Clock
    from storage.uow import UnitOfWork
    from web.server import ConsoleServer

SANDBOX_DATABASE = "sqlite+aiosqlite:///dcc-sandbox.sqlite3"
SANDBOX_ADMIN = 9000  # the sandbox's administrator, who signs in to the web console
HELP = (
    "Type a message and press Enter. Buttons show as [b2]: type b2 to press button 2 of"
    " message b (#2: of the newest message with buttons). /as lists the people you can"
    " play, /as ID plays one, /as me comes back. :sticker and :photo send one; /photo PATH"
    " [caption] and /file PATH [caption] send a file; ? shows this again; Ctrl-D or Ctrl-C"
    " leaves."
)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclass
class Sandbox:
    """The people of one sandbox run and the one being played."""

    app: App
    emulator: BotApiEmulator
    me: EmuUser
    out: TextIO
    echo: bool = False
    chats: dict[int, SandboxChat] = field(default_factory=dict)
    current: SandboxChat | None = None
    sent: int = 0  # updates sent to the bot, to wait until it has handled them
    _toasts: int = 0  # callback answers already shown
    _announced: dict[int, int] = field(default_factory=dict)  # person → unseen count told

    def __post_init__(self) -> None:
        self.current = self.chat(self.me)

    @property
    def person(self) -> SandboxChat:
        assert self.current is not None
        return self.current

    @property
    def prompt(self) -> str:
        user = self.person.user
        return "you> " if user.id == self.me.id else f"{user.first_name} ({user.id})> "

    def chat(self, user: EmuUser) -> SandboxChat:
        if user.id not in self.chats:
            self.chats[user.id] = SandboxChat(self.emulator, user)
        return self.chats[user.id]

    async def say(self, line: str) -> None:
        """One line typed: a sandbox command (?, /as), or what the person sends the bot."""
        line = line.strip("\r\n")
        if not line.strip():
            return
        if self.echo:
            print(f"{self.prompt}{line}", file=self.out)
        command = line.split()
        if line.strip() == "?":
            print(HELP, file=self.out)
        elif command[0] == "/as":
            await self.play(command[1] if len(command) > 1 else None)
        elif self.person.send(line.strip(), self.out):
            self.sent += 1
            await self.app.dispatcher.wait_processed(self.sent)
        self.show_new()

    def show_new(self) -> None:
        """Print what the played person has not seen yet (the answers to their presses too),
        and a line for each other person who got new messages."""
        answers = self.emulator.callback_answers
        for answer in answers[self._toasts :]:
            if answer.get("text"):
                print(f"     ({answer['text']})", file=self.out)
        self._toasts = len(answers)
        self.person.show_new(self.out)
        for person_id in self._people():
            if person_id == self.person.user.id:
                continue
            unseen = self.chat(self._user(person_id)).unseen()
            if unseen and unseen != self._announced.get(person_id):
                name = self._user(person_id).first_name
                back = "me" if person_id == self.me.id else str(person_id)
                print(
                    f"     · {name} ({person_id}) has {unseen} new message"
                    f"{'s' if unseen > 1 else ''}: /as {back} to read",
                    file=self.out,
                )
            self._announced[person_id] = unseen

    async def watch(self) -> None:
        """Print what arrives while the person is not typing, as it arrives."""
        while True:
            await self.emulator.changed()
            self.show_new()

    async def play(self, who: str | None) -> None:
        """``/as``: the people to play; ``/as ID``: play that person; ``/as me``: yourself."""
        if who is None:
            await self._list_people()
            return
        if who == "me":
            user = self.me
        elif who.isdigit() and 0 < int(who) < 10**15:
            user = self._user(int(who))
        else:
            print(
                "     (/as ID plays the person with that Telegram id; /as me: yourself)",
                file=self.out,
            )
            return
        self.current = self.chat(user)
        self._announced.pop(user.id, None)
        back = "" if user.id == self.me.id else "; /as me comes back"
        print(f"     (you are now {user.first_name} ({user.id}){back})", file=self.out)

    def _people(self) -> list[int]:
        return [self.me.id, *(m["telegram_id"] for m in DEMO_MEMBERS), *self.chats]

    def _user(self, person_id: int) -> EmuUser:
        if person_id in self.chats:
            return self.chats[person_id].user
        if person_id == self.me.id:
            return self.me
        demo = next((m for m in DEMO_MEMBERS if m["telegram_id"] == person_id), None)
        if demo is not None:
            return EmuUser(person_id, demo["full_name"], demo["language"], f"demo{person_id}")
        return EmuUser(person_id, f"Person {person_id}", self.me.language_code, f"user{person_id}")

    async def _list_people(self) -> None:
        async with self.app.unit_of_work() as uow:
            admins = set(await uow.staff.ids_with_role("admin"))
            waiting: set[int] = set()
            sender = await uow.members.get(DEMO_CONNECTION[0])
            recipient = await uow.members.get(DEMO_CONNECTION[1])
            if sender is not None and recipient is not None:
                requests = await uow.community.requests_between(sender.id, recipient.id)
                if any(r.status == "pending" for r in requests):
                    waiting.add(DEMO_CONNECTION[1])
        print("People in this sandbox (/as ID plays one, /as me comes back):", file=self.out)
        for person_id in dict.fromkeys(self._people()):
            user = self._user(person_id)
            roles = _roles(person_id, person_id in admins, bool(waiting))
            mark = "me" if person_id == self.me.id else str(person_id)
            now = "  ← you play them now" if person_id == self.person.user.id else ""
            print(f"  {mark:>6}  {user.first_name}{roles}{now}", file=self.out)


def _roles(person_id: int, admin: bool, waiting: bool) -> str:
    """What playing this person lets one try."""
    demo = next((m for m in DEMO_MEMBERS if m["telegram_id"] == person_id), None)
    roles = [str(demo["role"]).replace("-", " ")] if demo else []
    if admin:
        roles.append("administrator (/admin)")
    if person_id in DEMO_EXPERTS:
        roles.append(f"expert ({', '.join(DEMO_EXPERTS[person_id])}): answers questions")
    if person_id == DEMO_REPRESENTATIVE:
        roles.append("represents Mekong Cloud Co.: posts jobs (/company)")
    if person_id == DEMO_COMPETITION["judge"]:
        roles.append("judges the open competition")
    if person_id == DEMO_QUESTION[0]:
        roles.append("asked an answered question (/myquestions)")
    if waiting and person_id == DEMO_CONNECTION[1]:
        roles.append("a connection request waits for their answer")
    if waiting and person_id == DEMO_CONNECTION[0]:
        roles.append("asked to connect")
    return " — " + "; ".join(roles) if roles else ""


def log_file(database_url: str) -> Path:
    """The sandbox's log: beside its SQLite file (dcc-sandbox.log), else in the current
    directory."""
    path = make_url(database_url).database or ""
    if make_url(database_url).get_backend_name() == "sqlite" and path not in ("", ":memory:"):
        return Path(path).with_suffix(".log")
    return Path("dcc-sandbox.log")


@contextlib.contextmanager
def logging_to(path: Path) -> Iterator[None]:
    """The bot's log lines (INFO and up) to ``path`` instead of the terminal, for the run."""
    root = logging.getLogger()
    kept, level = root.handlers[:], root.level
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.handlers = [handler]
    root.setLevel(min(level, logging.INFO) if level else logging.INFO)
    try:
        yield
    finally:
        root.handlers = kept
        root.setLevel(level)
        handler.close()


@contextlib.asynccontextmanager
async def open_sandbox(
    settings: Settings,
    user_id: int,
    language: str,
    out: TextIO,
    database_url: str = SANDBOX_DATABASE,
    admin: bool = False,
    clock: Clock | None = None,
    scheduler: bool = True,
) -> AsyncIterator[Sandbox]:
    """The emulator, the real bot on the sandbox's own SQLite file (never a real bot's data)
    with the demonstration data, and the sandbox person (an administrator with ``admin``).
    Tests pass their ``clock`` and no ``scheduler``, and run the due work themselves."""
    from bot.app import build_app

    # Update ids only grow on Telegram; the sandbox's database outlives one emulator run.
    async with BotApiEmulator(first_update_id=int(time.time() * 1000)) as emulator:
        app = await build_app(
            settings.with_(token=emulator.token, api_url=emulator.url, database_url=database_url),
            migrate=True,
            clock=clock,
        )
        now = app.clock.now()
        async with app.unit_of_work() as uow:  # demo experts to ask, demo jobs to browse
            await seed_demo_members(uow)
            await seed_demo_company(uow, now, app.settings.tz)
            await seed_demo_content(uow, now, app.settings.tz)
            await seed_demo_activity(uow, now, app.settings.tz)
            await resend_demo_request(uow, app.dispatcher.translations, now)
            if admin:
                await _make_admin(app, uow, user_id)
            await uow.commit()
        for demo in DEMO_MEMBERS:  # the demo members have "opened the bot"
            emulator.register(EmuUser(demo["telegram_id"], demo["full_name"]))
        user = EmuUser(user_id, "Sandbox", language_code=language, username=f"user{user_id}")
        emulator.register(user)  # so a notice (an administrator's new role) can reach them
        await app.start(poll_timeout=1, scheduler=scheduler)
        try:
            yield Sandbox(app, emulator, user, out)
        finally:
            await app.stop()


async def _make_admin(app: App, uow: UnitOfWork, user_id: int) -> None:
    """``--admin``: the operator grants the role, as ``dcc-bot admins add`` does (audited)."""
    from handlers.acting import Acting
    from handlers.admin.operations import grant_role

    acting = Acting(None, "cli", uow, app.dispatcher.translations, app.clock.now(), app.settings.tz)
    await grant_role(acting, user_id, "admin")


async def run_sandbox(
    settings: Settings,
    user_id: int,
    language: str,
    script: Path | None,
    out: TextIO | None = None,
    database_url: str = SANDBOX_DATABASE,
    admin: bool = False,
    prompt_io: dict[str, Any] | None = None,
) -> int:
    """Chat as ``user_id``: the lines of ``script``, else what is typed in the terminal
    (``prompt_io``: the prompt's ``input`` and ``output`` a test gives instead)."""
    if script is None and not sys.stdin.isatty():
        raise ConfigError(
            "standard input is not a terminal: pass --script FILE to play inputs from a file"
        )
    if script is not None and not script.is_file():
        raise ConfigError(f"{script}: no such file")
    log = log_file(database_url)
    with logging_to(log):
        if script is not None:
            async with open_sandbox(
                settings, user_id, language, out or sys.stdout, database_url, admin
            ) as sandbox:
                sandbox.echo = True
                sandbox.show_new()
                for line in script.read_text(encoding="utf-8").splitlines():
                    if not (line.strip().startswith("# ") or line.strip() == "#"):
                        await sandbox.say(line)
            return 0
        from prompt_toolkit.patch_stdout import patch_stdout

        with patch_stdout(raw=True):  # what arrives is printed above the prompt
            async with open_sandbox(
                settings, user_id, language, out or sys.stdout, database_url, admin
            ) as sandbox:
                console = await _open_console(sandbox.app, sandbox.out)
                try:
                    role = ", an administrator" if admin else ""
                    print(
                        f"DCC Bot sandbox: you are user {user_id} ({language}{role})."
                        f" The bot's log: {log}. {HELP}",
                        file=sandbox.out,
                    )
                    await interactive(sandbox, **(prompt_io or {}))
                finally:
                    if console is not None:
                        await console.stop()
    return 0


async def interactive(sandbox: Sandbox, **prompt_io: object) -> None:
    """Read lines while the bot works, printing what it sends as it comes. prompt_toolkit
    reads the keys itself, so a line is read whole however long (the terminal's own line
    editing stops at 4,096 bytes) and a pasted text of several lines is one message.
    ``prompt_io``: tests pass a pipe ``input`` and a dummy ``output``."""
    from prompt_toolkit import PromptSession

    session: PromptSession[str] = PromptSession(**prompt_io)  # type: ignore[arg-type]
    sandbox.show_new()
    watcher = asyncio.create_task(sandbox.watch(), name="sandbox-watch")
    try:
        while True:
            try:
                line = await session.prompt_async(lambda: sandbox.prompt)
            except (EOFError, KeyboardInterrupt):
                break
            await sandbox.say(line)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    print("", file=sandbox.out)


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
