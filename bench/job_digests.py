"""Benchmark the daily job digest: 100,000 members and 1,000 new jobs in under a minute.

    .venv/bin/python bench/job_digests.py [--members 100000] [--jobs 1000] [--database-url URL]

Migrates a fresh database with ``dcc-bot db upgrade`` (a temporary SQLite file unless
``--database-url`` names an empty one on this machine), fills it with members open to work
on the daily digest (Khmer and English, 1–4 random skills, every province and abroad, one in
five with the province filter on) and jobs published over the last day (1–3 tags, every
location, all four types), then runs ``send_digests(..., "daily", ...)`` in a child process
and reads its wall time, messages queued and peak RSS (``resource.getrusage``), so building
the data does not count in the memory figure. It checks that every queued message is in the
outbox, that no message is over 4,096 characters and that no member is told of more than 30 jobs,
prints the figures, and exits 1 on FAIL: over ``--target`` seconds (60) or ``--memory`` MB
(400), or a wrong result. It touches local files and, with ``--database-url``, a database on
127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from scratch_database import refuse_remote
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url

from bot.core.i18n import Translations
from handlers.jobs.alerts import DIGEST_MOST, send_digests
from handlers.jobs.rules import ABROAD, JOB_TYPES, REMOTE
from storage.db import make_engine, make_sessionmaker
from storage.models import Company, JobAlert, Member, OutboxMessage
from storage.seed.choices import ROLES
from storage.seed.provinces import PROVINCES
from storage.seed.tags import SLUGS
from storage.uow import UnitOfWork

PROJECT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 60.0
TARGET_MB = 400.0
TZ = ZoneInfo("Asia/Phnom_Penh")
NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 08:00 in Phnom Penh: the daily digest's hour
UNSET = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "DCC_ADMIN_IDS", "DCC_WEBHOOK_URL")
CHUNK = 5_000  # members written a transaction while building

NAMES = ("សុខ ដារ៉ា", "ចាន់ សុភា", "ហេង វណ្ណា", "Sok Dara", "Chan Sophea", "Lim Panha", "Anna Keo")
TITLES = (
    "Backend developer (Python)", "Frontend engineer", "Data analyst", "Network engineer",
    "IT support officer", "Cybersecurity specialist", "Mobile developer (Flutter)",
    "UX/UI designer", "Cloud/DevOps engineer", "Digital marketing officer",
    "អ្នកអភិវឌ្ឍកម្មវិធី", "មន្ត្រីបច្ចេកវិទ្យាព័ត៌មាន", "អ្នកវិភាគទិន្នន័យ",
)  # fmt: skip
LOCATIONS = (*(p.slug for p in PROVINCES), REMOTE, ABROAD)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.digest_only:
        return _digest_child(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="dcc-bench-"))
    try:
        url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        refuse_remote(url)
        print(f"database: {make_url(url).render_as_string(hide_password=True)}")
        env = {k: v for k, v in os.environ.items() if k not in UNSET} | {"DATABASE_URL": url}
        migrate = subprocess.run(
            [*_dcc_bot(), "db", "upgrade"], env=env, cwd=workdir, capture_output=True, text=True
        )
        if migrate.returncode != 0:
            print(f"FAIL: dcc-bot db upgrade: {migrate.stderr.strip()[-500:]}")
            return 1
        started = time.perf_counter()
        asyncio.run(build(url, args.members, args.jobs, args.seed))
        print(
            f"built: {args.members:,} members, {args.jobs:,} jobs "
            f"in {time.perf_counter() - started:.1f} s"
        )
        child = subprocess.run(
            [sys.executable, __file__, "--digest-only", "--database-url", url],
            env=env, cwd=PROJECT, capture_output=True, text=True,
        )  # fmt: skip
        if child.returncode != 0:
            print(f"FAIL: the digest run failed:\n{child.stderr.strip()[-2000:]}")
            return 1
        run = json.loads(child.stdout.strip().splitlines()[-1])
        problems = asyncio.run(check(url, run["queued"]))
        if run["seconds"] >= args.target:
            problems.append(f"{run['seconds']:.1f} s, the target is {args.target:g} s")
        if run["peak_mb"] >= args.memory:
            problems.append(f"peak RSS {run['peak_mb']:.0f} MB, the target is {args.memory:g} MB")
        print(
            f"send_digests(daily): {run['seconds']:.1f} s, {run['queued']:,} messages queued "
            f"to {run['members']:,} members, {run['alerts']:,} jobs alerted, peak RSS "
            f"{run['peak_mb']:.0f} MB (before the run: {run['start_mb']:.0f} MB)"
        )
        for problem in problems:
            print(f"FAIL: {problem}")
        print("FAIL" if problems else "PASS")
        if args.keep:
            print(f"kept: {workdir}")
        return 1 if problems else 0
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000, help="members (100000)")
    parser.add_argument("--jobs", type=int, default=1_000, help="new jobs (1000)")
    parser.add_argument(
        "--database-url",
        default="",
        help="an empty database on this machine (default: a new SQLite file in a temp folder)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--target", type=float, default=TARGET_SECONDS, help="seconds (60)")
    parser.add_argument("--memory", type=float, default=TARGET_MB, help="peak RSS, MB (400)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--digest-only", action="store_true", help=argparse.SUPPRESS)
    return parser


def _dcc_bot() -> list[str]:
    script = Path(sys.executable).parent / "dcc-bot"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "bot.cli"]


# -- the data --------------------------------------------------------------------------------
async def build(url: str, members: int, jobs: int, seed: int) -> None:
    rng = random.Random(seed)
    provinces = [*(p.slug for p in PROVINCES), ABROAD]
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    try:
        for first in range(0, members, CHUNK):
            rows = [
                _member(rng, provinces, 1_000_000 + n)
                for n in range(first, min(first + CHUNK, members))
            ]
            async with UnitOfWork(sessionmaker) as uow:
                await uow.members.upsert_many(rows, NOW - timedelta(days=30))
                await uow.commit()
        async with UnitOfWork(sessionmaker) as uow:
            await uow.session.execute(
                update(Member).where(Member.id % 5 == 0).values(jobs_in_province_only=True)
            )
            owner = await uow.session.scalar(select(func.min(Member.id)))
            assert owner is not None
            companies = []
            for number in range(20):
                company = await uow.jobs.add_company(
                    owner, f"Company {number} Co., Ltd.", f"REG-{number:05}", "ICT", None,
                    "We build digital services.", NOW - timedelta(days=60),
                )  # fmt: skip
                company.status = "verified"
                companies.append(company)
            for number in range(jobs):
                published = NOW - timedelta(seconds=rng.randrange(1, 86_400))
                deadline = date(2026, 12, 1) + timedelta(days=rng.randrange(60))
                job = await uow.jobs.add_job(
                    rng.choice(companies).id, owner, f"{rng.choice(TITLES)} #{number}",
                    "Join our team.", rng.sample(SLUGS, rng.randint(1, 3)), rng.choice(LOCATIONS),
                    rng.choice(JOB_TYPES), deadline,
                    datetime.combine(deadline, datetime.max.time(), TZ), None, published,
                )  # fmt: skip
                job.instant_alerts_done = True
            await uow.commit()
    finally:
        await engine.dispose()


def _member(rng: random.Random, provinces: list[str], telegram_id: int) -> dict[str, Any]:
    province = rng.choice(provinces)
    return {
        "telegram_id": telegram_id,
        "full_name": rng.choice(NAMES),
        "username": None,
        "language": rng.choice(("km", "km", "en")),
        "role": rng.choice(ROLES),
        "organisation": None,
        "province": province,
        "country": "Japan" if province == ABROAD else None,
        "years_experience": rng.randrange(20),
        "open_to_work": True,
        "alert_frequency": "daily",
        "directory_visible": rng.random() < 0.5,
        "skills": rng.sample(SLUGS, rng.randint(1, 4)),
    }


# -- the timed run (a child process, so its peak RSS is the digest's own) --------------------
def _digest_child(url: str) -> int:
    logging.getLogger("bot.core.i18n").setLevel(logging.ERROR)  # catalogs being translated
    translations = Translations(PROJECT / "locales")
    start_mb = _peak_mb()
    started = time.perf_counter()
    queued = asyncio.run(_run_digests(url, translations))
    seconds = time.perf_counter() - started
    counts = asyncio.run(_counts(url))
    print(
        json.dumps(
            {
                "seconds": seconds,
                "queued": queued,
                "peak_mb": _peak_mb(),
                "start_mb": start_mb,
                **counts,
            }
        )
    )
    return 0


async def _run_digests(url: str, translations: Translations) -> int:
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    try:
        return await send_digests(lambda: UnitOfWork(sessionmaker), translations, "daily", NOW, TZ)
    finally:
        await engine.dispose()


async def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            alerts = await uow.session.scalar(select(func.count()).select_from(JobAlert))
            members = await uow.session.scalar(
                select(func.count(func.distinct(OutboxMessage.chat_id)))
            )
        return {"alerts": alerts or 0, "members": members or 0}
    finally:
        await engine.dispose()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


async def check(url: str, queued: int) -> list[str]:
    """What the digest wrote agrees with what it said, and keeps Telegram's limits."""
    problems = []
    engine = make_engine(url)
    try:
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            session = uow.session
            stored = await session.scalar(select(func.count()).select_from(OutboxMessage))
            longest = await session.scalar(select(func.max(func.length(OutboxMessage.text))))
            per_member = (
                select(func.count().label("jobs"))
                .select_from(JobAlert)
                .group_by(JobAlert.member_id)
                .subquery()
            )
            most = await session.scalar(select(func.max(per_member.c.jobs)))
            companies = await session.scalar(select(func.count()).select_from(Company))
        if stored != queued:
            problems.append(f"{queued:,} messages said queued, {stored:,} in the outbox")
        if queued == 0 or not companies:
            problems.append("nothing was queued")
        if (longest or 0) > 4096:
            problems.append(f"a message of {longest} characters")
        if (most or 0) > DIGEST_MOST:
            problems.append(f"a member was told of {most} jobs in one digest")
    finally:
        await engine.dispose()
    return problems


if __name__ == "__main__":
    sys.exit(main())
