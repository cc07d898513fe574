"""Who is offered a question, when, and what happens when nobody answers.

Pure functions over plain data: no database, no clock (callers pass ``now``), no I/O, so every
rule is tested over a fake clock.

Candidates are the verified experts of any of the question's tags (the caller loads only
verified experts) who are available, are not the asker, have not been offered this question
before (in any round, passed or not), hold fewer open questions than their cap, and hold
fewer than ``per_asker`` (``DCC_OFFERS_PER_ASKER``, default 1) open offers of this asker's
questions.

Decision (one member cannot fill the experts): an expert's cap is shared among members.
Without the per-asker rule, three questions tagged with every topic filled every expert's
cap (3 by default) and every other member heard "the experts are busy" for a day. With it,
one member's questions hold at most one place of each expert at a time, so an expert with
the default cap always has places for other members' questions, and a question from
another member still reaches the experts of its topics. The member's own further questions
wait, like any question, for an expert without one of theirs (or the next round).

Rank, best first:

1. tag overlap with the question (more shared tags first): the closest expertise;
2. fewest open assignments: spread the load;
3. longest since the last assignment, never assigned counting as longest: fairness, which
   turns equal experts into a rotation;
4. answer rate (answered / offered, higher first); an expert with no offers yet ranks as
   0.5, a neutral prior: a newcomer neither outranks experts who answer most questions nor
   sinks below those who answer few. Fairness comes before it, so newcomers get offers anyway;
5. fewest offers so far (added to the design): the k experts of one question share one
   ``last_assigned_at``, and when a later question can take only some of them, member id
   alone would leave the highest id behind every time (10 equal experts, 300 questions:
   75 offers against 100). Fewest offers restores the rotation (there: exactly 90 each);
6. member id, so the same input always gives the same offers.

Because batch-mates tie on 3, answer rate (4) decides who of them goes next: over 300
questions, experts who always answer get about 100 offers and experts who never do about 80.
That is the design's preference for responsive experts, kept soft; swap 4 and 5 to make
offers equal regardless of answers.

Quiet hours are the expert's local wall-clock hours in the community time zone (default
21:00–07:00, Asia/Phnom_Penh). They may cross midnight (start > end); None or start == end
means none. Decision: experts outside quiet hours are chosen first, in rank order; when fewer
than k are outside quiet hours, the best-ranked experts inside quiet hours fill the remaining
places, with delivery deferred to the end of their quiet hours. A waking expert never gets a
question an awake one could take now, and a question asked at night still reaches k experts
by morning instead of waiting for a round to time out.

Each round offers the question to k experts (default 3). A pass is answered with the next
candidate: ``choose_experts(..., k=1, already_offered=everyone offered so far)``.

Escalation: round 1 goes to experts; with no answer after ESCALATE_AFTER (24 h) round 2
goes to the next k candidates; after round 2 (LAST_EXPERT_ROUND) without an answer, round 3
goes to the moderators and nothing escalates further. Round 0 means "not yet routed", so the
caller starts a question with ``escalate(0, False, now)``. A round that finds no candidates is
escalated at once by the caller, except round 1 while experts for the question's tags exist but
none is free (all at their cap or away): the caller keeps it in round 1 and offers it again
every few minutes until ``ESCALATE_AFTER`` has passed since it was asked
(``handlers/questions/offers.py``, ``offer_when_free``).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_K = 3
DEFAULT_CAP = 3
DEFAULT_PER_ASKER = 1
DEFAULT_QUIET = (time(21, 0), time(7, 0))
ESCALATE_AFTER = timedelta(hours=24)
LAST_EXPERT_ROUND = 2
MODERATOR_ROUND = LAST_EXPERT_ROUND + 1
NO_OFFERS_RATE = 0.5

# Sorts before every real assignment time: "never assigned" counts as longest ago.
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ExpertCandidate:
    """One verified expert as routing sees them; times are aware, quiet hours local."""

    member_id: int
    tags: frozenset[str]
    available: bool = True
    quiet_start: time | None = DEFAULT_QUIET[0]
    quiet_end: time | None = DEFAULT_QUIET[1]
    cap: int = DEFAULT_CAP
    open_assignments: int = 0
    last_assigned_at: datetime | None = None
    answered: int = 0
    offered: int = 0
    asker_offers: int = 0  # open offers the expert holds of the asker's questions


class Candidate(Protocol):
    """What routing reads of an expert: an ``ExpertCandidate``, or the database's own row
    (``storage.questions.ExpertRow``), so that thousands of rows need no conversion."""

    @property
    def member_id(self) -> int: ...
    @property
    def tags(self) -> frozenset[str]: ...
    @property
    def available(self) -> bool: ...
    @property
    def quiet_start(self) -> time | None: ...
    @property
    def quiet_end(self) -> time | None: ...
    @property
    def cap(self) -> int: ...
    @property
    def open_assignments(self) -> int: ...
    @property
    def last_assigned_at(self) -> datetime | None: ...
    @property
    def answered(self) -> int: ...
    @property
    def offered(self) -> int: ...
    @property
    def asker_offers(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Offer:
    """Send the question to ``member_id`` at ``deliver_at`` (aware UTC: now, or their wake-up)."""

    member_id: int
    deliver_at: datetime
    overlap: int


@dataclass(frozen=True)
class Escalation:
    """The round to run now; ``next_due`` is when to escalate again (None: never)."""

    round: int
    to_moderators: bool
    next_due: datetime | None


def _require_aware(value: datetime, name: str) -> None:
    # A naive datetime would be read in the server's zone and route at the wrong hour.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def _quiet(start: time | None, end: time | None, clock: time) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end  # crosses midnight


def in_quiet_hours(start: time | None, end: time | None, local: datetime) -> bool:
    """Whether ``local`` (wall clock, any tz) is in [start, end); start > end crosses midnight."""
    return _quiet(start, end, local.time())


def quiet_hours_end(start: time | None, end: time | None, local: datetime) -> datetime:
    """The next wall-clock ``end`` strictly after ``local``, in ``local``'s tz.

    Without quiet hours (None, or start == end) it is ``local`` itself: deliver now.
    Dates are stepped in wall-clock days, so the answer stays at ``end`` across DST changes.
    """
    if start is None or end is None or start == end:
        return local
    moment = datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=local.tzinfo)
    return moment


def answer_rate(c: Candidate) -> float:
    """answered / offered; NO_OFFERS_RATE (0.5, a neutral prior) before the first offer."""
    return c.answered / c.offered if c.offered else NO_OFFERS_RATE


def _ranked(
    candidates: Iterable[Candidate],
    wanted: frozenset[str],
    excluded: set[int],
    clock: time,
    per_asker: int,
) -> Iterator[tuple[bool, int, int, datetime, float, int, int, int, Candidate]]:
    """Sort keys (asleep first, then the rank) of the eligible candidates, one at a time."""
    for i, c in enumerate(candidates):
        if (
            wanted.isdisjoint(c.tags)  # first: it drops most candidates
            or not c.available
            or c.open_assignments >= c.cap
            or c.asker_offers >= per_asker
            or c.member_id in excluded
        ):
            continue
        yield (
            _quiet(c.quiet_start, c.quiet_end, clock),
            -len(wanted & c.tags),
            c.open_assignments,
            c.last_assigned_at or _NEVER,
            -answer_rate(c),
            c.offered,  # among batch-mates, whoever was left behind last time
            c.member_id,
            i,  # ties never reach the candidate itself (dataclasses do not order)
            c,
        )


def choose_experts(
    candidates: Iterable[Candidate],
    question_tags: Collection[str],
    asker_id: int,
    now: datetime,
    tz: ZoneInfo,
    k: int = DEFAULT_K,
    already_offered: Collection[int] = (),
    per_asker: int = DEFAULT_PER_ASKER,
) -> list[Offer]:
    """At most ``k`` offers: awake experts in rank order, then sleepers deferred to wake-up.

    One pass, streamed into a heap of size k (O(n log k)): only the k best keys are alive at
    any time, so 10,000 candidates never pile up as live tuples that the cyclic GC would
    keep scanning (a list of keys cost 40 ms at p95 when every expert matched). Member ids
    are assumed unique among ``candidates``.
    """
    _require_aware(now, "now")
    wanted = frozenset(question_tags)
    if k <= 0 or not wanted:
        return []
    local = now.astimezone(tz)
    best = heapq.nsmallest(
        k, _ranked(candidates, wanted, {asker_id, *already_offered}, local.time(), per_asker)
    )
    now_utc = now.astimezone(UTC)
    return [
        Offer(
            member_id=c.member_id,
            deliver_at=(
                quiet_hours_end(c.quiet_start, c.quiet_end, local).astimezone(UTC)
                if asleep
                else now_utc
            ),
            overlap=-neg_overlap,
        )
        for asleep, neg_overlap, *_, c in best
    ]


def escalate(
    current_round: int, answered: bool, now: datetime, after: timedelta = ESCALATE_AFTER
) -> Escalation | None:
    """The round that follows ``current_round`` when it ends unanswered; None when done.

    Round 0 (not yet routed) → 1; 1 → 2, each due to escalate ``after`` from ``now``;
    LAST_EXPERT_ROUND → moderators, who are never escalated from; answered → None.
    """
    _require_aware(now, "now")
    if current_round < 0:
        raise ValueError(f"current_round must be >= 0, got {current_round}")
    if after <= timedelta(0):
        raise ValueError(f"after must be positive, got {after}")
    if answered or current_round >= MODERATOR_ROUND:
        return None
    following = current_round + 1
    if following == MODERATOR_ROUND:
        return Escalation(round=following, to_moderators=True, next_due=None)
    return Escalation(round=following, to_moderators=False, next_due=now + after)
