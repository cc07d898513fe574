"""Benchmark the reads a member's press or the console makes, at the community's full size.

    .venv/bin/python bench/community_reads.py [--members 100000] [--queued 100000]
                                              [--answered 100000] [--contributors 9500]
                                              [--database-url URL]

Migrates a fresh database (a temporary SQLite file unless ``--database-url`` names an empty
one on this machine) and fills it: ``--members`` members (60% in the directory, random
reputation, roles and provinces, a few reachable no more), a broadcast being sent with
``--queued`` messages waiting in the outbox, and one that is done; an expert in 50 members,
five administrators, ``--contributors`` members given points this month, 200 expert
applications and 40 companies waiting (on PostgreSQL, then VACUUM ANALYZE, as its
autovacuum would). Then it times, best of five, what grew with those numbers:

- a page of the member directory (page 1 and page 50, and filtered by province or by role),
  its count included: each press of Next;
- a withdrawn offer's messages dropped while the broadcast's rows wait (every answer,
  acceptance or close of a question);
- the delivery counts of the broadcast being sent (the console asks every few seconds) and
  of the one that is done, and the statistics' total of messages delivered;
- the statistics' median time to a first answer over ``--answered`` answered questions (two
  answers each): found (by a staff page at most once every five minutes: reported only), and
  read again while it is kept;
- a member's /leaderboard (the first ten and their own place, three quarters down): reported
  only, most of its time is the sum of the month's grants, which no index covers;
- the reads of the console's Approvals page, every request waiting listed;
- a page of the judge picker (page 1 and page 50), among 2,000 experts.

Prints each in milliseconds and exits 1 on FAIL: any of them over ``--target`` ms (20), those
marked "reported only" apart.
Local files and, with ``--database-url``, an empty database on 127.0.0.1 only (any other is
refused: the broadcast it writes is one a running bot would send).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from scratch_database import as_kept, migrated_empty, run_on_scratch
from sqlalchemy import insert, select

from bot.config import DEFAULT_TIMEZONE
from bot.core.i18n import Translations
from handlers.competitions.create import JUDGES_PAGE
from handlers.competitions.rules import month_of, month_window
from handlers.leaderboard import SHOWN
from storage.broadcasts import Audience
from storage.db import make_sessionmaker
from storage.models import (
    Answer,
    Company,
    ExpertApplication,
    ExpertProfile,
    Member,
    MemberSkill,
    OutboxMessage,
    Question,
    ReputationGrant,
    StaffRole,
    Tag,
)
from storage.uow import UnitOfWork
from web.pages.approvals import waiting

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
BATCH = 5000
PROVINCES = ("phnom-penh", "siem-reap", "kampot", "battambang", "kandal")
TIMEZONE = ZoneInfo(DEFAULT_TIMEZONE)
LOCALES = Path(__file__).resolve().parents[1] / "locales"


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
    for broadcast in (sending, done):
        broadcast.status, broadcast.expanded, broadcast.total = "sending", True, queued
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
    assert await uow.broadcasts.finish(done, NOW)
    await uow.commit()
    return {"sending": sending.id, "done": done.id}


async def fill_community(uow: UnitOfWork, contributors: int, rng: random.Random) -> int:
    """What the leaderboard, the console's approvals and the judge picker read: an expert in
    50 members (one in ten anonymous) and five administrators; ``contributors`` members given
    points this month and half as many in each of the eleven months before; 200 expert
    applications (their members with three skills) and 40 company registrations waiting.
    The member who asks for the leaderboard: three quarters of the way down it."""
    ids = list(await uow.session.scalars(select(Member.id).order_by(Member.id)))
    tag_ids = list(await uow.session.scalars(select(Tag.id)))
    await uow.session.execute(
        insert(StaffRole),
        [{"telegram_id": 100_000 + n, "role": "admin", "granted_at": NOW}
         for n in rng.sample(range(len(ids)), 5)],
    )  # fmt: skip
    await uow.session.execute(
        insert(ExpertProfile),
        [{"member_id": m, "anonymous": rng.random() < 0.1} for m in ids[::50]],
    )
    applicants = ids[7::50][:200]
    await uow.session.execute(
        insert(MemberSkill),
        [{"member_id": m, "tag_id": t} for m in applicants for t in rng.sample(tag_ids, 3)],
    )
    await uow.session.execute(
        insert(ExpertApplication),
        [
            {"member_id": m, "tags": "ai,web", "note": "I teach.", "status": "pending",
             "created_at": NOW - timedelta(days=n % 30)}
            for n, m in enumerate(applicants)
        ],
    )  # fmt: skip
    await uow.session.execute(
        insert(Company),
        [
            {"name": f"Company {n}", "registration_no": str(n), "sector": "IT", "about": "We.",
             "status": "pending", "created_by": rng.choice(ids), "created_at": NOW}
            for n in range(40)
        ],
    )  # fmt: skip
    month_start, _ = month_window(month_of(NOW, TIMEZONE), TIMEZONE)
    grants: list[dict[str, Any]] = []
    points: dict[int, int] = {}
    for month in range(12):
        start = month_start - timedelta(days=30 * month)
        span = NOW - start if month == 0 else timedelta(days=30)
        for member_id in rng.sample(ids, contributors if month == 0 else contributors // 2):
            for given in rng.choices((2, 10), (4, 1), k=rng.randrange(1, 5)):
                grants.append(
                    {"member_id": member_id, "points": given, "reason": "helpful",
                     "created_at": start + span * rng.random()}
                )  # fmt: skip
                if month == 0:
                    points[member_id] = points.get(member_id, 0) + given
    for first in range(0, len(grants), BATCH):
        await uow.session.execute(insert(ReputationGrant), grants[first : first + BATCH])
    await uow.commit()
    return sorted(points, key=lambda m: (-points[m], m))[len(points) * 3 // 4]


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
    engine = await migrated_empty(url)
    sessionmaker = make_sessionmaker(engine)

    def unit_of_work() -> UnitOfWork:
        return UnitOfWork(sessionmaker, lambda: NOW)

    rng = random.Random(args.seed)
    async with unit_of_work() as uow:
        ids = await fill(uow, args.members, args.queued, args.answered, rng)
    async with unit_of_work() as uow:
        asking = await fill_community(uow, args.contributors, rng)
    await as_kept(engine)

    async def delivery(uow: UnitOfWork, which: str) -> None:
        broadcast = await uow.broadcasts.get(ids[which])
        assert broadcast is not None
        await uow.broadcasts.delivery(broadcast)

    month = month_window(month_of(NOW, TIMEZONE), TIMEZONE)
    english = Translations(LOCALES).for_language("en")
    page = JUDGES_PAGE + 1  # and one more: whether a next page is
    timed: list[tuple[str, float, bool]] = []
    for label, work, judged in (
        ("directory, page 1", lambda uow: uow.community.directory(1, None, None, None, 0, 8), True),
        ("directory, page 50", lambda uow: uow.community.directory(1, None, None, None, 392, 8), True),
        ("directory, one province", lambda uow: uow.community.directory(1, None, "kampot", None, 0, 8), True),
        ("directory, one role", lambda uow: uow.community.directory(1, None, None, "student", 0, 8), True),
        ("a broadcast being sent: its counts", lambda uow: delivery(uow, "sending"), True),
        ("a broadcast done: its counts", lambda uow: delivery(uow, "done"), True),
        ("statistics: messages delivered", lambda uow: uow.broadcasts.delivered_total(), True),
        ("statistics: median to a first answer", lambda uow: uow.stats._median_first_answer(), False),
        ("statistics: the median again, kept", lambda uow: uow.stats.median_first_answer(), True),
        ("leaderboard: a member's /leaderboard", lambda uow: uow.reputation.placed_between(*month, SHOWN, asking), False),
        ("approvals: the requests waiting", lambda uow: waiting(uow, english), True),
        ("judge picker, page 1", lambda uow: uow.competitions.judge_candidates(0, page), True),
        ("judge picker, page 50", lambda uow: uow.competitions.judge_candidates(49 * JUDGES_PAGE, page), True),
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

    print(
        f"{engine.dialect.name}, {args.members:,} members, {args.queued:,} messages queued,"
        f" {args.contributors:,} contributors this month:"
    )
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
    parser.add_argument("--contributors", type=int, default=9_500, help="given points this month")
    parser.add_argument("--target", type=float, default=20.0, help="ms (20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="an empty database on 127.0.0.1 (SQLite: none)")
    args = parser.parse_args()
    return run_on_scratch(args.database_url, "reads", lambda url: run(args, url))


if __name__ == "__main__":
    sys.exit(main())
