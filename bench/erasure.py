"""Benchmark a member's erasure (/deleteme) beside a full outbox.

    .venv/bin/python bench/erasure.py [--outbox 1000000] [--pending 0] [--applied 50]
                                      [--database-url URL]

Migrates a fresh database (a temporary SQLite file unless ``--database-url`` names an empty
one on this machine) and fills it: a member with expert applications, ``--applied`` job
applications, a company request waiting, connection requests and reports, and the outbox
messages about them (to staff, representatives, moderators, the other member) and to their
chat; then ``--outbox`` messages about others, of the same kinds and keys beside theirs,
``--pending`` of them still to send (a broadcast going out: the statements on the files a
member sent read those); on PostgreSQL, then VACUUM ANALYZE, as its autovacuum would. It
times ``storage.privacy.erase_member``, best of five, each rolled back: it runs inside the
transaction of the member's /deleteme, on SQLite the database's only writer.

Prints it in milliseconds and exits 1 on FAIL: over ``--target`` ms (50), or any row about
the member left, or any other's gone. Local files and, with ``--database-url``, an empty
database on 127.0.0.1 only (any other is refused: it writes messages a running bot would send).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime

from scratch_database import as_kept, migrated_empty, run_on_scratch
from sqlalchemy import func, insert, select

from storage.db import make_sessionmaker
from storage.models import (
    Company,
    ConnectionRequest,
    ExpertApplication,
    Job,
    JobApplication,
    Member,
    OutboxMessage,
    ProfileReport,
)
from storage.privacy import erase_member
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
BATCH = 5000
MEMBER, OTHER = 42, 43  # Telegram ids
STAFF = range(900, 905)  # the administrators' and moderators' chats
KINDS = ("application", "application-job", "company", "member-report", "connect", "broadcast")


def member(telegram_id: int) -> dict[str, object]:
    return {
        "telegram_id": telegram_id, "full_name": f"Member {telegram_id}", "language": "en",
        "role": "student", "province": "phnom-penh", "country": None, "skills": [],
        "open_to_work": True, "alert_frequency": "off", "directory_visible": True,
        "username": None, "organisation": None, "years_experience": None,
    }  # fmt: skip


def message(chat_id: int, key: str, status: str = "sent") -> dict[str, object]:
    return {
        "chat_id": chat_id, "text": "A notice", "status": status, "attempts": 1,
        "not_before": NOW, "created_at": NOW, "sent_at": NOW, "priority": 0, "dedupe_key": key,
    }  # fmt: skip


async def fill(uow: UnitOfWork, outbox: int, pending: int, applied: int) -> int:
    """The member's rows and the messages about them; how many messages those are."""
    await uow.members.upsert_many([member(MEMBER), member(OTHER)], NOW)
    me, other = [
        await uow.session.scalar(select(Member.id).where(Member.telegram_id == t))
        for t in (MEMBER, OTHER)
    ]
    assert me is not None and other is not None
    session = uow.session
    company = Company(
        name="Other's", registration_no="1", sector="IT", about="", status="approved",
        created_by=other, created_at=NOW,
    )  # fmt: skip
    request = Company(
        name="Mine", registration_no="2", sector="IT", about="", status="pending",
        created_by=me, created_at=NOW,
    )  # fmt: skip
    session.add_all([company, request])
    await session.flush()
    jobs = [
        Job(
            company_id=company.id, posted_by=other, title=f"Job {n}", description="",
            location="phnom-penh", job_type="full-time", deadline=date(2027, 1, 1),
            deadline_at=NOW, status="open", published_at=NOW, instant_alerts_done=True,
        )
        for n in range(applied)
    ]  # fmt: skip
    session.add_all(jobs)
    await session.flush()
    applications = [
        JobApplication(job_id=job.id, member_id=me, status="sent", created_at=NOW) for job in jobs
    ]
    expert = [
        ExpertApplication(member_id=me, tags="web", note="", status="pending", created_at=NOW)
        for _ in range(3)
    ]
    connections = [
        ConnectionRequest(sender_id=me, recipient_id=other, status="accepted", created_at=NOW),
        ConnectionRequest(sender_id=other, recipient_id=me, status="declined", created_at=NOW),
    ]
    reports = [
        ProfileReport(reporter_id=me, member_id=other, reason="spam", created_at=NOW),
        ProfileReport(reporter_id=other, member_id=me, reason="spam", created_at=NOW),
    ]
    session.add_all([*applications, *expert, *connections, *reports])
    await session.flush()
    about = [message(MEMBER, f"job:{n}:{MEMBER}") for n in range(10)]  # to their chat
    about += [message(s, f"application:{a.id}:{s}") for a in expert for s in STAFF]
    about += [message(OTHER, f"application-job:{a.id}:{OTHER}") for a in applications]
    about += [message(s, f"company:{request.id}:{s}") for s in STAFF]
    about += [message(s, f"member-report:{r.id}:{s}") for r in reports for s in STAFF]
    about += [message(OTHER, f"{k}:{c.id}") for c in connections for k in ("connect", "connected")]
    # about others: the same kinds, ids beside theirs ("application:1000:…", "…:1:…" theirs)
    rows = about + [
        message(
            100_000 + n % 50_000,
            f"{KINDS[n % len(KINDS)]}:{n // len(KINDS) + 1}000:{n}",
            "pending" if n < pending else "sent",
        )
        for n in range(outbox)
    ]
    for start in range(0, len(rows), BATCH):
        await session.execute(insert(OutboxMessage), rows[start : start + BATCH])
    await uow.commit()
    return len(about)


async def run(args: argparse.Namespace, url: str) -> int:
    engine = await migrated_empty(url)
    sessionmaker = make_sessionmaker(engine)

    def unit_of_work() -> UnitOfWork:
        return UnitOfWork(sessionmaker, lambda: NOW)

    async with unit_of_work() as uow:
        about = await fill(uow, args.outbox, args.pending, args.applied)
    await as_kept(engine)

    times, wrong = [], False
    for _ in range(5):
        async with unit_of_work() as uow:
            erased = await uow.members.get(MEMBER)
            assert erased is not None
            started = time.perf_counter()
            await erase_member(uow.session, erased, NOW)
            await uow.session.flush()
            times.append((time.perf_counter() - started) * 1000)
            left = select(func.count()).select_from(OutboxMessage)
            theirs = left.where(OutboxMessage.id > about)  # queued after the member's
            wrong |= await uow.session.scalar(left) != args.outbox
            wrong |= await uow.session.scalar(theirs) != args.outbox
            await uow.rollback()
    await engine.dispose()

    best = min(times)
    print(f"{engine.dialect.name}, {args.outbox:,} other messages, {about} about the member:")
    print(f"  {'the erasure':38} {best:8.1f} ms  (slowest {max(times):.1f} ms)")
    if wrong:
        print("FAIL: the erasure did not delete exactly the member's messages")
    else:
        print(f"{'FAIL' if best > args.target else 'PASS'}: "
              f"{'over' if best > args.target else 'under'} {args.target:.0f} ms")  # fmt: skip
    return 1 if wrong or best > args.target else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outbox", type=int, default=1_000_000, help="messages about others")
    parser.add_argument("--pending", type=int, default=0, help="of them, still to send")
    parser.add_argument("--applied", type=int, default=50, help="the member's job applications")
    parser.add_argument("--target", type=float, default=50.0, help="ms (50)")
    parser.add_argument("--database-url", help="an empty database on 127.0.0.1 (SQLite: none)")
    args = parser.parse_args()
    return run_on_scratch(args.database_url, "erasure", lambda url: run(args, url))


if __name__ == "__main__":
    sys.exit(main())
