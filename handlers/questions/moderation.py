"""Reports on questions and answers, and the moderators' decision: hide it, or dismiss."""

from __future__ import annotations

from functools import partial

from bot.core.i18n import N_, Translator
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clip, escape
from handlers.acting import NotAllowed
from handlers.context import Ctx, acting, refuse
from handlers.invalid import Invalid
from handlers.limits import limits, may_report, refusal_text
from handlers.notices import notify_staff
from handlers.questions.buttons import HIDE, KEEP
from handlers.questions.operations import decide_report
from handlers.questions.operations import reported as reported_item
from storage.models import Report


async def report_question(ctx: Ctx, question_id: int) -> None:
    await report_pressed(ctx, "question", question_id)


async def report_answer(ctx: Ctx, answer_id: int) -> None:
    await report_pressed(ctx, "answer", answer_id)


async def report_pressed(ctx: Ctx, target: str, target_id: int) -> None:
    member = await ctx.member()
    if member is None:
        await ctx.answer(ctx._(N_("You have not signed up yet. Send /start to join.")), alert=True)
        return
    reported = await reported_item(ctx.session, target, target_id)
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
                HIDE.button("🙈 " + t.gettext(N_("Hide it")), report.id),
                KEEP.button("👌 " + t.gettext(N_("Keep it")), report.id),
            ]]
        ),
    )  # fmt: skip


async def moderate(ctx: Ctx, report_id: int, hide_it: bool) -> None:
    """[Hide it] / [Keep it] on a report (``operations.decide_report``)."""
    try:
        await decide_report(acting(ctx), report_id, hide_it)
    except NotAllowed as error:  # not a moderator, or the report is about them
        await refuse(ctx, error.message)
        return
    except Invalid as error:  # another moderator was first
        await ctx.answer(ctx._(error.message))
        await ctx.clear_buttons()
        return
    await ctx.answer(ctx._(N_("Hidden.")) if hide_it else ctx._(N_("Kept.")))
    await ctx.clear_buttons()


async def hide_pressed(ctx: Ctx, report_id: int) -> None:
    await moderate(ctx, report_id, hide_it=True)


async def keep_pressed(ctx: Ctx, report_id: int) -> None:
    await moderate(ctx, report_id, hide_it=False)
