"""The figures of /stats, counted in the database (nothing is loaded member by member)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.broadcasts import BroadcastRepository
from storage.models import (
    Answer,
    Broadcast,
    Job,
    JobApplication,
    Member,
    MemberSkill,
    Question,
    Tag,
)

ACTIVE = (Member.deleted_at.is_(None), Member.telegram_id.is_not(None))


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _count(self, *conditions: object, of: object = Member) -> int:
        return (
            await self.session.scalar(
                select(func.count()).select_from(of).where(*conditions)  # type: ignore[arg-type]
            )
            or 0
        )

    async def members(self) -> int:
        return await self._count(*ACTIVE)

    async def members_by(self, column: str) -> list[tuple[str, int]]:
        """(value, count) of members by ``role`` or ``province``, most first."""
        field = getattr(Member, column)
        rows = await self.session.execute(
            select(field, func.count())
            .where(*ACTIVE, field.is_not(None))
            .group_by(field)
            .order_by(func.count().desc(), field)
        )
        return [(value, count) for value, count in rows]

    async def top_skills(self, limit: int) -> list[tuple[str, int]]:
        rows = await self.session.execute(
            select(Tag.slug, func.count())
            .join(MemberSkill, MemberSkill.tag_id == Tag.id)
            .join(Member, Member.id == MemberSkill.member_id)
            .where(*ACTIVE)
            .group_by(Tag.slug)
            .order_by(func.count().desc(), Tag.slug)
            .limit(limit)
        )
        return [(slug, count) for slug, count in rows]

    async def questions(self) -> tuple[int, int]:
        """Questions asked, and those with at least one answer."""
        asked = await self._count(of=Question)
        answered = (
            await self.session.scalar(
                select(func.count(func.distinct(Answer.question_id))).where(
                    Answer.hidden.is_(False)
                )
            )
            or 0
        )
        return asked, answered

    async def median_first_answer(self) -> float | None:
        """The median of the seconds from each answered question to its first visible
        answer (None before any), found by the database: at 100,000 answered questions,
        reading one row each into Python took 0.7 s of a staff page, much of it on the
        event loop every member's update shares."""
        first = (
            select(Answer.question_id, func.min(Answer.created_at).label("first"))
            .where(Answer.hidden.is_(False))
            .group_by(Answer.question_id)
            .subquery()
        )
        seconds: ColumnElement[Any]
        if self.session.get_bind().dialect.name == "postgresql":
            seconds = func.extract("epoch", first.c.first - Question.created_at)
        else:  # SQLite: the stored times as Julian days
            seconds = (func.julianday(first.c.first) - func.julianday(Question.created_at)) * 86400
        delays = (
            select(seconds.label("seconds"))
            .join(first, first.c.question_id == Question.id)
            .subquery()
        )
        answered = await self.session.scalar(select(func.count()).select_from(delays))
        if not answered:
            return None
        middle = await self.session.scalars(  # one value, or the two an even count has
            select(delays.c.seconds)
            .order_by(delays.c.seconds)
            .offset((answered - 1) // 2)
            .limit(2 - answered % 2)
        )
        values = [float(value) for value in middle]
        return round(sum(values) / len(values), 3)  # SQLite's days: to the millisecond

    async def jobs(self, now: datetime) -> tuple[int, int, int]:
        """Jobs posted, open now, and applications sent in the bot."""
        posted = await self._count(of=Job)
        open_now = await self._count(Job.status == "open", Job.deadline_at > now, of=Job)
        applications = await self._count(of=JobApplication)
        return posted, open_now, applications

    async def broadcast_reach(self) -> tuple[int, int]:
        """Broadcasts sent or sending, and the messages they delivered."""
        broadcasts = await self._count(
            Broadcast.status.in_(("sending", "done", "stopped")), of=Broadcast
        )
        return broadcasts, await BroadcastRepository(self.session).delivered_total()

    async def joined_since(self, since: datetime) -> list[datetime]:
        rows = await self.session.scalars(
            select(Member.created_at).where(Member.created_at >= since)
        )
        return list(rows)

    async def asked_since(self, since: datetime) -> list[datetime]:
        rows = await self.session.scalars(
            select(Question.created_at).where(Question.created_at >= since)
        )
        return list(rows)

    async def questions_waiting(self) -> int:
        """Questions still waiting for a first answer."""
        return await self._count(Question.status == "open", of=Question)

    async def alert_subscribers(self) -> list[tuple[str, int]]:
        """(frequency, count) of the members open to work who get job alerts, most first."""
        rows = await self.session.execute(
            select(Member.alert_frequency, func.count())
            .where(*ACTIVE, Member.open_to_work.is_(True), Member.alert_frequency != "off")
            .group_by(Member.alert_frequency)
            .order_by(func.count().desc(), Member.alert_frequency)
        )
        return [(value, count) for value, count in rows]
