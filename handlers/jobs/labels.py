"""Names shown for job slugs (types, locations), in one place for the UI and the alerts."""

from __future__ import annotations

from bot.core.i18n import N_, Translator
from handlers.jobs.rules import ABROAD, REMOTE
from storage.seed.provinces import BY_SLUG

JOB_TYPE_NAMES = {
    "full-time": N_("Full-time"),
    "part-time": N_("Part-time"),
    "internship": N_("Internship"),
    "contract": N_("Contract"),
}

LOCATION_NAMES = {REMOTE: N_("Remote"), ABROAD: N_("Abroad")}


def job_type_name(t: Translator, slug: str) -> str:
    return t.gettext(JOB_TYPE_NAMES[slug]) if slug in JOB_TYPE_NAMES else slug


def job_location_name(t: Translator, location: str) -> str:
    """A province in the member's language, or "Remote" / "Abroad" translated."""
    if location in LOCATION_NAMES:
        return t.gettext(LOCATION_NAMES[location])
    province = BY_SLUG.get(location)
    return province.name(t.language) if province else location
