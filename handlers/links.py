"""The optional link step of a flow; the rules for a web address are in ``web_address``."""

from __future__ import annotations

from bot.core.flow import Step
from handlers.context import Ctx
from handlers.invalid import Invalid
from handlers.web_address import NOT_A_WEB_ADDRESS, WEB_ADDRESS_MAX, parse_web_address

__all__ = ["NOT_A_WEB_ADDRESS", "WEB_ADDRESS_MAX", "link_step", "parse_web_address"]


def link_step(question: str, skip_label: str, hint: str, following: str) -> Step:
    """An optional web address: a valid one, or the button labelled ``skip_label``; then
    the flow goes on to ``following``."""
    skip = "skip"

    async def ask(ctx: Ctx) -> None:
        await ctx.reply(ctx._(question), ctx.keyboard([ctx.button(ctx._(skip_label), skip)]))

    async def receive(ctx: Ctx) -> None:
        try:
            ctx.data["link"] = parse_web_address(ctx.event.text)
        except Invalid as error:
            await ctx.reply(ctx._(error.message))
            return
        await ctx.goto(following)

    async def skipped(ctx: Ctx) -> None:
        if ctx.value != skip:
            await ctx.reprompt()
            return
        ctx.data["link"] = None
        await ctx.clear_buttons()
        await ctx.goto(following)

    return Step(ask, hint, on_text=receive, on_button=skipped, next=(following,))
