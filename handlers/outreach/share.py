"""The **Share** button under a job, an event, a competition or an item: Telegram's share
page (``https://t.me/share/url?url=…&text=…``, both URL-encoded) with the deep link that
opens the same card in the bot, and its title as the text.

The bot's username comes from ``DCC_BOT_USERNAME`` or, at start, from Telegram's getMe
(``bot.app``); until it is known there is no Share button (a link without it would not work).
"""

from __future__ import annotations

from urllib.parse import quote

from bot.core.i18n import N_
from bot.core.keyboards import Button
from bot.core.text import clip
from handlers.context import Ctx
from handlers.outreach.payload import PREFIXES, Target, start_link

EXTRAS_KEY = "bot_username"  # dispatcher.extras: the bot's username, without the @
SHARE_URL = "https://t.me/share/url?url={url}&text={text}"
TITLE_SHARED = 100  # characters of the title that go with the link


def share_url(bot_username: str, target: Target, number: int, title: str) -> str:
    link = start_link(bot_username, f"{PREFIXES[target]}_{number}")
    return SHARE_URL.format(
        url=quote(link, safe=""), text=quote(clip(title, TITLE_SHARED), safe="")
    )


def share_button(ctx: Ctx, target: Target, number: int, title: str) -> Button | None:
    """The Share button for the thing ``target`` number ``number``, or None while the bot's
    username is unknown."""
    username = ctx.extras.get(EXTRAS_KEY)
    if not username:
        return None
    return Button("📣 " + ctx._(N_("Share")), url=share_url(username, target, number, title))
