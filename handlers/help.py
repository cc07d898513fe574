"""/help, /cancel, and what the bot says to anything it does not expect."""

from __future__ import annotations

from bot.core.dispatch import Router
from bot.core.i18n import N_
from bot.core.keyboards import RemoveKeyboard
from handlers.context import Ctx, menu_for

router = Router("help")


@router.command("help", N_("What this bot can do"))
async def show_help(ctx: Ctx) -> None:
    menu = await menu_for(ctx, ctx.language)
    lines = [ctx._(N_("<b>DCC Bot</b> connects the Digital Community of Cambodia. You can:")), ""]
    lines += [f"/{command} — {description}" for command, description in menu]
    lines += ["", ctx._(N_("Send /cancel at any time to leave what you are doing."))]
    await ctx.reply("\n".join(lines))
    await ctx.reprompt()


@router.command("cancel", N_("Leave what you are doing"))
async def cancel(ctx: Ctx) -> None:
    flow = ctx.conversation.flow
    if flow is None:
        await ctx.reply(ctx._(N_("There is nothing to cancel.")), RemoveKeyboard())
        return
    if flow == "signup":
        language = ctx.language
        await ctx.forget_user()
        ctx.use_language(language)
        await ctx.reply(
            ctx._(N_("Sign-up cancelled; nothing was kept. Send /start whenever you are ready.")),
            RemoveKeyboard(),
        )
        return
    ctx.end_flow()
    await ctx.reply(ctx._(N_("Cancelled. Send /help to see what you can do.")), RemoveKeyboard())


async def fallback(ctx: Ctx) -> None:
    """Text outside any flow: point to what the member can do."""
    if await ctx.member() is None:
        await ctx.reply(
            ctx._(N_("Welcome! Send /start to join the Digital Community of Cambodia."))
        )
    else:
        await ctx.reply(ctx._(N_("I did not understand that. Send /help to see what I can do.")))
