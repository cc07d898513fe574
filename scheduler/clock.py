"""The schedules, as code: APScheduler runs each job on its trigger in the community's time
zone. A job only looks for rows whose due time has come, so a restart loses nothing and a
job that runs twice finds nothing left to do the second time."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Every:
    """Run ``job`` every ``seconds``; never two runs of one job at once."""

    name: str
    seconds: float
    job: Job


@dataclass(frozen=True)
class Daily:
    """Run ``job`` at hour:minute (on ``day_of_week`` only, when given: "mon", …; on the
    ``day`` of the month only, when given: 1 for the 1st)."""

    name: str
    hour: int
    minute: int
    job: Job
    day_of_week: str | None = None
    day: int | None = None


def build_scheduler(jobs: list[Every | Daily], timezone: ZoneInfo) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=timezone)
    for entry in jobs:
        trigger = (
            IntervalTrigger(seconds=entry.seconds, timezone=timezone)
            if isinstance(entry, Every)
            else CronTrigger(
                day=entry.day,
                day_of_week=entry.day_of_week,
                hour=entry.hour,
                minute=entry.minute,
                timezone=timezone,
            )
        )
        scheduler.add_job(
            _logged(entry.name, entry.job),
            trigger,
            id=entry.name,
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
