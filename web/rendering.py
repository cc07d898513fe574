"""Pages from the Jinja2 templates, in the request's language.

Every text of a template goes through ``_()`` (the request's translator, the bot's catalogs;
``pybabel extract`` reads the templates with Jinja2's extractor). Autoescaping is on: member
texts are never markup. Dates and numbers go through Babel in the page's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.core.i18n import N_, Translator
from web.console import (
    FORM_COOKIE,
    SESSION_COOKIE,
    Staff,
    console_of,
    navigation,
    signed_in,
    translator_of,
)

ENVIRONMENT = Environment(
    loader=PackageLoader("web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

Refusal = Literal["signed-out", "not-staff", "form", "role", "link", "telegram", "too-large"]
REFUSALS: dict[Refusal, tuple[str, str]] = {
    "signed-out": (
        N_("You are signed out"),
        N_(
            "Your session has ended. Ask the bot for a new sign-in link: administrators under /admin, moderators under /reports, button Web console."
        ),
    ),
    "not-staff": (
        N_("No access"),
        N_("The console is for administrators and moderators only. You were signed out."),
    ),
    "form": (
        N_("This form has expired"),
        N_("Nothing was changed. Go back, reload the page and try again."),
    ),
    "role": (
        N_("Not for your role"),
        N_("This page is for administrators only."),
    ),
    "link": (
        N_("This sign-in link cannot be used"),
        N_(
            "It was used already, it is more than 10 minutes old, or it is not a link the bot made. Ask the bot for a new one: administrators under /admin, moderators under /reports, button Web console."
        ),
    ),
    "telegram": (
        N_("Telegram sign-in failed"),
        N_(
            "Telegram's answer could not be checked, is more than a day old, or was used already. Try again, or ask the bot for a sign-in link: administrators under /admin, moderators under /reports, button Web console."
        ),
    ),
    "too-large": (
        N_("Too large"),
        N_(
            "What you sent is larger than the console takes (2 MB). Nothing was changed. Import a larger member file on the server with dcc-bot members import."
        ),
    ),
}
STATUS: dict[Refusal, int] = {"too-large": 413}


def when(t: Translator, moment: datetime, request: web.Request) -> str:
    """A moment in the community's time zone, in the page's language."""
    return t.moment(moment.astimezone(console_of(request).timezone))


def render(
    request: web.Request, template: str, status: int = 200, title: str = "", **values: Any
) -> web.Response:
    t = translator_of(request)
    staff: Staff | None = signed_in(request)
    body = ENVIRONMENT.get_template(template).render(
        _=t.gettext,
        ngettext=t.ngettext,
        t=t,
        lang=t.language,
        title=title,
        staff=staff,
        nav=navigation(staff.role) if staff else [],
        path=request.path,
        when=lambda moment: when(t, moment, request),
        **values,
    )
    response = web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"  # a sign-in link never leaves in one
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
        " form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return response


async def refuse(request: web.Request, why: Refusal, clear_cookie: bool = False) -> web.Response:
    """The 403 page (413 for a body too large) saying why; nothing was done."""
    t = translator_of(request)
    heading, explanation = REFUSALS[why]
    response = render(
        request,
        "refused.html",
        status=STATUS.get(why, 403),
        title=t.gettext(heading),
        explanation=t.gettext(explanation),
        signed_out=why in ("signed-out", "not-staff", "link", "telegram"),
    )
    if clear_cookie:
        response.del_cookie(SESSION_COOKIE, path="/")
    return response


def see_other(location: str) -> web.Response:
    """303 to ``location``: returned (not raised), so the request's writes are committed."""
    return web.Response(status=303, headers={"Location": location})


def set_cookie(request: web.Request, response: web.Response, name: str, value: str) -> None:
    """HttpOnly, SameSite=Strict, Secure behind HTTPS; a browser-session cookie (the server
    ends the session after 12 hours idle)."""
    response.set_cookie(
        name,
        value,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=console_of(request).secure,
    )


__all__ = ["FORM_COOKIE", "SESSION_COOKIE", "refuse", "render", "see_other", "set_cookie"]
