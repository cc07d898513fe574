"""/admin → Web console (and /reports for moderators): a single-use sign-in link to the
web console, sent to the staff member who asks, in their language.

The link is made by ``handlers.admin.operations.console_link`` (the console and the command
line make theirs with the same function); the console's address is the operator's setting
(``DCC_WEB_URL``), which the composition root puts in ``ctx.extras``. A URL button is added
only for an https address: Telegram refuses buttons to addresses like 127.0.0.1.
"""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import escape
from handlers.acting import NotAllowed
from handlers.admin.buttons import WEB_CONSOLE
from handlers.admin.operations import console_link
from handlers.context import Ctx, acting, refuse

EXTRAS_KEY = "web_url"  # ctx.extras: the console's address (Settings.web_base_url)
DEFAULT_URL = "http://127.0.0.1:8090"  # DCC_WEB_LISTEN's default, for a bot built without it


def console_address(extras: dict[str, object]) -> str:
    found = extras.get(EXTRAS_KEY)
    return found if isinstance(found, str) and found else DEFAULT_URL


def console_button(ctx: Ctx) -> Button:
    return WEB_CONSOLE.button("🖥 " + ctx._(N_("Web console")))


async def send_link(ctx: Ctx) -> None:
    try:
        link = await console_link(acting(ctx), console_address(ctx.extras))
    except NotAllowed as error:
        await refuse(ctx, error.message)
        return
    await ctx.answer()
    text = (
        "🖥 <b>" + ctx._(N_("Web console")) + "</b>\n"
        + ctx._(N_("Your sign-in link: {link}")).format(link=escape(link)) + "\n\n"
        + ctx._(N_("It works once, within 10 minutes. Do not pass it on: it signs in as you."))
    )  # fmt: skip
    keyboard = (
        InlineKeyboard.of([[Button("🖥 " + ctx._(N_("Open the web console")), url=link)]])
        if link.startswith("https://")
        else None
    )
    await ctx.reply(text, keyboard)


async def offer_to_moderators(ctx: Ctx) -> None:
    """After /reports: the same lists at a desk."""
    await ctx.reply(
        ctx._(N_("At a desk? The reports and the hidden members are in the web console too.")),
        InlineKeyboard.of([[console_button(ctx)]]),
    )
