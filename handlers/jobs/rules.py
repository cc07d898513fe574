"""The jobs feature's rules: pure functions, no database and no framework, so the handlers,
the alert scheduler and the SQL queries can all be checked against one reference."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.i18n import N_
from handlers.dates import normalised, read_date, years_after
from handlers.invalid import Invalid
from storage.seed.provinces import ABROAD, BY_SLUG

__all__ = [
    "ABROAD",
    "DEADLINE_FORMAT",
    "DEADLINE_NOT_FUTURE",
    "DEADLINE_TOO_FAR",
    "DEADLINE_YEARS_MAX",
    "DIGEST_HOUR",
    "ENTRY_MAX",
    "JOB_TYPES",
    "REMOTE",
    "deadline_end",
    "is_job_location",
    "is_job_type",
    "job_matches",
    "next_digest_time",
    "parse_deadline",
]

JOB_TYPES = ("full-time", "part-time", "internship", "contract")
REMOTE = "remote"

DEADLINE_YEARS_MAX = 2
DIGEST_HOUR = 8  # local time: before the working day starts
ENTRY_MAX = 1000  # characters of one rendered job in a digest, so several fit a message

DEADLINE_FORMAT = N_("Please send the deadline as a date, for example 31/12/2026.")
DEADLINE_NOT_FUTURE = N_("The deadline must be after today.")
DEADLINE_TOO_FAR = N_("The deadline must be within {years} years from today.")


def is_job_type(value: str) -> bool:
    return value in JOB_TYPES


def is_job_location(value: str) -> bool:
    """A province slug, ``remote`` or ``abroad``: the values ``job_matches`` understands."""
    return value in (REMOTE, ABROAD) or value in BY_SLUG


def parse_deadline(text: str, today: date) -> date:
    """A job's last day to apply, as a member types it in English or Khmer (see
    handlers.dates: one date, nothing else with digits, so "31/12 17:00" is refused
    rather than half read). It must be after ``today`` and at most two years ahead, so a
    typo in the year cannot keep a job open for ever.
    """
    deadline = read_date(normalised(text), today, DEADLINE_FORMAT)
    if deadline <= today:
        raise Invalid(DEADLINE_NOT_FUTURE)
    if deadline > years_after(today, DEADLINE_YEARS_MAX):
        raise Invalid(DEADLINE_TOO_FAR, {"years": DEADLINE_YEARS_MAX})
    return deadline


def deadline_end(deadline: date, tz: ZoneInfo) -> datetime:
    """A job stays open through the whole of its last day, in the community's time zone."""
    return datetime.combine(deadline, time(23, 59, 59), tz)


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
