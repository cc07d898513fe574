"""Web addresses members type: a company's site, a job's page, a broadcast's link."""

from __future__ import annotations

from urllib.parse import urlsplit

import regex

from bot.core.flow import Step
from bot.core.i18n import N_
from bot.core.text import clean_line
from handlers.context import Ctx
from handlers.invalid import Invalid

WEB_ADDRESS_MAX = 300
NOT_A_WEB_ADDRESS = N_("Please send a web address like https://example.com/jobs.")


def parse_web_address(text: str) -> str:
    """A company's website or a job's application page, as Telegram accepts it in a button.

    "example.com/jobs" gets ``https://``; only http and https are taken, with a host that
    has a dot and no spaces anywhere (Telegram refuses the whole message over a bad link).
    """
    value = clean_line(text)
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise Invalid(NOT_A_WEB_ADDRESS) from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or " " in value
        or "@" in parts.netloc  # a user name before the host: a trick, not a job page
        or len(value) > WEB_ADDRESS_MAX
        or "." not in host.strip(".")
        or not regex.fullmatch(r"[\p{L}\p{M}\p{N}.\-]+", host)
    ):
        raise Invalid(NOT_A_WEB_ADDRESS)
    return value


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
