"""The composition root: builds the database, translations, dispatcher and engine."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.bot_username import bot_username
from bot.config import ConfigError, Settings
from bot.core.dispatch import Dispatcher
from bot.core.i18n import Translations
from bot.core.ports import Clock, Engine, SystemClock
from handlers import all_routers
from handlers.acting import Acting
from handlers.admin.operations import grant_role
from handlers.admin.web_console import EXTRAS_KEY as WEB_URL_KEY
from handlers.broadcast.paid import EXTRAS_KEY as RATES_KEY
from handlers.broadcast.paid import Rates
from handlers.help import fallback
from handlers.limits import Limits
from handlers.outreach.share import EXTRAS_KEY as USERNAME_KEY
from handlers.profile.cooldown import EXTRAS_KEY as ERASURE_KEY
from handlers.profile.cooldown import erasure_key
from handlers.questions.settings import QaSettings
from scheduler.jobs import JobRuntime, catch_up, run_due_work, schedule
from scheduler.leader import Leadership, LeadTaken, SqliteLead
from scheduler.outbox import OutboxSender
from storage.db import dropped, make_engine, make_sessionmaker
from storage.migrate import current_revision, head_revision, upgrade
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for 24 hours; remembering ids a week is plenty.
UPDATE_MEMORY = timedelta(days=7)
# Updates using the database at once: SQLite has one writer, so there they take turns;
# PostgreSQL's pool holds 5 connections and 10 more on demand.
CONCURRENT_UPDATES = {"sqlite": 1, "postgresql": 8}
# Updates that wait for a turn are handled together and committed at once, this many at most
# (bot.core.group_commit): the transaction's own cost is paid once for them. More would make
# the first of a group wait for the last before its replies go out.
UPDATE_GROUP = 8


async def open_database(settings: Settings, migrate: bool) -> AsyncEngine:
    """The engine, with the schema at the newest migration (or a ConfigError saying so)."""
    engine, _found = await _open_database(settings, migrate)
    return engine


async def migrate_database(settings: Settings) -> tuple[str | None, str | None]:
    """Bring the schema to the newest migration: (the revision found, None for a new
    database; the newest revision)."""
    engine, found = await _open_database(settings, migrate=True)
    await engine.dispose()
    return found, head_revision()


async def _open_database(settings: Settings, migrate: bool) -> tuple[AsyncEngine, str | None]:
    engine = _database_engine(settings.database_url, must_exist=not migrate)
    found = await current_revision(engine)
    if migrate:
        await upgrade(engine)
    elif found != head_revision():
        await engine.dispose()
        raise ConfigError("the database schema is not up to date: run `dcc-bot db upgrade`")
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        await uow.tags.sync_seed()
        await uow.forget_updates_before(uow.now() - UPDATE_MEMORY)
        if settings.admin_ids:  # the operator's configuration: granted, audited, told
            operator = Acting(
                None, "cli", uow, Translations(settings.locales_dir), uow.now(), settings.tz
            )
            for admin_id in settings.admin_ids:
                await grant_role(operator, admin_id, "admin")
        await uow.commit()
    return engine, found


def _database_engine(url: str, must_exist: bool) -> AsyncEngine:
    try:
        parsed = make_url(url)
        engine = make_engine(url)
    except ArgumentError as error:
        raise ConfigError(f"DATABASE_URL is not a database URL: {error}") from None
    except (NoSuchModuleError, ModuleNotFoundError) as error:
        hint = " (pip install 'dcc-bot[postgres]')" if "postgres" in url else ""
        raise ConfigError(
            f"DATABASE_URL: no driver for {parsed.drivername}{hint}: {error}"
        ) from None
    path = parsed.database or ""
    if must_exist and parsed.get_backend_name() == "sqlite" and path not in ("", ":memory:"):
        if not Path(path).exists():
            raise ConfigError(f"there is no database at {path}: run `dcc-bot db upgrade` first")
    return engine


@dataclass
class App:
    settings: Settings
    database: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    dispatcher: Dispatcher
    engine: Engine  # the framework's adapter, from bot.engines
    clock: Clock
    outbox: OutboxSender
    qa: QaSettings
    scheduler: AsyncIOScheduler | None = None
    sender: asyncio.Task[None] | None = None  # the outbox sender's loop while leading
    leadership: Leadership | None = None
    leading: asyncio.Task[None] | None = None  # the loop that holds or seeks the lead
    sqlite_lead: SqliteLead | None = None  # held while this process leads a SQLite file

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker, self.clock.now)

    async def start(
        self, poll_timeout: int = 30, scheduler: bool = True, webhook: bool = False
    ) -> None:
        """Take updates (long polling, or from the webhook server when ``webhook``); with
        ``scheduler`` also run for the leadership of the timed jobs and the sender (tests
        leave it off and call ``run_due_work`` when their clock has moved)."""
        if scheduler:
            self.take_sqlite_lead()
        if webhook:
            await self.engine.start_webhook(self.settings.webhook_url, self.settings.webhook_secret)
        else:
            await self.engine.start(poll_timeout)
        await self.learn_username()
        messenger = self.dispatcher.messenger
        await messenger.set_commands(self.dispatcher.menu("en"))
        await messenger.set_commands(self.dispatcher.menu("km"), language_code="km")
        await self.set_staff_menus()
        if scheduler:
            self.leadership = Leadership(
                self.database, self._lead, self._stop_leading, self.settings.leader_check
            )
            self.leading = asyncio.create_task(self.leadership.run(), name="leadership")
        else:
            await self.outbox.resume_after_crash()
        log.info("DCC Bot is running against %s", self.settings.api_url)

    async def learn_username(self) -> None:
        """The bot's username for Share buttons (handlers.outreach.share): the setting, else
        Telegram's getMe; without it the cards have no Share button (logged)."""
        try:
            username = await bot_username(self.settings)
        except Exception as error:  # Telegram unreachable for a moment: the bot runs on
            log.warning("no Share buttons: the bot's username is unknown (%s)", error)
            return
        self.dispatcher.extras[USERNAME_KEY] = username

    def take_sqlite_lead(self) -> None:
        """On a SQLite file, be its only running bot, or say so (ConfigError)."""
        url = make_url(self.settings.database_url)
        path = url.database or ""
        if url.get_backend_name() != "sqlite" or path in ("", ":memory:"):
            return
        lead = SqliteLead(str(Path(path).resolve()))
        try:
            lead.take()
        except LeadTaken:
            raise ConfigError(
                f"another dcc-bot is already running on the SQLite database {path}: one"
                " process per SQLite file (stop the other one, or use PostgreSQL to run"
                " several)"
            ) from None
        self.sqlite_lead = lead

    @property
    def is_leader(self) -> bool:
        return self.leadership is not None and self.leadership.leading

    async def _lead(self) -> None:
        """This process runs the jobs: what the last leader had in flight is sent again,
        the sender and the schedules start, and digests and thanks missed meanwhile go out."""
        await self.outbox.resume_after_crash()
        self.sender = asyncio.create_task(self.outbox.run(), name="outbox-sender")
        runtime = self.job_runtime
        self.scheduler = schedule(runtime)
        self.scheduler.start()
        await catch_up(runtime)

    async def _stop_leading(self) -> None:
        if self.sender is not None:
            self.sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.sender
            self.sender = None
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None

    async def set_staff_menus(self) -> None:
        """Each administrator's and moderator's chat menu lists their commands too, in
        their language."""
        async with self.unit_of_work() as uow:
            staff: dict[int, tuple[str, str]] = {}
            for role in ("moderator", "admin"):  # an administrator's menu has it all
                for telegram_id in await uow.staff.ids_with_role(role):
                    member = await uow.members.get(telegram_id)
                    staff[telegram_id] = (role, member.language if member else "en")
        for telegram_id, (role, language) in staff.items():
            try:
                await self.dispatcher.messenger.set_commands(
                    self.dispatcher.menu(language, role), chat_id=telegram_id
                )
            except Exception:  # someone who never opened the bot has no chat yet
                log.info("no command menu for %s %s yet", role, telegram_id)

    @property
    def job_runtime(self) -> JobRuntime:
        """What the scheduled jobs (scheduler/jobs.py) work with."""
        return JobRuntime(
            unit_of_work=self.unit_of_work,
            clock=self.clock,
            translations=self.dispatcher.translations,
            messenger=self.engine.messenger,
            qa=self.qa,
            timezone=self.settings.tz,
            outbox_retention=timedelta(days=self.settings.outbox_retention_days),
        )

    async def run_due_work(self) -> int:
        """Every job once, then the outbox until nothing due is left; what was sent (tests
        call it when their clock has moved)."""
        return await run_due_work(self.job_runtime, self.outbox)

    async def stop(self) -> None:
        try:
            if self.leading is not None:
                self.leading.cancel()  # gives up the lead: the jobs stop, the lock is freed
                with contextlib.suppress(asyncio.CancelledError):
                    await self.leading
            await self._stop_leading()
            await self.engine.stop()
        finally:
            await self.database.dispose()
            if self.sqlite_lead is not None:
                self.sqlite_lead.release()
                self.sqlite_lead = None


# How long a thread may hold the interpreter before another may run (CPython's default is
# 5 ms). SQLite's driver works in a thread and hands each result back to the event loop;
# with the default a busy loop kept it waiting up to 5 ms a statement, and an update of
# thirty statements (an erasure, a question routed) took 50-100 ms at p95 instead of 35-40.
SWITCH_INTERVAL = 0.001


def prepare_serving_process() -> None:
    """Tune the interpreter for a long-running bot, once the app is built.

    The heap made at start-up (libraries, catalogs, the Khmer segmenter) lives as long as
    the process: frozen, the collector stops walking it in every full collection (one over
    it paused a busy bot for up to 150 ms). Only for the serving process: frozen objects are
    never collected, so tests that build many apps in one process must not call it."""
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL)


async def build_app(settings: Settings, migrate: bool = False, clock: Clock | None = None) -> App:
    if not settings.token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    database = await open_database(settings, migrate)
    sessionmaker = make_sessionmaker(database)
    translations = Translations(settings.locales_dir, strict=settings.strict_translations)
    engine = _engine(settings)
    dispatch_clock = clock or SystemClock()
    dispatcher = Dispatcher(
        session_factory=lambda: UnitOfWork(sessionmaker, dispatch_clock.now),
        messenger=engine.messenger,
        translations=translations,
        clock=dispatch_clock,
        timezone=settings.tz,
        fallback=fallback,
        concurrency=CONCURRENT_UPDATES.get(database.dialect.name, 8),
        group=UPDATE_GROUP,
        strict_flows=settings.strict_flows,
        dropped=dropped,
    )
    engine.attach(dispatcher.feed)
    for router in all_routers():
        dispatcher.include(router)
    qa = QaSettings(
        k=settings.experts_per_round,
        escalate_after=timedelta(hours=settings.escalate_after_hours),
        offers_per_asker=settings.offers_per_asker,
    )
    dispatcher.extras["qa"] = qa
    dispatcher.extras[ERASURE_KEY] = erasure_key(settings.token)  # handlers.profile.cooldown
    dispatcher.extras[WEB_URL_KEY] = settings.web_base_url  # /admin → Web console's links
    # /broadcast's Paid (fast) estimate: how long at each rate
    dispatcher.extras[RATES_KEY] = Rates(settings.send_rate, settings.paid_send_rate)
    dispatcher.extras["limits"] = Limits(
        questions_waiting=settings.questions_waiting,
        questions_per_day=settings.questions_per_day,
        reports_per_day=settings.reports_per_day,
        pending_applications=settings.pending_applications,
        pending_companies=settings.pending_companies,
    )
    outbox = OutboxSender(
        lambda: UnitOfWork(sessionmaker, dispatch_clock.now),
        engine.messenger,
        dispatch_clock,
        settings.send_rate,
        per_chat_interval=settings.per_chat_interval,
        paid_rate=settings.paid_send_rate,
    )
    return App(settings, database, sessionmaker, dispatcher, engine, dispatch_clock, outbox, qa)


def _engine(settings: Settings) -> Engine:
    """The engine named by DCC_ENGINE, imported only when chosen."""
    if settings.engine == "ptb":
        from bot.engines.ptb import PtbEngine

        return PtbEngine(settings.token, settings.api_url)
    if settings.engine == "aiogram":
        from bot.engines.aiogram import AiogramEngine

        return AiogramEngine(settings.token, settings.api_url)
    raise ConfigError(f"unknown engine {settings.engine!r}")
