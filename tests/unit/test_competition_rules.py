"""Competitions' state, reminders, scoring with ties, and the leaderboard's months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.competitions.rules import (
    DECIDED,
    JUDGING,
    OPEN,
    EntryScores,
    competition_state,
    judge_may_score,
    may_add_entry,
    month_of,
    month_window,
    preselected_winners,
    previous_month,
    rank_entries,
    reminder_due_times,
    reminder_is_stale,
    shared_places,
    standings,
    thanks_due_month,
    thanks_time,
)

PP = ZoneInfo("Asia/Phnom_Penh")
DEADLINE = datetime(2026, 12, 10, 11, 0, tzinfo=UTC)  # 18:00 in Phnom Penh
T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def entry(entry_id: int, *scores: int, minutes: int | None = None) -> EntryScores:
    at = T0 + timedelta(minutes=entry_id if minutes is None else minutes)
    return EntryScores(entry_id, entry_id, at, scores)


def test_a_competition_is_open_until_its_deadline_then_judged_until_decided() -> None:
    assert competition_state(DEADLINE - timedelta(seconds=1), DEADLINE, None) == OPEN
    assert competition_state(DEADLINE, DEADLINE, None) == JUDGING
    assert competition_state(DEADLINE + timedelta(days=30), DEADLINE, None) == JUDGING
    assert competition_state(DEADLINE + timedelta(days=1), DEADLINE, DEADLINE) == DECIDED


@pytest.mark.parametrize(
    ("allowed", "have", "expected"),
    [(1, 0, True), (1, 1, False), (3, 2, True), (3, 3, False), (0, 50, True)],
)
def test_entries_a_member_may_send(allowed: int, have: int, expected: bool) -> None:
    assert may_add_entry(allowed, have) is expected


def test_reminders_are_due_three_days_and_one_day_before_the_deadline() -> None:
    assert reminder_due_times(DEADLINE, T0) == [
        ("3d", datetime(2026, 12, 7, 11, 0, tzinfo=UTC)),
        ("1d", datetime(2026, 12, 9, 11, 0, tzinfo=UTC)),
    ]


def test_a_competition_closing_within_three_days_gets_only_the_one_day_reminder() -> None:
    assert reminder_due_times(DEADLINE, DEADLINE - timedelta(days=2)) == [
        ("1d", DEADLINE - timedelta(days=1))
    ]
    assert reminder_due_times(DEADLINE, DEADLINE - timedelta(hours=5)) == []


def test_a_late_run_sends_only_the_latest_due_reminder_and_none_after_the_deadline() -> None:
    three, one = DEADLINE - timedelta(days=3), DEADLINE - timedelta(days=1)
    at_three = three + timedelta(minutes=5)
    assert not reminder_is_stale(three, at_three, DEADLINE, [one])
    after_both = one + timedelta(minutes=5)  # the bot was down two days
    assert reminder_is_stale(three, after_both, DEADLINE, [one])
    assert not reminder_is_stale(one, after_both, DEADLINE, [three])
    assert reminder_is_stale(one, DEADLINE, DEADLINE, [three])


def test_entries_are_ranked_by_average_then_more_scores_then_the_earlier_entry() -> None:
    ranked = rank_entries(
        [
            entry(1, 7, 9),  # 8 from two scores
            entry(2, 8),  # 8 from one score
            entry(3, 10, 9),  # 9.5
            entry(4),  # nobody scored it
            entry(5, 8, 8, minutes=0),  # 8 from two, entered before entry 1
        ]
    )
    assert [(r.entry.entry_id, r.place) for r in ranked] == [
        (3, 1),
        (5, 2),
        (1, 2),
        (2, 2),
        (4, 5),
    ]
    assert ranked[1].entry.average == 8


def test_equal_averages_share_a_place_and_skip_the_next() -> None:
    assert shared_places([9, 8, 8, 7, None, None]) == [1, 2, 2, 4, 5, 5]
    ranked = rank_entries([entry(1, 6, 7), entry(2, 7, 6), entry(3, 5)])
    assert [r.place for r in ranked] == [1, 1, 3]


def test_an_exact_average_is_not_rounded_into_a_tie() -> None:
    ranked = rank_entries([entry(1, 7, 7, 8), entry(2, 7, 8, 7, 7)])  # 7.33… and 7.25
    assert [(r.entry.entry_id, r.place) for r in ranked] == [(1, 1), (2, 2)]


def test_the_top_three_places_with_a_score_are_preselected_ties_included() -> None:
    ranked = rank_entries([entry(1, 9), entry(2, 8), entry(3, 7), entry(4, 7), entry(5, 2)])
    assert preselected_winners(ranked) == [1, 2, 3, 4]
    assert preselected_winners(rank_entries([entry(1, 5), entry(2)])) == [1]
    assert preselected_winners([]) == []


def test_a_judge_never_scores_their_own_entry_and_scores_run_from_1_to_10() -> None:
    assert judge_may_score(7, 8, 1) and judge_may_score(7, 8, 10)
    assert not judge_may_score(7, 7, 5)
    assert not judge_may_score(7, 8, 0) and not judge_may_score(7, 8, 11)


# -- the leaderboard -------------------------------------------------------------------------
def test_a_month_is_counted_in_cambodia_time() -> None:
    # 30 November 17:30 UTC is already 1 December 00:30 in Phnom Penh
    assert month_of(datetime(2026, 11, 30, 17, 30, tzinfo=UTC), PP) == date(2026, 12, 1)
    assert month_of(datetime(2026, 11, 30, 16, 59, tzinfo=UTC), PP) == date(2026, 11, 1)
    assert month_window(date(2026, 11, 1), PP) == (
        datetime(2026, 10, 31, 17, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 17, 0, tzinfo=UTC),
    )
    assert month_window(date(2026, 12, 1), PP)[1] == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert previous_month(date(2027, 1, 1)) == date(2026, 12, 1)


def test_the_thank_you_for_a_month_is_due_on_the_first_of_the_next_at_nine() -> None:
    assert thanks_time(date(2026, 11, 1), PP) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert thanks_due_month(datetime(2026, 12, 1, 2, 0, tzinfo=UTC), PP) == date(2026, 11, 1)
    assert thanks_due_month(datetime(2026, 12, 1, 1, 59, tzinfo=UTC), PP) == date(2026, 10, 1)
    assert thanks_due_month(datetime(2026, 12, 20, tzinfo=UTC), PP) == date(2026, 11, 1)
    assert thanks_due_month(datetime(2027, 1, 1, 3, 0, tzinfo=UTC), PP) == date(2026, 12, 1)


def test_equal_points_share_a_place_listed_by_who_joined_first() -> None:
    found = standings([(5, 12), (3, 2), (9, 12), (4, 10), (2, 0), (1, 10)])
    assert [(s.member_id, s.points, s.place) for s in found] == [
        (5, 12, 1),
        (9, 12, 1),
        (1, 10, 3),
        (4, 10, 3),
        (3, 2, 5),
    ]


def test_the_monthly_thanks_runs_on_the_first_of_the_month_at_nine_in_cambodia() -> None:
    from scheduler.jobs import job

    trigger = job("monthly-thanks").when.trigger(PP)
    after = datetime(2026, 11, 25, 9, 0, tzinfo=PP)
    assert trigger.get_next_fire_time(None, after) == datetime(2026, 12, 1, 9, 0, tzinfo=PP)
