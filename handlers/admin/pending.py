"""What waits for an administrator's decision: companies and expert applications, each with
its own [Approve] [Reject] buttons (which check the presser themselves), and open reports."""

from __future__ import annotations

from bot.core.i18n import N_
from handlers.community.cards import card
from handlers.community.reports import hidden_message
from handlers.community.reports import report_message as profile_report_message
from handlers.context import Ctx
from handlers.jobs.companies import company_request
from handlers.questions.experts import application_message
from handlers.questions.moderation import report_message
from storage.models import Answer, Question

SHOWN = 10


async def counts(ctx: Ctx) -> tuple[int, int, int]:
    """Companies, expert applications and reports (on questions, answers, profiles) waiting."""
    return (
        len(await ctx.session.jobs.pending_companies()),
        len(await ctx.session.questions.pending_applications()),
        len(await ctx.session.questions.open_reports(limit=1000))
        + len(await ctx.session.community.open_reports(limit=1000)),
    )


async def show_pending(ctx: Ctx) -> None:
    companies = await ctx.session.jobs.pending_companies()
    applications = await ctx.session.questions.pending_applications()
    if not companies and not applications:
        await ctx.reply(ctx._(N_("Nothing waits for a decision.")))
        return
    await ctx.reply(
        "<b>"
        + ctx._(N_("Waiting for a decision: {companies}, {applications}.")).format(
            companies=ctx.ngettext("{count} company", "{count} companies", len(companies)).format(
                count=ctx.t.number(len(companies))
            ),
            applications=ctx.ngettext(
                "{count} expert application", "{count} expert applications", len(applications)
            ).format(count=ctx.t.number(len(applications))),
        )
        + "</b>"
    )
    for company in companies[:SHOWN]:
        requester = await ctx.session.members.by_id(company.created_by)
        await ctx.reply(*company_request(ctx.t, company, requester))
    tags = await ctx.session.tags.all()
    for application in applications[:SHOWN]:
        member = await ctx.session.members.by_id(application.member_id)
        if member is not None:  # an erased member's application is withdrawn, not listed
            slugs = [s for s in application.tags.split(",") if s]
            await ctx.reply(*application_message(ctx.t, application, member, tags, slugs))


async def show_reports(ctx: Ctx) -> None:
    """Open reports on questions, answers and profiles, with the moderators' buttons; then
    the members hidden from the directory, each with [Undo the hide]."""
    reports = await ctx.session.questions.open_reports(limit=SHOWN)
    profiles = await ctx.session.community.open_reports(limit=SHOWN)
    tags = await ctx.session.tags.all()
    if not reports and not profiles:
        await ctx.reply(ctx._(N_("No report waits for a decision.")))
    for profile_report in profiles:
        member = await ctx.session.members.by_id(profile_report.member_id)
        if member is not None and member.deleted_at is None:
            cards = {ctx.language: await card(ctx.session, ctx.t, member, tags)}
            await ctx.reply(*profile_report_message(ctx.t, profile_report, cards))
    for report in reports:
        target: Question | Answer | None = (
            await ctx.session.questions.question(report.target_id)
            if report.target == "question"
            else await ctx.session.questions.answer(report.target_id)
        )
        if target is not None:
            await ctx.reply(*report_message(ctx.t, report, target.text))
    for member in await ctx.session.community.hidden_members(limit=SHOWN):
        member_card = await card(ctx.session, ctx.t, member, tags)
        await ctx.reply(*hidden_message(ctx.t, member, member_card))
