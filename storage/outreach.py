"""Outreach links (the registered sources of sign-ups, and how many each brought) and event
check-ins (a member scanned the event's QR code)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ContentItem, EventAttendance, Member, OutreachLink
from storage.sql import upsert


class OutreachRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_link(self, source: str, label: str | None, now: datetime) -> bool:
        """Register ``source``; False when it is registered already (a condition of the
        INSERT: two operators adding it at once make one row)."""
        result = await self.session.execute(
            upsert(self.session, OutreachLink)
            .values(source=source, label=label, created_at=now)
            .on_conflict_do_nothing()
        )
        return bool(getattr(result, "rowcount", 0))

    async def link(self, source: str) -> OutreachLink | None:
        return await self.session.get(OutreachLink, source)

    async def links(self) -> list[tuple[OutreachLink, int]]:
        """Every link with the members who signed up by it (erased members are not
        counted: /deleteme empties the source), most sign-ups first."""
        signups = (
            select(func.count(Member.id))
            .where(Member.source == OutreachLink.source, Member.deleted_at.is_(None))
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(OutreachLink, signups).order_by(signups.desc(), OutreachLink.source)
        )
        return [(link, count or 0) for link, count in rows]

    async def check_in(self, item_id: int, member_id: int, now: datetime) -> bool:
        """Record the member at the event; False when they were checked in already (the
        key (event, member) makes it once, across processes)."""
        result = await self.session.execute(
            upsert(self.session, EventAttendance)
            .values(content_id=item_id, member_id=member_id, checked_in_at=now)
            .on_conflict_do_nothing()
        )
        return bool(getattr(result, "rowcount", 0))

    async def checked_in_events(self, limit: int) -> list[tuple[ContentItem, int]]:
        """The latest events with check-ins, each with how many members checked in."""
        count = func.count(EventAttendance.member_id)
        rows = await self.session.execute(
            select(ContentItem, count)
            .join(EventAttendance, EventAttendance.content_id == ContentItem.id)
            .group_by(ContentItem.id)
            .order_by(ContentItem.event_at.desc(), ContentItem.id.desc())
            .limit(limit)
        )
        return [(item, n) for item, n in rows]

    async def attendance(self, item_id: int) -> int:
        return (
            await self.session.scalar(
                select(func.count())
                .select_from(EventAttendance)
                .where(EventAttendance.content_id == item_id)
            )
            or 0
        )
