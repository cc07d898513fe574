"""Benchmark a broadcast: 3,000 members, the emulator enforcing Telegram's limits.

    .venv/bin/python bench/broadcast.py [--members 3000] [--rate 30] [--limit 30]
        [--kill-at N] [--paid] [--database-url URL | --postgres]

Migrates a temporary SQLite database (or the empty one of ``--database-url``, or a
throwaway PostgreSQL server with ``--postgres``), adds the members (Khmer and English),
queues a broadcast with ``dcc-bot broadcast create`` (``--paid``: marked paid, sent with
``allow_paid_broadcast``), then runs ``dcc-bot run`` as a child process
(``DCC_SEND_RATE=--rate``) against the local Bot API emulator, which keeps Telegram's
limits as Telegram counts them: ``--limit`` sends in any rolling second (paid ones apart,
up to ``--paid-limit``), and one a second to a chat, answering 429 with ``retry_after`` 1
above them. ``--kill-at N`` kills the bot (SIGKILL) once N members have the message and
starts it again; the rows it had in flight (``sending`` at the kill) bound the duplicates.
With ``--paid``, a bare aiohttp client first sends as many messages as fast as it can
(``--reference-concurrency`` at once) to the same emulator from another process: the
machine's limit, the reference the bot's rate is a share of.

Prints the achieved rate (from the first broadcast message to the last), the 429s answered,
members lost and messages duplicated, and the bot's peak RSS; exits 1 on FAIL: under 95%
of the configured rate (under 90% of ``--limit`` when it is lower; ``--paid``: under 70% of
the reference), anything lost, or
duplicates beyond what was in flight at a kill (none without one). Everything runs on
127.0.0.1 and in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from bot.sandbox.emulator import BotApiEmulator, EmuUser
from storage.db import make_engine, make_sessionmaker
from storage.models import Broadcast, OutboxMessage
from storage.uow import UnitOfWork

SCRIPT = Path(__file__).resolve()
PROJECT = SCRIPT.parents[1]
TEXT = "សេចក្តីជូនដំណឹង: the ministry's digital skills week starts on Monday."
FIRST_ID = 100_000
REFERENCE_ID = 10_000_000  # the reference client's chats, apart from the members'
UNSET = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "DCC_ADMIN_IDS", "DCC_WEBHOOK_URL")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.reference_client:
        return reference_client(*args.reference_client)
    workdir = Path(tempfile.mkdtemp(prefix="dcc-bench-broadcast-"))
    server = None
    try:
        if args.postgres:
            sys.path.insert(0, str(PROJECT))
            from tests.postgres import PostgresServer

            server = PostgresServer.start()
            asyncio.run(server.execute("CREATE DATABASE dcc_bench"))
            args.database_url = server.url("dcc_bench")
        return asyncio.run(run(args, workdir))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


class Bot:
    """``dcc-bot run`` as a child process; its peak RSS read before it goes."""

    def __init__(self, env: dict[str, str], workdir: Path, profile: str = "") -> None:
        self.env, self.workdir, self.profile = env, workdir, profile
        self.process: asyncio.subprocess.Process | None = None
        self.peak_kb = 0
        self.log = b""

    async def start(self) -> None:
        profiled = ["-m", "cProfile", "-o", self.profile] if self.profile else []
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, *profiled, "-m", "bot.cli", "run", env=self.env, cwd=self.workdir,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    def _note_peak(self) -> None:
        assert self.process is not None
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                self.peak_kb = max(self.peak_kb, int(line.split()[1]))

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self._note_peak()
        self.process.send_signal(sig)
        _, errors = await self.process.communicate()
        self.log += errors


async def run(args: argparse.Namespace, workdir: Path) -> int:
    url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k not in UNSET} | {
        "DATABASE_URL": url,
        "DCC_SEND_RATE": str(args.rate),
        "DCC_PAID_SEND_RATE": str(args.paid_rate),
        "PYTHONPATH": str(PROJECT),
    }
    cli(env, workdir, "db", "upgrade")
    chats = await add_members(url, args.members)
    cli(env, workdir, "broadcast", "create", "--text", TEXT)
    if args.paid:
        await mark_paid(url)
    results: dict[str, Any] = {}
    async with BotApiEmulator() as emulator:
        for chat in chats:
            emulator.register(EmuUser(chat, "Member"))
        if args.paid:  # the machine's limit: no limit of Telegram's in the way
            results["reference"] = await reference(emulator, args)
            emulator.calls.clear()
        emulator.limit_rate(args.limit, retry_after=1, paid_per_second=args.paid_limit)
        moments: list[float] = []
        emulator.listeners.append(
            lambda method, params, _result: (
                moments.append(time.monotonic())
                if method == "sendMessage" and TEXT in str(params.get("text", ""))
                else None
            )
        )
        bot = Bot(
            env | {"TELEGRAM_BOT_TOKEN": emulator.token, "TELEGRAM_API_URL": emulator.url},
            workdir,
            args.profile,
        )
        await bot.start()
        rate = args.paid_rate if args.paid else args.rate
        # time enough at a tenth of the rate: "lost" is what never came, not a slow bot
        budget = args.members / min(rate, args.paid_limit if args.paid else args.limit) * 10 + 60
        try:
            if args.kill_at:
                await emulator.wait_until(lambda: len(moments) >= args.kill_at, budget)
                await bot.stop(signal.SIGKILL)
                results["in_flight"] = await in_flight(url)
                results["killed_at"] = len(moments)
                await bot.start()
            await emulator.wait_until(lambda: len(moments) >= args.members, budget)
            await asyncio.sleep(2)  # anything still to come would be a duplicate
        except TimeoutError:
            pass
        finally:
            await bot.stop()
        received = Counter(
            chat for chat in chats for m in emulator.messages(chat) if TEXT in (m.text or "")
        )
        results["floods"] = emulator.flood_answers
        results["chat_floods"] = emulator.chat_flood_answers
        results["paid_calls"] = sum(
            1 for method, params in emulator.calls
            if method == "sendMessage" and params.get("allow_paid_broadcast") is True
        )  # fmt: skip
    return report(args, received, chats, moments, results, bot)


async def reference(emulator: BotApiEmulator, args: argparse.Namespace) -> float:
    """The machine's limit: a bare aiohttp client in a process of its own sending
    ``--members`` messages as fast as it can to the same emulator; its rate."""
    first = REFERENCE_ID
    for n in range(args.members):
        emulator.register(EmuUser(first + n, "Reference"))
    client = await asyncio.create_subprocess_exec(
        sys.executable, str(SCRIPT), "--reference-client", emulator.url,
        emulator.token, str(first), str(args.members), str(args.reference_concurrency),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await client.communicate()
    return float(json.loads(out)["rate"])


def reference_client(url: str, token: str, first: str, count: str, concurrency: str) -> int:
    import aiohttp

    async def send_all() -> float:
        chats = iter(range(int(first), int(first) + int(count)))
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=int(concurrency))
        ) as http:

            async def worker() -> None:
                for chat in chats:
                    payload = {"chat_id": chat, "text": TEXT, "parse_mode": "HTML",
                               "allow_paid_broadcast": True}  # fmt: skip
                    async with http.post(f"{url}/bot{token}/sendMessage", json=payload) as r:
                        body = await r.json()
                        assert body["ok"], body

            began = time.monotonic()
            await asyncio.gather(*(worker() for _ in range(int(concurrency))))
            return int(count) / (time.monotonic() - began)

    print(json.dumps({"rate": asyncio.run(send_all())}))
    return 0


def report(
    args: argparse.Namespace,
    received: Counter[int],
    chats: list[int],
    moments: list[float],
    results: dict[str, Any],
    bot: Bot,
) -> int:
    lost = sum(1 for chat in chats if chat not in received)
    duplicated = sum(count - 1 for count in received.values())
    seconds = moments[-1] - moments[0] if len(moments) > 1 else float("inf")
    achieved = (len(moments) - 1) / seconds if seconds else 0.0
    peak_mb = bot.peak_kb / 1024
    database = "PostgreSQL" if "postgresql" in (args.database_url or "") else "SQLite"
    kind = "paid broadcast" if args.paid else "broadcast"
    rate = args.paid_rate if args.paid else args.rate
    limit = args.paid_limit if args.paid else args.limit
    print(
        f"{kind} to {args.members:,} members on {database} at a rate of {rate:g} against a"
        f" limit of {limit:g}/s: {achieved:.1f} messages/s ({achieved / rate:.0%} of the"
        f" rate, {achieved / limit:.0%} of the limit) over {seconds:.1f} s,"
        f" {results['floods']} 429 answer(s) ({results['chat_floods']} for a chat),"
        f" {lost} lost, {duplicated} duplicated, peak RSS of the bot {peak_mb:.0f} MB"
    )
    problems = []
    if args.paid:  # a reference above Telegram's limit: the limit is what can be reached
        reachable = min(results["reference"], args.paid_limit, args.paid_rate)
        share = achieved / reachable
        print(
            f"reference (a bare aiohttp client, {args.reference_concurrency} at once, no"
            f" limit): {results['reference']:.0f} messages/s; the bot: {share:.0%} of"
            f" {reachable:.0f}; {results['paid_calls']:,} calls with allow_paid_broadcast"
        )
        if share < 0.70:
            problems.append(f"{share:.0%} of the reference is under 70%")
    elif args.limit < args.rate and achieved < 0.90 * args.limit:  # a limit to learn
        problems.append(f"{achieved:.1f} messages/s is under 90% of the limit {args.limit:g}")
    elif args.limit >= args.rate and achieved < 0.95 * args.rate:
        problems.append(f"{achieved:.1f} messages/s is under 95% of {args.rate:g}")
    bound = 0
    if args.kill_at:
        bound = results.get("in_flight", 0)
        print(
            f"killed after {results.get('killed_at', 0):,} messages with {bound} in flight"
            f" (sending): {duplicated} duplicated"
        )
    if lost or duplicated > bound:
        problems.append(f"{lost} lost and {duplicated} duplicated, expected 0 and <= {bound}")
    for problem in problems:
        print(f"FAIL: {problem}")
    if problems and bot.log:
        print(bot.log.decode(errors="replace")[-2000:])
    print("FAIL" if problems else "PASS")
    return 1 if problems else 0


async def mark_paid(url: str) -> None:
    """The broadcast just queued, paid (as ``broadcast create --paid`` marks it)."""
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.execute(update(Broadcast).values(paid=True))
    await engine.dispose()


async def in_flight(url: str) -> int:
    """Rows the killed bot left ``sending``: claimed, their outcome not written."""
    engine = make_engine(url)
    async with engine.connect() as connection:
        count = await connection.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sending")
        )
    await engine.dispose()
    return int(count or 0)


def cli(env: dict[str, str], cwd: Path, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"dcc-bot {' '.join(args)} failed: {done.stderr.strip()[-500:]}")


async def add_members(url: str, count: int) -> list[int]:
    engine = make_engine(url)
    rows: list[dict[str, Any]] = [
        {"telegram_id": FIRST_ID + n, "full_name": f"Member {n}",
         "language": "km" if n % 3 else "en", "role": "student", "province": "phnom-penh",
         "skills": ["data"]}
        for n in range(count)
    ]  # fmt: skip
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        await uow.members.upsert_many(rows, datetime.now(UTC))
        await uow.commit()
    await engine.dispose()
    return [row["telegram_id"] for row in rows]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=3_000, help="members (3000)")
    parser.add_argument("--rate", type=float, default=30.0, help="DCC_SEND_RATE (30)")
    parser.add_argument("--limit", type=float, default=30.0, help="the emulator's limit (30/s)")
    parser.add_argument("--paid", action="store_true", help="a paid broadcast, next to a reference")
    parser.add_argument("--paid-rate", type=float, default=1000.0, help="DCC_PAID_SEND_RATE")
    parser.add_argument("--paid-limit", type=float, default=1000.0, help="paid sends a second")
    parser.add_argument("--reference-concurrency", type=int, default=100, help="(100)")
    parser.add_argument("--kill-at", type=int, default=0, help="SIGKILL after N messages")
    parser.add_argument("--database-url", default="", help="an empty database (default SQLite)")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL")
    parser.add_argument("--profile", default="", help="cProfile the bot into this file")
    parser.add_argument("--reference-client", nargs=5, help=argparse.SUPPRESS)
    return parser


if __name__ == "__main__":
    sys.exit(main())
