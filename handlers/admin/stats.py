"""/stats: the community in figures, in the admin's language, and a chart of the last 12
weeks sent as a photo; /export: every member as CSV."""

from __future__ import annotations

import io

from bot.core.i18n import N_
from bot.core.text import escape
from handlers.acting import NotAllowed
from handlers.admin.chart import weekly_chart
from handlers.admin.figures import first_moment, per_week, week_starts
from handlers.context import Ctx, acting, refuse
from handlers.profile.labels import role_name
from handlers.profile.operations import export_members
from storage.seed.provinces import BY_SLUG

SHOWN = 10  # provinces and skills listed
SOURCES_SHOWN = 5  # outreach links with the most sign-ups


async def figures_text(ctx: Ctx) -> str:
    s = ctx.session.stats
    n = ctx.t.number
    now = ctx.clock.now()
    names = {t.slug: t.name(ctx.language) for t in await ctx.session.tags.all()}

    def place(slug: str) -> str:
        return BY_SLUG[slug].name(ctx.language) if slug in BY_SLUG else ctx._(N_("Abroad"))

    roles = ", ".join(f"{role_name(ctx.t, r)} {n(c)}" for r, c in await s.members_by("role"))
    provinces = await s.members_by("province")
    places = ", ".join(f"{place(p)} {n(c)}" for p, c in provinces[:SHOWN])
    skills = ", ".join(f"{names.get(k, k)} {n(c)}" for k, c in await s.top_skills(SHOWN))
    asked, answered = await s.questions()
    delay = await s.median_first_answer()
    posted, open_now, applications = await s.jobs(now)
    broadcasts, delivered = await s.broadcast_reach()
    links = [(k.source, c) for k, c in await ctx.session.outreach.links() if c][:SOURCES_SHOWN]
    sources = ", ".join(f"{source} {n(c)}" for source, c in links)
    lines = [
        "📊 <b>" + ctx._(N_("DCC Bot in figures")) + "</b>",
        "",
        ctx._(N_("Members: {count}")).format(count=n(await s.members())),
        ctx._(N_("By role: {list}")).format(list=escape(roles) or "—"),
        ctx._(N_("By province: {list}")).format(list=escape(places) or "—"),
        ctx._(N_("Top skills: {list}")).format(list=escape(skills) or "—"),
        ctx._(N_("Sign-ups by link: {list}")).format(list=escape(sources) or "—"),
        "",
        ctx._(N_("Questions asked: {asked}, answered: {answered}")).format(
            asked=n(asked), answered=n(answered)
        ),
        ctx._(N_("Median time to the first answer: {duration}")).format(
            duration=ctx.t.duration(delay) if delay is not None else "—"
        ),
        "",
        ctx._(N_("Jobs posted: {posted} ({open} open now), applications: {applications}")).format(
            posted=n(posted), open=n(open_now), applications=n(applications)
        ),
        ctx._(N_("Broadcasts: {count}, messages delivered: {delivered}")).format(
            count=n(broadcasts), delivered=n(delivered)
        ),
    ]
    return "\n".join(lines)


async def chart_png(ctx: Ctx) -> bytes:
    tz = ctx.timezone
    weeks = week_starts(ctx.clock.now(), tz)
    since = first_moment(weeks, tz)
    signups = per_week(await ctx.session.stats.joined_since(since), weeks, tz)
    questions = per_week(await ctx.session.stats.asked_since(since), weeks, tz)
    return weekly_chart(weeks, signups, questions)


async def send_stats(ctx: Ctx) -> None:
    await ctx.reply(await figures_text(ctx))
    await ctx.messenger.send_photo(
        ctx.event.chat_id,
        await chart_png(ctx),
        ctx._(N_("Sign-ups and questions a week, the last 12 weeks.")),
    )


async def send_export(ctx: Ctx) -> None:
    out = io.StringIO()
    try:
        count = await export_members(acting(ctx), out)
    except NotAllowed as error:
        await refuse(ctx, error.message)
        return
    await ctx.messenger.send_document(
        ctx.event.chat_id,
        f"dcc-members-{ctx.clock.now().astimezone(ctx.timezone):%Y-%m-%d}.csv",
        out.getvalue().encode("utf-8-sig"),  # a BOM, so spreadsheets read Khmer right
        ctx.ngettext(
            "{count} member. Keep this file safe: it holds personal data. Edited, it imports "
            "back in the web console: Members, then Import CSV.",
            "{count} members. Keep this file safe: it holds personal data. Edited, it imports "
            "back in the web console: Members, then Import CSV.",
            count,
        ).format(count=ctx.t.number(count)),
    )
