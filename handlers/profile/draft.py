"""Between the draft a flow edits (plain JSON in the conversation) and the stored member."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.models import Member


def draft_of(member: Member, skills: list[str]) -> dict[str, Any]:
    return {
        "name": member.full_name,
        "role": member.role,
        "org": member.organisation,
        "province": member.province,
        "country": member.country,
        "skills": list(skills),
        "years": member.years_experience,
        "open": member.open_to_work,
        "freq": member.alert_frequency,
        "area": member.jobs_in_province_only,
        "visible": member.directory_visible,
        "phone": member.phone,
    }


def apply_draft(member: Member, draft: dict[str, Any], now: datetime) -> None:
    member.full_name = draft.get("name")
    member.role = draft.get("role")
    member.organisation = draft.get("org")
    member.province = draft.get("province")
    member.country = draft.get("country")
    member.years_experience = draft.get("years")
    member.open_to_work = bool(draft.get("open"))
    member.alert_frequency = (draft.get("freq") or "off") if member.open_to_work else "off"
    member.jobs_in_province_only = member.open_to_work and bool(draft.get("area"))
    member.directory_visible = bool(draft.get("visible"))
    member.phone = draft.get("phone")
    member.updated_at = now


def is_complete(draft: dict[str, Any]) -> bool:
    """Everything sign-up requires has an answer (organisation and phone may be empty)."""
    required = ("name", "role", "province", "years", "open", "visible")
    return (
        all(draft.get(k) is not None for k in required)
        and bool(draft.get("skills"))
        and (draft.get("province") != "abroad" or bool(draft.get("country")))
    )
