"""Benchmark question routing: under 20 ms a routing decision for 10,000 experts.

    .venv/bin/python bench/routing.py [--experts 10000] [--questions 1000] [--seed 1]
    .venv/bin/python bench/routing.py --database [--questions 300]

Builds random experts over the seed tag slugs (1–3 tags each, a mix of default, custom,
midnight-crossing, daytime and absent quiet hours, caps 1–5 with random loads, some
unavailable, some never assigned or never offered), then times one ``choose_experts`` call per
random question (1–3 tags, a random asker, a random moment in one week, up to 6 experts
already offered). Prints the median, p95 and max per question and PASS/FAIL against the
target on p95; exits 1 on FAIL. ``--all-match`` gives every expert every tag (the worst
case: all 10,000 are ranked). Pure CPU: no files, no network.

``--database`` writes the same experts (members, expert profiles and tags, their open
assignments as offers of open questions, and their past offers, ``offered`` of them, on 200
closed questions) to a temporary SQLite file, migrated like the bot's,
and times the path the bot takes instead: ``QuestionRepository.candidates`` + the conversion
+ ``choose_experts`` per question (the verdict), and, on a second line, the whole ``offer()``
(its reads, the assignment rows and outbox messages it writes; each question's transaction
rolled back so every question sees the same data). Local files only.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time as clock
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from handlers.questions.routing import DEFAULT_QUIET, ExpertCandidate, choose_experts
from storage.seed.tags import SLUGS

PROJECT = Path(__file__).resolve().parents[1]
Question = tuple[list[str], int, datetime, list[int]]

TZ = ZoneInfo("Asia/Phnom_Penh")
START = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday; questions fall within the week after


def _quiet(rng: random.Random) -> tuple[time | None, time | None]:
    roll = rng.random()
    if roll < 0.5:
        return DEFAULT_QUIET
    if roll < 0.6:
        return None, None
    if roll < 0.65:
        return time(22, 0), time(22, 0)  # start == end: none
    return time(rng.randrange(24), rng.choice((0, 30))), time(rng.randrange(24), 0)


def make_experts(n: int, rng: random.Random, all_match: bool = False) -> list[ExpertCandidate]:
    experts = []
    for member_id in range(1, n + 1):
        start, end = _quiet(rng)
        cap = rng.randint(1, 5)
        offered = rng.choice((0, rng.randint(1, 200)))
        experts.append(
            ExpertCandidate(
                member_id=member_id,
                tags=frozenset(SLUGS if all_match else rng.sample(SLUGS, rng.randint(1, 3))),
                available=rng.random() < 0.9,
                quiet_start=start,
                quiet_end=end,
                cap=cap,
                open_assignments=rng.randint(0, cap),
                last_assigned_at=(
                    None
                    if rng.random() < 0.2
                    else START - timedelta(seconds=rng.randrange(90 * 86400))
                ),
                answered=rng.randint(0, offered),
                offered=offered,
            )
        )
    return experts


def make_questions(n: int, experts: int, rng: random.Random) -> list[Question]:
    return [
        (
            rng.sample(SLUGS, rng.randint(1, 3)),
            rng.randint(1, experts),
            START + timedelta(seconds=rng.randrange(7 * 86400)),
            rng.sample(range(1, experts + 1), rng.randint(0, 6)),
        )
        for _ in range(n)
    ]


def time_choose_experts(
    experts: list[ExpertCandidate], questions: list[Question]
) -> tuple[list[float], int]:
    timings_ms = []
    offers = 0
    for tags, asker, now, offered in questions:
        began = clock.perf_counter_ns()
        chosen = choose_experts(experts, tags, asker, now, TZ, already_offered=offered)
        timings_ms.append((clock.perf_counter_ns() - began) / 1e6)
        offers += len(chosen)
    return timings_ms, offers


# -- --database: the same experts in SQLite, timed through the repository -----------------------
HOLDERS = 5  # open questions that hold the experts' open assignments (the highest cap)
HISTORY = 200  # closed questions that hold the experts' past offers (``offered`` is up to 200)
PAST = ("answered", "passed", "withdrawn")


async def fill_database(uow: Any, experts: list[ExpertCandidate]) -> None:
    """Members 1..n are the experts; member n+1 asked the questions that hold their loads."""
    from sqlalchemy import insert, select

    from storage.models import Assignment, ExpertProfile, ExpertTag, Member, Tag
    from storage.models import Question as QuestionRow

    await uow.tags.sync_seed()
    tag_ids = dict((await uow.session.execute(select(Tag.slug, Tag.id))).all())
    created = START - timedelta(days=100)
    members = [
        {"id": e.member_id, "telegram_id": 5_000_000 + e.member_id,
         "full_name": f"Expert {e.member_id}", "language": "km" if e.member_id % 2 else "en",
         "created_at": created, "updated_at": created}
        for e in experts
    ]  # fmt: skip
    asker = len(experts) + 1
    members.append(
        {
            "id": asker,
            "telegram_id": 5_000_000 + asker,
            "created_at": created,
            "updated_at": created,
        }
    )
    await uow.session.execute(insert(Member), members)

    def clock_text(value: time | None) -> str | None:
        return None if value is None else value.strftime("%H:%M")

    profiles = [
        {"member_id": e.member_id, "available": e.available,
         "quiet_start": clock_text(e.quiet_start), "quiet_end": clock_text(e.quiet_end),
         "cap": e.cap, "anonymous": False, "last_assigned_at": e.last_assigned_at,
         "offered": e.offered, "answered": e.answered}
        for e in experts
    ]  # fmt: skip
    await uow.session.execute(insert(ExpertProfile), profiles)
    await uow.session.execute(
        insert(ExpertTag),
        [{"member_id": e.member_id, "tag_id": tag_ids[slug]} for e in experts for slug in e.tags],
    )
    await uow.session.execute(
        insert(QuestionRow),
        [
            {"id": n, "asker_id": asker, "text": "A question that holds offers.",
             "search_tokens": "", "status": "open", "round": 1, "hidden": False,
             "escalate_at": START + timedelta(days=30), "created_at": START}
            for n in range(1, HOLDERS + 1)
        ] + [
            {"id": HOLDERS + n, "asker_id": asker, "text": "An old question.",
             "search_tokens": "", "status": "closed", "round": 1, "hidden": False,
             "created_at": created}
            for n in range(1, HISTORY + 1)
        ],
    )  # fmt: skip
    past = [
        {"question_id": HOLDERS + n, "member_id": e.member_id, "round": 1,
         "status": PAST[(e.member_id + n) % 3], "offered_at": created}
        for e in experts
        for n in range(1, min(e.offered, HISTORY) + 1)
    ]  # fmt: skip
    for first in range(0, len(past), 50_000):
        await uow.session.execute(insert(Assignment), past[first : first + 50_000])
    await uow.session.execute(
        insert(Assignment),
        [
            {"question_id": n, "member_id": e.member_id, "round": 1, "status": "offered",
             "offered_at": START}
            for e in experts
            for n in range(1, min(e.open_assignments, HOLDERS) + 1)
        ],
    )  # fmt: skip
    await uow.commit()


async def time_database(
    experts: list[ExpertCandidate], questions: list[Question]
) -> dict[str, tuple[list[float], int]]:
    from bot.core.i18n import Translations
    from handlers.questions.offers import offer
    from handlers.questions.settings import QaSettings
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import upgrade
    from storage.uow import UnitOfWork

    workdir = Path(tempfile.mkdtemp(prefix="dcc-routing-"))
    engine = make_engine(f"sqlite+aiosqlite:///{workdir / 'routing.sqlite3'}")
    try:
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        async with UnitOfWork(sessionmaker) as uow:
            await fill_database(uow, experts)
        translations = Translations(PROJECT / "locales", strict=True)
        settings = QaSettings()

        async def choose(uow: UnitOfWork, question: Question) -> Callable[[], Awaitable[int]]:
            tags, asker, now, offered = question

            async def run() -> int:
                rows = await uow.questions.candidates(tags, asker)
                chosen = choose_experts(rows, tags, asker, now, TZ, already_offered=offered)
                return len(chosen)

            return run

        async def whole_offer(uow: UnitOfWork, question: Question) -> Callable[[], Awaitable[int]]:
            tags, asker, now, offered = question
            row = await uow.questions.add_question(asker, "Question?", "", tags, now, now)
            for member_id in offered:
                if member_id != asker:
                    await uow.questions.add_assignment(row.id, member_id, 1, now)

            async def run() -> int:
                return len(await offer(uow, translations, row, settings, now, TZ, settings.k))

            return run

        results = {}
        for name, prepare in (("choose", choose), ("offer", whole_offer)):
            timings_ms, offers = [], 0
            for question in questions:
                async with UnitOfWork(sessionmaker) as uow:  # rolled back on leaving
                    run = await prepare(uow, question)
                    began = clock.perf_counter_ns()
                    offers += await run()
                    timings_ms.append((clock.perf_counter_ns() - began) / 1e6)
            results[name] = (timings_ms, offers)
        return results
    finally:
        await engine.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


def summary(timings_ms: list[float]) -> tuple[float, float, float]:
    timings_ms = sorted(timings_ms)
    p95 = timings_ms[min(len(timings_ms) - 1, round(0.95 * len(timings_ms)))]
    return statistics.median(timings_ms), p95, timings_ms[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", type=float, default=20.0, help="p95 limit in ms")
    parser.add_argument(
        "--all-match", action="store_true", help="stress: every expert has every tag"
    )
    parser.add_argument(
        "--database",
        action="store_true",
        help="time candidates() + choose_experts, and offer(), on a temporary SQLite file",
    )
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    experts = make_experts(args.experts, rng, args.all_match)
    questions = make_questions(args.questions, args.experts, rng)
    if args.database:
        results = asyncio.run(time_database(experts, questions))
        lines = [
            ("candidates() + choose_experts", *results["choose"]),
            ("offer(), writes rolled back", *results["offer"]),
        ]
    else:
        lines = [("choose_experts", *time_choose_experts(experts, questions))]

    verdict = "PASS" if summary(lines[0][1])[1] < args.target else "FAIL"
    print(
        f"{args.experts:,} experts, {args.questions:,} questions"
        + (" (SQLite)" if args.database else "")
    )
    for number, (name, timings_ms, offers) in enumerate(lines):
        median, p95, worst = summary(timings_ms)
        print(
            f"{name}: {offers:,} offers, median {median:.2f} ms, p95 {p95:.2f} ms, "
            f"max {worst:.2f} ms per question"
            + (f" — {verdict} (target p95 < {args.target:g} ms)" if number == 0 else "")
        )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
