"""The day after /deleteme: the same person signs up again only 24 hours after erasing.

Why: every abuse limit (handlers.limits: questions waiting and a day, reports a day, one
expert application and one company waiting) counts the rows of the member's row id. An
erased member's row keeps its id but loses its Telegram id, so signing up again with the
same Telegram account made a new row with empty counters: about sixteen taps reset every
limit and sent the administrators another expert application each time.

How, without keeping who they were: the erased row keeps, for a day, a keyed hash of the
Telegram id (``members.erased_key``: HMAC-SHA256 of the id, never the id), which is enough
to recognise the same account signing up again and useless for anything else. The key is
derived from the bot's token (``TELEGRAM_BOT_TOKEN``), which only the operators hold: a
Telegram id has about ten digits, so a hash anyone could compute would be the id itself,
tried one by one. A new token gives a new key, and the erasures before it are then not
recognised (for at most that day). The sandbox runs with its emulator's fixed token, and a
dispatcher given no key uses ``FIXED_KEY``: a fixed, known key, for data that is not real.

The rule is checked when sign-up begins (/start: nobody answers ten questions only to be
refused) and again at Confirm, by the member's INSERT itself (``INSERT … WHERE NOT EXISTS``
an erasure with that hash in the last 24 hours), so it holds across processes. The daily
retention job (scheduler.retention) clears the hashes of erasures older than 24 hours, so
one is kept at most two days. The CSV import is the staff's own act and is not held back.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from bot.core.i18n import N_
from handlers.context import Ctx

COOLDOWN = timedelta(hours=24)
FIXED_KEY = b"dcc-bot: no token, no real members"
EXTRAS_KEY = "erasure_key"  # ctx.extras' entry, set by the composition root

ERASED_RECENTLY = N_(
    "You erased your data on {erased}. To keep the community safe from abuse, you can sign up again from {time}."
)


def erasure_key(token: str) -> bytes:
    """The hashing key, derived from the bot's token (``FIXED_KEY`` without one)."""
    if not token:
        return FIXED_KEY
    return hmac.new(b"dcc-bot erased members", token.encode(), hashlib.sha256).digest()


def erased_key(key: bytes, telegram_id: int) -> str:
    """What an erased row keeps of the Telegram id: its HMAC-SHA256, 64 hex digits."""
    return hmac.new(key, str(telegram_id).encode(), hashlib.sha256).hexdigest()


def own_erased_key(ctx: Ctx) -> str:
    """The hash of the user's own Telegram id, with the bot's key."""
    key = ctx.extras.get(EXTRAS_KEY)
    return erased_key(key if isinstance(key, bytes) else FIXED_KEY, ctx.user_id)


async def refused_after_erasure(ctx: Ctx) -> bool:
    """True (and the user is told when they erased their data, and from when they can sign
    up again) when this Telegram account erased its data less than 24 hours ago."""
    now = ctx.clock.now()
    erased = await ctx.session.members.erased_at(own_erased_key(ctx), now - COOLDOWN)
    if erased is None:
        return False
    await ctx.reply(
        ctx._(ERASED_RECENTLY).format(
            erased=local_moment(ctx, erased), time=local_moment(ctx, erased + COOLDOWN)
        )
    )
    return True


def local_moment(ctx: Ctx, moment: datetime) -> str:
    """A date and time in the community's time zone, in the user's language."""
    return ctx.t.moment(moment.astimezone(ctx.timezone))
