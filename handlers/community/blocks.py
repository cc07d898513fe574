"""The members someone blocked, and unblocking them: one message with a button each."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clip
from handlers.community.buttons import UNBLOCK
from handlers.context import Ctx
from storage.models import Member

SHOWN = 20  # the newest blocks; unblocking one brings the next into the list


def unblock_buttons(ctx: Ctx, blocked: list[Member]) -> InlineKeyboard:
    """Labels are plain text (never HTML); the data carries the member's number only."""
    return InlineKeyboard.of(
        [
            [UNBLOCK.button(ctx._(N_("Unblock {name}")).format(name=clip(m.full_name or "—", 40)),
                            m.id)]
            for m in blocked
        ]
    )  # fmt: skip


async def show_blocked(ctx: Ctx) -> None:
    """From the first question of /community; the question stays where it is."""
    me = await ctx.member()
    blocked = await ctx.session.community.blocked_by(me.id, SHOWN) if me else []
    if not blocked:
        await ctx.answer(ctx._(N_("You have not blocked anyone.")))
        return
    await ctx.answer()
    await ctx.reply(
        "🚫 " + ctx._(N_("Members you blocked cannot send you requests. Tap one to unblock them:")),
        unblock_buttons(ctx, blocked),
    )


async def unblock(ctx: Ctx, member_id: int) -> None:
    """The block looked up is the presser's own, so a button from someone else's list can
    only ever unblock someone the presser blocked."""
    me = await ctx.member()
    if me is None:
        await ctx.answer(ctx._(N_("You have not signed up yet. Send /start to join.")), alert=True)
        return
    other = await ctx.session.members.by_id(member_id)
    if other is None or not await ctx.session.community.unblock(me.id, other.id):
        await ctx.answer(ctx._(N_("This member is not blocked.")))
        return
    await ctx.answer(ctx._(N_("Unblocked. They can send you requests again.")))
    if ctx.event.message_id is not None:
        remaining = await ctx.session.community.blocked_by(me.id, SHOWN)
        await ctx.messenger.edit_keyboard(
            ctx.event.chat_id, ctx.event.message_id, unblock_buttons(ctx, remaining)
        )
