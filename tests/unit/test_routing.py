"""Question routing: who is offered a question, when, and how it escalates (a fake clock)."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.questions.routing import (
    DEFAULT_CAP,
    DEFAULT_K,
    DEFAULT_QUIET,
    ESCALATE_AFTER,
    LAST_EXPERT_ROUND,
    Escalation,
    ExpertCandidate,
    Offer,
    answer_rate,
    choose_experts,
    escalate,
    in_quiet_hours,
    quiet_hours_end,
)
from tests.conftest import FakeClock

PP = ZoneInfo("Asia/Phnom_Penh")  # UTC+7, no DST
ASKER = 999
# 2026-11-25 10:00 in Phnom Penh (03:00 UTC): everyone with default quiet hours is awake.
DAY = datetime(2026, 11, 25, 10, 0, tzinfo=PP)
# 2026-11-25 23:30 in Phnom Penh: everyone with default quiet hours is asleep.
NIGHT = datetime(2026, 11, 25, 23, 30, tzinfo=PP)


def expert(member_id: int, *tags: str, **fields: object) -> ExpertCandidate:
    return ExpertCandidate(member_id, frozenset(tags or ("web",)), **fields)  # type: ignore[arg-type]


def ids(offers: list[Offer]) -> list[int]:
    return [o.member_id for o in offers]


def choose(
    candidates: list[ExpertCandidate],
    tags: tuple[str, ...] = ("web",),
    now: datetime = DAY,
    **options: object,
) -> list[Offer]:
    return choose_experts(candidates, tags, ASKER, now, PP, **options)  # type: ignore[arg-type]


def at(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PP)


# -- defaults ------------------------------------------------------------------------------
def test_the_defaults_are_the_product_design() -> None:
    assert DEFAULT_K == 3 and DEFAULT_CAP == 3 and LAST_EXPERT_ROUND == 2
    assert DEFAULT_QUIET == (time(21, 0), time(7, 0))
    assert ESCALATE_AFTER == timedelta(hours=24)
    c = ExpertCandidate(1, frozenset({"web"}))
    assert (c.quiet_start, c.quiet_end, c.cap, c.available) == (time(21), time(7), 3, True)


# -- ranking, one criterion at a time ------------------------------------------------------
def test_more_shared_tags_rank_first() -> None:
    one = expert(1, "web", open_assignments=0)
    two = expert(2, "web", "data", open_assignments=2)  # busier, but closer expertise
    three = expert(3, "web", "data", "ai", open_assignments=2)
    offers = choose([one, two, three], tags=("web", "data", "ai"))
    assert ids(offers) == [3, 2, 1]
    assert [o.overlap for o in offers] == [3, 2, 1]


def test_at_equal_overlap_fewest_open_assignments_first() -> None:
    recent = DAY - timedelta(minutes=5)
    busy = expert(1, open_assignments=2)
    idle = expert(2, open_assignments=0, last_assigned_at=recent)  # assigned just now, still first
    middle = expert(3, open_assignments=1)
    assert ids(choose([busy, idle, middle])) == [2, 3, 1]


def test_then_longest_since_last_assignment_and_never_assigned_is_longest() -> None:
    candidates = [
        expert(1, last_assigned_at=DAY - timedelta(hours=1), answered=10, offered=10),
        expert(2, last_assigned_at=DAY - timedelta(days=3), answered=0, offered=10),
        expert(3, last_assigned_at=None, answered=0, offered=10),
        expert(4, last_assigned_at=DAY - timedelta(days=1)),
    ]
    assert ids(choose(candidates, k=4)) == [3, 2, 4, 1]


def test_then_higher_answer_rate_and_no_offers_yet_ranks_as_one_half() -> None:
    same = DAY - timedelta(days=1)
    candidates = [
        expert(1, last_assigned_at=same, answered=4, offered=10),  # 0.4
        expert(2, last_assigned_at=same, answered=0, offered=0),  # none yet: 0.5
        expert(3, last_assigned_at=same, answered=9, offered=10),  # 0.9
        expert(4, last_assigned_at=same, answered=6, offered=10),  # 0.6
    ]
    assert ids(choose(candidates, k=4)) == [3, 4, 2, 1]


def test_then_fewest_offers_so_far() -> None:
    same = DAY - timedelta(days=1)  # offered together in one earlier question
    candidates = [
        expert(1, last_assigned_at=same, answered=5, offered=5),
        expert(2, last_assigned_at=same, answered=3, offered=3),
        expert(3, last_assigned_at=same, answered=4, offered=4),
    ]
    assert ids(choose(candidates)) == [2, 3, 1]


def test_then_member_id_whatever_the_input_order() -> None:
    candidates = [expert(i) for i in (7, 3, 9, 1, 5)]
    for seed in range(5):
        random.Random(seed).shuffle(candidates)
        assert ids(choose(candidates, k=5)) == [1, 3, 5, 7, 9]


def test_answer_rate() -> None:
    assert answer_rate(expert(1, answered=3, offered=4)) == 0.75
    assert answer_rate(expert(1)) == 0.5
    assert answer_rate(expert(1, answered=0, offered=5)) == 0.0


def test_the_heap_agrees_with_a_full_sort_on_random_experts() -> None:
    rng = random.Random(7)
    tags = ("web", "data", "ai", "mobile")
    candidates = [
        expert(
            i,
            *rng.sample(tags, rng.randint(1, 3)),
            open_assignments=rng.randint(0, 2),
            last_assigned_at=rng.choice((None, DAY - timedelta(hours=rng.randint(1, 4)))),
            answered=rng.randint(0, 2),
            offered=rng.randint(2, 3),
            quiet_start=rng.choice((None, time(21), time(9))),
        )
        for i in range(1, 400)
    ]

    def rank(c: ExpertCandidate) -> tuple[bool, int, int, datetime, float, int, int]:
        asleep = in_quiet_hours(c.quiet_start, c.quiet_end, DAY)
        never = datetime(1, 1, 1, tzinfo=UTC)
        overlap = len(c.tags & {"web", "data"})
        return (
            asleep,
            -overlap,
            c.open_assignments,
            c.last_assigned_at or never,
            -answer_rate(c),
            c.offered,
            c.member_id,
        )

    eligible = sorted((c for c in candidates if c.tags & {"web", "data"}), key=rank)
    for k in (1, 3, 10, 50):
        assert ids(choose(candidates, tags=("web", "data"), k=k)) == [
            c.member_id for c in eligible[:k]
        ]


# -- who is never offered ------------------------------------------------------------------
def test_the_asker_is_never_offered_their_own_question() -> None:
    assert ids(choose([expert(ASKER), expert(2)])) == [2]


def test_unavailable_and_full_experts_are_left_out() -> None:
    candidates = [
        expert(1, available=False),
        expert(2, cap=3, open_assignments=3),  # at the cap
        expert(3, cap=3, open_assignments=2),  # one place left
        expert(4, cap=0),
    ]
    assert ids(choose(candidates)) == [3]


def test_experts_of_other_tags_are_left_out() -> None:
    assert ids(choose([expert(1, "ai"), expert(2, "web", "ai")], tags=("web",))) == [2]
    assert choose([expert(1, "web")], tags=()) == []


def test_experts_already_offered_in_any_round_are_never_offered_again() -> None:
    candidates = [expert(i) for i in range(1, 6)]
    assert ids(choose(candidates, already_offered={1, 3})) == [2, 4, 5]
    assert choose(candidates, already_offered=range(1, 6)) == []


def test_k_is_respected() -> None:
    candidates = [expert(i) for i in range(1, 11)]
    assert ids(choose(candidates)) == [1, 2, 3]
    assert ids(choose(candidates, k=5)) == [1, 2, 3, 4, 5]
    assert choose(candidates, k=0) == []
    assert ids(choose(candidates[:2], k=3)) == [1, 2]  # fewer candidates than k


def test_a_pass_goes_to_the_next_candidate() -> None:
    candidates = [expert(i) for i in range(1, 11)]
    first_round = ids(choose(candidates))
    assert first_round == [1, 2, 3]
    # Expert 2 passes: one more offer, nobody offered before (passed or not) comes back.
    assert ids(choose(candidates, k=1, already_offered=first_round)) == [4]


def test_candidates_may_be_a_one_pass_iterator() -> None:
    offers = choose_experts((expert(i) for i in (3, 1, 2)), ["web"], ASKER, DAY, PP)
    assert ids(offers) == [1, 2, 3]


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        choose([expert(1)], now=datetime(2026, 11, 25, 10, 0))


# -- quiet hours ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        (at(20, 59), False),
        (at(21, 0), True),
        (at(23, 59), True),
        (at(0, 0), True),
        (at(6, 59), True),
        (at(7, 0), False),
        (at(12, 0), False),
    ],
)
def test_default_quiet_hours_cross_midnight(clock: datetime, quiet: bool) -> None:
    assert in_quiet_hours(time(21, 0), time(7, 0), clock) is quiet


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [(at(12, 59), False), (at(13, 0), True), (at(14, 59), True), (at(15), False)],
)
def test_quiet_hours_within_one_day(clock: datetime, quiet: bool) -> None:
    assert in_quiet_hours(time(13, 0), time(15, 0), clock) is quiet


@pytest.mark.parametrize(
    ("start", "end"), [(time(22), time(22)), (None, None), (None, time(7)), (time(21), None)]
)
def test_equal_or_unset_quiet_hours_mean_none(start: time | None, end: time | None) -> None:
    for hour in range(24):
        assert not in_quiet_hours(start, end, at(hour))
    assert quiet_hours_end(start, end, NIGHT) == NIGHT


def test_quiet_hours_end_at_23_30_is_07_00_the_next_day() -> None:
    end = quiet_hours_end(time(21), time(7), at(23, 30))
    assert end == at(7, 0, day=26) and end.tzinfo is PP


def test_quiet_hours_end_at_02_00_is_07_00_the_same_day() -> None:
    assert quiet_hours_end(time(21), time(7), at(2, 0)) == at(7, 0)


def test_quiet_hours_end_within_one_day_and_after_the_end() -> None:
    assert quiet_hours_end(time(13), time(15), at(14)) == at(15)
    assert quiet_hours_end(time(21), time(7), at(7)) == at(7, day=26)  # strictly after


def test_a_sleeper_fills_a_place_when_fewer_than_k_are_awake() -> None:
    now = at(23, 30)
    awake = expert(1, quiet_start=None, quiet_end=None, open_assignments=2)
    asleep = expert(2)  # default quiet hours, better ranked than the awake one
    night_owl = expert(3, quiet_start=time(3), quiet_end=time(11))
    offers = choose([asleep, awake, night_owl], now=now)
    assert offers == [
        Offer(3, now.astimezone(UTC), 1),  # the awake ones first, in rank order, at once
        Offer(1, now.astimezone(UTC), 1),
        Offer(2, at(7, 0, day=26).astimezone(UTC), 1),  # then the sleeper, at 07:00 local
    ]
    assert offers[2].deliver_at == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert offers[2].deliver_at.tzinfo is UTC


def test_a_sleeper_is_not_chosen_when_k_experts_are_awake() -> None:
    awake = [
        expert(i, "web", quiet_start=None, quiet_end=None, open_assignments=2) for i in (1, 2, 3)
    ]
    asleep = expert(4, "web", "data")  # more overlap, no load: ranks first by every criterion
    assert ids(choose([asleep, *awake], tags=("web", "data"), now=NIGHT)) == [1, 2, 3]


def test_sleepers_are_ranked_among_themselves_and_wake_at_their_own_hour() -> None:
    sleepers = [
        expert(1, open_assignments=1),
        expert(2, quiet_start=time(22), quiet_end=time(6)),
        expert(3, quiet_start=time(23), quiet_end=time(8), open_assignments=2),
        expert(4, open_assignments=2),
    ]
    offers = choose(sleepers, now=NIGHT)
    assert ids(offers) == [2, 1, 3]
    assert [o.deliver_at.astimezone(PP) for o in offers] == [
        at(6, day=26),
        at(7, day=26),
        at(8, day=26),
    ]


def test_quiet_hours_are_read_in_phnom_penh_time_not_utc() -> None:
    e = expert(1)
    before = datetime(2026, 11, 25, 13, 59, tzinfo=UTC)  # 20:59 in Phnom Penh
    start = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 21:00 in Phnom Penh
    assert start.astimezone(PP) == at(21, 0)
    assert choose([e], now=before) == [Offer(1, before, 1)]
    # At 21:00 local it waits for 07:00 local, which is 00:00 UTC the next day.
    assert choose([e], now=start) == [Offer(1, datetime(2026, 11, 26, 0, 0, tzinfo=UTC), 1)]
    # In UTC terms 14:00 is afternoon; read in UTC the expert would wrongly be awake.
    assert choose_experts([e], ["web"], ASKER, start, ZoneInfo("UTC")) == [Offer(1, start, 1)]


def test_deliver_at_is_utc_whatever_the_zone_of_now() -> None:
    now = at(10, 0)  # given in Phnom Penh time
    (offer,) = choose([expert(1)], now=now)
    assert offer.deliver_at == now and offer.deliver_at.tzinfo is UTC


# -- fairness ------------------------------------------------------------------------------
def simulate(clock: FakeClock, answers: Callable[[int], bool]) -> tuple[Counter[int], int]:
    """300 questions to 10 equal experts; every offer is closed at once.

    Returns the offers per expert and the widest gap between two experts' counts seen.
    """
    rng = random.Random(2026)
    experts = {i: expert(i, "web", "data") for i in range(1, 11)}
    offers: Counter[int] = Counter(dict.fromkeys(experts, 0))
    widest = 0
    for _ in range(300):
        clock.advance(minutes=rng.randint(1, 600))  # day and night alike
        tags = (rng.choice(("web", "data")),)
        chosen = choose(list(experts.values()), tags=tags, now=clock.now())
        assert len(chosen) == 3
        for offer in chosen:
            offers[offer.member_id] += 1
            e = experts[offer.member_id]
            experts[offer.member_id] = dataclasses.replace(
                e,
                last_assigned_at=clock.now(),
                offered=e.offered + 1,
                answered=e.answered + answers(e.member_id),
                open_assignments=0,  # answered (or passed) at once: nothing stays open
            )
        widest = max(widest, max(offers.values()) - min(offers.values()))
    return offers, widest


def test_equal_experts_who_all_answer_share_300_questions_exactly(clock: FakeClock) -> None:
    """Tighter than 85–95: 900 offers over 10 experts, 90 each, never more than 1 apart.

    "Longest since last assignment" is a rotation; experts offered the same question share a
    timestamp, and fewest offers so far puts whoever was left behind first next time.
    """
    offers, widest = simulate(clock, lambda member_id: True)
    assert offers == dict.fromkeys(range(1, 11), 90)
    assert widest == 1


def test_answer_rate_favours_responsive_experts_without_starving_the_others(
    clock: FakeClock,
) -> None:
    """Batch-mates tie on last assignment, so answer rate picks who goes next: a soft lean."""
    offers, _ = simulate(clock, lambda member_id: member_id % 2 == 0)
    responsive = [offers[i] for i in (2, 4, 6, 8, 10)]
    silent = [offers[i] for i in (1, 3, 5, 7, 9)]
    assert sum(offers.values()) == 900
    assert min(responsive) > max(silent)
    assert min(silent) >= 80 and max(responsive) <= 100


# -- escalation ----------------------------------------------------------------------------
def test_unanswered_questions_escalate_to_round_2_then_the_moderators(clock: FakeClock) -> None:
    asked = clock.now()
    first = escalate(0, answered=False, now=clock.now())
    assert first == Escalation(round=1, to_moderators=False, next_due=asked + ESCALATE_AFTER)

    clock.advance(hours=24)
    second = escalate(1, answered=False, now=clock.now())
    assert second == Escalation(round=2, to_moderators=False, next_due=asked + timedelta(hours=48))

    clock.advance(hours=24)
    third = escalate(LAST_EXPERT_ROUND, answered=False, now=clock.now())
    assert third == Escalation(round=3, to_moderators=True, next_due=None)

    clock.advance(hours=24)
    assert escalate(3, answered=False, now=clock.now()) is None  # no more escalation


@pytest.mark.parametrize("current_round", [0, 1, 2, 3])
def test_an_answered_question_never_escalates(clock: FakeClock, current_round: int) -> None:
    assert escalate(current_round, answered=True, now=clock.now()) is None


def test_escalation_delay_can_be_configured(clock: FakeClock) -> None:
    step = escalate(1, answered=False, now=clock.now(), after=timedelta(hours=6))
    assert step is not None and step.next_due == clock.now() + timedelta(hours=6)


def test_escalation_refuses_nonsense(clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        escalate(-1, answered=False, now=clock.now())
    with pytest.raises(ValueError):
        escalate(1, answered=False, now=clock.now(), after=timedelta(0))
    with pytest.raises(ValueError):
        escalate(1, answered=False, now=datetime(2026, 11, 25))
