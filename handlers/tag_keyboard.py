"""The toggle keyboard over the tag taxonomy (skills, question topics, expert tags)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.core.keyboards import InlineKeyboard
from handlers.context import Ctx

DONE = "done"


async def tag_keyboard(
    ctx: Ctx, chosen: Collection[str], done_label: str, first: Sequence[str] = ()
) -> InlineKeyboard:
    """Every tag as a button of the current step (✅ when chosen), then the done button. The
    tags in ``first`` (suggestions, best first) come first, the others in taxonomy order."""
    tags = await ctx.session.tags.all()
    if first:
        rank = {slug: i for i, slug in enumerate(first)}
        tags.sort(key=lambda t: rank.get(t.slug, len(rank)))  # stable: the rest keep order
    buttons = [
        ctx.button(("✅ " if t.slug in chosen else "") + t.name(ctx.language), t.slug) for t in tags
    ]
    return InlineKeyboard.of([*ctx.keyboard(buttons, 2).rows, (ctx.button(done_label, DONE),)])


async def toggle(ctx: Ctx, chosen: list[str], done_label: str, first: Sequence[str] = ()) -> None:
    """Add or remove the pressed tag and redraw the keyboard in place (same order)."""
    if ctx.value in chosen:
        chosen.remove(ctx.value)
    else:
        chosen.append(ctx.value)
    await ctx.answer()
    if ctx.event.message_id is not None:
        await ctx.messenger.edit_keyboard(
            ctx.event.chat_id,
            ctx.event.message_id,
            await tag_keyboard(ctx, chosen, done_label, first),
        )
