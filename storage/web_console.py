"""The web console's sign-ins and sessions, and the audit log as its page reads it.

Only hashes of the secrets browsers hold are stored. Using a sign-in is one conditional
UPDATE (a link) or one INSERT on the secret's key (a Telegram Login), so a sign-in lets in
one browser, however many processes or tabs try at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Member, WebSession, WebSignIn
from storage.sql import upsert

SESSION_IDLE = timedelta(hours=12)  # a console session unused this long has ended


def new_secret() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored of a secret: its SHA-256, hex (a stolen table opens nothing)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class WebConsoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- sign-ins --------------------------------------------------------------------------
    async def add_sign_in(
        self, secret_hash: str, telegram_id: int, now: datetime, expires_at: datetime
    ) -> None:
        self.session.add(
            WebSignIn(
                secret_hash=secret_hash, telegram_id=telegram_id, created_at=now,
                expires_at=expires_at,
            )
        )  # fmt: skip

    async def usable_sign_in(self, secret_hash: str, now: datetime) -> int | None:
        """Whose unused, unexpired sign-in this is (nothing is used up)."""
        return await self.session.scalar(
            select(WebSignIn.telegram_id).where(
                WebSignIn.secret_hash == secret_hash,
                WebSignIn.used_at.is_(None),
                WebSignIn.expires_at > now,
            )
        )

    async def use_sign_in(self, secret_hash: str, now: datetime) -> int | None:
        """Use a link's sign-in up: whose it was, or None when it is unknown, expired or
        used already (the UPDATE's condition decides, so only one use ever succeeds)."""
        owner = await self.usable_sign_in(secret_hash, now)
        if owner is None:
            return None
        result = await self.session.execute(
            update(WebSignIn)
            .where(
                WebSignIn.secret_hash == secret_hash,
                WebSignIn.used_at.is_(None),
                WebSignIn.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return owner if getattr(result, "rowcount", 0) == 1 else None

    async def use_once(
        self, secret_hash: str, telegram_id: int, now: datetime, expires_at: datetime
    ) -> bool:
        """Record a sign-in used now (a Telegram Login's hash); False when it was used before."""
        statement = (
            upsert(self.session, WebSignIn)
            .values(
                secret_hash=secret_hash, telegram_id=telegram_id, created_at=now,
                expires_at=expires_at, used_at=now,
            )
            .on_conflict_do_nothing(index_elements=["secret_hash"])
        )  # fmt: skip
        result = await self.session.execute(statement)
        return getattr(result, "rowcount", 0) == 1

    async def forget_sign_ins_before(self, moment: datetime) -> None:
        await self.session.execute(delete(WebSignIn).where(WebSignIn.expires_at < moment))

    # -- sessions --------------------------------------------------------------------------
    async def open_session(
        self, id_hash: str, telegram_id: int, csrf_token: str, language: str, now: datetime
    ) -> None:
        self.session.add(
            WebSession(
                id_hash=id_hash, telegram_id=telegram_id, csrf_token=csrf_token,
                language=language, created_at=now, last_seen_at=now,
            )
        )  # fmt: skip

    async def live_session(self, id_hash: str, idle_since: datetime) -> WebSession | None:
        """The session, unless it was last used before ``idle_since``."""
        return await self.session.scalar(
            select(WebSession).where(
                WebSession.id_hash == id_hash, WebSession.last_seen_at >= idle_since
            )
        )

    async def end_session(self, id_hash: str) -> None:
        await self.session.execute(delete(WebSession).where(WebSession.id_hash == id_hash))

    async def end_sessions_of(self, telegram_id: int) -> None:
        await self.session.execute(delete(WebSession).where(WebSession.telegram_id == telegram_id))

    async def set_language(self, id_hash: str, language: str) -> None:
        await self.session.execute(
            update(WebSession).where(WebSession.id_hash == id_hash).values(language=language)
        )

    async def forget_sessions_idle_since(self, moment: datetime) -> None:
        await self.session.execute(delete(WebSession).where(WebSession.last_seen_at < moment))

    async def forget_ended(self, now: datetime) -> None:
        """Sessions idle past ``SESSION_IDLE`` and sign-ins past their expiry: the daily
        retention job deletes what can no longer let anyone in."""
        await self.forget_sessions_idle_since(now - SESSION_IDLE)
        await self.forget_sign_ins_before(now)

    async def last_language(self, telegram_id: int) -> str | None:
        """The console language of the person's latest session: a new one starts in it."""
        return await self.session.scalar(
            select(WebSession.language)
            .where(WebSession.telegram_id == telegram_id)
            .order_by(WebSession.last_seen_at.desc())
            .limit(1)
        )

    async def member_language(self, telegram_id: int) -> str | None:
        return await self.session.scalar(
            select(Member.language).where(
                Member.telegram_id == telegram_id, Member.deleted_at.is_(None)
            )
        )


@dataclass(frozen=True)
class AuditFilter:
    """What the audit log page asks for: a person, an action, a time range (UTC)."""

    actor: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditLogQuery:
    """The audit log, filtered and paged, newest first."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _where(self, wanted: AuditFilter) -> list[object]:
        conditions: list[object] = []
        if wanted.actor is not None:
            conditions.append(AuditEntry.actor_telegram_id == wanted.actor)
        if wanted.action:
            conditions.append(AuditEntry.action == wanted.action)
        if wanted.since is not None:
            conditions.append(AuditEntry.created_at >= wanted.since)
        if wanted.until is not None:
            conditions.append(AuditEntry.created_at < wanted.until)
        return conditions

    async def count(self, wanted: AuditFilter) -> int:
        return (
            await self.session.scalar(
                select(func.count()).select_from(AuditEntry).where(*self._where(wanted))  # type: ignore[arg-type]
            )
            or 0
        )

    async def page(self, wanted: AuditFilter, offset: int, limit: int) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditEntry)
            .where(*self._where(wanted))  # type: ignore[arg-type]
            .order_by(AuditEntry.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(rows)

    async def names(self, telegram_ids: set[int]) -> dict[int, str]:
        """The members' names of these ids (those who signed up and were not erased)."""
        if not telegram_ids:
            return {}
        rows = await self.session.execute(
            select(Member.telegram_id, Member.full_name).where(
                Member.telegram_id.in_(telegram_ids), Member.deleted_at.is_(None)
            )
        )
        return {tid: name for tid, name in rows if tid is not None and name}
