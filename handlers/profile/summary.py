"""What other members and companies see of a member: a summary without contact details, and
the Telegram contact shared only once the member agreed (an introduction, a connection)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import Translator
from bot.core.text import clip, escape
from handlers.profile.labels import location_name, role_name
from storage.models import Member


@dataclass(frozen=True)
class Summary:
    """The summary's parts as plain text (the web console escapes them its own way)."""

    name: str
    role: str
    organisation: str
    skills: str
    place: str


def summary_parts(t: Translator, member: Member, skills: str) -> Summary:
    """Name and role, organisation (empty when not given), skills, place: never a username,
    a phone or a link to the member's Telegram (those are for ``telegram_contact``)."""
    return Summary(
        name=clip(member.full_name or "", 100),
        role=role_name(t, member.role),
        organisation=clip(member.organisation or "", 100),
        skills=skills,
        place=location_name(t, member.province, member.country),
    )


def member_summary(t: Translator, member: Member, skills: str) -> str:
    """HTML: the summary's parts (``summary_parts``), escaped, one a line."""
    parts = summary_parts(t, member, skills)
    lines = [f"👤 <b>{escape(parts.name)}</b> · {parts.role}"]
    if parts.organisation:
        lines.append("🏢 " + escape(parts.organisation))
    lines.append("🏷 " + (escape(parts.skills) or "—"))
    lines.append("📍 " + escape(parts.place))
    return "\n".join(lines)


def telegram_contact(member: Member) -> str:
    """HTML: ``@username``, or a tg://user?id= link named after the member when they have no
    username (Telegram opens the chat from it)."""
    if member.username:
        return "@" + escape(member.username)
    name = escape(member.full_name or "") or str(member.telegram_id)
    return f'<a href="tg://user?id={member.telegram_id}">{name}</a>'
