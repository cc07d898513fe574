"""Audit log: what staff did, through which surface (chat, command line, web), filtered by
person, action and dates (Cambodia time), newest first, a page at a time.

The actions offered are every one the code writes (``storage.staff.AuditAction``), taken
yet or not: which ones the log holds would be a DISTINCT over all its lines, as no index
has ``action``. One never taken finds no line; a line of an action no longer written (a
renamed one) is still listed under Any.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from aiohttp import web

from bot.core.i18n import N_
from storage.staff import AUDIT_ACTIONS
from storage.web_console import AuditFilter, AuditLogQuery
from web.console import console_of, page, translator_of, uow_of
from web.rendering import render

PAGE_SIZE = 50
CHANNELS = {"chat": N_("In the bot"), "cli": N_("Command line"), "web": N_("Web console")}


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def _number(raw: str) -> int | None:
    digits = raw.strip()
    return int(digits) if digits.isdecimal() and len(digits) < 17 else None


@page("/audit", N_("Audit log"), "admin")
async def audit_log(request: web.Request) -> web.Response:
    t = translator_of(request)
    tz = console_of(request).timezone
    query = request.query
    errors: list[str] = []
    actor = _number(query.get("person", ""))
    if query.get("person", "").strip() and actor is None:
        errors.append(t.gettext(N_("A person is a Telegram id: digits only.")))
    since, until = _day(query.get("from", "")), _day(query.get("to", ""))
    for field in ("from", "to"):
        if query.get(field, "").strip() and _day(query.get(field, "")) is None:
            errors.append(t.gettext(N_("Dates are written like 2026-11-25.")))
            break
    wanted = AuditFilter(
        actor=actor,
        action=query.get("action") or None,
        since=datetime.combine(since, time(0), tz) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(0), tz) if until else None,
    )
    number = max(_number(query.get("page", "")) or 1, 1)
    log = AuditLogQuery(uow_of(request).session)
    total = await log.count(wanted)
    entries = await log.page(wanted, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    names = await log.names({e.actor_telegram_id for e in entries if e.actor_telegram_id})
    kept = {k: v for k, v in query.items() if k in ("person", "action", "from", "to") and v}

    def link(to: int) -> str:
        return "/audit?" + urlencode({**kept, "page": to})

    rows = [
        {
            "when": e.created_at,
            "actor": e.actor_telegram_id,
            "name": names.get(e.actor_telegram_id or 0, ""),
            "action": e.action,
            "channel": t.gettext(CHANNELS[e.channel]) if e.channel in CHANNELS else "—",
            "detail": json.dumps(e.detail, ensure_ascii=False, sort_keys=True),
        }
        for e in entries
    ]
    return render(
        request,
        "audit.html",
        title=t.gettext(N_("Audit log")),
        rows=rows,
        errors=errors,
        actions=sorted(AUDIT_ACTIONS),
        chosen=kept,
        total=total,
        newer=link(number - 1) if number > 1 else None,
        older=link(number + 1) if number * PAGE_SIZE < total else None,
        page_number=number,
    )
