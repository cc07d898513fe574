"""Serving the console: alone (``dcc-bot web``, the sandbox, ``dcc-bot run`` on its own
address) or on the webhook server's application when both listen on the same address."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web

from bot.config import ConfigError, Settings
from bot.core.i18n import Translations
from handlers.broadcast.paid import Rates
from storage.uow import UnitOfWork
from web.console import Console, console_application, console_route_at

log = logging.getLogger(__name__)


def console_for(
    settings: Settings,
    units_of_work: Callable[[], UnitOfWork],
    translations: Translations,
    now: Callable[[], datetime],
) -> Console:
    return Console(
        units_of_work=units_of_work,
        translations=translations,
        now=now,
        timezone=settings.tz,
        base_url=settings.web_base_url,
        bot_token=settings.token,
        broadcast_rates=Rates(settings.send_rate, settings.paid_send_rate),
    )


def check_shared_address(settings: Settings) -> None:
    """``run --webhook`` with the console on the webhook's address: a ConfigError (one line,
    at start) when the webhook's path is also one of the console's."""
    path = urlsplit(settings.webhook_url).path or "/"
    taken = console_route_at(path)
    if taken is not None:
        raise ConfigError(
            f"the path of DCC_WEBHOOK_URL ({path}) is the web console's {taken}, and"
            " DCC_WEB_LISTEN is the webhook's address: give the webhook another path,"
            " for example /telegram/webhook"
        )


class ConsoleServer:
    """The console on its own aiohttp server."""

    def __init__(self, console: Console, listen: tuple[str, int]) -> None:
        self.console = console
        self.listen = listen
        self._runner: web.AppRunner | None = None

    async def start(self) -> tuple[str, int]:
        """Listen; the address bound (port 0 picks a free one)."""
        self._runner = web.AppRunner(console_application(self.console), access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, *self.listen).start()
        except OSError:
            await self.stop()
            raise
        bound = self._runner.addresses[0]
        log.info("web console on %s:%s", bound[0], bound[1])
        return str(bound[0]), int(bound[1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
