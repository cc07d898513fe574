"""Every scheduled job of the bot, in one table (``JOBS``): its name, when it runs in the
community's time zone (DCC_TIMEZONE) and what it does, given the ``JobRuntime``.

The leading process (see ``leader.py``) runs each row on its trigger; the rows marked
``on_lead`` also run once when a process takes the lead, so digests and the monthly
thank-you missed while no process led go out then. Each job serves only what is due by its
rows, so a cron time is when a digest goes out, and a rerun or a catch-up sends nothing
twice. ``run_due_work`` runs the table once in its order, as the scenario tests do after
moving their clock. The outbox sender is no row: it runs without pause while leading.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.i18n import Translations
from bot.core.ports import Clock, Messenger
from handlers.broadcast.delivery import deliver_broadcasts
from handlers.competitions.deadlines import run_competitions
from handlers.competitions.rules import THANKS_HOUR
from handlers.content.digest import send_content_digests
from handlers.content.events import remind_attendees
from handlers.jobs.alerts import send_digests, send_instant_alerts
from handlers.jobs.rules import DIGEST_HOUR
from handlers.leaderboard import thank_top_contributors
from handlers.questions.offers import escalate_due_questions
from handlers.questions.settings import QaSettings
from scheduler.clock import Daily, Every, Trigger, build_scheduler
from scheduler.feeds import poll_feeds
from scheduler.outbox import OutboxSender
from scheduler.retention import forget_finished_messages
from storage.db import again_if_dropped
from storage.uow import UnitOfWork

RETENTION_HOUR = 3  # local time of the daily deletion of old outbox messages (03:30)
DRAIN_BATCH = 100  # outbox messages a drain call of run_due_work sends


@dataclass(frozen=True)
class JobRuntime:
    """What the jobs work with; the composition root builds it from its settings."""

    unit_of_work: Callable[[], UnitOfWork]
    clock: Clock
    translations: Translations
    messenger: Messenger
    qa: QaSettings
    timezone: ZoneInfo
    outbox_retention: timedelta


Work = Callable[[JobRuntime], Awaitable[int]]


@dataclass(frozen=True)
class ScheduledJob:
    """One row of the table: ``work`` runs on ``when``; it returns how much it did.

    ``on_lead``: it also runs once when this process takes the lead (a catch-up).
    ``due_work``: ``run_due_work`` runs it (not the feeds, which read the network, nor the
    retention, which tests run on their own).
    ``after_sending``: ``run_due_work`` runs it again once the outbox is drained, for what
    the sending finished (a broadcast's final report)."""

    name: str
    when: Trigger
    work: Work
    on_lead: bool = False
    due_work: bool = True
    after_sending: bool = False


async def escalate(run: JobRuntime) -> int:
    """Questions whose round timed out go to the next experts, or to the moderators."""
    async with run.unit_of_work() as uow:
        moved = await escalate_due_questions(
            uow, run.translations, run.qa, run.clock.now(), run.timezone
        )
        await uow.commit()
    return moved


async def instant_job_alerts(run: JobRuntime) -> int:
    """Members who asked for job alerts "as they come" hear of new jobs."""
    return await send_instant_alerts(
        run.unit_of_work, run.translations, run.clock.now(), run.timezone
    )


async def digests(run: JobRuntime, frequency: str) -> int:
    """The job digests, then the news digests, of that frequency."""
    jobs = await send_digests(
        run.unit_of_work, run.translations, frequency, run.clock.now(), run.timezone
    )
    news = await send_content_digests(
        run.unit_of_work, run.translations, frequency, run.clock.now(), run.timezone
    )
    return jobs + news


async def daily_digests(run: JobRuntime) -> int:
    return await digests(run, "daily")


async def weekly_digests(run: JobRuntime) -> int:
    return await digests(run, "weekly")


async def remind_events(run: JobRuntime) -> int:
    """Members who will attend an event are reminded the day before."""
    return await remind_attendees(run.unit_of_work, run.translations, run.clock.now(), run.timezone)


async def competition_work(run: JobRuntime) -> int:
    """Competition reminders that are due, and deadlines that have passed."""
    return await run_competitions(run.unit_of_work, run.translations, run.clock.now(), run.timezone)


async def monthly_thanks(run: JobRuntime) -> int:
    """The leaderboard's thank-you to last month's top contributors."""
    return await thank_top_contributors(
        run.unit_of_work, run.translations, run.clock.now(), run.timezone
    )


async def broadcasts(run: JobRuntime) -> int:
    """Broadcasts that are due start; their audiences are queued; progress is reported."""
    return await deliver_broadcasts(
        run.unit_of_work, run.translations, run.messenger, run.clock.now
    )


async def feeds(run: JobRuntime) -> int:
    """The RSS and Atom feeds that are due are read; new entries become content."""
    return await poll_feeds(run.unit_of_work, run.clock.now)


async def outbox_retention(run: JobRuntime) -> int:
    """Sent outbox messages older than DCC_OUTBOX_RETENTION_DAYS are deleted."""
    return await forget_finished_messages(run.unit_of_work, run.clock.now(), run.outbox_retention)


# The order is the order of run_due_work and of the catch-up when taking the lead.
# fmt: off
JOBS: tuple[ScheduledJob, ...] = (
    #            name                when                          work
    ScheduledJob("escalations",      Every(60),                    escalate),
    ScheduledJob("job-alerts",       Every(60),                    instant_job_alerts),
    ScheduledJob("daily-digests",    Daily(DIGEST_HOUR, 0),        daily_digests, on_lead=True),
    ScheduledJob("weekly-digests",   Daily(DIGEST_HOUR, 0, "mon"), weekly_digests, on_lead=True),
    ScheduledJob("event-reminders",  Every(300),                   remind_events),
    ScheduledJob("competitions",     Every(300),                   competition_work),
    ScheduledJob("monthly-thanks",   Daily(THANKS_HOUR, 0, day=1), monthly_thanks, on_lead=True),
    ScheduledJob("broadcasts",       Every(2),                     broadcasts, after_sending=True),
    ScheduledJob("feeds",            Every(300),                   feeds, due_work=False),
    ScheduledJob("outbox-retention", Daily(RETENTION_HOUR, 30),    outbox_retention, due_work=False),
)
# fmt: on


def job(name: str) -> ScheduledJob:
    """The row of that name (KeyError if there is none)."""
    for row in JOBS:
        if row.name == name:
            return row
    raise KeyError(name)


async def run_job(name: str, runtime: JobRuntime) -> int:
    """Run one job now, as its trigger would; how much it did."""
    return await job(name).work(runtime)


def schedule(runtime: JobRuntime) -> AsyncIOScheduler:
    """The leader's scheduler, every row on its trigger (not started)."""
    return build_scheduler(
        ((row.name, row.when, _bound(row.work, runtime)) for row in JOBS), runtime.timezone
    )


async def catch_up(runtime: JobRuntime) -> None:
    """What a process runs when it takes the lead: what was missed meanwhile goes out."""
    for row in JOBS:
        if row.on_lead:
            await row.work(runtime)


async def run_due_work(runtime: JobRuntime, outbox: OutboxSender) -> int:
    """Every job of ``due_work`` once, in the table's order, then the outbox until nothing
    due is left, then the ``after_sending`` jobs and the outbox again; what was sent."""
    for row in JOBS:
        if row.due_work:
            await row.work(runtime)
    sent = await _drain(outbox)
    for row in JOBS:
        if row.due_work and row.after_sending:
            await row.work(runtime)
    return sent + await _drain(outbox)


async def _drain(outbox: OutboxSender) -> int:
    sent = 0
    while (count := await outbox.drain(limit=DRAIN_BATCH)) > 0:
        sent += count
    return sent


def _bound(work: Work, runtime: JobRuntime) -> Callable[[], Awaitable[int]]:
    """The job as its trigger runs it. One that met a closed database connection (the
    server restarted) runs once more at once, on a fresh one, rather than a day later: each
    job serves only what is still due, so running it again sends nothing twice."""

    async def run() -> int:
        return await again_if_dropped(lambda: work(runtime), "a scheduled job")

    return run
