"""The jobs feature's rules: pure functions, no database and no framework, so the handlers,
the alert scheduler and the SQL queries can all be checked against one reference."""

from __future__ import annotations

import calendar
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import regex

from bot.core.i18n import N_
from bot.core.text import clean_line, western_digits
from handlers.profile.rules import Invalid
from storage.seed.provinces import ABROAD, BY_SLUG

__all__ = [
    "ABROAD",
    "DEADLINE_FORMAT",
    "DEADLINE_NOT_FUTURE",
    "DEADLINE_NO_SUCH_DATE",
    "DEADLINE_TOO_FAR",
    "DEADLINE_YEARS_MAX",
    "DIGEST_HOUR",
    "ENTRY_MAX",
    "JOB_TYPES",
    "REMOTE",
    "DigestEntry",
    "clip_html",
    "deadline_end",
    "is_job_location",
    "is_job_type",
    "job_matches",
    "next_digest_time",
    "parse_deadline",
    "parse_web_address",
    "split_digest",
]

JOB_TYPES = ("full-time", "part-time", "internship", "contract")
REMOTE = "remote"

DEADLINE_YEARS_MAX = 2
DIGEST_HOUR = 8  # local time: before the working day starts
ENTRY_MAX = 1000  # characters of one rendered job in a digest, so several fit a message
_SEPARATOR = "\n\n"

DEADLINE_FORMAT = N_("Please send the deadline as a date, for example 31/12/2026.")
DEADLINE_NO_SUCH_DATE = N_(
    "There is no such date. Please send the day first, then the month, for example 31/12/2026."
)
DEADLINE_NOT_FUTURE = N_("The deadline must be after today.")
DEADLINE_TOO_FAR = N_("The deadline must be within {years} years from today.")
WEB_ADDRESS_MAX = 300
NOT_A_WEB_ADDRESS = N_("Please send a web address like https://example.com/jobs.")


def is_job_type(value: str) -> bool:
    return value in JOB_TYPES


def is_job_location(value: str) -> bool:
    """A province slug, ``remote`` or ``abroad``: the values ``job_matches`` understands."""
    return value in (REMOTE, ABROAD) or value in BY_SLUG


def parse_web_address(text: str) -> str:
    """A company's website or a job's application page, as Telegram accepts it in a button.

    "example.com/jobs" gets ``https://``; only http and https are taken, with a host that
    has a dot and no spaces anywhere (Telegram refuses the whole message over a bad link).
    """
    value = clean_line(text)
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise Invalid(NOT_A_WEB_ADDRESS) from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or " " in value
        or "@" in parts.netloc  # a user name before the host: a trick, not a job page
        or len(value) > WEB_ADDRESS_MAX
        or "." not in host.strip(".")
        or not regex.fullmatch(r"[\p{L}\p{M}\p{N}.\-]+", host)
    ):
        raise Invalid(NOT_A_WEB_ADDRESS)
    return value


# -- deadlines ------------------------------------------------------------------------------
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
    rf"|{_DAY}(?:st|nd|rd|th)?{_SEP}(?:of\s+)?{_MONTH}(?:{_SEP}{_YEAR})?"  # 31 Dec 2026
    rf"|{_MONTH}{_SEP}{_DAY}(?:st|nd|rd|th)?(?:{_SEP}{_YEAR})?",  # Dec 31, 2026
    regex.VERSION1,
)


def parse_deadline(text: str, today: date) -> date:
    """A job's last day to apply, as a member types it in English or Khmer.

    Day first (Cambodian usage: 01/02 is the 1st of February); Khmer digits and month names
    welcome. Words around the date are ignored, but only one date may be sent, and nothing
    else with digits (so "31/12 17:00" is refused rather than half read). Without a year
    the next such day counts: this year, next year once it has passed. Two-digit years are
    20xx. The deadline must be after ``today`` and at most two years ahead, so a typo in
    the year cannot keep a job open for ever.
    """
    value = _KHMER_FILLER.sub(" ", western_digits(clean_line(text)).casefold())
    matches = list(_DATE.finditer(value))
    if len(matches) != 1:
        raise Invalid(DEADLINE_FORMAT)
    found = matches[0]
    if regex.search(r"\d", value[: found.start()] + value[found.end() :]):
        raise Invalid(DEADLINE_FORMAT)
    day = int(found["d"])
    month = int(found["m"]) if found["m"] else _month_number(found["mon"])
    if found["y"] is not None:
        year = int(found["y"]) + (2000 if len(found["y"]) == 2 else 0)
        deadline = _date_or_none(year, month, day)
    else:
        deadline = _date_or_none(today.year, month, day)
        if deadline is None or deadline < today:
            deadline = _date_or_none(today.year + 1, month, day)
    if deadline is None:
        raise Invalid(DEADLINE_NO_SUCH_DATE)
    if deadline <= today:
        raise Invalid(DEADLINE_NOT_FUTURE)
    if deadline > _years_after(today, DEADLINE_YEARS_MAX):
        raise Invalid(DEADLINE_TOO_FAR, {"years": DEADLINE_YEARS_MAX})
    return deadline


def deadline_end(deadline: date, tz: ZoneInfo) -> datetime:
    """A job stays open through the whole of its last day, in the community's time zone."""
    return datetime.combine(deadline, time(23, 59, 59), tz)


def _month_number(name: str) -> int:
    name = name.rstrip(".")
    return _MONTH_NUMBERS.get(name) or _MONTH_NUMBERS[name[:3]]  # "december" → "dec"


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _years_after(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes the 28th in a common year."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


# -- alert digests ---------------------------------------------------------------------------
def next_digest_time(frequency: str, after: datetime, tz: ZoneInfo) -> datetime | None:
    """When the next digest goes out, in UTC: 08:00 local the next day ("daily") or the
    next Monday ("weekly"), strictly after ``after`` so a digest sent at 08:00 schedules
    the following one. None for "instant" (sent as jobs arrive) and "off"."""
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    if frequency in ("instant", "off"):
        return None
    if frequency not in ("daily", "weekly"):
        raise ValueError(f"unknown alert frequency {frequency!r}")
    local_day = after.astimezone(tz).date()
    step = 1
    if frequency == "weekly":
        local_day += timedelta(days=-local_day.weekday() % 7)  # this or the coming Monday
        step = 7
    # Built from the local date, not by adding hours, so a DST change could not shift it.
    candidate = datetime.combine(local_day, time(DIGEST_HOUR), tzinfo=tz)
    if candidate <= after:
        candidate = datetime.combine(local_day + timedelta(days=step), time(DIGEST_HOUR), tz)
    return candidate.astimezone(UTC)


@dataclass(frozen=True)
class DigestEntry:
    """One job as it appears in a digest.

    ``text`` is already-rendered Telegram HTML: member text escaped, and clipped to
    ``ENTRY_MAX`` characters before it was wrapped in tags (or the whole clipped with
    ``clip_html``), so several jobs fit one message and tags stay balanced.
    """

    job_id: int
    text: str


def split_digest(
    header: str, entries: Sequence[DigestEntry], limit: int = 4096, continued: str = "…"
) -> list[str]:
    """A digest as few messages as Telegram needs: each at most ``limit`` characters
    (UTF-16 units, which is ``len`` for Khmer and other BMP text).

    ``header`` opens the first message and ``continued`` each following one (an empty
    string for none); entries follow, separated by blank lines, and an entry is never
    split across two messages. An entry too long for a message of its own is clipped to
    fit, on a grapheme boundary with its HTML kept balanced, rather than sent broken or
    dropped. No entries, no messages: an empty digest is not sent.
    """
    for opening in (header, continued):
        if len(opening) + len(_SEPARATOR) + 1 > limit:
            raise ValueError(f"a digest heading of {len(opening)} characters leaves no room")
    messages: list[str] = []
    current, has_entry = header, False
    for entry in entries:
        joined = current + _SEPARATOR + entry.text if current else entry.text
        if len(joined) > limit and has_entry:
            messages.append(current)
            current, has_entry = continued, False
            joined = current + _SEPARATOR + entry.text if current else entry.text
        if len(joined) > limit:
            opening = current + _SEPARATOR if current else ""
            joined = opening + clip_html(entry.text, limit - len(opening))
        current, has_entry = joined, True
    if has_entry:
        messages.append(current)
    return messages


# A tag, a character reference or one grapheme cluster: what clipping must not cut into.
_HTML_TOKEN = regex.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z]+);|\X", regex.IGNORECASE)
_TAG = regex.compile(r"<(/?)([a-z][\w-]*)", regex.IGNORECASE)


def clip_html(text: str, limit: int, ellipsis: str = "…") -> str:
    """Telegram HTML shortened to at most ``limit`` characters (``len``), never cutting a
    grapheme cluster, a tag or an entity, with the tags still open closed after the
    ellipsis: Telegram refuses a whole message whose HTML does not parse."""
    if len(text) <= limit:
        return text
    if limit < len(ellipsis):
        raise ValueError(f"cannot clip to {limit} characters")
    kept: list[str] = []
    size = 0
    open_tags: tuple[str, ...] = ()
    for token in _HTML_TOKEN.findall(text):
        after = _open_tags_after(open_tags, token)
        closing = sum(len(name) + 3 for name in after)
        if size + len(token) + len(ellipsis) + closing > limit:
            break
        kept.append(token)
        size, open_tags = size + len(token), after
    return "".join(kept).rstrip() + ellipsis + "".join(f"</{name}>" for name in reversed(open_tags))


def _open_tags_after(open_tags: tuple[str, ...], token: str) -> tuple[str, ...]:
    tag = _TAG.match(token) if token.startswith("<") else None
    if tag is None:
        return open_tags
    closing, name = tag.group(1), tag.group(2).lower()
    if not closing:
        return (*open_tags, name)
    if name in open_tags:  # close it and anything left open inside it
        return open_tags[: len(open_tags) - 1 - open_tags[::-1].index(name)]
    return open_tags


# -- matching --------------------------------------------------------------------------------
def job_matches(
    job_tags: Collection[str],
    job_location: str,
    member_skills: Collection[str],
    member_province: str | None,
    province_filter: bool,
) -> bool:
    """Whether a job is alerted to a member open to work; the SQL query mirrors this.

    At least one of the job's skill tags must be one of the member's skills. With the
    member's province filter on, the job must also be in the member's province or
    ``remote``: a member whose province is ``abroad`` gets jobs abroad; a member with no
    province gets remote jobs only (as ``location IN (:province, 'remote')`` does in SQL
    when the province is NULL). With the filter off, location does not matter.
    """
    if set(job_tags).isdisjoint(member_skills):
        return False
    if not province_filter:
        return True
    return job_location == REMOTE or (
        member_province is not None and job_location == member_province
    )
