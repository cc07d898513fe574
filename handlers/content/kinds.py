"""The kinds of content, their names, and which command browses which."""

from __future__ import annotations

from bot.core.i18n import N_, Translator
from storage.seed.choices import CONTENT_KINDS

KINDS = CONTENT_KINDS
KIND_NAMES = {
    "announcement": N_("Announcement"),
    "news": N_("News"),
    "policy": N_("Policy"),
    "research": N_("Research"),
    "opportunity": N_("Opportunity"),
    "event": N_("Event"),
}
KIND_ICONS = {
    "announcement": "📢", "news": "📰", "policy": "📜", "research": "🔬",
    "opportunity": "🎓", "event": "🗓",
}  # fmt: skip
# The browsing commands: /news also shows announcements and research.
BROWSE = {
    "news": ("announcement", "news", "research"),
    "policies": ("policy",),
    "opportunities": ("opportunity",),
    "events": ("event",),
}


def kind_name(t: Translator, kind: str) -> str:
    return t.gettext(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def is_kind(value: str) -> bool:
    return value in KINDS
