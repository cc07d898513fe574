"""Signing in and out, the home page, and the console's language.

A sign-in link opens a page with a **Sign in** button rather than signing in on the GET:
link previews and scanners fetch links, and must not use one up. That form, shown before
there is a session, carries a token that is also in a cookie (the form cookie): a page of
another site cannot post it.
"""

from __future__ import annotations

from aiohttp import web

from bot.core.i18n import LANGUAGES, N_
from storage.web_console import WebConsoleRepository
from web.console import (
    FORM_COOKIE,
    SESSION_COOKIE,
    console_of,
    navigation,
    page,
    staff_of,
    translator_of,
    uow_of,
    visitor_language,
)
from web.rendering import refuse, render, see_other, set_cookie
from web.secrets import digest, new_secret, same
from web.signin import (
    TELEGRAM_LOGIN_AGE,
    staff_role,
    telegram_login_id,
    telegram_login_key,
    telegram_login_url,
)


@page("/", None, "moderator")
async def home(request: web.Request) -> web.Response:
    """The first page the person may open."""
    pages = navigation(staff_of(request).role)
    if pages:
        return see_other(pages[0].path)
    t = translator_of(request)
    return render(request, "home.html", title=t.gettext(N_("Web console")))


@page("/signin", None, "anyone")
async def signin_page(request: web.Request) -> web.Response:
    t = translator_of(request)
    console = console_of(request)
    token = request.query.get("token", "")
    form_token = request.cookies.get(FORM_COOKIE) or new_secret()
    if token:
        sign_ins = WebConsoleRepository(uow_of(request).session)
        if await sign_ins.usable_sign_in(digest(token), console.now()) is None:
            return await refuse(request, "link")
    response = render(
        request,
        "signin.html",
        title=t.gettext(N_("Sign in")),
        token=token,
        form_token=form_token,
        expired="expired" in request.query,
        telegram_url=telegram_login_url(console.bot_token, console.base_url),
    )
    set_cookie(request, response, FORM_COOKIE, form_token)
    return response


@page("/signin", None, "anyone", method="POST")
async def signin(request: web.Request) -> web.Response:
    form = await request.post()
    given = form.get("csrf")
    if not same(given if isinstance(given, str) else None, request.cookies.get(FORM_COOKIE, "")):
        return await refuse(request, "form")
    token = form.get("token")
    console = console_of(request)
    uow = uow_of(request)
    telegram_id = (
        await WebConsoleRepository(uow.session).use_sign_in(digest(token), console.now())
        if isinstance(token, str) and token
        else None
    )
    if telegram_id is None:
        return await refuse(request, "link")
    return await _open_session(request, telegram_id, "link", then=see_other("/"))


@page("/signin/telegram", None, "anyone")
async def telegram_return(request: web.Request) -> web.Response:
    """Where Telegram's OAuth page sends the person back, with the signed login data."""
    console = console_of(request)
    fields = dict(request.query)
    if not fields:  # Telegram may give the data after a # : the page's script sends it here
        return render(request, "telegram.html", title=translator_of(request).gettext(N_("Sign in")))
    now = console.now()
    telegram_id = telegram_login_id(fields, console.bot_token, now)
    if telegram_id is None:
        return await refuse(request, "telegram")
    sign_ins = WebConsoleRepository(uow_of(request).session)
    if not await sign_ins.use_once(
        telegram_login_key(fields), telegram_id, now, now + TELEGRAM_LOGIN_AGE
    ):
        return await refuse(request, "telegram")
    # Arriving from telegram.org, the browser holds back SameSite=Strict cookies on a
    # redirect: a page of ours that moves on starts a same-site navigation instead.
    moving_on = render(
        request, "continue.html", title=translator_of(request).gettext(N_("Sign in"))
    )
    return await _open_session(request, telegram_id, "telegram", then=moving_on)


async def _open_session(
    request: web.Request, telegram_id: int, how: str, then: web.Response
) -> web.Response:
    uow = uow_of(request)
    if await staff_role(uow, telegram_id) is None:
        return await refuse(request, "not-staff")
    console = console_of(request)
    sessions = WebConsoleRepository(uow.session)
    language = (
        await sessions.last_language(telegram_id)
        or await sessions.member_language(telegram_id)
        or visitor_language(request)
    )
    session_id = new_secret()
    now = console.now()
    await sessions.open_session(digest(session_id), telegram_id, new_secret(), language, now)
    await uow.staff.audit(telegram_id, "web-signed-in", {"by": how}, "web")
    set_cookie(request, then, SESSION_COOKIE, session_id)
    then.del_cookie(FORM_COOKIE, path="/")
    return then


@page("/signout", None, "moderator", method="POST")
async def signout(request: web.Request) -> web.Response:
    await WebConsoleRepository(uow_of(request).session).end_session(staff_of(request).session_hash)
    response = see_other("/signin?signed_out=1")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@page("/language", None, "moderator", method="POST")
async def language(request: web.Request) -> web.Response:
    """Switch the console's language; kept in the session, and new sessions start in it."""
    form = await request.post()
    chosen = form.get("language")
    staff = staff_of(request)
    if isinstance(chosen, str) and chosen in LANGUAGES:
        await WebConsoleRepository(uow_of(request).session).set_language(staff.session_hash, chosen)
    return see_other(_local(form.get("next")))


def _local(path: object) -> str:
    """A path of this site to go back to; anything else (another site) goes home."""
    if isinstance(path, str) and path.startswith("/") and not path.startswith(("//", "/\\")):
        return path
    return "/"
