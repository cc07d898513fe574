"""Slugs of the fixed choices a member makes; part of the interface (CLI, CSV, audiences)."""

from __future__ import annotations

ROLES = ("civil-servant", "private-sector", "student", "academic", "freelancer", "other")
ALERT_FREQUENCIES = ("instant", "daily", "weekly", "off")
LANGUAGES = ("km", "en")
CONTENT_KINDS = ("announcement", "news", "policy", "research", "opportunity", "event")
# What a broadcast or a published item is about. A member may switch off every category but
# the first (/subscriptions): the ministry's official announcements always arrive.
CATEGORIES = ("official", "events", "opportunities", "competitions", "news")
OFFICIAL = "official"
OPTIONAL_CATEGORIES = CATEGORIES[1:]
# The category each kind of published item belongs to.
KIND_CATEGORY = {
    "announcement": OFFICIAL, "policy": OFFICIAL, "news": "news", "research": "news",
    "opportunity": "opportunities", "event": "events",
}  # fmt: skip
