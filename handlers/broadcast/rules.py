"""What a broadcast must be, checked alike by /broadcast's steps (as the administrator
types) and by the create operation (when it writes, whichever surface asked)."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.text import clean_text, telegram_length
from handlers.broadcast.message import TEXT_MAX
from handlers.invalid import Invalid
from storage.broadcasts import Audience
from storage.seed.choices import CATEGORIES, ROLES
from storage.seed.provinces import ABROAD, BY_SLUG
from storage.seed.tags import SLUGS

TEXT_LENGTH = N_("Please send 1 to {limit} characters.")
UNKNOWN_AUDIENCE = N_("Unknown audience: {value}.")
UNKNOWN_CATEGORY = N_("Unknown category: {value}. Choose one of: {choices}.")


def broadcast_text(text: str | None) -> str:
    """The text cleaned; ``Invalid`` when nothing is left or it is longer than TEXT_MAX as
    Telegram counts (the heading is added and the message still fits)."""
    value = clean_text(text or "")
    if not value or telegram_length(value) > TEXT_MAX:
        raise Invalid(TEXT_LENGTH, {"limit": TEXT_MAX})
    return value


def check_audience(audience: Audience) -> Audience:
    """Every role, province and skill of the audience is one we know."""
    chosen = [
        *(("role", r, r in ROLES) for r in audience.roles),
        *(("province", p, p in BY_SLUG or p == ABROAD) for p in audience.provinces),
        *(("tag", t, t in SLUGS) for t in audience.tags),
    ]
    for kind, slug, known in chosen:
        if not known:
            raise Invalid(UNKNOWN_AUDIENCE, {"value": f"{kind}:{slug}"})
    return audience


def check_category(category: str) -> str:
    """One of the categories a broadcast may have (``official`` always arrives)."""
    if category not in CATEGORIES:
        raise Invalid(UNKNOWN_CATEGORY, {"value": category, "choices": ", ".join(CATEGORIES)})
    return category
