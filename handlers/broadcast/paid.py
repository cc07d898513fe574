"""Paid (fast) broadcasts: what one costs in Telegram Stars and how long it takes, shown to
the administrator before it is sent (/broadcast, ``dcc-bot broadcast create --paid``, the
web console), all three from ``estimate``.

Telegram's terms, in the Bot API's ``allow_paid_broadcast`` parameter (sendMessage,
sendPhoto, sendDocument…): "Pass True to allow up to 1000 messages per second, ignoring
broadcasting limits for a fee of 0.1 Telegram Stars per message. The relevant Stars will be
withdrawn from the bot's balance." (``STARS_PER_MESSAGE``.) Only the messages above the free
limit (about 30 a second, the Bot FAQ's broadcasting limit) are billed: the Stars
transaction of a paid broadcast counts "the number of successful requests that exceeded
regular limits and were therefore billed" (TransactionPartnerTelegramApi.request_count). The
estimate charges every message all the same, so it is a ceiling: which messages go free
depends on what else the bot sends in the same second (notices keep their place ahead of a
broadcast), and at 1,000 a second the free 30 are 3% of them; an estimate a little high is
the safe side of a budget. Telegram enables paid broadcasts only for bots that meet the
Bot FAQ's conditions (a Stars balance and a number of monthly active users).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.config import DEFAULT_PAID_SEND_RATE, DEFAULT_SEND_RATE
from bot.core.html import split_caption, split_message
from bot.core.i18n import N_, Translations, Translator
from handlers.broadcast.message import broadcast_message

STARS_PER_MESSAGE = Decimal("0.1")  # Bot API, allow_paid_broadcast (see above)
EXTRAS_KEY = "broadcast_rates"  # ctx.extras: the Rates (the composition root sets them)
ESTIMATE = N_("Paid (fast): about {stars} Stars, about {paid} instead of {free}")


@dataclass(frozen=True)
class Rates:
    """Messages a second: ``free`` is DCC_SEND_RATE, ``paid`` DCC_PAID_SEND_RATE."""

    free: float = DEFAULT_SEND_RATE
    paid: float = DEFAULT_PAID_SEND_RATE


def rates(extras: Mapping[str, object]) -> Rates:
    found = extras.get(EXTRAS_KEY)
    return found if isinstance(found, Rates) else Rates()


@dataclass(frozen=True)
class PaidEstimate:
    """A broadcast sent paid: its messages, their cost (a ceiling, see the module), and the
    seconds it takes at the paid rate and would take free."""

    recipients: int
    messages: int
    stars: Decimal
    seconds: float
    free_seconds: float


def estimate(recipients: Mapping[str, int], parts: Mapping[str, int], rates: Rates) -> PaidEstimate:
    """``recipients``: who gets it, by language (``count_by_language``); ``parts``: the
    messages each of them gets in that language (``parts_by_language``: a poster with a text
    too long for its caption is 2 or more)."""
    messages = sum(count * parts.get(language, 1) for language, count in recipients.items())
    return PaidEstimate(
        recipients=sum(recipients.values()),
        messages=messages,
        stars=messages * STARS_PER_MESSAGE,
        seconds=messages / rates.paid,
        free_seconds=messages / rates.free,
    )


def parts_by_language(translations: Translations, km: str, en: str, poster: bool) -> dict[str, int]:
    """How many messages a recipient reading each language gets: the broadcast's message,
    split as its delivery splits it (with a poster, the caption and the messages the rest of
    a text too long for a caption takes)."""
    found = {}
    for language, text in (("km", km), ("en", en)):
        t = translations.for_language(language)
        message, _keyboard = broadcast_message(t, text, None)
        found[language] = len(split_caption(message, t) if poster else split_message(message, t))
    return found


def estimate_text(t: Translator, found: PaidEstimate) -> str:
    """The estimate in words: "Paid (fast): about 12,400 Stars, about 2 minutes instead of
    1 hour 23 minutes"."""
    return t.gettext(ESTIMATE).format(
        stars=t.number(float(found.stars)),
        paid=t.span(found.seconds),
        free=t.span(found.free_seconds),
    )
