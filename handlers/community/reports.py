"""Reporting a profile to the moderators, from a card or from a request, and their decision.

The moderators (admins count as moderators) get the reported member's card and the
reporter's reason, never who reported, with [Hide from the directory] [Keep]. The first
decision counts: hiding switches the member's directory visibility off and closes every
open report about them, and the member cannot switch it on again until a moderator undoes
the hide from /reports (then the member is told, and chooses). The member is told of the
hide too, never who reported. Every decision is audited; the reporter is not told. The
decisions themselves are operations (handlers/community/operations.py), shared with the
web console.
"""

from __future__ import annotations

from functools import partial

from bot.core.flow import Flow, Step
from bot.core.i18n import N_, Translator
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clip, escape
from handlers.acting import NotAllowed
from handlers.community.buttons import HIDE, KEEP, UNDO_HIDE
from handlers.community.cards import back_to_results, card
from handlers.community.connect import request_for_me
from handlers.community.operations import decide_report, undo_hide
from handlers.community.rules import REASON_EMPTY, REASON_MAX, parse_note
from handlers.context import Ctx, acting, refuse
from handlers.invalid import Invalid
from handlers.limits import limits, may_report, refusal_text
from handlers.notices import notify_staff
from storage.community import listed
from storage.models import Member, ProfileReport

NO_REASON, CANCEL = "none", "cancel"


async def _may_report(ctx: Ctx, member_id: int) -> bool:
    """A signed-up member, about another member still there, not reported by them already."""
    me = await ctx.member()
    other = await ctx.session.members.by_id(member_id)
    if me is None:
        await ctx.answer(ctx._(N_("You have not signed up yet. Send /start to join.")), alert=True)
        return False
    if other is None or other.deleted_at is not None or other.id == me.id:
        await ctx.answer(ctx._(N_("This member is no longer available.")), alert=True)
        return False
    if await ctx.session.community.open_report(me.id, other.id) is not None:
        await ctx.answer(
            ctx._(N_("You have already reported this member; the moderators will look at it.")),
            alert=True,
        )
        return False
    refused = await daily_limit(ctx, me.id)
    if refused is not None:  # asked before the reason is typed, so none is typed in vain
        await ctx.answer(refused, alert=True)
        return False
    return True


async def daily_limit(ctx: Ctx, member_id: int) -> str | None:
    """The refusal when the member has filed their reports of the day (every report
    reaches every moderator: ``DCC_REPORTS_PER_DAY``, handlers/limits.py)."""
    now = ctx.clock.now()
    times = await ctx.session.community.reports_of_the_day(member_id, now)
    refused = may_report(times, limits(ctx.extras), now)
    if refused is None:
        return None
    return refusal_text(ctx, refused, ctx.timezone)


async def report_from_card(ctx: Ctx, member_id: int) -> None:
    other = await ctx.session.members.by_id(member_id)
    if other is None or not listed(other):  # a card shows only members in the directory
        await ctx.answer(ctx._(N_("This member is no longer available.")), alert=True)
        return
    if await _may_report(ctx, member_id):
        await ctx.answer()
        ctx.data["report"] = member_id
        await ctx.goto("reason")


async def report_from_request(ctx: Ctx, request_id: int) -> None:
    """[Report] on a request: only its recipient may report its sender from there."""
    found = await request_for_me(ctx, request_id)
    if found is None or not await _may_report(ctx, found[2].id):
        return
    await ctx.answer()
    await ctx.start_flow("community_report", "reason", {"report": found[2].id})


async def ask_reason(ctx: Ctx) -> None:
    other = await ctx.session.members.by_id(ctx.data.get("report", 0))
    name = escape(clip(other.full_name or "", 100)) if other else ""
    await ctx.reply(
        ctx._(N_("Why are you reporting {name}? Send a short reason (at most {limit} characters), or press «Send without a reason». The moderators are not told who reported.")).format(name=name, limit=REASON_MAX),
        ctx.keyboard([ctx.button(ctx._(N_("Send without a reason")), NO_REASON), ctx.button(ctx._(N_("Cancel")), CANCEL)]),
    )  # fmt: skip


async def reason_typed(ctx: Ctx) -> None:
    try:
        reason = parse_note(ctx.event.text, REASON_MAX, REASON_EMPTY)
    except Invalid as invalid:
        await ctx.reply(ctx._(invalid.message).format(**invalid.params))
        await ctx.reprompt()
        return
    await send_report(ctx, reason)


async def reason_pressed(ctx: Ctx) -> None:
    await ctx.clear_buttons()
    if ctx.value == NO_REASON:
        await send_report(ctx, "")
    elif ctx.value == CANCEL:
        back_to_results(ctx)
        await ctx.reply(ctx._(N_("Not reported.")))
    else:
        await ctx.reprompt()


async def send_report(ctx: Ctx, reason: str) -> None:
    me = await ctx.member()
    other = await ctx.session.members.by_id(ctx.data.get("report", 0))
    back_to_results(ctx)
    if me is None:
        return
    if other is None or other.deleted_at is not None:
        await ctx.reply(ctx._(N_("This member is no longer available.")))
        return
    if await ctx.session.community.open_report(me.id, other.id) is not None:
        await ctx.reply(
            ctx._(N_("You have already reported this member; the moderators will look at it."))
        )
        return
    refused = await daily_limit(ctx, me.id)
    if refused is not None:
        await ctx.reply(refused)
        return
    now = ctx.clock.now()
    report = await ctx.session.community.add_report_within(
        me.id, other.id, reason, now, limits(ctx.extras).reports_per_day
    )
    if report is None:  # reported meanwhile (the write's own condition)
        await ctx.reply(
            ctx._(N_("You have already reported this member; the moderators will look at it."))
        )
        return
    tags = await ctx.session.tags.all()
    cards = {
        language: await card(ctx.session, ctx.translators.for_language(language), other, tags)
        for language in ("km", "en")
    }
    await notify_staff(
        ctx.session, ctx.translators, "moderator",
        partial(report_message, report=report, cards=cards), now, f"member-report:{report.id}",
    )  # fmt: skip
    await ctx.reply(ctx._(N_("Thank you. The moderators will look at it.")))


def report_message(
    t: Translator, report: ProfileReport, cards: dict[str, str]
) -> tuple[str, InlineKeyboard]:
    reason = (
        t.gettext(N_("Reason: {reason}")).format(reason=escape(report.reason))
        if report.reason
        else t.gettext(N_("No reason given."))
    )
    return (
        "⚠️ <b>" + t.gettext(N_("A member reported this profile:")) + "</b>\n\n"
        + cards[t.language] + "\n\n" + reason,
        InlineKeyboard.of(
            [[
                HIDE.button("🙈 " + t.gettext(N_("Hide from the directory")), report.id),
                KEEP.button("👌 " + t.gettext(N_("Keep")), report.id),
            ]]
        ),
    )  # fmt: skip


async def moderate(ctx: Ctx, report_id: int, hide: bool) -> None:
    """[Hide from the directory] or [Keep] on a report (``operations.decide_report``)."""
    try:
        decided = await decide_report(acting(ctx), report_id, hide)
    except NotAllowed as refused:
        await refuse(ctx, refused.message)
        return
    if not decided:
        await ctx.answer(ctx._(N_("Another moderator has already handled this report.")))
    elif hide:
        await ctx.answer(ctx._(N_("Hidden from the directory.")))
    else:
        await ctx.answer(ctx._(N_("Kept.")))
    await ctx.clear_buttons()


def hidden_message(t: Translator, member: Member, member_card: str) -> tuple[str, InlineKeyboard]:
    """A member the moderators hid, as the console lists them, with [Undo the hide]."""
    return (
        "🙈 <b>" + t.gettext(N_("Hidden from the directory by the moderators:")) + "</b>\n\n"
        + member_card,
        InlineKeyboard.of(
            [[UNDO_HIDE.button("↩️ " + t.gettext(N_("Undo the hide")), member.id)]]
        ),
    )  # fmt: skip


async def lift_hide(ctx: Ctx, member_id: int) -> None:
    """[Undo the hide] on a hidden member (``operations.undo_hide``)."""
    try:
        undone = await undo_hide(acting(ctx), member_id)
    except NotAllowed as refused:
        await refuse(ctx, refused.message)
        return
    await ctx.clear_buttons()
    if not undone:
        await ctx.answer(ctx._(N_("This member is not hidden any more.")))
        return
    await ctx.answer(ctx._(N_("Hide undone: the member may show their profile again.")))


REASON_STEP = Step(
    ask_reason, REASON_EMPTY, on_text=reason_typed, on_button=reason_pressed, ends=True
)
report_flow = Flow("community_report", {"reason": REASON_STEP}, entry=("reason",))
