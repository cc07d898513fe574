"""Who sent a request an administrator decides on (a company registration, an expert
application), as the approval card says it: the name, the @username when there is one and
the Telegram id, so the administrator can tell two members of the same name apart and
reach the right one; or, for a member who has since left (erased their data), that they
have left, instead of an empty name."""

from __future__ import annotations

from bot.core.i18n import N_, Translator
from bot.core.text import escape
from storage.models import Member

LEFT = N_("Asked by a member who has left the community.")


def has_left(member: Member | None) -> bool:
    return member is None or member.deleted_at is not None or member.telegram_id is None


def who(t: Translator, member: Member | None) -> str | None:
    """Plain text: "Sok Dara · @sokdara · Telegram id 5551234"; None for one who has left."""
    if member is None or has_left(member):
        return None
    parts = [member.full_name or "—"]
    if member.username:
        parts.append("@" + member.username)
    # the id as digits to copy (into /admin's roles, a search), not a number to read
    parts.append(t.gettext(N_("Telegram id")) + f" {member.telegram_id}")
    return " · ".join(parts)


def asked_by(t: Translator, member: Member | None) -> str:
    """HTML, one line: "Asked by Sok Dara · @sokdara · Telegram id 5551234"."""
    name = who(t, member)
    if name is None:
        return t.gettext(LEFT)
    return t.gettext(N_("Asked by {name}")).format(name=escape(name))
