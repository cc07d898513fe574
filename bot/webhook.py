"""Webhook mode: an HTTP server Telegram posts updates to, and ``GET /healthz``.

The path is the one of DCC_WEBHOOK_URL. A request without the right
``X-Telegram-Bot-Api-Secret-Token`` gets 403 and nothing is read; an update delivered twice
is handled once (dispatch remembers update ids). The update is handled before the answer,
so Telegram's own retry covers a process that died in the middle; the reverse proxy in
front (TLS) may spread requests over several processes.

Telegram redelivers whatever is not answered 2xx, again and again, so a body with the right
secret that is no update the bot can read (not JSON, not an object, no integer
``update_id``, fields of the wrong type, a button press without its sender, nesting deeper
than any real update) is logged and answered 200 without being handled. Only a body over
2 MB is refused (413) unread: Telegram's updates are a few kilobytes.

``/healthz`` is for the load balancer and the container's health check: 200
``{"status": "ok"}``, or 503 ``{"status": "unavailable"}`` when the database does not
answer (a pooled connection the server closed is asked again on a fresh one first: a
restarted database is healthy), and nothing else to whoever asks. With the webhook's
secret in the same header it adds the details for the operator: ``database``, ``leader``
(this process runs the schedules and the sender) and ``outbox_backlog``.
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

from bot.core.events import MalformedUpdate
from storage.db import again_if_dropped
from web.console import add_console

if TYPE_CHECKING:
    from bot.app import App
    from web.console import Console

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT = 5.0  # seconds the database may take to answer /healthz
MAX_BODY = 2 * 1024 * 1024  # bytes; Telegram's updates are a few kilobytes


class WebhookServer:
    def __init__(self, app: App, console: Console | None = None) -> None:
        self.app = app
        self.console = console  # the web console, served on the same address
        self.path = urlsplit(app.settings.webhook_url).path or "/"
        self.secret = app.settings.webhook_secret.encode()
        self._runner: web.AppRunner | None = None

    async def start(self) -> tuple[str, int]:
        """Listen on DCC_WEBHOOK_LISTEN; the address bound (port 0 picks a free one)."""
        server = web.Application(client_max_size=MAX_BODY)
        server.router.add_post(self.path, self.update)
        server.router.add_get("/healthz", self.health)
        if self.console is not None:
            add_console(server, self.console)
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

    def _has_secret(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "").encode()
        return bool(self.secret) and hmac.compare_digest(given, self.secret)

    async def update(self, request: web.Request) -> web.Response:
        if not self._has_secret(request):
            log.warning("a webhook request without the right secret token was refused")
            return web.Response(status=403, text="forbidden")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("a webhook request over %s bytes was refused unread", MAX_BODY)
            return web.Response(status=413, text="too large")
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, nested too deep
            return _skipped(None, f"the body is not JSON ({type(error).__name__})")
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return _skipped(None, "the body is not an object with an integer update_id")
        try:
            await self.app.engine.feed(data)
        except MalformedUpdate as error:
            return _skipped(update_id, str(error))
        return web.Response(text="ok")

    async def health(self, request: web.Request) -> web.Response:
        details: dict[str, object] = {"leader": self.app.is_leader}
        try:
            await again_if_dropped(lambda: self._ask_database(details), "/healthz")
            details["database"] = "ok"
            healthy = True
        except Exception as error:  # any way of not answering is "unreachable"
            details["database"] = f"unreachable: {type(error).__name__}"
            healthy = False
        body: dict[str, object] = {"status": "ok" if healthy else "unavailable"}
        if self._has_secret(request):
            body.update(details)
        return web.json_response(body, status=200 if healthy else 503)

    async def _ask_database(self, details: dict[str, object]) -> None:
        async with asyncio.timeout(HEALTH_TIMEOUT), self.app.database.connect() as connection:
            await connection.execute(text("SELECT 1"))
        async with self.app.unit_of_work() as uow:
            details["outbox_backlog"] = await uow.outbox.backlog()


def _skipped(update_id: int | None, why: str) -> web.Response:
    """200 for a body that is no readable update: a refusal would only be redelivered."""
    log.warning("webhook update %s skipped, it cannot be read: %s", update_id, why)
    return web.Response(text="skipped")
