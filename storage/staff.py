"""Admins and moderators, and the audit log of what staff did.

Granting and revoking write the role only: the operations that do them
(handlers/admin/operations.py) write the audit line, with the surface it came through.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, StaffRole

STAFF_ROLES = ("admin", "moderator")
# Every action the audit log records, as mypy holds each ``audit`` call to: the console's
# filter offers these (web/pages/audit.py), not a read of the whole log.
AuditAction = Literal[
    "broadcast-cancelled", "broadcast-created", "broadcast-stopped",
    "broadcast-unreached-exported", "company-rejected", "company-verified",
    "competition-created", "competition-decided", "competition-edited", "content-hidden",
    "content-published", "expert-added", "expert-approved", "expert-rejected",
    "expert-removed", "feed-added", "feed-paused", "feed-removed", "feed-resumed",
    "grant-admin", "grant-moderator", "jobs-imported", "link-added", "member-hidden",
    "member-hide-undone", "member-report-kept", "members-exported", "members-import-started",
    "members-imported", "report-hidden", "report-kept", "revoke-admin", "revoke-moderator",
    "web-signed-in",
]  # fmt: skip
AUDIT_ACTIONS: tuple[AuditAction, ...] = get_args(AuditAction)


ROLES_OF = select(StaffRole.role).where(StaffRole.telegram_id == bindparam("telegram_id"))
WITH_ROLES = select(StaffRole.telegram_id).where(
    StaffRole.role.in_(bindparam("roles", expanding=True))
)


class StaffRepository:
    def __init__(self, session: AsyncSession, now: Callable[[], datetime]) -> None:
        self.session = session
        self.now = now

    async def has_role(self, telegram_id: int, role: str) -> bool:
        return await self.session.get(StaffRole, (telegram_id, role)) is not None

    async def roles(self, telegram_id: int) -> set[str]:
        """Every staff role someone has, in one read (most people have none)."""
        return set(await self.session.scalars(ROLES_OF, {"telegram_id": telegram_id}))

    async def grant(self, telegram_id: int, role: str, granted_by: int | None) -> bool:
        """Give the role; False when the person already had it."""
        if role not in STAFF_ROLES:
            raise ValueError(f"unknown staff role {role!r}")
        if await self.has_role(telegram_id, role):
            return False
        self.session.add(
            StaffRole(
                telegram_id=telegram_id, role=role, granted_at=self.now(), granted_by=granted_by
            )
        )
        return True

    async def ids_with_role(self, *roles: str) -> list[int]:
        """Telegram ids of those with any of ``roles`` (one read; someone with two of them
        is listed twice)."""
        return list(await self.session.scalars(WITH_ROLES, {"roles": list(roles)}))

    async def audit(
        self,
        actor: int | None,
        action: AuditAction,
        detail: dict[str, Any],
        channel: str | None = None,
    ) -> None:
        self.session.add(
            AuditEntry(
                actor_telegram_id=actor, action=action, detail=detail, created_at=self.now(),
                channel=channel,
            )
        )  # fmt: skip

    async def revoke(self, telegram_id: int, role: str) -> bool:
        """Take the role away; False when the person did not have it."""
        result = await self.session.execute(
            delete(StaffRole).where(StaffRole.telegram_id == telegram_id, StaffRole.role == role)
        )
        if not getattr(result, "rowcount", 0):
            return False
        return True

    async def everyone(self) -> list[StaffRole]:
        """Every role held, admins first."""
        rows = await self.session.scalars(
            select(StaffRole).order_by(StaffRole.role, StaffRole.granted_at)
        )
        return list(rows)

    async def recent_audit(self, limit: int) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        )
        return list(rows)
