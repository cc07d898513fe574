"""Reports on questions and answers, and the moderators' decision: hide it, or dismiss."""

from __future__ import annotations

from functools import partial

from bot.core.i18n import N_, Translator
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import clip, escape
from handlers.context import Ctx, current_member
from handlers.questions.notices import notify, staff_ids, staff_language
from handlers.questions.offers import PREFIX
from storage.models import Report


async def is_moderator(ctx: Ctx) -> bool:
    return await ctx.session.staff.has_role(
        ctx.user_id, "moderator"
    ) or await ctx.session.staff.has_role(ctx.user_id, "admin")


async def report_pressed(ctx: Ctx, target: str) -> None:
    member = await current_member(ctx)
    if member is None or not ctx.value.isdecimal():
        await ctx.answer(ctx._(N_("You have not signed up yet. Send /start to join.")), alert=True)
        return
    target_id = int(ctx.value)
    reported = (
        await ctx.session.questions.question(target_id)
        if target == "question"
        else await ctx.session.questions.answer(target_id)
    )
    if reported is None or reported.hidden:
        await ctx.answer(ctx._(N_("Thank you. This is no longer shown.")))
        return
    now = ctx.clock.now()
    report = await ctx.session.questions.add_report(member.id, target, target_id, now)
    for moderator in await staff_ids(ctx.session, "moderator"):
        await notify(
            ctx.session, ctx.translators, moderator, await staff_language(ctx.session, moderator),
            partial(report_message, report=report, text=reported.text), now,
            dedupe_key=f"report:{report.id}:{moderator}",
        )  # fmt: skip
    await ctx.answer(ctx._(N_("Thank you. The moderators will look at it.")), alert=True)


def report_message(t: Translator, report: Report, text: str) -> tuple[str, InlineKeyboard]:
    kind = t.gettext(N_("a question") if report.target == "question" else N_("an answer"))
    return (
        "⚠️ <b>" + t.gettext(N_("A member reported {kind}:")).format(kind=kind) + "</b>\n\n"
        + escape(clip(text, 1500)),
        InlineKeyboard.of(
            [[
                Button("🙈 " + t.gettext(N_("Hide it")), f"{PREFIX}:hide:{report.id}"),
                Button("👌 " + t.gettext(N_("Keep it")), f"{PREFIX}:keep:{report.id}"),
            ]]
        ),
    )  # fmt: skip


async def moderate(ctx: Ctx, hide: bool) -> None:
    if not await is_moderator(ctx):
        await ctx.answer(ctx._(N_("Only moderators can do this.")), alert=True)
        return
    report = await ctx.session.questions.report(int(ctx.value)) if ctx.value.isdecimal() else None
    if report is None or report.status != "open":
        await ctx.answer(ctx._(N_("Another moderator has already handled this report.")))
        await ctx.clear_buttons()
        return
    report.status = "hidden" if hide else "kept"
    report.resolved_by, report.resolved_at = ctx.user_id, ctx.clock.now()
    if hide:
        target = (
            await ctx.session.questions.question(report.target_id)
            if report.target == "question"
            else await ctx.session.questions.answer(report.target_id)
        )
        if target is not None:
            target.hidden = True
            if report.target == "question":
                question = await ctx.session.questions.question(report.target_id)
                if question is not None:
                    question.escalate_at = None
    await ctx.session.staff.audit(ctx.user_id, f"report-{report.status}", {"report": report.id})
    await ctx.answer(ctx._(N_("Hidden.")) if hide else ctx._(N_("Kept.")))
    await ctx.clear_buttons()
