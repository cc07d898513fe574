"""The member network's rules: who may ask whom to connect, and how many requests a day.

Pure functions over plain facts (no database, no framework): the handlers gather what is
stored between two members and ask ``may_connect`` when [Connect] is pressed and again
when the request is sent, so a limit reached or a block made while the note was being
typed still counts. The unit tests ask the same functions with a fake clock.

Decisions:

- "A day" is a rolling 24 hours, not the calendar day in Phnom Penh: a member cannot send
  ten requests at 23:59 and ten more at 00:01, and the refusal can say exactly when the
  next request is possible. Every request sent counts, whatever became of it.
- A member who is blocked is never told so: the refusal is the one a member gets when the
  other member has left the directory, erased their data or cannot be reached ("not taking
  requests at the moment"). A block pressed on a request declines it, so for the pause
  after a decline the blocked member sees exactly what a declined one sees. For the same
  reason the daily limit is checked before availability: a member at the limit hears of
  the limit whoever they try, blocked or not.
- After a decline the same sender may ask the same member again after 30 days, not at
  once: a decline is an answer, and asking again and again would make it a nuisance.
- A request nobody answers lapses after 30 days as well: from then on its sender may ask
  again (the old one is marked expired when they do), so silence does not stand between
  two members for ever. Until then the other member may still accept it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from bot.core.i18n import N_
from bot.core.text import clean_text, too_long
from handlers.invalid import Invalid

DAILY_REQUESTS = 10
REQUEST_WINDOW = timedelta(hours=24)
DECLINE_PAUSE = timedelta(days=30)
REQUEST_LAPSES = timedelta(days=30)  # unanswered, its sender may ask again
NOTE_MAX = 300  # characters (grapheme clusters) of the note sent with a request
REASON_MAX = 300  # characters of the reason given with a report
PAGE = 5  # cards a page of search results

PENDING, ACCEPTED, DECLINED, WITHDRAWN = "pending", "accepted", "declined", "withdrawn"
EXPIRED = "expired"  # unanswered for REQUEST_LAPSES, and its sender asked again


class PastRequest(Protocol):
    """A request stored between two members (storage.models.ConnectionRequest)."""

    @property
    def sender_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def decided_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Between:
    """What is stored between a member who wants to connect (the sender) and the other."""

    sender_blocked_them: bool = False
    they_blocked_sender: bool = False
    connected: bool = False  # a request between them was accepted, whoever sent it
    sender_pending: bool = False  # the sender's request waits for an answer
    they_pending: bool = False  # the other member's request to the sender waits
    declined_at: datetime | None = None  # the latest decline of the sender's requests


def between(
    sender_id: int,
    requests: Iterable[PastRequest],
    sender_blocked_them: bool,
    they_blocked_sender: bool,
    now: datetime,
) -> Between:
    """Sum up the requests between the sender and one other member, in either direction."""
    connected = sender_pending = they_pending = False
    declined_at: datetime | None = None
    for request in requests:
        mine = request.sender_id == sender_id
        if request.status == ACCEPTED:
            connected = True
        elif mine and lapsed(request, now):
            continue  # the sender may ask again
        elif request.status == PENDING:
            sender_pending, they_pending = sender_pending or mine, they_pending or not mine
        elif request.status == DECLINED and mine and request.decided_at is not None:
            declined_at = max(declined_at or request.decided_at, request.decided_at)
    return Between(
        sender_blocked_them, they_blocked_sender, connected, sender_pending, they_pending,
        declined_at,
    )  # fmt: skip


def lapsed(request: PastRequest, now: datetime) -> bool:
    """A waiting request nobody answered for REQUEST_LAPSES."""
    return request.status == PENDING and now - request.created_at >= REQUEST_LAPSES


class Refusal(Enum):
    """Why a request cannot be sent; ``message`` is the msgid the sender is shown."""

    SELF = N_("That is your own profile.")
    SENDER_BLOCKED = N_(
        "You blocked this member. Unblock them under «Blocked members» in /community first."
    )
    CONNECTED = N_("You are already connected with this member.")
    PENDING = N_("You have already asked this member; they have not answered yet.")
    THEY_ASKED = N_("This member has already asked to connect with you: answer their request.")
    LIMIT = N_(
        "You have sent {limit} requests in the last 24 hours, the most allowed. You can send the next one from {time}."
    )
    DECLINED = N_("This member declined your last request. You can ask again from {date}.")
    UNAVAILABLE = N_("This member is not taking requests at the moment.")

    @property
    def message(self) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Refusal
    until: datetime | None = None  # LIMIT and DECLINED: from when the request is possible


def sent_in_window(sent_at: Iterable[datetime], now: datetime) -> list[datetime]:
    """The sending times that still count against the limit, oldest first."""
    return sorted(t for t in sent_at if now - REQUEST_WINDOW < t <= now)


def requests_left(sent_at: Iterable[datetime], now: datetime) -> int:
    return max(0, DAILY_REQUESTS - len(sent_in_window(sent_at, now)))


def next_request_at(sent_at: Sequence[datetime], now: datetime) -> datetime | None:
    """When the member may send again, or None when they may now: the moment enough of
    their requests have left the 24-hour window."""
    recent = sent_in_window(sent_at, now)
    if len(recent) < DAILY_REQUESTS:
        return None
    return recent[len(recent) - DAILY_REQUESTS] + REQUEST_WINDOW


def may_connect(
    sender_id: int,
    other_id: int,
    other_available: bool,
    facts: Between,
    sent_at: Sequence[datetime],
    now: datetime,
) -> Refused | None:
    """None when the sender may ask the other member now, else why not.

    ``other_available``: the other member is in the directory, has not erased their data
    and can be reached. Checked in an order that tells a blocked member nothing they could
    not learn otherwise (see the module's decisions)."""
    if sender_id == other_id:
        return Refused(Refusal.SELF)
    if facts.sender_blocked_them:
        return Refused(Refusal.SENDER_BLOCKED)
    if facts.connected:
        return Refused(Refusal.CONNECTED)
    if facts.sender_pending:
        return Refused(Refusal.PENDING)
    if facts.they_pending:
        return Refused(Refusal.THEY_ASKED)
    limit_ends = next_request_at(sent_at, now)
    if limit_ends is not None:
        return Refused(Refusal.LIMIT, limit_ends)
    if facts.declined_at is not None and now < facts.declined_at + DECLINE_PAUSE:
        return Refused(Refusal.DECLINED, facts.declined_at + DECLINE_PAUSE)
    if facts.they_blocked_sender or not other_available:
        return Refused(Refusal.UNAVAILABLE)
    return None


NOTE_EMPTY = N_("Please send your note as text, or press Skip.")
REASON_EMPTY = N_("Please send the reason as text, or press «Send without a reason».")


def parse_note(text: str, limit: int = NOTE_MAX, empty: str = NOTE_EMPTY) -> str:
    """A note with a request, or a report's reason: a few lines of text, at most ``limit``
    characters (``too_long``: twice as many code points at most)."""
    note = clean_text(text)
    if not note:
        raise Invalid(empty)
    if too_long(note, limit):
        raise Invalid(
            N_("That is too long: please send at most {limit} characters."), {"limit": limit}
        )
    return note
