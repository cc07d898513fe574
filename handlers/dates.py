"""Dates and times as members type them, in English or Khmer: shared by job deadlines,
event times and scheduled broadcasts.

Day first (Cambodian usage: 01/02 is the 1st of February); Khmer digits and month names
welcome; words around the date are ignored. A time is 24-hour ``18:00`` (or ``18.00``,
``18h``) and may carry am/pm or the Khmer words for morning, afternoon and evening.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import regex

from bot.core.i18n import N_
from bot.core.text import clean_line, western_digits
from handlers.invalid import Invalid

NO_SUCH_DATE = N_(
    "There is no such date. Please send the day first, then the month, for example 31/12/2026."
)
MOMENT_FORMAT = N_("Please send the date and the time, for example 31/12/2026 18:00.")
MOMENT_PAST = N_("That moment has passed. Please send a date and time still to come.")
MOMENT_TOO_FAR = N_("That is more than a year ahead. Please send a nearer date.")

_ENGLISH_MONTHS = (
    "jan(?:uary)?", "feb(?:ruary)?", "mar(?:ch)?", "apr(?:il)?", "may", "june?",
    "july?", "aug(?:ust)?", "sep(?:t(?:ember)?)?", "oct(?:ober)?", "nov(?:ember)?",
    "dec(?:ember)?",
)  # fmt: skip
_KHMER_MONTHS = (
    "មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា",
    "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ",
)  # fmt: skip
_MONTH_NUMBERS = {
    **{name: number for number, name in enumerate(_KHMER_MONTHS, 1)},
    "កុម្ភ": 2,  # often typed without the final visarga
    **{pattern[:3]: number for number, pattern in enumerate(_ENGLISH_MONTHS, 1)},
}
# "ថ្ងៃទី ៣១ ខែធ្នូ ឆ្នាំ២០២៦": the words for day, month and year are filler.
_KHMER_FILLER = regex.compile("ថ្ងៃទី|ខែ|ឆ្នាំ")
_MONTH = (
    r"(?P<mon>(?<![a-z])(?:" + "|".join(_ENGLISH_MONTHS) + r")(?![a-z])\.?"
    r"|កុម្ភៈ?|" + "|".join(name for name in _KHMER_MONTHS if name != "កុម្ភៈ") + ")"
)
_SEP = r"[\s,/.\-]*"
_DAY = r"(?<!\d)(?P<d>\d{1,2})(?!\d)"
_YEAR = r"(?<!\d)(?P<y>\d{4}|\d{2})(?!\d)"
_DATE = regex.compile(
    r"(?<!\d)(?P<y>\d{4})[/.\-](?P<m>\d{1,2})[/.\-](?P<d>\d{1,2})(?!\d)"  # 2026-12-31
    rf"|{_DAY}[/.\-](?P<m>\d{{1,2}})(?:[/.\-]{_YEAR})?(?![\d/.\-]\d)"  # 31/12/2026, 31/12
    rf"|{_DAY}\s+(?P<m>\d{{1,2}})\s+(?P<y>\d{{4}})(?!\d)"  # 31 12 2026, ថ្ងៃទី៣១ ខែ១២ ឆ្នាំ២០២៦
    rf"|{_DAY}(?:st|nd|rd|th)?{_SEP}(?:of\s+)?{_MONTH}(?:{_SEP}{_YEAR})?"  # 31 Dec 2026
    rf"|{_MONTH}{_SEP}{_DAY}(?:st|nd|rd|th)?(?:{_SEP}{_YEAR})?",  # Dec 31, 2026
    regex.VERSION1,
)


_TIME = regex.compile(
    r"(?<![\d/.\-])(?P<h>\d{1,2})(?:[:.h](?P<mi>\d{2})|h)(?![\d/.\-]\d)"
    r"\s*(?P<ap>a\.?m\.?|p\.?m\.?|ព្រឹក|រសៀល|ល្ងាច|យប់)?"
    r"|(?<!\d)(?P<h2>\d{1,2})\s*(?P<ap2>a\.?m\.?|p\.?m\.?)",
    regex.VERSION1,
)
_AFTERNOON = ("p", "រសៀល", "ល្ងាច", "យប់")


def normalised(text: str) -> str:
    """Lower case, Western digits, the Khmer words for day, month and year taken out."""
    return _KHMER_FILLER.sub(" ", western_digits(clean_line(text)).casefold())


def read_date(value: str, today: date, format_message: str) -> date:
    """The one date in ``value`` (already ``normalised``); nothing else with digits.

    Without a year the next such day counts: this year, next year once it has passed.
    Two-digit years are 20xx. Raises ``Invalid(format_message)`` or ``NO_SUCH_DATE``.
    """
    matches = list(_DATE.finditer(value))
    if len(matches) != 1:
        raise Invalid(format_message)
    found = matches[0]
    if regex.search(r"\d", value[: found.start()] + value[found.end() :]):
        raise Invalid(format_message)
    day = int(found["d"])
    month = int(found["m"]) if found["m"] else _month_number(found["mon"])
    if found["y"] is not None:
        year = int(found["y"]) + (2000 if len(found["y"]) == 2 else 0)
        read = _date_or_none(year, month, day)
    else:  # the next such day: this year, or a later one (29 February: up to four years)
        read = next(
            (
                found_day
                for year in range(today.year, today.year + 5)
                if (found_day := _date_or_none(year, month, day)) is not None and found_day >= today
            ),
            None,
        )
    if read is None:
        raise Invalid(NO_SUCH_DATE)
    return read


def parse_moment(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """A date and a time of day in ``tz`` ("25/12/2026 18:00", "៧ មករា ៩:៣០ ព្រឹក"), in
    the future and at most a year ahead; returned timezone-aware in ``tz``."""
    return still_to_come(read_moment(text, now, tz), now)


def read_moment(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """The date and time of day typed, timezone-aware in ``tz``, whether or not it is still
    to come (``still_to_come`` checks that): a refusal can then say which moment it read.
    Without a year, the next such day from ``now``."""
    value = normalised(text)
    times = list(_TIME.finditer(value))
    if len(times) != 1:
        raise Invalid(MOMENT_FORMAT)
    found = times[0]
    hour = int(found["h"] if found["h"] is not None else found["h2"])
    minute = int(found["mi"] or 0)
    suffix = found["ap"] or found["ap2"] or ""
    if suffix and (hour == 0 or hour > 12):
        raise Invalid(MOMENT_FORMAT)
    if suffix.startswith(_AFTERNOON) and hour < 12:
        hour += 12
    elif suffix.startswith(("a", "ព្រឹក")) and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise Invalid(MOMENT_FORMAT)
    rest = value[: found.start()] + " " + value[found.end() :]
    local_now = now.astimezone(tz)
    day = read_date(rest, local_now.date(), MOMENT_FORMAT)
    return datetime.combine(day, time(hour, minute), tz)


def still_to_come(moment: datetime, now: datetime) -> datetime:
    """``moment`` if it is in the future and at most a year ahead, else ``Invalid``: what
    a typed moment must be, and what an operation checks again when it writes."""
    if moment <= now:
        raise Invalid(MOMENT_PAST)
    if moment > now + timedelta(days=366):
        raise Invalid(MOMENT_TOO_FAR)
    return moment


def _month_number(name: str) -> int:
    name = name.rstrip(".")
    return _MONTH_NUMBERS.get(name) or _MONTH_NUMBERS[name[:3]]  # "december" → "dec"


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes the 28th in a common year."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))
