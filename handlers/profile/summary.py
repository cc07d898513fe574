"""What other members and companies see of a member: a summary without contact details, and
the Telegram contact shared only once the member agreed (an introduction, a connection)."""

from __future__ import annotations

from bot.core.i18n import Translator
from bot.core.text import clip, escape
from handlers.profile.labels import location_name, role_name
from storage.models import Member


def member_summary(t: Translator, member: Member, skills: str) -> str:
    """HTML: name and role, organisation (when given), skills, place. Never a username, a
    phone or a link to the member's Telegram: those are for ``telegram_contact``."""
    lines = [f"👤 <b>{escape(clip(member.full_name or '', 100))}</b> · {role_name(t, member.role)}"]
    if member.organisation:
        lines.append("🏢 " + escape(clip(member.organisation, 100)))
    lines.append("🏷 " + (escape(skills) or "—"))
    lines.append("📍 " + escape(location_name(t, member.province, member.country)))
    return "\n".join(lines)


def telegram_contact(member: Member) -> str:
    """HTML: ``@username``, or a tg://user?id= link named after the member when they have no
    username (Telegram opens the chat from it)."""
    if member.username:
        return "@" + escape(member.username)
    name = escape(member.full_name or "") or str(member.telegram_id)
    return f'<a href="tg://user?id={member.telegram_id}">{name}</a>'
