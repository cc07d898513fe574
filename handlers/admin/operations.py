"""Granting and revoking staff roles, whoever asks: an administrator in the chat (/admin,
Roles), the operator at the command line (``dcc-bot admins add``), the configured
``DCC_ADMIN_IDS`` at each start (the operator's configuration, audited like the command).

Each operation checks the administrator role, writes the role, writes the audit line
(``grant-admin``, ``revoke-moderator``, …, with the surface) and, for a grant, queues the
person's notice in their language. Nobody takes away their own administrator role: an
administrator cannot lock themselves, and everyone with them, out of the console.
"""

from __future__ import annotations

from functools import partial

from bot.config import TELEGRAM_ID_MAX
from bot.core.i18n import N_, Translator
from handlers.acting import Acting, NotAllowed
from handlers.invalid import Invalid
from handlers.notices import notify
from storage.staff import STAFF_ROLES

OWN_ADMIN_ROLE = N_("You cannot take away your own administrator role.")
NOT_A_TELEGRAM_ID = N_("Please forward a message from the person, or send digits only.")

# What the person is told when they receive a role, in their language.
NEW_ROLE = {
    "admin": N_("You are now an administrator of DCC Bot. Send /admin to open the console."),
    "moderator": N_(
        "You are now a moderator of DCC Bot: reports on questions, answers and profiles will reach you here, and /reports lists those waiting and the members hidden from the directory."
    ),
}


def new_role_message(t: Translator, role: str) -> tuple[str, None]:
    return t.gettext(NEW_ROLE[role]), None


def _check(telegram_id: int, role: str) -> None:
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown staff role {role!r}")
    if not 0 < telegram_id < TELEGRAM_ID_MAX:
        raise Invalid(NOT_A_TELEGRAM_ID)


async def grant_role(acting: Acting, telegram_id: int, role: str) -> bool:
    """Give ``role`` ("admin" or "moderator") to the person; False (nothing written) when
    they have it already. A member is told, in their language."""
    await acting.require("admin")
    _check(telegram_id, role)
    if not await acting.uow.staff.grant(telegram_id, role, granted_by=acting.person):
        return False
    await acting.audit(f"grant-{role}", {"telegram_id": telegram_id})
    member = await acting.uow.members.get(telegram_id)
    if member is not None:
        await notify(
            acting.uow, acting.translations, telegram_id, member.language,
            partial(new_role_message, role=role), acting.now,
            dedupe_key=f"role:{role}:{telegram_id}:{acting.now.isoformat()}",
        )  # fmt: skip
    return True


async def revoke_role(acting: Acting, telegram_id: int, role: str) -> bool:
    """Take ``role`` away; False (nothing written) when the person did not have it.
    ``NotAllowed`` for an administrator's own administrator role."""
    await acting.require("admin")
    _check(telegram_id, role)
    if role == "admin" and telegram_id == acting.person:
        raise NotAllowed(OWN_ADMIN_ROLE)
    if not await acting.uow.staff.revoke(telegram_id, role):
        return False
    await acting.audit(f"revoke-{role}", {"telegram_id": telegram_id})
    return True
