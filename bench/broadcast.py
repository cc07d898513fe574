"""Benchmark a broadcast: 3,000 members, the emulator enforcing Telegram's 30 messages/s.

    .venv/bin/python bench/broadcast.py [--members 3000] [--rate 25] [--limit 30]

Migrates a temporary SQLite database, adds the members (Khmer and English), queues a
broadcast with ``dcc-bot broadcast create``, then runs ``dcc-bot run`` as a child process
(``DCC_SEND_RATE=--rate``) against the local Bot API emulator, which answers 429 with
``retry_after`` 1 to sendMessage calls above ``--limit`` a second, until every member has the
message. Prints the achieved rate (from the first broadcast message to the last), the 429s
answered, members lost and messages duplicated, and the bot's peak RSS; exits 1 on FAIL:
under 95% of the configured rate, or anything lost or duplicated. Everything runs on
127.0.0.1 and in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
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

from bot.sandbox.emulator import BotApiEmulator, EmuUser
from storage.db import make_engine, make_sessionmaker
from storage.uow import UnitOfWork

PROJECT = Path(__file__).resolve().parents[1]
TEXT = "សេចក្តីជូនដំណឹង: the ministry's digital skills week starts on Monday."
FIRST_ID = 100_000
UNSET = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "DCC_ADMIN_IDS", "DCC_WEBHOOK_URL")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="dcc-bench-broadcast-"))
    try:
        return asyncio.run(run(args, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def run(args: argparse.Namespace, workdir: Path) -> int:
    url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k not in UNSET} | {
        "DATABASE_URL": url,
        "DCC_SEND_RATE": str(args.rate),
        "PYTHONPATH": str(PROJECT),
    }
    cli(env, workdir, "db", "upgrade")
    chats = await add_members(url, args.members)
    cli(env, workdir, "broadcast", "create", "--text", TEXT)
    async with BotApiEmulator() as emulator:
        emulator.limit_rate(args.limit, retry_after=1)
        for chat in chats:
            emulator.register(EmuUser(chat, "Member"))
        moments: list[float] = []
        emulator.listeners.append(
            lambda method, params, _result: (
                moments.append(time.monotonic())
                if method == "sendMessage" and TEXT in str(params.get("text", ""))
                else None
            )
        )
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run",
            env=env | {"TELEGRAM_BOT_TOKEN": emulator.token, "TELEGRAM_API_URL": emulator.url},
            cwd=workdir, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            budget = args.members / args.rate * 2 + 30
            await emulator.wait_until(lambda: len(moments) >= args.members, budget)
            await asyncio.sleep(2)  # anything still to come would be a duplicate
        except TimeoutError:
            pass
        finally:
            bot.send_signal(signal.SIGTERM)
            _, errors = await bot.communicate()  # (its log, shown when something fails)
        received = Counter(
            chat for chat in chats for m in emulator.messages(chat) if TEXT in (m.text or "")
        )
        floods = emulator.flood_answers
    return report(args, received, chats, moments, floods, errors)


def report(
    args: argparse.Namespace,
    received: Counter[int],
    chats: list[int],
    moments: list[float],
    floods: int,
    errors: bytes,
) -> int:
    lost = sum(1 for chat in chats if chat not in received)
    duplicated = sum(count - 1 for count in received.values())
    seconds = moments[-1] - moments[0] if len(moments) > 1 else float("inf")
    achieved = (len(moments) - 1) / seconds if seconds else 0.0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"broadcast to {args.members:,} members at DCC_SEND_RATE={args.rate:g} against a"
        f" limit of {args.limit:g}/s: {achieved:.1f} messages/s"
        f" ({achieved / args.rate:.0%} of the rate) over {seconds:.1f} s,"
        f" {floods} 429 answer(s), {lost} lost, {duplicated} duplicated,"
        f" peak RSS of the bot {peak_mb:.0f} MB"
    )
    problems = []
    if achieved < 0.95 * args.rate:
        problems.append(f"{achieved:.1f} messages/s is under 95% of {args.rate:g}")
    if lost or duplicated:
        problems.append(f"{lost} lost and {duplicated} duplicated, expected none")
    for problem in problems:
        print(f"FAIL: {problem}")
    if problems and errors:
        print(errors.decode(errors="replace")[-2000:])
    print("FAIL" if problems else "PASS")
    return 1 if problems else 0


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
    parser.add_argument("--rate", type=float, default=25.0, help="DCC_SEND_RATE (25)")
    parser.add_argument("--limit", type=float, default=30.0, help="the emulator's limit (30/s)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
