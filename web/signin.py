"""Signing in to the console: single-use links, and Telegram Login where a domain is set.

A link carries a random token valid ``LINK_LIFETIME``; only its hash is stored, and using it
is a conditional write (``storage.web_console``), so it lets in one browser once. The bot's
/admin → Web console, ``dcc-bot web login-link`` and the sandbox make their links with
``issue_link`` (``handlers.admin.operations.sign_in_link``: the bot may not import the web).

Telegram Login is checked as Telegram documents it (core.telegram.org/widgets/login,
"Checking authorization"): the data-check-string is every received field but ``hash``,
sorted by name, as ``key=value`` lines joined by a line feed; its HMAC-SHA-256 with the
SHA-256 of the bot's token as key must equal ``hash`` (hex), and ``auth_date`` must be at
most ``TELEGRAM_LOGIN_AGE`` old. No script of telegram.org is loaded: the sign-in page links
to Telegram's OAuth page, which sends the person back with those fields.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from handlers.acting import staff_role as strongest_role
from handlers.admin.operations import LINK_LIFETIME, NotStaff
from handlers.admin.operations import SIGN_IN_PATH as SIGNIN_PATH
from handlers.admin.operations import sign_in_link as issue_link
from storage.uow import UnitOfWork
from web.secrets import digest

TELEGRAM_LOGIN_AGE = timedelta(days=1)
TELEGRAM_RETURN_PATH = "/signin/telegram"
TELEGRAM_OAUTH = "https://oauth.telegram.org/auth"
TELEGRAM_FIELDS = ("id", "first_name", "last_name", "username", "photo_url", "auth_date")


async def staff_role(uow: UnitOfWork, telegram_id: int) -> str | None:
    """The person's strongest staff role now: "admin", "moderator" or None."""
    return await strongest_role(uow.staff, telegram_id)


def telegram_login_url(bot_token: str, base_url: str) -> str | None:
    """Telegram's OAuth page for this bot, returning to the console; None without an https
    address (Telegram Login needs the domain set with @BotFather's /setdomain)."""
    bot_id = bot_token.partition(":")[0]
    if not base_url.startswith("https://") or not bot_id.isdecimal():
        return None
    return f"{TELEGRAM_OAUTH}?" + urlencode(
        {
            "bot_id": bot_id,
            "origin": base_url,
            "request_access": "write",
            "return_to": base_url + TELEGRAM_RETURN_PATH,
        }
    )


def telegram_login_id(fields: Mapping[str, str], bot_token: str, now: datetime) -> int | None:
    """The Telegram id the login data proves, or None when it is forged, incomplete or over
    a day old."""
    given = fields.get("hash", "")
    data = {k: v for k, v in fields.items() if k != "hash"}
    if not bot_token or not given or "id" not in data or "auth_date" not in data:
        return None
    check = "\n".join(f"{key}={data[key]}" for key in sorted(data))
    secret = hashlib.sha256(bot_token.encode()).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.lower().encode(), expected.encode()):
        return None
    if not data["auth_date"].isdecimal() or not data["id"].isdecimal():
        return None
    signed = datetime.fromtimestamp(int(data["auth_date"]), UTC)
    if not now - TELEGRAM_LOGIN_AGE <= signed <= now + timedelta(minutes=5):
        return None
    return int(data["id"])


def telegram_login_key(fields: Mapping[str, str]) -> str:
    """What makes one Telegram Login single-use: the hash of its hash."""
    return digest("telegram:" + fields.get("hash", "").lower())


__all__ = [
    "LINK_LIFETIME", "SIGNIN_PATH", "NotStaff", "issue_link", "staff_role", "telegram_login_id",
    "telegram_login_key", "telegram_login_url",
]  # fmt: skip
