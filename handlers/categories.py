"""The categories of broadcasts and posts, in words: an administrator picks one for a
broadcast; a member switches off those they do not want (/subscriptions). The official
announcements of the ministry always arrive."""

from __future__ import annotations

from bot.core.i18n import N_, Translator
from storage.seed.choices import CATEGORIES, OFFICIAL, OPTIONAL_CATEGORIES

__all__ = ["CATEGORIES", "CATEGORY_NAMES", "OFFICIAL", "OPTIONAL_CATEGORIES", "category_name"]

CATEGORY_NAMES = {
    "official": N_("Official announcements"),
    "events": N_("Events"),
    "opportunities": N_("Opportunities"),
    "competitions": N_("Competitions"),
    "news": N_("Community news"),
}
CATEGORY_ICONS = {
    "official": "🏛", "events": "🗓", "opportunities": "🎓", "competitions": "🏆", "news": "📰",
}  # fmt: skip


def category_name(t: Translator, category: str) -> str:
    return t.gettext(CATEGORY_NAMES[category]) if category in CATEGORY_NAMES else category
