"""How much one member may ask of the community's experts and staff: the abuse limits.

Each limit is a ``DCC_…`` setting (``bot/config.py``, the README's settings table) and is
checked twice: when the member starts (so nobody writes a question or a report only to
have it refused) and as the condition of the write itself (``storage/limits.py``), so that
it holds across processes. The functions here are the pure part, tested with a fake clock.

Decisions:

- **Questions.** At most ``questions_waiting`` (3) of a member's questions wait for a first
  answer at once (closing one in /myquestions frees its place), and at most
  ``questions_per_day`` (10) are asked in any rolling 24 hours, whatever became of them.
- **Experts' places.** An expert holds at most ``offers_per_asker`` (1, a routing setting
  in ``QaSettings``) open offers of one member's questions
  (``handlers/questions/routing.py``): an expert's cap (3 by default)
  is shared by questions of several members, so one member asking about every topic can
  no longer fill every expert, and another member's question still reaches the experts of
  its topics. A member's next question waits for an expert without one of theirs, as any
  question waits for a free expert.
- **Staff notifications** (every administrator or moderator gets each one): at most
  ``pending_applications`` (1) expert application and ``pending_companies`` (1) company
  waiting for the administrators' decision a member; at most ``reports_per_day`` (5)
  reports a member in any rolling 24 hours, on questions, answers and profiles together
  (and still one open report a member on the same thing). A member's questions reach the
  moderators only within the question limits above, each question once.
- "A day" is a rolling 24 hours, as for connection requests: the refusal can say exactly
  when the next one is possible.
- The limits count by the member's row, so a member who erases their data (/deleteme)
  signs up again only 24 hours later (handlers.profile.cooldown): otherwise erasing and
  signing up again would start every limit afresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from bot.core.i18n import N_, Translator
from handlers.context import Ctx

WINDOW = timedelta(hours=24)


class Limit(Enum):
    """A limit counted in questions or reports: its refusal names the number, and an
    operator may set it to one, so its words come in singular and plural forms."""

    QUESTIONS_WAITING = "questions_waiting"
    QUESTIONS_PER_DAY = "questions_per_day"
    REPORTS_PER_DAY = "reports_per_day"


APPLICATION_PENDING = N_(
    "Your expert application is still waiting for the administrators' decision. You will hear from them here, and can apply again once they have decided."
)
COMPANY_PENDING = N_(
    "Your company registration is still waiting for the administrators' verification. You will hear from them here, and can register another company once they have decided."
)


@dataclass(frozen=True)
class Limits:
    """The abuse limits (the composition root fills them from the settings)."""

    questions_waiting: int = 3
    questions_per_day: int = 10
    reports_per_day: int = 5
    pending_applications: int = 1
    pending_companies: int = 1


def limits(extras: dict[str, object]) -> Limits:
    found = extras.get("limits")
    return found if isinstance(found, Limits) else Limits()


@dataclass(frozen=True, slots=True)
class Refused:
    """Why not: the ``limit`` reached; ``count`` its number; ``until`` for a daily limit,
    when the next one is possible."""

    limit: Limit
    count: int
    until: datetime | None = None


def in_window(times: Sequence[datetime], now: datetime) -> list[datetime]:
    """The times that still count against a daily limit, oldest first."""
    return sorted(t for t in times if now - WINDOW < t <= now)


def next_allowed(times: Sequence[datetime], per_day: int, now: datetime) -> datetime | None:
    """When one more is possible under ``per_day`` in any 24 hours, or None: now."""
    recent = in_window(times, now)
    if len(recent) < per_day:
        return None
    return recent[len(recent) - per_day] + WINDOW


def may_ask(
    waiting: int, asked_at: Sequence[datetime], rules: Limits, now: datetime
) -> Refused | None:
    """None when the member may ask a question now: ``waiting`` of theirs wait for a first
    answer, ``asked_at`` are when they asked the recent ones."""
    if waiting >= rules.questions_waiting:
        return Refused(Limit.QUESTIONS_WAITING, rules.questions_waiting)
    until = next_allowed(asked_at, rules.questions_per_day, now)
    if until is not None:
        return Refused(Limit.QUESTIONS_PER_DAY, rules.questions_per_day, until)
    return None


def may_report(reported_at: Sequence[datetime], rules: Limits, now: datetime) -> Refused | None:
    """None when the member may file one more report now (both kinds count)."""
    until = next_allowed(reported_at, rules.reports_per_day, now)
    if until is not None:
        return Refused(Limit.REPORTS_PER_DAY, rules.reports_per_day, until)
    return None


def refusal_text(ctx: Ctx, refused: Refused, timezone: ZoneInfo) -> str:
    """The refusal in the member's language, the time in the community's time zone."""
    until = refused.until.astimezone(timezone) if refused.until else None
    return refusal_words(ctx.t, refused.limit, refused.count).format(
        count=ctx.t.number(refused.count), time=ctx.t.moment(until) if until else ""
    )


def refusal_words(t: Translator, limit: Limit, count: int) -> str:
    """The refusal's words for a limit of ``count``, with ``{count}`` and ``{time}`` to fill."""
    if limit is Limit.QUESTIONS_WAITING:
        return t.ngettext(
            "You have {count} question waiting for a first answer, the most a member can have at once. You can ask a new one when it is answered, or after you close it in /myquestions.",
            "You have {count} questions waiting for a first answer, the most a member can have at once. You can ask a new one when one of them is answered, or after you close one in /myquestions.",
            count,
        )
    if limit is Limit.QUESTIONS_PER_DAY:
        return t.ngettext(
            "You have asked {count} question in the last 24 hours, the most allowed. You can ask the next one from {time}.",
            "You have asked {count} questions in the last 24 hours, the most allowed. You can ask the next one from {time}.",
            count,
        )
    return t.ngettext(
        "You have sent {count} report in the last 24 hours, the most allowed. You can report again from {time}.",
        "You have sent {count} reports in the last 24 hours, the most allowed. You can report again from {time}.",
        count,
    )
