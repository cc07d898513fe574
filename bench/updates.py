"""Benchmark inbound updates: a mixed workload against each engine, on SQLite and PostgreSQL,
next to a bare echo bot on the same engine.

    .venv/bin/python bench/updates.py [--users 20] [--seconds 20] [--engines ptb,aiogram]
                                      [--databases sqlite,postgresql]

Simulated members talk to the bot through the local Bot API emulator, each waiting for the
bot's answer before the next step (as a person does): the whole sign-up (text and button
presses), /help, /ask with a question; then a newcomer takes the member's place and signs up. The echo bot is
the same engine adapter answering every update with a message (and a button press with its
answer too), without our dispatch or database, and gets the same mix of texts and presses.
Each run is a child process (so its peak memory is its own), tuned as `dcc-bot run` is, and
has two parts:

- throughput: every member acts as soon as it has its answer; updates/s counts the updates
  answered. This is the most the bot takes, and where a queue forms, so its latency only
  says how long the queue is;
- latency, at half that rate (busy, but keeping up): handling latency is the time our
  dispatch takes over one update, from the engine handing it over to the last reply sent
  (the database work and the Bot API calls included); end to end is from the update being
  queued in the emulator to the bot's first answer, which adds the long-poll round trip and
  the emulator itself, running in the same process and event loop.

Each line also gives the Bot API calls an update, the CPU an update of the bot's process
(the emulator's included) and, by long polling, how many updates a ``getUpdates`` brought:
with a fixed number of members, a bot that holds its updates longer finds fewer waiting at
each poll and polls more often for the same updates.

Next to our bot run two references on the same engine and database: **echo + transaction**
(the echo bot with the transaction every update of ours takes first: the update id claimed,
the conversation read, the commit) and **echo, our calls + state**, the floor of what ours
does where members see it, with none of its features: that transaction also writes the
conversation, a press is answered, its keyboard taken off and the next message sent, and
each message is as long and has as many buttons as ours on average in the run before.

PostgreSQL runs start a server in a temporary folder like the tests do. ``--rounds N`` runs
each combination N times, one reference and bot after the other: the machine's speed drifts
over minutes, so only runs close in time compare, and the verdict takes the median. Our bot
runs between the two references, and every second round runs them the other way round, so
that a drift favouring our bot against one in a round disfavours it in the next. Exits 1
on FAIL: under 80% of the echo + transaction bot's rate on the same engine and database, or
handling p95 over 50 ms.

``--processes 2`` (PostgreSQL) also measures DCC Bot as it is deployed to take more updates
than one process can: Telegram gives a bot's updates to one long-polling client only, so
several processes take them by webhook, behind a reverse proxy that spreads the requests.
The bench runs ``dcc-bot run --webhook`` as one, then as two processes sharing the database,
and stands for Telegram and the proxy itself: the emulator, in the bench's own process,
posts each update to the processes in turn over kept-alive connections (a member's next
update may reach the other process: the member's turn in the database orders them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bot.sandbox.emulator import BotApiEmulator, EmuUser  # noqa: E402

# (text to send) or ("#", label of a button to press on the newest message showing it)
CYCLE: tuple[tuple[str, str], ...] = (
    ("", "/start"), ("#", "English"), ("#", "I agree"), ("", "Sok Dara"), ("#", "Student"),
    ("#", "Skip"), ("#", "Phnom Penh"), ("#", "Web"), ("#", "Done"), ("", "3"), ("#", "No"),
    ("#", "No"), ("#", "Skip"), ("#", "Confirm"), ("", "/help"), ("", "/ask"),
    ("", "How do I protect my company's computers from ransomware and phishing attacks?"),
    ("#", "Send"),
)  # fmt: skip
# The question is one /ask ticks a topic for (cybersecurity, clearly ahead): Send then goes
# through. A question the suggestion is unsure of is sent only once the member taps a topic.
# After the last step the member is replaced by a newcomer (a new Telegram account), who
# signs up in turn: the mix is sign-up, presses and /ask. (Earlier runs had each
# member erase their account and sign up again; an erasure every twenty updates, thirty
# statements each, is not what a community does, and was a fifth of dispatch's time.)
# The echo bot gets the same mix, in the same order: a text where a member types, a press
# where a member presses (6 and 12 in 18), so both bots face the same updates.
ECHO_CYCLE: tuple[tuple[str, str], ...] = tuple(
    ("#", "echo") if kind == "#" else ("", text) for kind, text in CYCLE
)


class Member:
    """One simulated member: sends the next step once the bot has answered the last one."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        accounts: Iterator[int],
        name: str,
        cycle: tuple[tuple[str, str], ...],
    ):
        self.emulator, self.accounts, self.name, self.cycle = emulator, accounts, name, cycle
        self.user = EmuUser(next(accounts), name)
        self.directory: dict[int, Member] = {}  # by chat, kept by ``drive``
        self.step = 0
        self.sent_at = 0.0
        self.waiting = False
        self.looking_since: float | None = None  # the button to press has not appeared yet

    def act(self) -> bool:
        """Send the next step; False while its button is still to come (the rest of the
        last answer is on its way)."""
        if self.step == len(self.cycle):
            self._newcomer()
        kind, value = self.cycle[self.step]
        now = time.perf_counter()
        if kind == "#":
            found = self._button(value)
            if found is None:
                if self.looking_since is None:
                    self.looking_since = now
                if now - self.looking_since < 2:
                    return False
                value, self.step = "/cancel", -1  # lost the way: start again
            else:
                self._send(now, lambda: self.emulator.press(self.user, *found))
                return True
        self._send(now, lambda: self.emulator.send_text(self.user, value))
        return True

    def _newcomer(self) -> None:
        del self.directory[self.user.id]
        self.user, self.step = EmuUser(next(self.accounts), self.name), 0
        self.directory[self.user.id] = self
        self.emulator.register(self.user)

    def _send(self, now: float, send: Any) -> None:
        self.step += 1
        self.looking_since = None
        self.waiting, self.sent_at = True, now
        send()

    def _button(self, label: str) -> tuple[int, str] | None:
        for message in reversed(self.emulator.messages(self.user.id)[-3:]):
            for row in message.inline_keyboard:
                for button in row:
                    if label in button["text"] and "callback_data" in button:
                        return message.message_id, button["callback_data"]
        return None


async def drive(
    emulator: BotApiEmulator, members: list[Member], seconds: float, rate: float | None = None
) -> dict[str, Any]:
    """Members act for ``seconds``: each as soon as the bot has answered it (the most the
    bot can take), or with ``rate``, one step every 1/rate seconds (a steady load)."""
    by_chat = {m.user.id: m for m in members}
    for member in members:
        member.directory = by_chat
    latencies: list[float] = []
    answered = asyncio.Event()
    calls = polls = polled = 0  # polled: the updates the polls brought
    sent: list[tuple[int, int]] = []  # each message sent: its characters, its buttons

    def listener(method: str, params: dict[str, Any], result: Any) -> None:
        nonlocal calls, polls, polled
        if method == "getUpdates":
            polls, polled = polls + 1, polled + len(result or ())
            return
        calls += 1
        if method == "sendMessage":
            sent.append((len(params.get("text", "")), buttons(params.get("reply_markup"))))
        chat = params.get("chat_id")  # a message or an edit in the member's chat
        member = by_chat.get(chat) if isinstance(chat, int) else None
        if member is None:
            return
        if member.waiting:
            member.waiting = False
            latencies.append(time.perf_counter() - member.sent_at)
        answered.set()  # the rest of an answer may hold the button a member waits for

    emulator.listeners.append(listener)
    try:
        for member in members:
            emulator.register(member.user)
        started, cpu = time.perf_counter(), process_cpu()
        turn = 0
        while time.perf_counter() - started < seconds:
            if rate is None:
                answered.clear()
                for member in members:
                    if not member.waiting:
                        member.act()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(answered.wait(), 0.05)
                continue
            await asyncio.sleep(1 / rate)
            for offset in range(len(members)):  # the next member free to act
                member = members[(turn + offset) % len(members)]
                if not member.waiting and member.act():
                    turn += offset + 1
                    break
        elapsed, answers = time.perf_counter() - started, len(latencies)
        cpu = process_cpu() - cpu
        while any(m.waiting for m in members):  # the last answers: the next part starts quiet
            answered.clear()
            try:
                await asyncio.wait_for(answered.wait(), 5)
            except TimeoutError:
                break
    finally:
        emulator.listeners.remove(listener)
    return {
        "updates": len(latencies),
        "calls_per_update": calls / len(latencies) if latencies else 0.0,
        "per_poll": polled / polls if polls else 0.0,
        "per_second": answers / elapsed,
        "cpu_ms": cpu * 1000 / answers if answers else 0.0,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p95_ms": statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) > 20 else 0.0,
        "reply_chars": round(statistics.mean(c for c, _ in sent)) if sent else 0,
        "reply_buttons": round(statistics.mean(b for _, b in sent)) if sent else 0,
    }


def buttons(markup: Any) -> int:
    """How many buttons a message's keyboard has (the emulator keeps it as sent: JSON)."""
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, dict):
        return 0
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return sum(len(row) for row in rows)


def process_cpu() -> float:
    """Seconds of CPU this process has used (its threads too: SQLite's, the emulator's). Per
    update, it compares bots run while other work shares the cores, which updates/s cannot."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(
    emulator: BotApiEmulator,
    members: list[Member],
    args: argparse.Namespace,
    handling: list[float] | None = None,
) -> dict[str, Any]:
    """Throughput as fast as the members go; then latency at half that rate, where the
    bot is busy but keeps up (at full speed a queue forms and latency only says how long)."""
    full = await drive(emulator, members, args.seconds)
    if handling is not None:
        handling.clear()
    steady = await drive(emulator, members, args.seconds, rate=full["per_second"] / 2)
    result = {
        "per_second": full["per_second"],
        "calls_per_update": full["calls_per_update"],
        "per_poll": full["per_poll"],
        "cpu_ms": full["cpu_ms"],
        "updates": full["updates"] + steady["updates"],
        "steady_per_second": steady["per_second"],
        "p50_ms": steady["p50_ms"],
        "p95_ms": steady["p95_ms"],
        "reply_chars": full["reply_chars"],
        "reply_buttons": full["reply_buttons"],
    }
    return {**result, **handled(handling)} if handling is not None else result


async def run_bot(args: argparse.Namespace) -> dict[str, Any]:
    import bot.app
    from bot.app import build_app, prepare_serving_process
    from bot.config import Settings

    if args.group:  # how many updates share a transaction at most (1: no group commit)
        bot.app.UPDATE_GROUP = args.group
    if args.turns:  # database turns on PostgreSQL (updates in transactions at once)
        bot.app.CONCURRENT_UPDATES["postgresql"] = args.turns
    if args.group_seconds:  # how long a group may run before it commits
        import bot.core.dispatch

        bot.core.dispatch.GROUP_SECONDS = args.group_seconds
    async with BotApiEmulator() as emulator:
        if args.echo:
            return await run_echo(args, emulator)
        settings = Settings(
            token=emulator.token, api_url=emulator.url, database_url=args.database_url,
            engine=args.engine, locales_dir=PROJECT / "locales",
        )  # fmt: skip
        app = await build_app(settings, migrate=True)
        prepare_serving_process()  # as `dcc-bot run` does
        handling = timed(app)
        await app.start(poll_timeout=1, scheduler=False)
        try:
            accounts = itertools.count(50_000)
            members = [Member(emulator, accounts, f"M{n}", CYCLE) for n in range(args.users)]
            return await measure(emulator, members, args, handling)
        finally:
            await app.stop()


def timed(app: Any) -> list[float]:
    """Record how long dispatch takes over each update: from the engine handing it over to
    the replies sent (the handling latency, without the network round trips)."""
    durations: list[float] = []
    feed = app.dispatcher.feed

    async def feed_timed(event: Any) -> None:
        started = time.perf_counter()
        try:
            await feed(event)
        finally:
            durations.append(time.perf_counter() - started)

    app.engine.attach(feed_timed)
    return durations


def handled(durations: list[float]) -> dict[str, float]:
    if len(durations) < 20:
        return {"handling_p50_ms": 0.0, "handling_p95_ms": 0.0}
    return {
        "handling_p50_ms": statistics.median(durations) * 1000,
        "handling_p95_ms": statistics.quantiles(durations, n=20)[-1] * 1000,
    }


async def run_echo(args: argparse.Namespace, emulator: BotApiEmulator) -> dict[str, Any]:
    """The same engine adapter and nothing else: answer a text, answer a button. With a
    database, each update first takes the transaction every update of ours takes, and no
    more: its id claimed, the member's conversation read, the commit.

    With ``--same CHARS,BUTTONS`` it is the floor of what our bot does where members see
    it, with none of its features: the transaction also writes the conversation (every step
    of ours moves it on), a press is answered, its keyboard taken off the pressed message and
    the next message sent (three calls, as ours), and every message is as long and has as
    many buttons as ours on average (measured in our bot's run)."""
    from bot.app import CONCURRENT_UPDATES, _engine, open_database, prepare_serving_process
    from bot.config import Settings
    from bot.core.events import EventKind
    from bot.core.keyboards import Button, InlineKeyboard
    from storage.db import make_sessionmaker
    from storage.uow import UnitOfWork

    settings = Settings(
        token=emulator.token, api_url=emulator.url, engine=args.engine,
        database_url=args.database_url or "sqlite+aiosqlite://",
    )  # fmt: skip
    engine = _engine(settings)
    same = args.same is not None
    chars, count = (int(n) for n in args.same.split(",")) if same else (0, 1)
    labels = [f"echo {n}" for n in range(max(count, 1))]
    keyboard = InlineKeyboard.of([[Button(a, "echo") for a in labels[i : i + 2]]
                                  for i in range(0, len(labels), 2)])  # fmt: skip
    reply = ("Thank you. Choose what comes next, or send /cancel to stop here. " * 40)[:chars]
    database = await open_database(settings, migrate=True) if args.database_url else None
    sessionmaker = make_sessionmaker(database) if database is not None else None
    turns = asyncio.Semaphore(CONCURRENT_UPDATES.get(database.dialect.name, 8) if database else 1)
    prepare_serving_process()  # tuned like the bot

    async def echo(event: Any) -> None:
        if sessionmaker is not None:
            async with turns, UnitOfWork(sessionmaker) as session:
                if not await session.claim_update(event.update_id, event.user.id):
                    return
                state, _language = await session.load_user(event.user.id)
                if same:
                    moved = int(((state or {}).get("data") or {}).get("steps", 0)) + 1
                    await session.save_conversation(
                        event.user.id,
                        {"flow": "echo", "step": f"step{moved}", "token": "t", "language": "en",
                         "data": {"steps": moved}},
                    )  # fmt: skip
                await session.commit()
        messenger = engine.messenger
        if event.kind is EventKind.CALLBACK:
            await messenger.answer_callback(event.callback_id, None if same else "echo")
            if same and event.message_id is not None:
                await messenger.edit_keyboard(event.chat_id, event.message_id, None)
        await messenger.send_message(event.chat_id, reply or event.text or "echo", keyboard)

    engine.attach(echo)
    await engine.start(1)
    try:
        accounts = itertools.count(60_000)
        members = [Member(emulator, accounts, f"E{n}", ECHO_CYCLE) for n in range(args.users)]
        return await measure(emulator, members, args)
    finally:
        await engine.stop()
        if database is not None:
            await database.dispose()


def child(args: argparse.Namespace) -> int:
    result = asyncio.run(run_bot(args))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))
    return 0


def spawn(options: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *options], capture_output=True, text=True,
        cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"a bench run failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    args = parser().parse_args()
    if args.child:
        return child(args)
    workdir = Path(tempfile.mkdtemp(prefix="dcc-bench-updates-"))
    server = None
    problems: list[str] = []
    try:
        common = ["--users", str(args.users), "--seconds", str(args.seconds)]
        common += ["--group", str(args.group), "--group-seconds", str(args.group_seconds)]
        for engine in args.engines.split(","):
            echo = spawn([*common, "--engine", engine, "--echo"])
            print(f"{engine:8} echo bot            {line(echo)}")
            for database in args.databases.split(","):
                if database == "postgresql" and server is None:
                    from tests.postgres import PostgresServer

                    server = PostgresServer.start()
                fresh = Fresh(engine, database, workdir, server)
                shares: list[float] = []
                of_calls: list[float] = []
                floors: list[float] = []  # "echo, our calls + state" of echo + transaction
                p95s: list[float] = []
                shape = None
                for turn in range(args.rounds):
                    found = one_round(common, engine, database, fresh, shape if turn % 2 else None)
                    shape = found["shape"]
                    shares.append(found["share"])
                    of_calls.append(found["of_our_calls"])
                    floors.append(found["floor_share"])
                    p95s.append(found["handling_p95_ms"])
                ours, p95 = statistics.median(shares), statistics.median(p95s)
                if args.rounds > 1:
                    print(
                        f"{engine:8} {database}: DCC Bot {min(shares):.0%}-{max(shares):.0%} of"
                        f" echo + transaction over {args.rounds} rounds (median {ours:.0%});"
                        f" {min(of_calls):.0%}-{max(of_calls):.0%} of echo, our calls + state"
                        f" (median {statistics.median(of_calls):.0%}), which itself made"
                        f" {min(floors):.0%}-{max(floors):.0%} of echo + transaction (median"
                        f" {statistics.median(floors):.0%}); handling p95 median {p95:.0f} ms"
                    )
                if ours < 0.8:
                    problems.append(
                        f"{engine} on {database}: {ours:.0%} of echo + transaction's rate"
                    )
                if p95 > 50:
                    problems.append(f"{engine} on {database}: handling p95 {p95:.0f} ms")
                if database == "postgresql" and args.processes > 1:
                    for count in (1, args.processes):
                        url = fresh.url()
                        found = asyncio.run(run_processes(args, engine, url, count))
                        label = f"{count} process" + ("es" if count > 1 else "")
                        print(f"{engine:8} DCC Bot webhook, {label:11} {line(found)}")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    for problem in problems:
        print(f"FAIL: {problem}")
    print("FAIL" if problems else "PASS")
    return 1 if problems else 0


class Fresh:
    """A new empty database for each bot run (PostgreSQL: dropped and made again)."""

    def __init__(self, engine: str, database: str, workdir: Path, server: Any) -> None:
        self.engine, self.database, self.workdir, self.server = engine, database, workdir, server
        self.runs = itertools.count()

    def url(self) -> str:
        if self.database == "postgresql":
            name = f"bench_{self.engine}"
            asyncio.run(self.server.execute(f"DROP DATABASE IF EXISTS {name}"))
            asyncio.run(self.server.execute(f"CREATE DATABASE {name}"))
            return str(self.server.url(name))
        return f"sqlite+aiosqlite:///{self.workdir / f'{self.engine}-{next(self.runs)}.sqlite3'}"


def one_round(
    common: list[str], engine: str, database: str, fresh: Fresh, shape: str | None = None
) -> dict[str, Any]:
    """Echo + transaction, our bot, then the echo doing our calls and writes, one after the
    other (the machine's speed drifts over minutes: only runs close in time compare); our
    bot's result with its share of each. Given ``shape`` (our messages' length and buttons,
    from a round before), the references run the other way round: the echo doing our calls
    first, echo + transaction last, so that a drift which favours our bot against one
    reference in a round disfavours it in the next."""
    base = [*common, "--engine", engine]

    def echo_with_transaction() -> dict[str, Any]:
        found = spawn([*base, "--database-url", fresh.url(), "--echo"])
        print(f"{engine:8} echo + transaction  {line(found)}")
        return found

    def echo_with_our_calls(shape: str) -> dict[str, Any]:
        return spawn([*base, "--database-url", fresh.url(), "--echo", "--same", shape])

    if shape is None:
        floor = echo_with_transaction()
    else:
        same = echo_with_our_calls(shape)
    found = spawn([*base, "--database-url", fresh.url()])
    if shape is None:
        shape = f"{found['reply_chars']},{found['reply_buttons']}"
        same = echo_with_our_calls(shape)
    else:
        floor = echo_with_transaction()
    share = found["per_second"] / floor["per_second"] if floor["per_second"] else 0
    print(f"{engine:8} DCC Bot {database:10}  {line(found)}  ({share:.0%} of echo + transaction)")
    of_floor = same["per_second"] / floor["per_second"] if floor["per_second"] else 0
    ours = found["per_second"] / same["per_second"] if same["per_second"] else 0
    print(
        f"{engine:8} echo, our calls+state  {line(same)}  ({of_floor:.0%} of echo + transaction;"
        f" DCC Bot: {ours:.0%} of it; messages of {found['reply_chars']} characters,"
        f" {found['reply_buttons']} buttons)"
    )
    return {**found, "share": share, "of_our_calls": ours, "floor_share": of_floor, "shape": shape}


class Balancer(BotApiEmulator):
    """The emulator as Telegram with a reverse proxy in front of the bot's processes: each
    update is posted to the next process in turn, over connections kept alive."""

    def __init__(self, hooks: list[str], secret: str) -> None:
        super().__init__()
        self.hooks, self.secret, self.turn = hooks, secret, itertools.count()
        self.http: Any = None

    async def post_update(self, update: dict[str, Any], secret: str | None) -> int:
        import aiohttp

        if self.http is None:
            self.http = aiohttp.ClientSession()
        hook = self.hooks[next(self.turn) % len(self.hooks)]
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret}
        try:
            async with self.http.post(hook, json=update, headers=headers) as response:
                return int(response.status)
        except aiohttp.ClientError:
            return 0
        finally:
            self._notify()

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.close()
        await super().stop()


async def run_processes(
    args: argparse.Namespace, engine: str, database_url: str, count: int
) -> dict[str, Any]:
    """``count`` processes of ``dcc-bot run --webhook`` on one PostgreSQL database, the
    members' updates spread over them; the processes' peak memory added up."""
    import socket

    ports = []
    for _ in range(count):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    hooks = [f"http://127.0.0.1:{port}/hook" for port in ports]
    secret = "bench-processes"
    async with Balancer(hooks, secret) as emulator:
        base = {
            **os.environ, "PYTHONPATH": str(PROJECT), "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_URL": emulator.url, "DATABASE_URL": database_url,
            "DCC_ENGINE": engine, "DCC_WEBHOOK_SECRET": secret,
        }  # fmt: skip
        upgrade = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "db", "upgrade", env=base, cwd=PROJECT,
            stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        assert await upgrade.wait() == 0
        processes = []
        try:
            for port, hook in zip(ports, hooks, strict=True):
                env = {**base, "DCC_WEBHOOK_URL": hook, "DCC_WEBHOOK_LISTEN": f"127.0.0.1:{port}"}
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-c", PEAK_REPORTING_RUN, env=env, cwd=PROJECT,
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
                )  # fmt: skip
                processes.append(process)
            await wait_healthy(ports)
            accounts = itertools.count(70_000)
            members = [Member(emulator, accounts, f"P{n}", CYCLE) for n in range(args.users)]
            result = await measure(emulator, members, args)
        finally:
            peaks = []
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                out, _ = await process.communicate()
                peaks += [float(n) for n in out.decode().split() if n.replace(".", "").isdigit()]
    del result["cpu_ms"]  # the emulator's: the bots' own CPU is in their processes
    return {**result, "peak_mb": sum(peaks)}


# ``dcc-bot run``, then its peak memory (MB) on stdout once it has stopped (SIGTERM).
PEAK_REPORTING_RUN = """
import resource, sys
from bot.cli import main
sys.argv = ["dcc-bot", "run", "--webhook"]
try:
    main()
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


async def wait_healthy(ports: list[int], seconds: float = 60) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        for port in ports:
            for _ in range(int(seconds * 10)):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise SystemExit(f"the bot on port {port} did not start")


def line(result: dict[str, Any]) -> str:
    cpu = f", {result['cpu_ms']:.2f} ms CPU" if "cpu_ms" in result else ""
    polls = f", {result['per_poll']:.1f} a poll" if result.get("per_poll") else ""
    handling = (
        f"  handling p50 {result['handling_p50_ms']:4.1f} ms p95 {result['handling_p95_ms']:4.1f} ms"
        if "handling_p50_ms" in result
        else ""
    )
    return (
        f"{result['per_second']:6.1f} updates/s ({result['calls_per_update']:.1f} calls{cpu} each{polls})  at {result['steady_per_second']:5.1f}/s:"
        f" end to end p50 {result['p50_ms']:5.1f} ms p95 {result['p95_ms']:5.1f} ms{handling}"
        f"  peak {result['peak_mb']:4.0f} MB"
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=20, help="members talking at once (20)")
    p.add_argument("--seconds", type=float, default=20.0, help="each run's length (20)")
    p.add_argument(
        "--rounds", type=int, default=1,
        help="runs of each combination, one after the other; the verdict on the median (1)",
    )  # fmt: skip
    p.add_argument("--engines", default="ptb,aiogram")
    p.add_argument("--databases", default="sqlite,postgresql")
    p.add_argument(
        "--processes", type=int, default=1,
        help="also run DCC Bot by webhook as 1 and as this many processes on PostgreSQL",
    )  # fmt: skip
    p.add_argument("--engine", default="ptb", help=argparse.SUPPRESS)
    p.add_argument("--group", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--group-seconds", type=float, default=0.0, help=argparse.SUPPRESS)
    p.add_argument("--turns", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    p.add_argument("--echo", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--same", help=argparse.SUPPRESS)  # CHARS,BUTTONS: echo doing our calls
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return p


if __name__ == "__main__":
    sys.exit(main())
