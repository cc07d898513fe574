"""Reading a form's values as a browser sends them: the date and date-and-time pickers (in
the community's time zone, as staff read the clock on the wall) and row numbers.

A value that cannot be read gives None; the page says what to type instead. Whether a
moment is acceptable (still to come, at most a year ahead) is the operation's to say.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import N_

MOMENT_TYPED = N_("Write a date and a time, for example 2026-12-31 18:00.")


def local_moment(raw: str, tz: ZoneInfo) -> datetime | None:
    """``2026-12-31T18:00`` (the picker) or ``2026-12-31 18:00`` in ``tz``, timezone-aware."""
    text = raw.strip()
    if not 16 <= len(text) <= 19:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else None


def picker_moment(moment: datetime, tz: ZoneInfo) -> str:
    """A stored moment as the date-and-time picker shows it, in ``tz``."""
    return moment.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def local_day(raw: str) -> date | None:
    """``2026-12-31`` (the date picker)."""
    text = raw.strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def row_number(raw: object) -> int | None:
    """A row's id from a form or the address: digits only, within a database integer."""
    if not isinstance(raw, str):
        return None
    digits = raw.strip()
    return int(digits) if digits.isdecimal() and digits.isascii() and len(digits) < 10 else None
