"""The composition root: builds the database, translations, dispatcher and engine."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import ConfigError, Settings
from bot.core.dispatch import Dispatcher
from bot.core.i18n import Translations
from bot.core.ports import Clock, SystemClock
from handlers import all_routers
from handlers.help import fallback
from storage.db import make_engine, make_sessionmaker
from storage.migrate import current_revision, head_revision, upgrade
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for 24 hours; remembering ids a week is plenty.
UPDATE_MEMORY = timedelta(days=7)


async def open_database(settings: Settings, migrate: bool) -> AsyncEngine:
    """The engine, with the schema at the newest migration (or a ConfigError saying so)."""
    engine = _database_engine(settings.database_url, must_exist=not migrate)
    if migrate:
        await upgrade(engine)
    elif await current_revision(engine) != head_revision():
        await engine.dispose()
        raise ConfigError("the database schema is not up to date: run `dcc-bot db upgrade`")
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        await uow.tags.sync_seed()
        await uow.forget_updates_before(uow.now() - UPDATE_MEMORY)
        for admin_id in settings.admin_ids:
            await uow.staff.grant(admin_id, "admin", granted_by=None)
        await uow.commit()
    return engine


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
    engine: object  # the engine adapter (only bot.engines knows its type)

    async def start(self, poll_timeout: int = 30) -> None:
        await self.engine.start(poll_timeout)  # type: ignore[attr-defined]
        messenger = self.dispatcher.messenger
        await messenger.set_commands(self.dispatcher.menu("en"))
        await messenger.set_commands(self.dispatcher.menu("km"), language_code="km")
        log.info("DCC Bot is running against %s", self.settings.api_url)

    async def stop(self) -> None:
        try:
            await self.engine.stop()  # type: ignore[attr-defined]
        finally:
            await self.database.dispose()


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
        fallback=fallback,
    )
    engine.attach(dispatcher.feed)
    for router in all_routers():
        dispatcher.include(router)
    return App(settings, database, sessionmaker, dispatcher, engine)


def _engine(settings: Settings) -> Any:
    """The engine named by DCC_ENGINE, imported only when chosen."""
    if settings.engine == "ptb":
        from bot.engines.ptb import PtbEngine

        return PtbEngine(settings.token, settings.api_url)
    raise ConfigError(f"unknown engine {settings.engine!r}")
