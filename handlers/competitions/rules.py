"""The competitions' and the leaderboard's rules: pure functions over plain data, so the
handlers, the scheduler's jobs and the tests share one reference.

**State.** A competition is *open* until its deadline, *judging* from the deadline until an
administrator confirms the winners, then *decided*. The state is computed from the clock,
the deadline and the decision, never stored on its own, so an entry saved one second after
the deadline is refused even when the scheduler has not run yet.

**Reminders.** Three days and one day before the deadline. A reminder whose time has
passed when the competition is created is left out (a competition closing in two days gets
the one-day reminder only); a due reminder is dropped unsent when the deadline has passed
or a later reminder of the same competition is due too (the bot was down): members get the
latest, never two at once.

**Ranking.** Entries by their average score (exact, not rounded), then the one with more
scores, then the earlier entry. Equal averages share a place ("1, 2, 2, 4"): the places
skipped after a tie are not given. Entries nobody has scored come last and share a place.
The places 1 to 3 that have a score are preselected as winners (more than three when there
is a tie for a place); a winner's place is the one they share.

**Leaderboard.** Points are counted by calendar month in the community's time zone; equal
points share a place, listed by who joined first. The thank-you for a month goes out on
the 1st of the next month at 09:00.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

OPEN, JUDGING, DECIDED = "open", "judging", "decided"
REMINDERS = (("3d", timedelta(days=3)), ("1d", timedelta(days=1)))
NO_LIMIT = 0  # entries a member may send: 1, 3 or no limit
ENTRY_LIMITS = (1, 3, NO_LIMIT)
SCORES = range(1, 11)
WINNER_PLACES = 3
THANKS_HOUR = 9  # local time on the 1st of the month
THANKED_PLACES = 3


def competition_state(now: datetime, deadline_at: datetime, decided_at: datetime | None) -> str:
    if decided_at is not None:
        return DECIDED
    return OPEN if now < deadline_at else JUDGING


def open_for_changes(now: datetime, deadline_at: datetime, judging_at: datetime | None) -> bool:
    """An administrator may still edit a competition: its entries are open and its judges
    were not told (``judging_at``: when they were)."""
    return judging_at is None and deadline_at > now


def may_add_entry(allowed: int, have: int) -> bool:
    """Whether a member with ``have`` entries may send another (``allowed`` 0: no limit)."""
    return allowed == NO_LIMIT or have < allowed


def reminder_due_times(deadline_at: datetime, created_at: datetime) -> list[tuple[str, datetime]]:
    """The reminders a competition gets, (kind, due time), leaving out those already past."""
    return [
        (kind, deadline_at - ahead) for kind, ahead in REMINDERS if deadline_at - ahead > created_at
    ]


def reminder_is_stale(
    due_at: datetime, now: datetime, deadline_at: datetime, others_due: Iterable[datetime]
) -> bool:
    """A due reminder that is dropped unsent: the deadline has passed, or a later reminder
    of the same competition (``others_due``: their due times) is due as well."""
    return now >= deadline_at or any(due_at < other <= now for other in others_due)


# -- ranking ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class EntryScores:
    entry_id: int
    number: int  # the anonymous number judges see
    created_at: datetime
    scores: tuple[int, ...]

    @property
    def average(self) -> Fraction | None:
        return Fraction(sum(self.scores), len(self.scores)) if self.scores else None


@dataclass(frozen=True)
class Ranked:
    entry: EntryScores
    place: int


def shared_places(keys: Sequence[Hashable]) -> list[int]:
    """Places for items already in order whose equal ``keys`` stand together: equal keys
    share the place of the first of them, and the places after a tie are skipped."""
    places: list[int] = []
    for index, key in enumerate(keys):
        places.append(places[-1] if index and key == keys[index - 1] else index + 1)
    return places


def rank_entries(entries: Iterable[EntryScores]) -> list[Ranked]:
    ordered = sorted(
        entries,
        key=lambda e: (
            e.average is None,
            -(e.average or 0),
            -len(e.scores),
            e.created_at,
            e.number,
        ),
    )
    places = shared_places([e.average for e in ordered])
    return [Ranked(entry, place) for entry, place in zip(ordered, places, strict=True)]


def preselected_winners(ranked: Iterable[Ranked]) -> list[int]:
    """The entry ids offered as winners: places 1 to 3 among the entries with a score."""
    return [r.entry.entry_id for r in ranked if r.place <= WINNER_PLACES and r.entry.scores]


def judge_may_score(judge_member_id: int, entrant_member_id: int, score: int) -> bool:
    return judge_member_id != entrant_member_id and score in SCORES


# -- the leaderboard -------------------------------------------------------------------------
@dataclass(frozen=True)
class Standing:
    member_id: int
    points: int
    place: int


def month_of(now: datetime, tz: ZoneInfo) -> date:
    """The first day of the month ``now`` falls in, in the community's time zone."""
    return now.astimezone(tz).date().replace(day=1)


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_window(month: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the month in UTC: from its first midnight to the next month's."""
    start = datetime.combine(month.replace(day=1), time(0), tz)
    end = datetime.combine(next_month(month), time(0), tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def thanks_time(month: date, tz: ZoneInfo) -> datetime:
    """When the thank-you for ``month`` goes out: the 1st of the next month at 09:00."""
    return datetime.combine(next_month(month), time(THANKS_HOUR), tz).astimezone(UTC)


def thanks_due_month(now: datetime, tz: ZoneInfo) -> date:
    """The latest month whose thank-you time has come (what a run, or a catch-up at
    start-up, sends; its dedupe keys make a second run send nothing)."""
    month = previous_month(month_of(now, tz))
    return month if now >= thanks_time(month, tz) else previous_month(month)


def standings(points: Iterable[tuple[int, int]]) -> list[Standing]:
    """(member id, points) → places: most points first; equal points share a place and are
    listed by member number (who joined first). Members without points are left out."""
    ordered = sorted(((m, p) for m, p in points if p > 0), key=lambda row: (-row[1], row[0]))
    places = shared_places([p for _m, p in ordered])
    return [Standing(m, p, place) for (m, p), place in zip(ordered, places, strict=True)]
