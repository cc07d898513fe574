"""The sender's pace as pure rules on a clock of our own: the rolling window Telegram counts
in, and the rate that adapts to a limit the operator does not know."""

from __future__ import annotations

import pytest

from scheduler.pacing import MARGIN, PROBE_AFTER, AdaptiveRate, RollingWindow


def test_the_window_lets_n_calls_start_in_a_second_then_waits_for_the_oldest_answer() -> None:
    window = RollingWindow(3)
    calls = []
    for now in (0.0, 0.2, 0.4):
        assert window.delay(now, 3) == 0.0
        calls.append(window.start(now))
    assert window.delay(0.5, 3) is None  # the first call has no answer yet: wait for it
    window.end(calls[0], 0.05)
    assert window.delay(0.5, 3) == pytest.approx(0.05 + 1.0 + MARGIN - 0.5)
    assert window.delay(1.1, 3) == 0.0


def test_a_slow_answer_pushes_the_next_start_however_the_calls_were_delayed() -> None:
    """The call reached Telegram some time before its answer: counting from the answer, the
    fourth call can never reach Telegram within a second of the first."""
    window = RollingWindow(3)
    first = window.start(0.0)
    for now in (0.01, 0.02):
        window.end(window.start(now), now + 0.01)
    window.end(first, 0.3)  # the first call took 300 ms (queued on its way)
    assert window.delay(1.0, 3) == pytest.approx(0.3 + 1.0 + MARGIN - 1.0)


def test_starts_are_spread_so_a_round_is_not_one_burst() -> None:
    window = RollingWindow(10)
    window.start(0.0)
    assert window.delay(0.0, 10) == pytest.approx(1.0 / (2 * 10))
    assert window.delay(0.05, 10) == 0.0


def test_the_window_counts_only_the_allowed_calls_of_a_lowered_rate() -> None:
    window = RollingWindow(5)
    for now in (0.0, 0.1, 0.2, 0.3):
        window.end(window.start(now), now + 0.01)
    assert window.delay(0.5, 5) == 0.0  # four of five
    assert window.delay(0.5, 3) == pytest.approx(0.11 + 1.0 + MARGIN - 0.5)  # the 2nd decides
    assert window.crowded(0.3) == 4 and window.crowded(0.1) == 2


def test_a_429_measures_the_limit_and_the_rate_stays_just_under_it() -> None:
    pace = AdaptiveRate(30)
    assert pace.flood(started=10.0, crowded=25, now=10.01)  # 25 was one too many
    assert (pace.rate, pace.allowed) == (24.0, 24)
    for _ in range(PROBE_AFTER - 1):
        pace.calm_round()
        assert pace.allowed == 24  # not above what was refused, for a while
    pace.calm_round()  # calm long enough: try above it again, step by step
    assert pace.rate == 24.5
    for _ in range(20):
        pace.calm_round()
    assert pace.rate == 30  # never above the configured rate


def test_calls_refused_under_the_old_rate_do_not_lower_it_again() -> None:
    pace = AdaptiveRate(30)
    assert pace.flood(started=10.0, crowded=21, now=10.01)
    assert pace.rate == 24  # by a fifth at most at once
    assert not pace.flood(started=10.005, crowded=22, now=10.02)  # in flight meanwhile
    assert pace.rate == 24
    assert pace.flood(started=11.5, crowded=21, now=11.51)  # a call at the new rate
    assert pace.rate == 20 and pace.ceiling == 21


def test_a_429_with_few_calls_in_the_second_lowers_by_a_fifth_and_climbs_straight_back() -> None:
    pace = AdaptiveRate(10)
    pace.flood(started=1.0, crowded=2, now=1.0)  # says little about the limit
    assert pace.rate == 8.0 and pace.ceiling is None
    rates = []
    for _ in range(5):
        pace.calm_round()
        rates.append(pace.rate)
    assert rates == [8.5, 9.0, 9.5, 10.0, 10.0]


def test_the_rate_never_goes_under_one_a_second() -> None:
    pace = AdaptiveRate(1.5)
    for moment in range(5):
        pace.flood(started=float(moment), crowded=1, now=float(moment))
    assert pace.rate == 1.0 and pace.allowed == 1


def test_a_fractional_rate_counts_its_whole_calls_in_a_longer_window() -> None:
    pace = AdaptiveRate(2.5)
    assert pace.allowed == 2 and pace.span == pytest.approx(0.8)
    slow = AdaptiveRate(0.5)
    assert slow.allowed == 1 and slow.span == pytest.approx(2.0)
