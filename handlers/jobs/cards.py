"""A job as members read it: in /jobs, in the preview before publishing."""

from __future__ import annotations

from datetime import date

from bot.core.i18n import N_, Translator
from bot.core.text import clip, clip_units, escape
from handlers.jobs.labels import job_location_name, job_type_name


def job_card(
    t: Translator,
    *,
    title: str,
    company: str,
    description: str,
    tag_names: str,
    location: str,
    job_type: str,
    deadline: date,
    apply_url: str | None,
) -> str:
    """HTML; member-typed values escaped; short enough for one message."""
    how = (
        t.gettext(N_("Apply: {link}")).format(link=escape(apply_url))
        if apply_url
        else t.gettext(N_("Apply here in the bot."))
    )
    return "\n".join(
        [
            f"💼 <b>{escape(clip(title, 120))}</b>",
            f"🏢 {escape(clip(company, 120))}",
            f"📍 {job_location_name(t, location)} · {job_type_name(t, job_type)}",
            "🏷 " + escape(tag_names),
            "⏳ " + t.gettext(N_("Apply by {date}")).format(date=t.date(deadline)),
            "",
            escape(clip_units(description, 2500)),
            "",
            how,
        ]
    )
