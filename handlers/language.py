"""/language: switch between Khmer and English at any time, even in the middle of a flow."""

from __future__ import annotations

from bot.core.dispatch import Router
from bot.core.i18n import N_
from bot.core.keyboards import Button, InlineKeyboard
from handlers.context import Ctx, menu_for
from handlers.profile.labels import LANGUAGE_NAMES

router = Router("language")

PREFIX = "lang"


@router.command("language", N_("Language / ភាសា"))
async def choose_language(ctx: Ctx) -> None:
    buttons = [Button(name, f"{PREFIX}:{code}") for code, name in LANGUAGE_NAMES.items()]
    await ctx.reply(ctx._(N_("Which language do you prefer?")), InlineKeyboard.columns(buttons, 2))


@router.callback(PREFIX)
async def set_language(ctx: Ctx) -> None:
    if ctx.value not in LANGUAGE_NAMES:
        await ctx.answer()
        return
    member = await ctx.member()
    if member is not None:
        member.language = ctx.value
    else:
        ctx.conversation.language = ctx.value
    ctx.use_language(ctx.value)
    await ctx.answer()
    await ctx.clear_buttons()
    await ctx.reply(ctx._(N_("From now on I will write to you in English.")))
    await ctx.messenger.set_commands(await menu_for(ctx, ctx.value), chat_id=ctx.event.chat_id)
    await ctx.reprompt()
