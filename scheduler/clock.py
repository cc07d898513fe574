"""The schedules, as code: APScheduler runs each job on its trigger in the community's time
zone. A job only looks for rows whose due time has come, so a restart loses nothing and a
job that runs twice finds nothing left to do the second time."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]
WEEKDAYS = {
    "mon": "Mondays",
    "tue": "Tuesdays",
    "wed": "Wednesdays",
    "thu": "Thursdays",
    "fri": "Fridays",
    "sat": "Saturdays",
    "sun": "Sundays",
}


@dataclass(frozen=True)
class Every:
    """Every ``seconds``; never two runs of one job at once."""

    seconds: float

    def trigger(self, timezone: ZoneInfo) -> BaseTrigger:
        return IntervalTrigger(seconds=self.seconds, timezone=timezone)

    def describe(self) -> str:
        """In an operator's words: "every 2 seconds", "every minute", "every 5 minutes"."""
        if self.seconds % 60:
            return f"every {self.seconds:g} seconds"
        minutes = int(self.seconds // 60)
        return "every minute" if minutes == 1 else f"every {minutes} minutes"


@dataclass(frozen=True)
class Daily:
    """At hour:minute local time (on ``day_of_week`` only, when given: "mon", …; on the
    ``day`` of the month only, when given: 1 for the 1st)."""

    hour: int
    minute: int
    day_of_week: str | None = None
    day: int | None = None

    def trigger(self, timezone: ZoneInfo) -> BaseTrigger:
        return CronTrigger(
            day=self.day,
            day_of_week=self.day_of_week,
            hour=self.hour,
            minute=self.minute,
            timezone=timezone,
        )

    def describe(self) -> str:
        """In an operator's words: "daily at 08:00", "Mondays at 08:00", "on day 1 of the
        month at 09:00"."""
        days = "daily"
        if self.day_of_week is not None:
            days = WEEKDAYS.get(self.day_of_week, f"on {self.day_of_week}")
        if self.day is not None:
            days = f"on day {self.day} of the month"
        return f"{days} at {self.hour:02}:{self.minute:02}"


Trigger = Every | Daily


def build_scheduler(
    jobs: Iterable[tuple[str, Trigger, Job]], timezone: ZoneInfo
) -> AsyncIOScheduler:
    """A scheduler running each (name, trigger, job); a failure is logged, and the job runs
    again at its next time."""
    scheduler = AsyncIOScheduler(timezone=timezone)
    for name, when, job in jobs:
        scheduler.add_job(
            _logged(name, job),
            when.trigger(timezone),
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    return scheduler


def _logged(name: str, job: Job) -> Job:
    async def run() -> object:
        try:
            return await job()
        except Exception:
            log.exception("scheduled job %s failed; it runs again at its next time", name)
            return None

    return run
