"""Who performs an operation, through which surface, and the checks and audit line every
operation shares.

An operation (``handlers/<feature>/operations.py``) is the one place a state-changing act of
staff or the operator is done, whichever surface asked: the chat, the command line, the web
console. It takes an ``Acting`` and plain values, checks the permission (``require``),
validates, writes, audits (``audit``) and queues the notices, in the caller's unit of work;
the caller commits. It raises ``NotAllowed`` or ``Invalid`` (msgids, translated where they
are shown) and never replies itself: the chat handler, the CLI and the console each show
the outcome their own way.

The operator at the command line (``person`` None) is trusted: whoever can run ``dcc-bot``
on the server can read the database anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.core.i18n import N_, Translations
from storage.staff import AuditAction, StaffRepository
from storage.uow import UnitOfWork

Channel = Literal["chat", "cli", "web"]
Role = Literal["admin", "moderator"]

REFUSALS: dict[Role, str] = {
    "admin": N_("Only administrators can do this."),
    "moderator": N_("Only moderators can do this."),
}


@dataclass
class NotAllowed(Exception):
    """The acting person lacks the role; ``message`` is a msgid."""

    message: str


@dataclass(frozen=True)
class Acting:
    """The person acting (a Telegram id; None for the operator at the command line), the
    surface they act through, and what an operation needs besides its values."""

    person: int | None
    channel: Channel
    uow: UnitOfWork
    translations: Translations  # notices go out in each recipient's language
    now: datetime
    timezone: ZoneInfo

    async def require(self, role: Role) -> None:
        """Raise ``NotAllowed`` unless the person has ``role`` (administrators have every
        moderator's power). Checked at the write, whatever a surface showed before."""
        if self.person is None:
            return
        staff = self.uow.staff
        if await staff.has_role(self.person, "admin"):
            return
        if role == "moderator" and await staff.has_role(self.person, "moderator"):
            return
        raise NotAllowed(REFUSALS[role])

    async def audit(self, action: AuditAction, detail: dict[str, Any]) -> None:
        """One audit line: who, what, and through which surface."""
        await self.uow.staff.audit(self.person, action, detail, self.channel)


async def staff_role(staff: StaffRepository, telegram_id: int) -> str | None:
    """The strongest staff role someone has ("admin", "moderator"), or None."""
    held = await staff.roles(telegram_id)
    return next((role for role in ("admin", "moderator") if role in held), None)
