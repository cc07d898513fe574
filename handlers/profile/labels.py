"""Names shown for role and alert-frequency slugs, and the language names."""

from __future__ import annotations

from bot.core.i18n import N_, Translator
from storage.seed.provinces import ABROAD, BY_SLUG

ROLE_NAMES = {
    "civil-servant": N_("Civil servant"),
    "private-sector": N_("Private-sector employee"),
    "student": N_("Student"),
    "academic": N_("Academic / researcher"),
    "freelancer": N_("Freelancer / self-employed"),
    "other": N_("Other"),
}

FREQUENCY_NAMES = {
    "instant": N_("As they come"),
    "daily": N_("Daily digest"),
    "weekly": N_("Weekly digest"),
    "off": N_("No alerts"),
}

LANGUAGE_NAMES = {"km": "ខ្មែរ", "en": "English"}


def role_name(t: Translator, slug: str | None) -> str:
    return t.gettext(ROLE_NAMES[slug]) if slug in ROLE_NAMES else "—"


def frequency_name(t: Translator, slug: str | None) -> str:
    return t.gettext(FREQUENCY_NAMES[slug]) if slug in FREQUENCY_NAMES else "—"


def location_name(t: Translator, province: str | None, country: str | None) -> str:
    if province == ABROAD:
        return t.gettext(N_("Abroad: {country}")).format(country=country or "—")
    if province in BY_SLUG:
        return BY_SLUG[province].name(t.language)
    return "—"


def yes_no(t: Translator, value: bool) -> str:
    return t.gettext(N_("Yes")) if value else t.gettext(N_("No"))
