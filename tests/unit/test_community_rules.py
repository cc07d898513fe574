"""The member network's rules on a fake clock: the daily limit, blocks, self, pending and
existing connections, and what a blocked member can (not) learn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from handlers.community.rules import (
    DAILY_REQUESTS,
    DECLINE_PAUSE,
    NOTE_MAX,
    REQUEST_LAPSES,
    Between,
    Refusal,
    Refused,
    between,
    may_connect,
    next_request_at,
    parse_note,
    requests_left,
)
from handlers.invalid import Invalid
from tests.conftest import FakeClock

ME, THEM = 1, 2


@dataclass
class Stored:
    sender_id: int
    status: str
    decided_at: datetime | None = None
    created_at: datetime = datetime(2026, 11, 1, tzinfo=UTC)


def ask(
    clock: FakeClock,
    facts: Between | None = None,
    sent: list[datetime] | None = None,
    available: bool = True,
    other: int = THEM,
) -> Refused | None:
    return may_connect(ME, other, available, facts or Between(), sent or [], clock.now())


def send_requests(clock: FakeClock, count: int, every: timedelta) -> list[datetime]:
    sent = []
    for _ in range(count):
        sent.append(clock.now())
        clock.advance(seconds=every.total_seconds())
    return sent


def test_a_member_may_send_ten_requests_in_24_hours_and_the_eleventh_waits(
    clock: FakeClock,
) -> None:
    first = clock.now()
    sent = send_requests(clock, DAILY_REQUESTS - 1, timedelta(minutes=30))
    assert ask(clock, sent=sent) is None
    assert requests_left(sent, clock.now()) == 1
    sent.append(clock.now())
    assert requests_left(sent, clock.now()) == 0
    assert ask(clock, sent=sent) == Refused(Refusal.LIMIT, first + timedelta(hours=24))


def test_the_day_is_a_rolling_24_hours_not_the_calendar_day(clock: FakeClock) -> None:
    clock.current = datetime.fromisoformat("2026-11-25T16:50:00+00:00")  # 23:50 in Phnom Penh
    sent = send_requests(clock, DAILY_REQUESTS, timedelta(minutes=1))
    clock.current = datetime.fromisoformat("2026-11-25T17:30:00+00:00")  # past midnight there
    assert ask(clock, sent=sent) is not None  # a new calendar day does not reset the count
    clock.current = sent[0] + timedelta(hours=24)
    assert ask(clock, sent=sent) is None  # the oldest request has left the window
    assert requests_left(sent, clock.now()) == 1


def test_the_next_request_is_possible_when_enough_old_ones_left_the_window(
    clock: FakeClock,
) -> None:
    sent = send_requests(clock, DAILY_REQUESTS + 3, timedelta(hours=1))  # 13 over 13 hours
    now = clock.now()
    recent = [t for t in sent if now - t < timedelta(hours=24)]
    assert next_request_at(sent, now) == recent[len(recent) - DAILY_REQUESTS] + timedelta(hours=24)
    assert next_request_at(sent[:3], now) is None


def test_a_member_cannot_connect_with_themselves(clock: FakeClock) -> None:
    assert ask(clock, other=ME) == Refused(Refusal.SELF)


def test_a_blocked_member_hears_what_they_would_if_the_member_had_left_the_directory(
    clock: FakeClock,
) -> None:
    blocked = ask(clock, Between(they_blocked_sender=True))
    left = ask(clock, available=False)
    assert blocked == left == Refused(Refusal.UNAVAILABLE)
    assert "block" not in Refusal.UNAVAILABLE.message.lower()


def test_at_the_limit_a_blocked_member_hears_of_the_limit_like_for_anyone(
    clock: FakeClock,
) -> None:
    sent = send_requests(clock, DAILY_REQUESTS, timedelta(minutes=1))
    blocked = ask(clock, Between(they_blocked_sender=True), sent)
    anyone = ask(clock, Between(), sent)
    assert blocked == anyone and blocked is not None and blocked.reason is Refusal.LIMIT


def test_a_block_on_a_request_looks_like_a_decline_until_the_pause_ends(
    clock: FakeClock,
) -> None:
    declined_at = clock.now()
    clock.advance(days=3)
    declined = ask(clock, Between(declined_at=declined_at))
    blocked = ask(clock, Between(declined_at=declined_at, they_blocked_sender=True))
    assert declined == blocked == Refused(Refusal.DECLINED, declined_at + DECLINE_PAUSE)
    clock.current = declined_at + DECLINE_PAUSE
    assert ask(clock, Between(declined_at=declined_at)) is None  # ask again after 30 days
    assert ask(clock, Between(declined_at=declined_at, they_blocked_sender=True)) == Refused(
        Refusal.UNAVAILABLE
    )


def test_a_member_who_blocked_the_other_is_asked_to_unblock_first(clock: FakeClock) -> None:
    assert ask(clock, Between(sender_blocked_them=True)) == Refused(Refusal.SENDER_BLOCKED)


def test_one_pending_request_a_pair_and_none_once_connected(clock: FakeClock) -> None:
    assert ask(clock, Between(sender_pending=True)) == Refused(Refusal.PENDING)
    assert ask(clock, Between(they_pending=True)) == Refused(Refusal.THEY_ASKED)
    assert ask(clock, Between(connected=True)) == Refused(Refusal.CONNECTED)
    assert ask(clock, Between(connected=True), available=False) == Refused(Refusal.CONNECTED)


def test_between_sums_up_the_requests_in_both_directions(clock: FakeClock) -> None:
    early, late = clock.now(), clock.now() + timedelta(days=40)
    facts = between(
        ME,
        [
            Stored(ME, "declined", early),
            Stored(ME, "declined", late),
            Stored(THEM, "declined", late + timedelta(days=1)),  # mine declined theirs
            Stored(THEM, "pending"),
            Stored(ME, "withdrawn", late),
        ],
        sender_blocked_them=False,
        they_blocked_sender=True,
        now=late,
    )
    assert facts == Between(they_blocked_sender=True, they_pending=True, declined_at=late)
    assert between(ME, [Stored(THEM, "accepted", early)], False, False, early).connected
    assert between(ME, [Stored(ME, "pending", None, early)], False, False, early).sender_pending


def test_a_request_nobody_answers_lapses_after_30_days_for_its_sender(clock: FakeClock) -> None:
    sent = clock.now()
    mine, theirs = Stored(ME, "pending", None, sent), Stored(THEM, "pending", None, sent)
    just_before = sent + REQUEST_LAPSES - timedelta(seconds=1)
    assert between(ME, [mine], False, False, just_before).sender_pending
    assert between(ME, [mine], False, False, sent + REQUEST_LAPSES) == Between()
    # the other member's old request still waits for me: I answer it, not send another
    assert between(ME, [theirs], False, False, sent + REQUEST_LAPSES).they_pending


def test_a_note_is_a_few_lines_of_at_most_300_characters_khmer_counted_as_it_reads() -> None:
    assert parse_note("  Hello,\r\nI build apps in Siem Reap.  ") == (
        "Hello,\nI build apps in Siem Reap."
    )
    assert parse_note("ក្រសួង" * 100) == "ក្រសួង" * 100  # 300 clusters: 300 as it reads
    with pytest.raises(Invalid):
        parse_note("ក្រសួង" * 100 + "ក")
    with pytest.raises(Invalid):  # 101 clusters of 6 code points: more than the column holds
        parse_note("ស្ត្រី" * 101)
    with pytest.raises(Invalid) as too_long:
        parse_note("a" * (NOTE_MAX + 1))
    assert too_long.value.params == {"limit": NOTE_MAX}
    with pytest.raises(Invalid):
        parse_note(" \u202e ")
