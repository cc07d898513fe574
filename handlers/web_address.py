"""Web addresses people type: a company's site, a job's page, a broadcast's or an item's
link. Plain rules, no context: operations check a link with them as the chat's steps do."""

from __future__ import annotations

from urllib.parse import urlsplit

import regex

from bot.core.i18n import N_
from bot.core.text import clean_line
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
