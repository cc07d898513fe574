"""/admin: what waits for an administrator's decision (companies, expert applications).

Admins only: the command and every decision button check the staff table themselves.
"""

from __future__ import annotations

from bot.core.dispatch import Router
from bot.core.i18n import N_
from handlers.context import Ctx, is_admin
from handlers.jobs.companies import company_request
from handlers.questions.experts import application_message

router = Router("admin")
SHOWN = 10


@router.command("admin", N_("Administration (admins only)"))
async def admin(ctx: Ctx) -> None:
    if not await is_admin(ctx):
        return
    companies = await ctx.session.jobs.pending_companies()
    applications = await ctx.session.questions.pending_applications()
    if not companies and not applications:
        await ctx.reply(ctx._(N_("Nothing waits for a decision.")))
        return
    await ctx.reply(
        "<b>"
        + ctx._(
            N_(
                "Waiting for a decision: {companies} company(ies), {applications} expert application(s)."
            )
        ).format(
            companies=ctx.t.number(len(companies)), applications=ctx.t.number(len(applications))
        )
        + "</b>"
    )
    for company in companies[:SHOWN]:
        await ctx.reply(*company_request(ctx.t, company))
    tags = await ctx.session.tags.all()
    for application in applications[:SHOWN]:
        member = await ctx.session.members.by_id(application.member_id)
        if member is not None:
            slugs = [s for s in application.tags.split(",") if s]
            await ctx.reply(*application_message(ctx.t, application, member, tags, slugs))
