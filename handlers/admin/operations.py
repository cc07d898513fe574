"""Granting and revoking staff roles, whoever asks: an administrator in the chat (/admin,
Roles), the operator at the command line (``dcc-bot admins add``), the configured
``DCC_ADMIN_IDS`` at each start (the operator's configuration, audited like the command).
And the web console's single-use sign-in links, for /admin → Web console, ``dcc-bot web
login-link`` and the sandbox (the console's ``web.signin`` takes them from here).

Each operation checks the administrator role, writes the role, writes the audit line
(``grant-admin``, ``revoke-moderator``, …, with the surface) and, for a grant, queues the
person's notice in their language. Nobody takes away their own administrator role: an
administrator cannot lock themselves, and everyone with them, out of the console.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlencode

from bot.config import TELEGRAM_ID_MAX
from bot.core.i18n import N_, Translator
from handlers.acting import Acting, NotAllowed, staff_role
from handlers.invalid import Invalid
from handlers.notices import notify
from storage.staff import STAFF_ROLES
from storage.uow import UnitOfWork
from storage.web_console import WebConsoleRepository, digest, new_secret

OWN_ADMIN_ROLE = N_("You cannot take away your own administrator role.")
NOT_A_TELEGRAM_ID = N_("Please forward a message from the person, or send digits only.")
STAFF_ONLY = N_("The web console is for administrators and moderators only.")

LINK_LIFETIME = timedelta(minutes=10)
SIGN_IN_KEPT = timedelta(days=1)  # used and expired sign-ins are forgotten after a day
SIGN_IN_PATH = "/signin"

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
    await acting.audit(
        "grant-admin" if role == "admin" else "grant-moderator", {"telegram_id": telegram_id}
    )
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
    await acting.audit(
        "revoke-admin" if role == "admin" else "revoke-moderator", {"telegram_id": telegram_id}
    )
    return True


# -- the web console's sign-in links --------------------------------------------------------
class NotStaff(NotAllowed):
    """The person holds no staff role: no link, no session."""


async def sign_in_link(uow: UnitOfWork, telegram_id: int, now: datetime, base_url: str) -> str:
    """A single-use sign-in link to the web console at ``base_url`` for a staff member,
    valid ``LINK_LIFETIME`` (the caller commits); ``NotStaff`` for anyone else. Only the
    hash of its token is stored; signing in uses it up (``storage.web_console``). Not
    audited: nothing changes until it is used, and signing in is audited."""
    if await staff_role(uow.staff, telegram_id) is None:
        raise NotStaff(STAFF_ONLY)
    token = new_secret()
    sign_ins = WebConsoleRepository(uow.session)
    await sign_ins.forget_sign_ins_before(now - SIGN_IN_KEPT)
    await sign_ins.add_sign_in(digest(token), telegram_id, now, now + LINK_LIFETIME)
    return f"{base_url.rstrip('/')}{SIGN_IN_PATH}?{urlencode({'token': token})}"


async def console_link(acting: Acting, base_url: str) -> str:
    """/admin → Web console: a sign-in link for the person asking, if they are staff."""
    if acting.person is None:
        raise NotStaff(STAFF_ONLY)
    return await sign_in_link(acting.uow, acting.person, acting.now, base_url)
