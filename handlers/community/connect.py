"""Connection requests: [Connect] on a card, an optional note, the request to the other
member in their language with [Accept] [Decline] [Block] [Report], and the answers.

On Accept both members receive each other's Telegram handle, each in their own language.
A Decline tells the sender politely, without a reason; a Block declines the request the
same way (the sender cannot tell a block from a decline) and keeps any further request
from the blocked member away. The ``cm:`` buttons of a request check, when pressed, that
the presser is the member the request is for.
"""

from __future__ import annotations

from functools import partial

from bot.core.i18n import N_, Translator
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clip, escape
from handlers.community.buttons import ACCEPT, BLOCK, DECLINE, REPORT
from handlers.community.cards import back_to_results, card
from handlers.community.rules import (
    ACCEPTED,
    DAILY_REQUESTS,
    DECLINED,
    EXPIRED,
    NOTE_MAX,
    PENDING,
    REQUEST_WINDOW,
    WITHDRAWN,
    Refusal,
    Refused,
    between,
    lapsed,
    may_connect,
    parse_note,
    requests_left,
)
from handlers.context import Ctx
from handlers.invalid import Invalid
from handlers.notices import notify_member
from handlers.profile.summary import telegram_contact
from storage.community import listed
from storage.models import ConnectionRequest, Member, Tag

SKIP, BACK = "skip", "back"


async def refusal(ctx: Ctx, sender: Member, other: Member | None) -> Refused | None:
    """The rules (handlers.community.rules) asked with what is stored right now."""
    if other is None:
        return Refused(Refusal.UNAVAILABLE)
    repo, now = ctx.session.community, ctx.clock.now()
    facts = between(
        sender.id,
        await repo.requests_between(sender.id, other.id),
        await repo.is_blocked(sender.id, other.id),
        await repo.is_blocked(other.id, sender.id),
        now,
    )
    sent = await repo.sent_since(sender.id, now - REQUEST_WINDOW)
    return may_connect(sender.id, other.id, listed(other), facts, sent, now)


def refusal_text(ctx: Ctx, refused: Refused) -> str:
    text = ctx._(refused.reason.message)
    if refused.until is None:
        return text
    until = refused.until.astimezone(ctx.timezone)
    return text.format(limit=DAILY_REQUESTS, time=ctx.t.moment(until), date=ctx.t.date(until))


async def connect_pressed(ctx: Ctx, other_id: int) -> None:
    """[Connect] on a card: checked now, so nobody writes a note for a request that cannot
    go; checked again when the request is sent."""
    sender = await ctx.member()
    if sender is None:
        ctx.end_flow()
        await ctx.answer(ctx._(N_("You have not signed up yet. Send /start to join.")), alert=True)
        return
    await ctx.answer()
    other = await ctx.session.members.by_id(other_id)
    refused = await refusal(ctx, sender, other)
    if refused is not None or other is None:
        await ctx.reply(refusal_text(ctx, refused or Refused(Refusal.UNAVAILABLE)))
        return
    ctx.data["to"] = other.id
    await ctx.goto("note")


async def ask_note(ctx: Ctx) -> None:
    other = await ctx.session.members.by_id(ctx.data.get("to", 0))
    name = escape(clip(other.full_name or "", 100)) if other else ""
    await ctx.reply(
        ctx._(N_("Add a short note for {name}: who you are and why you would like to connect (at most {limit} characters). Or press Skip.")).format(name=name, limit=NOTE_MAX),
        ctx.keyboard([ctx.button(ctx._(N_("Skip")), SKIP), ctx.button(ctx._(N_("Do not send")), BACK)]),
    )  # fmt: skip


async def note_typed(ctx: Ctx) -> None:
    try:
        note = parse_note(ctx.event.text)
    except Invalid as invalid:
        await ctx.reply(ctx._(invalid.message).format(**invalid.params))
        await ctx.reprompt()
        return
    await send_request(ctx, note)


async def note_pressed(ctx: Ctx) -> None:
    await ctx.clear_buttons()
    if ctx.value == SKIP:
        await send_request(ctx, None)
    elif ctx.value == BACK:
        back_to_results(ctx)
        await ctx.reply(ctx._(N_("Not sent. The cards above still work.")))
    else:
        await ctx.reprompt()


async def send_request(ctx: Ctx, note: str | None) -> None:
    sender = await ctx.member()
    other = await ctx.session.members.by_id(ctx.data.get("to", 0))
    if sender is None:
        ctx.end_flow()
        return
    refused = await refusal(ctx, sender, other)  # the limit counts when the request goes
    if refused is not None or other is None:
        back_to_results(ctx)
        await ctx.reply(refusal_text(ctx, refused or Refused(Refusal.UNAVAILABLE)))
        return
    now = ctx.clock.now()
    for waiting in await ctx.session.community.requests_between(sender.id, other.id):
        if waiting.sender_id == sender.id and lapsed(waiting, now):  # gives up its place
            ctx.session.community.decide(waiting, EXPIRED, now)
    request = await ctx.session.community.add_request(
        sender.id, other.id, note, now, DAILY_REQUESTS
    )
    if request is None:  # a request between them, or the day's last one, went meanwhile
        back_to_results(ctx)
        refused = await refusal(ctx, sender, other)
        await ctx.reply(refusal_text(ctx, refused or Refused(Refusal.PENDING)))
        return
    sender.username = ctx.event.user.username  # the handle shared on accept, as of now
    tags = await ctx.session.tags.all()
    await notify_member(
        ctx.session, ctx.translators, other.id,
        partial(request_message, request=request, sender_card=await _cards(ctx, sender, tags)),
        now, dedupe_key=f"connect:{request.id}",
    )  # fmt: skip
    back_to_results(ctx)
    sent = await ctx.session.community.sent_since(sender.id, now - REQUEST_WINDOW)
    await ctx.reply(
        "📨 " + ctx._(N_("Request sent to {name}. If they accept, you will both receive each other's Telegram contact here.")).format(name=escape(clip(other.full_name or "", 100)))
        + "\n" + ctx._(N_("Requests left for the next 24 hours: {count} of {limit}.")).format(count=ctx.t.number(requests_left(sent, now)), limit=ctx.t.number(DAILY_REQUESTS))
    )  # fmt: skip


async def _cards(ctx: Ctx, member: Member, tags: list[Tag]) -> dict[str, str]:
    """The member's card in each language, for a message rendered in the recipient's."""
    return {
        language: await card(ctx.session, ctx.translators.for_language(language), member, tags)
        for language in ("km", "en")
    }


def request_message(
    t: Translator, request: ConnectionRequest, sender_card: dict[str, str]
) -> tuple[str, InlineKeyboard]:
    lines = [
        "🤝 <b>" + t.gettext(N_("A member would like to connect with you:")) + "</b>",
        "",
        sender_card[t.language],
    ]
    if request.note:
        lines += ["", "💬 " + escape(request.note)]
    lines += [
        "",
        t.gettext(N_("If you accept, you will both receive each other's Telegram contact.")),
    ]
    return "\n".join(lines), InlineKeyboard.of(
        [
            [ACCEPT.button("✅ " + t.gettext(N_("Accept")), request.id),
             DECLINE.button(t.gettext(N_("Decline")), request.id)],
            [BLOCK.button("🚫 " + t.gettext(N_("Block")), request.id),
             REPORT.button("⚠️ " + t.gettext(N_("Report")), request.id)],
        ]
    )  # fmt: skip


# -- answering a request ---------------------------------------------------------------------
async def request_for_me(
    ctx: Ctx, request_id: int
) -> tuple[Member, ConnectionRequest, Member] | None:
    """The request pressed, its recipient (the presser) and its sender; None (and the
    presser told why) when the request is gone or is for somebody else."""
    me = await ctx.member()
    if me is None:
        await ctx.answer(ctx._(N_("You have not signed up yet. Send /start to join.")), alert=True)
        return None
    request = await ctx.session.community.request(request_id)
    sender = await ctx.session.members.by_id(request.sender_id) if request else None
    if request is None or sender is None or sender.deleted_at is not None:
        await ctx.answer(ctx._(N_("This request is no longer valid.")), alert=True)
        return None
    if request.recipient_id != me.id:
        await ctx.answer(
            ctx._(N_("Only the member this request is for can answer it.")), alert=True
        )
        return None
    return me, request, sender


async def accept(ctx: Ctx, request_id: int) -> None:
    found = await request_for_me(ctx, request_id)
    if found is None:
        return
    me, request, sender = found
    if request.status != PENDING:
        await _answered_already(ctx, request)
        return
    now = ctx.clock.now()
    ctx.session.community.decide(request, ACCEPTED, now)
    me.username = ctx.event.user.username
    await notify_member(
        ctx.session, ctx.translators, sender.id, partial(accepted_message, member=me), now,
        dedupe_key=f"connected:{request.id}",
    )  # fmt: skip
    await ctx.answer(ctx._(N_("Accepted.")))
    await ctx.clear_buttons()
    await ctx.reply(
        "🤝 "
        + ctx._(N_("You are now connected with {name}: {contact}")).format(
            name=escape(sender.full_name or ""), contact=telegram_contact(sender)
        )
    )


async def _answered_already(ctx: Ctx, request: ConnectionRequest) -> None:
    if request.status in (WITHDRAWN, EXPIRED):  # its sender blocked the presser, or asked anew
        await ctx.answer(ctx._(N_("This request is no longer valid.")))
    else:
        await ctx.answer(ctx._(N_("You have already answered.")))
    await ctx.clear_buttons()


def accepted_message(t: Translator, member: Member) -> tuple[str, None]:
    return (
        "🤝 "
        + t.gettext(N_("{name} accepted your request to connect: {contact}")).format(
            name=escape(member.full_name or ""), contact=telegram_contact(member)
        ),
        None,
    )


def declined_message(t: Translator, member: Member) -> tuple[str, None]:
    """The same words for a decline and a block: the sender is never told of a block."""
    return (
        t.gettext(
            N_("{name} cannot connect at the moment. Thank you for reaching out, and good luck!")
        ).format(name=escape(member.full_name or "")),
        None,
    )


async def _decline(ctx: Ctx, me: Member, request: ConnectionRequest) -> None:
    ctx.session.community.decide(request, DECLINED, ctx.clock.now())
    await notify_member(
        ctx.session, ctx.translators, request.sender_id, partial(declined_message, member=me),
        ctx.clock.now(), dedupe_key=f"connect-declined:{request.id}",
    )  # fmt: skip


async def decline(ctx: Ctx, request_id: int) -> None:
    found = await request_for_me(ctx, request_id)
    if found is None:
        return
    me, request, _sender = found
    if request.status != PENDING:
        await _answered_already(ctx, request)
        return
    await _decline(ctx, me, request)
    await ctx.answer(ctx._(N_("Declined. They are told politely, without a reason.")))
    await _leave_buttons(ctx, request, block=True)


async def block(ctx: Ctx, request_id: int) -> None:
    """Block the sender: their waiting requests are declined (they hear it as a decline),
    the blocker's own waiting request to them is withdrawn, and no request comes again."""
    found = await request_for_me(ctx, request_id)
    if found is None:
        return
    me, request, sender = found
    if request.status == ACCEPTED:
        await ctx.answer(ctx._(N_("You have already accepted this request.")))
        await ctx.clear_buttons()
        return
    repo = ctx.session.community
    await repo.block(me.id, sender.id, ctx.clock.now())
    for waiting in await repo.requests_between(me.id, sender.id):
        if waiting.status != PENDING:
            continue
        if waiting.sender_id == sender.id:
            await _decline(ctx, me, waiting)
        else:
            repo.decide(waiting, WITHDRAWN, ctx.clock.now())
    await ctx.answer(
        ctx._(N_("Blocked. They can no longer send you requests, and they are not told.")),
        alert=True,
    )
    await _leave_buttons(ctx, request, block=False)


async def _leave_buttons(ctx: Ctx, request: ConnectionRequest, block: bool) -> None:
    """After a decline the message keeps [Block] and [Report]; after a block, [Report]."""
    if ctx.event.message_id is None:
        return
    buttons = [BLOCK.button("🚫 " + ctx._(N_("Block")), request.id)] if block else []
    buttons.append(REPORT.button("⚠️ " + ctx._(N_("Report")), request.id))
    await ctx.messenger.edit_keyboard(
        ctx.event.chat_id, ctx.event.message_id, InlineKeyboard.of([buttons])
    )
