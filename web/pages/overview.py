"""Overview: the community in figures, from the queries /stats uses (storage.stats and
handlers.admin.figures), with sign-ups by week as an SVG chart."""

from __future__ import annotations

from aiohttp import web

from bot.core.i18n import N_
from handlers.admin.figures import first_moment, per_week, week_starts
from handlers.profile.labels import LANGUAGE_NAMES, frequency_name, role_name
from storage.seed.provinces import BY_SLUG
from web.chart import HEIGHT, WIDTH, bars
from web.console import console_of, page, translator_of, uow_of
from web.rendering import render


@page("/overview", N_("Overview"), "admin")
async def overview(request: web.Request) -> web.Response:
    t = translator_of(request)
    console = console_of(request)
    stats = uow_of(request).stats
    now = console.now()
    tz = console.timezone
    weeks = week_starts(now, tz)
    joined = await stats.joined_since(first_moment(weeks, tz))
    signups = per_week(joined, weeks, tz)
    this_week = first_moment(weeks[-1:], tz)
    asked, answered = await stats.questions()
    delay = await stats.median_first_answer()
    posted, open_now, applications = await stats.jobs(now)
    broadcasts, delivered = await stats.broadcast_reach()

    def place(slug: str) -> str:
        return BY_SLUG[slug].name(t.language) if slug in BY_SLUG else t.gettext(N_("Abroad"))

    figures = {
        "members": await stats.members(),
        "new_this_week": sum(1 for moment in joined if moment >= this_week),
        "by_role": [(role_name(t, r), c) for r, c in await stats.members_by("role")],
        "by_province": [(place(p), c) for p, c in await stats.members_by("province")],
        "by_language": [
            (LANGUAGE_NAMES.get(lang, lang), c) for lang, c in await stats.members_by("language")
        ],
        "asked": asked,
        "answered": answered,
        "waiting": await stats.questions_waiting(),
        "median": t.duration(delay) if delay is not None else "—",
        "posted": posted,
        "open_now": open_now,
        "applications": applications,
        "alerts": [(frequency_name(t, f), c) for f, c in await stats.alert_subscribers()],
        "broadcasts": broadcasts,
        "delivered": delivered,
    }
    return render(
        request,
        "overview.html",
        title=t.gettext(N_("Overview")),
        figures=figures,
        bars=bars(weeks, signups, t),
        chart_width=WIDTH,
        chart_height=HEIGHT,
        since=t.date(weeks[0], "long"),
    )
