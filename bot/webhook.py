"""Webhook mode: an HTTP server Telegram posts updates to, and ``GET /healthz``.

The path is the one of DCC_WEBHOOK_URL. A request without the right
``X-Telegram-Bot-Api-Secret-Token`` gets 403 and nothing is read; an update delivered twice
is handled once (dispatch remembers update ids). The update is handled before the answer,
so Telegram's own retry covers a process that died in the middle; the reverse proxy in
front (TLS) may spread requests over several processes.

``/healthz`` is for the load balancer: 200 with ``{"database": "ok", "leader": …,
"outbox_backlog": …}``, or 503 when the database does not answer.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import text

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT = 5.0  # seconds the database may take to answer /healthz


class WebhookServer:
    def __init__(self, app: App) -> None:
        self.app = app
        self.path = urlsplit(app.settings.webhook_url).path or "/"
        self.secret = app.settings.webhook_secret.encode()
        self._runner: web.AppRunner | None = None

    async def start(self) -> tuple[str, int]:
        """Listen on DCC_WEBHOOK_LISTEN; the address bound (port 0 picks a free one)."""
        server = web.Application(client_max_size=2 * 1024 * 1024)
        server.router.add_post(self.path, self.update)
        server.router.add_get("/healthz", self.health)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        host, port = self.app.settings.webhook_listen
        await web.TCPSite(self._runner, host, port).start()
        bound = self._runner.addresses[0]
        log.info("webhook server on %s:%s%s", bound[0], bound[1], self.path)
        return str(bound[0]), int(bound[1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            log.warning("a webhook request without the right secret token was refused")
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400, text="not an update")
        await self.app.engine.feed(data)
        return web.Response(text="ok")

    async def health(self, _request: web.Request) -> web.Response:
        body: dict[str, object] = {"leader": self.app.is_leader}
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT), self.app.database.connect() as connection:
                await connection.execute(text("SELECT 1"))
            async with self.app.unit_of_work() as uow:
                body["outbox_backlog"] = await uow.outbox.backlog()
            body["database"] = "ok"
            status = 200
        except Exception as error:  # any way of not answering is "unreachable"
            body["database"] = f"unreachable: {type(error).__name__}"
            status = 503
        return web.json_response(body, status=status)
