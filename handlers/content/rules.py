"""What an item must be to be published, checked alike by /post's steps (as the
administrator types) and by the publish operation (when it writes, whichever surface asked):
titles and summaries measured as Telegram measures them, an event's start still to come,
an opportunity's last day not past."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import N_
from bot.core.text import clean_line, clean_text, telegram_length
from handlers.dates import normalised, read_date
from handlers.invalid import Invalid

TITLE_MAX, SUMMARY_MAX = 200, 1500  # UTF-16 units, as Telegram counts
TEXT_LENGTH = N_("Please send 1 to {limit} characters.")
NO_TITLE = N_("Give at least one title: in Khmer or in English.")
NOT_A_KIND = N_("Please choose what to publish with one of the buttons.")
DATES_OF_KIND = N_("Only an event has a start, and only an opportunity a last day.")
UNKNOWN_TOPIC = N_("Unknown topic: {slug}.")
DEADLINE_FORMAT = N_("Please send the last day as a date, for example 31/12/2026, or press Skip.")


def cleaned(text: str | None, limit: int, *, line: bool) -> str | None:
    """The text cleaned (one line for a title), None when nothing is left of it;
    ``Invalid`` when it is longer than ``limit`` as Telegram counts."""
    value = (clean_line if line else clean_text)(text or "")
    if telegram_length(value) > limit:
        raise Invalid(TEXT_LENGTH, {"limit": limit})
    return value or None


def title(text: str | None) -> str | None:
    return cleaned(text, TITLE_MAX, line=True)


def summary(text: str | None) -> str | None:
    return cleaned(text, SUMMARY_MAX, line=False)


def check_deadline(deadline: date, now: datetime, tz: ZoneInfo) -> date:
    """An opportunity's last day: today (in Cambodia) or later."""
    if deadline < now.astimezone(tz).date():
        raise Invalid(DEADLINE_FORMAT)
    return deadline


def read_deadline(text: str, now: datetime, tz: ZoneInfo) -> date:
    """An opportunity's last day as typed ("31/12/2026", "៣១ ធ្នូ"), not past."""
    today = now.astimezone(tz).date()
    return check_deadline(read_date(normalised(text), today, DEADLINE_FORMAT), now, tz)
