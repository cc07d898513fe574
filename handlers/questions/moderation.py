"""Reports on questions and answers, and the moderators' decision: hide it, or dismiss."""

from __future__ import annotations

from functools import partial

from bot.core.i18n import N_, Translator
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import clip, escape
from handlers.context import Ctx, about_themselves, is_moderator
from handlers.limits import limits, may_report, refusal_text
from handlers.notices import notify_staff
from handlers.questions.offers import PREFIX, close_question
from handlers.text_search.tokens import search_tokens
from storage.models import Answer, Question, Report


async def _reported(ctx: Ctx, target: str, target_id: int) -> Question | Answer | None:
    if target == "question":
        return await ctx.session.questions.question(target_id)
    return await ctx.session.questions.answer(target_id)


async def report_pressed(ctx: Ctx, target: str) -> None:
    member = await ctx.member()
    if member is None or not ctx.value_id:
        await ctx.answer(ctx._(N_("You have not signed up yet. Send /start to join.")), alert=True)
        return
    target_id = ctx.value_id
    reported = await _reported(ctx, target, target_id)
    if reported is None or reported.hidden:
        await ctx.answer(ctx._(N_("Thank you. This is no longer shown.")))
        return
    if await ctx.session.questions.open_report(member.id, target, target_id) is not None:
        await ctx.answer(
            ctx._(N_("You have already reported this; the moderators will look at it."))
        )
        return
    now = ctx.clock.now()
    refused = may_report(
        await ctx.session.questions.reports_of_the_day(member.id, now), limits(ctx.extras), now
    )
    if refused is not None:  # each report reaches every moderator
        await ctx.answer(refusal_text(ctx, refused, ctx.timezone), alert=True)
        return
    report = await ctx.session.questions.add_report_within(
        member.id, target, target_id, now, limits(ctx.extras).reports_per_day
    )
    if report is None:  # reported meanwhile (the write's own condition)
        await ctx.answer(
            ctx._(N_("You have already reported this; the moderators will look at it."))
        )
        return
    await notify_staff(
        ctx.session, ctx.translators, "moderator",
        partial(report_message, report=report, text=reported.text), now, f"report:{report.id}",
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


async def hide(ctx: Ctx, target: Question | Answer | None) -> None:
    """Hidden from everyone: a question is closed (its pending offers withdrawn); an answer's
    words no longer lead /search to its question."""
    if target is None:
        return
    target.hidden = True
    if isinstance(target, Question):
        await close_question(ctx.session, target, ctx.clock.now())
        return
    question = await ctx.session.questions.question(target.question_id)
    if question is not None:
        visible = [a.text for a in await ctx.session.questions.answers_to(question.id)]
        question.search_tokens = search_tokens(question.text, *visible)


async def moderate(ctx: Ctx, hide_it: bool) -> None:
    if not await is_moderator(ctx):
        return
    report = await ctx.session.questions.report(ctx.value_id)
    if report is None or report.status != "open":
        await ctx.answer(ctx._(N_("Another moderator has already handled this report.")))
        await ctx.clear_buttons()
        return
    reported = await _reported(ctx, report.target, report.target_id)
    author = (
        reported.asker_id
        if isinstance(reported, Question)
        else getattr(reported, "expert_id", None)
    )
    if await about_themselves(ctx, author):
        return
    if not await ctx.session.transition(  # the first decision counts, across processes too
        report, "open", "hidden" if hide_it else "kept",
        resolved_by=ctx.user_id, resolved_at=ctx.clock.now(),
    ):  # fmt: skip
        await ctx.answer(ctx._(N_("Another moderator has already handled this report.")))
        await ctx.clear_buttons()
        return
    if hide_it:
        await hide(ctx, reported)
    await ctx.session.staff.audit(ctx.user_id, f"report-{report.status}", {"report": report.id})
    await ctx.answer(ctx._(N_("Hidden.")) if hide_it else ctx._(N_("Kept.")))
    await ctx.clear_buttons()
