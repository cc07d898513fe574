"""The console as an aiohttp application: its settings, the signed-in staff member of each
request, and the checks every request passes.

Every request to a page runs in one unit of work, opened and committed here. Before a page
sees it: the session cookie must name a live session (12 hours idle ends it), the person
must hold a staff role *now* (a demoted administrator loses the console at the next click),
the page's role must be theirs, and a POST must carry the session's form token; otherwise
the page never runs and nothing is changed. Pages are declared with ``page`` (path, title,
role) and added by ``add_console``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.web_urldispatcher import AbstractResource

from bot.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translations, Translator
from handlers.broadcast.paid import Rates
from storage.db import again_if_dropped
from storage.models import WebSession
from storage.uow import UnitOfWork
from storage.web_console import SESSION_IDLE, WebConsoleRepository
from web.secrets import digest, same
from web.signin import staff_role

log = logging.getLogger(__name__)

SESSION_COOKIE = "dcc_console"
FORM_COOKIE = "dcc_console_form"  # the form token of pages shown before signing in
STATIC = Path(__file__).parent / "static"
MAX_BODY = 2 * 1024 * 1024  # bytes a request may send (as the webhook's server takes)

Role = Literal["admin", "moderator"]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Console:
    """What the console needs of the process serving it."""

    units_of_work: Callable[[], UnitOfWork]
    translations: Translations
    now: Callable[[], datetime]
    timezone: ZoneInfo
    base_url: str  # the address in sign-in links (DCC_WEB_URL)
    bot_token: str = ""  # Telegram Login's key; empty: no Telegram Login
    # DCC_SEND_RATE and DCC_PAID_SEND_RATE, for the Paid (fast) estimate of a broadcast
    broadcast_rates: Rates = field(default_factory=Rates)

    @property
    def secure(self) -> bool:
        """Cookies only over HTTPS when the console is reached by https."""
        return self.base_url.startswith("https://")


@dataclass
class Staff:
    """The signed-in person of a request, as checked for it."""

    telegram_id: int
    role: Role
    session_hash: str
    csrf_token: str
    language: str

    def may(self, role: Role) -> bool:
        return self.role == "admin" or role == self.role


@dataclass(frozen=True)
class Page:
    """A route of the console: where, its title (a msgid) for the navigation (None: not in
    it), who may open it ("moderator": moderators and administrators; "admin":
    administrators only; "anyone": the sign-in pages)."""

    path: str
    title: str | None
    role: Role | Literal["anyone"]
    handler: Handler
    method: str = "GET"


PAGES: list[Page] = []


def page(
    path: str, title: str | None, role: Role | Literal["anyone"], method: str = "GET"
) -> Callable[[Handler], Handler]:
    """Declare a page; ``add_console`` routes it behind the session and role checks."""

    def declare(handler: Handler) -> Handler:
        PAGES.append(Page(path, title, role, handler, method))
        return handler

    return declare


NAVIGATION_ORDER = (
    "/overview", "/broadcasts", "/approvals", "/reports", "/content", "/content/feeds",
    "/competitions", "/members", "/audit",
)  # fmt: skip  # a staff member's day: figures first, then what waits for them


def navigation(role: Role) -> list[Page]:
    """The pages in the navigation this role may open, in ``NAVIGATION_ORDER``."""
    shown = [
        p for p in PAGES
        if p.title is not None and p.method == "GET" and p.role != "anyone"
        and (role == "admin" or p.role == role)
    ]  # fmt: skip
    rank = {path: n for n, path in enumerate(NAVIGATION_ORDER)}
    return sorted(shown, key=lambda p: rank.get(p.path, len(rank)))


CONSOLE: web.AppKey[Console] = web.AppKey("console", Console)
ROUTES: web.AppKey[dict[tuple[AbstractResource, str], str]] = web.AppKey("console_routes", dict)
STATIC_ROUTES: web.AppKey[set[AbstractResource]] = web.AppKey("console_static", set)


def console_of(request: web.Request) -> Console:
    return request.app[CONSOLE]


@dataclass
class Visit:
    """What the checks established for the request being handled (a task of its own in
    aiohttp, so a context variable holds it)."""

    uow: UnitOfWork | None = None
    translator: Translator | None = None
    staff: Staff | None = None


VISIT: ContextVar[Visit] = ContextVar("console_visit")


def uow_of(request: web.Request) -> UnitOfWork:
    uow = VISIT.get().uow
    assert uow is not None
    return uow


def staff_of(request: web.Request) -> Staff:
    staff = VISIT.get().staff
    assert staff is not None, "a page for staff was opened without the checks"
    return staff


def signed_in(request: web.Request) -> Staff | None:
    return VISIT.get().staff


def translator_of(request: web.Request) -> Translator:
    translator = VISIT.get().translator
    assert translator is not None
    return translator


def visitor_language(request: web.Request) -> str:
    """Before signing in: ``?lang=``, else the browser's first choice between km and en."""
    wanted = request.query.get("lang", "")
    if wanted in LANGUAGES:
        return wanted
    accept = request.headers.get("Accept-Language", "").lower()
    return "km" if accept.startswith("km") else DEFAULT_LANGUAGE


@web.middleware
async def console_checks(request: web.Request, handler: Handler) -> web.StreamResponse:

    resource = request.match_info.route.resource
    if resource is None or resource in request.app[STATIC_ROUTES]:
        return await handler(request)
    needed = request.app[ROUTES].get((resource, request.method))
    if needed is None:  # not the console's: the webhook's own routes share the server
        return await handler(request)

    async def visit() -> web.StreamResponse:
        reset = VISIT.set(Visit())
        try:
            return await _checked(request, handler, needed, VISIT.get())
        finally:
            VISIT.reset(reset)

    # The database restarted under the page: nothing of it was kept, so it runs once more on
    # a fresh connection (a form already read is read again from aiohttp's copy).
    return await again_if_dropped(visit, "a console page")


async def _checked(
    request: web.Request, handler: Handler, needed: str, visit: Visit
) -> web.StreamResponse:
    from web.rendering import refuse

    console = console_of(request)
    if needed == "anyone":
        visit.translator = console.translations.for_language(visitor_language(request))
        async with console.units_of_work() as uow:
            visit.uow = uow
            response = await handler(request)
            await uow.commit()
        return response
    async with console.units_of_work() as uow:
        visit.uow = uow
        sessions = WebConsoleRepository(uow.session)
        cookie = request.cookies.get(SESSION_COOKIE, "")
        now = console.now()
        row: WebSession | None = (
            await sessions.live_session(digest(cookie), now - SESSION_IDLE) if cookie else None
        )
        if row is None:
            visit.translator = console.translations.for_language(visitor_language(request))
            if request.method == "GET":
                raise web.HTTPSeeOther("/signin?expired=1" if cookie else "/signin")
            return await refuse(request, "signed-out")
        visit.translator = console.translations.for_language(row.language)
        role = await staff_role(uow, row.telegram_id)
        if role is None:  # no longer staff: the session ends here
            await sessions.end_session(row.id_hash)
            await uow.commit()
            return await refuse(request, "not-staff", clear_cookie=True)
        staff = Staff(row.telegram_id, role, row.id_hash, row.csrf_token, row.language)  # type: ignore[arg-type]
        visit.staff = staff
        if request.method == "POST":
            try:
                form = await request.post()
            except web.HTTPRequestEntityTooLarge:
                return await refuse(request, "too-large")
            given = form.get("csrf")
            if not same(given if isinstance(given, str) else None, row.csrf_token):
                log.warning("a console form without its token was refused")
                return await refuse(request, "form")
        if not staff.may(needed):  # type: ignore[arg-type]
            return await refuse(request, "role")
        row.last_seen_at = now
        response = await handler(request)
        await uow.commit()
    return response


def declare_pages() -> None:
    """Import the page modules: each declares its pages in ``PAGES``."""
    from web.pages import (  # noqa: F401 - they declare their pages
        account,
        approvals,
        audit,
        broadcasts,
        competitions,
        content,
        members,
        overview,
        reports,
    )


PLACEHOLDER = re.compile(r"\{(\w+)(?::((?:[^{}]|\{[^{}]*\})+))?\}")  # {name} or {name:regex}


def _route_pattern(route: str) -> re.Pattern[str]:
    """The paths an aiohttp route such as ``/members/{telegram_id:[0-9]{1,16}}`` answers."""
    pattern, last = "", 0
    for found in PLACEHOLDER.finditer(route):
        pattern += re.escape(route[last : found.start()]) + f"(?:{found.group(2) or '[^{}/]+'})"
        last = found.end()
    return re.compile(pattern + re.escape(route[last:]))


def console_route_at(path: str) -> str | None:
    """The console's route (or its static files) that also answers ``path``, else None.

    The webhook sharing the console's server needs a path of its own: aiohttp would serve
    one of the two there and silently shadow the other (a webhook at /signin would turn
    every sign-in into the webhook's 403)."""
    declare_pages()
    if path == "/static" or path.startswith("/static/"):
        return "/static/"
    for declared in PAGES:
        if _route_pattern(declared.path).fullmatch(path):
            return declared.path
    return None


def add_console(app: web.Application, console: Console) -> None:
    """The console's routes on ``app`` (its own, or the webhook server's)."""
    declare_pages()
    app[CONSOLE] = console
    app.middlewares.append(console_checks)
    routes: dict[tuple[AbstractResource, str], str] = {}
    for declared in PAGES:
        route = app.router.add_route(declared.method, declared.path, declared.handler)
        assert route.resource is not None
        routes[(route.resource, declared.method)] = declared.role
        if declared.method == "GET":  # aiohttp answers HEAD with the GET route
            routes[(route.resource, "HEAD")] = declared.role
    app[ROUTES] = routes
    static = app.router.add_static("/static/", STATIC, name="static")
    app[STATIC_ROUTES] = {static}


def console_application(console: Console) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    add_console(app, console)
    return app
