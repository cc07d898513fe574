"""Benchmark the reads a member's press or the console makes, at the community's full size.

    .venv/bin/python bench/community_reads.py [--members 100000] [--queued 100000]
                                              [--answered 100000] [--database-url URL]

Migrates a fresh database (a temporary SQLite file unless ``--database-url`` names an empty
one on this machine) and fills it: ``--members`` members (60% in the directory, random
reputation, roles and provinces, a few reachable no more), a broadcast being sent with
``--queued`` messages waiting in the outbox, and one that is done (on PostgreSQL, then
VACUUM ANALYZE, as its autovacuum would). Then it times, best of five, what grew with those numbers
until migrations 0024 and 0025:

- a page of the member directory (page 1 and page 50, and filtered by province or by role),
  its count included: each press of Next;
- a withdrawn offer's messages dropped while the broadcast's rows wait (every answer,
  acceptance or close of a question);
- the delivery counts of the broadcast being sent (the console asks every few seconds) and
  of the one that is done, and the statistics' total of messages delivered;
- the statistics' median time to a first answer over ``--answered`` answered questions (two
  answers each): found (by a staff page at most once every five minutes: reported only), and
  read again while it is kept.

Prints each in milliseconds and exits 1 on FAIL: any of them over ``--target`` ms (20), the
directory filtered by province or by role apart (it reads the members it checks: reported
only).
Local files and, with ``--database-url``, an empty database on 127.0.0.1 only (any other is
refused: the broadcast it writes is one a running bot would send).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import make_url

from storage.broadcasts import Audience
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import Answer, Member, OutboxMessage, Question
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
BATCH = 5000
LOCAL_HOSTS = ("", "127.0.0.1", "localhost", "::1")
PROVINCES = ("phnom-penh", "siem-reap", "kampot", "battambang", "kandal")


async def fill(
    uow: UnitOfWork, members: int, queued: int, answered: int, rng: random.Random
) -> dict[str, int]:
    await uow.tags.sync_seed()
    rows = [
        {
            "telegram_id": 100_000 + n, "full_name": f"Member {n}", "language": "en",
            "role": rng.choice(("student", "private-sector", "public-sector")),
            "province": rng.choice(PROVINCES), "open_to_work": rng.random() < 0.3,
            "alert_frequency": "off", "directory_visible": rng.random() < 0.6,
            "jobs_in_province_only": False, "reputation": rng.randrange(500),
            "digest_frequency": "weekly", "unreachable": rng.random() < 0.03,
            "created_at": NOW, "updated_at": NOW,
        }
        for n in range(members)
    ]  # fmt: skip
    for start in range(0, len(rows), BATCH):
        await uow.session.execute(insert(Member), rows[start : start + BATCH])
    asker_id = await uow.session.scalar(select(Member.id).order_by(Member.id).limit(1))
    questions = [
        {
            "asker_id": asker_id, "text": "?", "search_tokens": "", "status": "answered",
            "round": 1, "hidden": False, "created_at": NOW - timedelta(days=30),
        }
        for _ in range(answered)
    ]  # fmt: skip
    for start in range(0, len(questions), BATCH):
        await uow.session.execute(insert(Question), questions[start : start + BATCH])
    answers = [
        {
            "question_id": n + 1, "expert_id": asker_id, "text": "!", "helpful": False,
            "accepted": False, "hidden": False, "anonymous": False,
            "created_at": NOW - timedelta(days=30) + timedelta(minutes=rng.randrange(1, 6000)),
        }
        for n in range(answered)
        for _ in range(2)
    ]  # fmt: skip
    for start in range(0, len(answers), BATCH):
        await uow.session.execute(insert(Answer), answers[start : start + BATCH])
    sending = await uow.broadcasts.add("ផ្ញើ", "Sending", None, Audience(), NOW, None, NOW)
    done = await uow.broadcasts.add("រួច", "Done", None, Audience(), NOW, None, NOW)
    sending.status, sending.expanded, sending.total = "sending", True, queued
    messages = [
        {
            "chat_id": 100_000 + n % members, "text": "Hello", "status": "pending",
            "attempts": 0, "not_before": NOW, "created_at": NOW, "priority": 1,
            "broadcast_id": sending.id, "dedupe_key": f"b:{sending.id}:{n}",
        }
        for n in range(queued)
    ]  # fmt: skip
    messages += [
        {
            "chat_id": 100_000 + n, "text": "Done", "status": "sent", "attempts": 1,
            "not_before": NOW, "created_at": NOW, "sent_at": NOW, "priority": 1,
            "broadcast_id": done.id, "dedupe_key": f"b:{done.id}:{n}",
        }
        for n in range(min(members, queued))
    ]  # fmt: skip
    for start in range(0, len(messages), BATCH):
        await uow.session.execute(insert(OutboxMessage), messages[start : start + BATCH])
    await uow.session.flush()
    await uow.broadcasts.finish(done, NOW)
    await uow.commit()
    return {"sending": sending.id, "done": done.id}


async def best_ms(
    unit_of_work: Callable[[], UnitOfWork], work: Callable[[UnitOfWork], Awaitable[Any]]
) -> float:
    """The fastest of five runs, each in a transaction rolled back (nothing kept)."""
    times = []
    for _ in range(5):
        async with unit_of_work() as uow:
            started = time.perf_counter()
            await work(uow)
            times.append((time.perf_counter() - started) * 1000)
            await uow.rollback()
    return min(times)


async def run(args: argparse.Namespace, url: str) -> int:
    engine = make_engine(url)
    async with engine.connect() as connection:  # it writes a broadcast a sender would send
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    if tables:
        await engine.dispose()
        sys.exit("bench: refusing a database that is not empty")
    await upgrade(engine)
    sessionmaker = make_sessionmaker(engine)

    def unit_of_work() -> UnitOfWork:
        return UnitOfWork(sessionmaker, lambda: NOW)

    async with unit_of_work() as uow:
        ids = await fill(uow, args.members, args.queued, args.answered, random.Random(args.seed))
    if engine.dialect.name == "postgresql":  # as its autovacuum keeps the tables
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))

    async def delivery(uow: UnitOfWork, which: str) -> None:
        broadcast = await uow.broadcasts.get(ids[which])
        assert broadcast is not None
        await uow.broadcasts.delivery(broadcast)

    timed: list[tuple[str, float, bool]] = []
    for label, work, judged in (
        ("directory, page 1", lambda uow: uow.community.directory(1, None, None, None, 0, 8), True),
        ("directory, page 50", lambda uow: uow.community.directory(1, None, None, None, 392, 8), True),
        ("directory, one province", lambda uow: uow.community.directory(1, None, "kampot", None, 0, 8), False),
        ("directory, one role", lambda uow: uow.community.directory(1, None, None, "student", 0, 8), False),
        ("a broadcast being sent: its counts", lambda uow: delivery(uow, "sending"), True),
        ("a broadcast done: its counts", lambda uow: delivery(uow, "done"), True),
        ("statistics: messages delivered", lambda uow: uow.broadcasts.delivered_total(), True),
        ("statistics: median to a first answer", lambda uow: uow.stats._median_first_answer(), False),
        ("statistics: the median again, kept", lambda uow: uow.stats.median_first_answer(), True),
    ):  # fmt: skip
        timed.append((label, await best_ms(unit_of_work, work), judged))
    cancels = []
    for _ in range(5):
        async with unit_of_work() as uow:
            await uow.outbox.enqueue(7, ["Can you answer?", "(part 2)"], None, NOW, "offer:1")
            await uow.session.flush()
            started = time.perf_counter()
            dropped = await uow.outbox.cancel(["offer:1"])
            cancels.append((time.perf_counter() - started) * 1000)
            assert dropped == {"offer:1"}
            await uow.rollback()
    timed.append(("a withdrawn offer dropped", min(cancels), True))
    await engine.dispose()

    print(f"{engine.dialect.name}, {args.members:,} members, {args.queued:,} messages queued:")
    for label, ms, judged in timed:
        print(f"  {label:38} {ms:8.1f} ms{'' if judged else '   (reported only)'}")
    slow = [label for label, ms, judged in timed if judged and ms > args.target]
    print(f"{'FAIL' if slow else 'PASS'}: " + (", ".join(slow) or "every one")
          + f" {'over' if slow else 'under'} {args.target:.0f} ms")  # fmt: skip
    return 1 if slow else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--queued", type=int, default=100_000)
    parser.add_argument("--answered", type=int, default=100_000, help="questions, 2 answers each")
    parser.add_argument("--target", type=float, default=20.0, help="ms (20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="an empty database on 127.0.0.1 (SQLite: none)")
    args = parser.parse_args()
    if args.database_url:
        parsed = make_url(args.database_url)
        if parsed.get_backend_name() != "sqlite" and (parsed.host or "") not in LOCAL_HOSTS:
            sys.exit(f"bench: refusing {parsed.host!r}: only a database on 127.0.0.1 is allowed")
    workdir = Path(tempfile.mkdtemp(prefix="dcc-bench-reads-"))
    try:
        url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'reads.sqlite3'}"
        return asyncio.run(run(args, url))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
