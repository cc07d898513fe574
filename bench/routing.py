"""Benchmark question routing: ``choose_experts`` must take under 20 ms for 10,000 experts.

    .venv/bin/python bench/routing.py [--experts 10000] [--questions 1000] [--seed 1]

Builds random experts over the seed tag slugs (1–3 tags each, a mix of default, custom,
midnight-crossing, daytime and absent quiet hours, caps 1–5 with random loads, some
unavailable, some never assigned or never offered), then times one ``choose_experts`` call per
random question (1–3 tags, a random asker, a random moment in one week, up to 6 experts
already offered). Prints the median, p95 and max per question and PASS/FAIL against the
target on p95; exits 1 on FAIL. ``--all-match`` gives every expert every tag (the worst
case: all 10,000 are ranked). Pure CPU: no files, no network.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time as clock
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.questions.routing import DEFAULT_QUIET, ExpertCandidate, choose_experts
from storage.seed.tags import SLUGS

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", type=float, default=20.0, help="p95 limit in ms")
    parser.add_argument(
        "--all-match", action="store_true", help="stress: every expert has every tag"
    )
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    experts = make_experts(args.experts, rng, args.all_match)
    questions = [
        (
            rng.sample(SLUGS, rng.randint(1, 3)),
            rng.randint(1, args.experts),
            START + timedelta(seconds=rng.randrange(7 * 86400)),
            rng.sample(range(1, args.experts + 1), rng.randint(0, 6)),
        )
        for _ in range(args.questions)
    ]

    timings_ms = []
    offers = 0
    for tags, asker, now, offered in questions:
        began = clock.perf_counter_ns()
        chosen = choose_experts(experts, tags, asker, now, TZ, already_offered=offered)
        timings_ms.append((clock.perf_counter_ns() - began) / 1e6)
        offers += len(chosen)

    timings_ms.sort()
    median = statistics.median(timings_ms)
    p95 = timings_ms[min(len(timings_ms) - 1, round(0.95 * len(timings_ms)))]
    verdict = "PASS" if p95 < args.target else "FAIL"
    print(
        f"{args.experts:,} experts, {args.questions:,} questions, {offers:,} offers: "
        f"median {median:.2f} ms, p95 {p95:.2f} ms, max {timings_ms[-1]:.2f} ms per question "
        f"— {verdict} (target p95 < {args.target:g} ms)"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
