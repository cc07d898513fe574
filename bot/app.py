"""The composition root: builds the database, translations, dispatcher and engine."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

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


async def open_database(settings: Settings, migrate: bool) -> AsyncEngine:
    """The engine, with the schema at the newest migration (or a ConfigError saying so)."""
    engine = make_engine(settings.database_url)
    if migrate:
        await upgrade(engine)
    elif await current_revision(engine) != head_revision():
        await engine.dispose()
        raise ConfigError("the database schema is not up to date: run `dcc-bot db upgrade`")
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        await uow.tags.sync_seed()
        for admin_id in settings.admin_ids:
            await uow.staff.grant(admin_id, "admin", granted_by=None)
        await uow.commit()
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
    dispatcher = Dispatcher(
        session_factory=lambda: UnitOfWork(sessionmaker),
        messenger=engine.messenger,
        translations=translations,
        clock=clock or SystemClock(),
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
