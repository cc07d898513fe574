"""Slugs of the fixed choices a member makes; part of the interface (CLI, CSV, audiences)."""

from __future__ import annotations

ROLES = ("civil-servant", "private-sector", "student", "academic", "freelancer", "other")
ALERT_FREQUENCIES = ("instant", "daily", "weekly", "off")
LANGUAGES = ("km", "en")
CONTENT_KINDS = ("announcement", "news", "policy", "research", "opportunity", "event")
