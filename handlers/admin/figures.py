"""The arithmetic of /stats: weekly counts, plain functions over plain data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKS = 12


def week_starts(now: datetime, tz: ZoneInfo, weeks: int = WEEKS) -> list[date]:
    """The Mondays (Cambodia time) of the last ``weeks`` weeks, this week's last."""
    monday = now.astimezone(tz).date() - timedelta(days=now.astimezone(tz).weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def first_moment(weeks: list[date], tz: ZoneInfo) -> datetime:
    """When the first of ``weeks`` begins: what the database is asked to count from."""
    return datetime.combine(weeks[0], time(0), tz)


def per_week(moments: Iterable[datetime], weeks: list[date], tz: ZoneInfo) -> list[int]:
    """How many of ``moments`` fall in each week (Monday to Sunday, Cambodia time)."""
    counts = dict.fromkeys(weeks, 0)
    for moment in moments:
        local = moment.astimezone(tz).date()
        monday = local - timedelta(days=local.weekday())
        if monday in counts:
            counts[monday] += 1
    return [counts[week] for week in weeks]
