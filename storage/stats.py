"""The figures of /stats, counted in the database (nothing is loaded member by member)."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta
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
# the questions with a visible answer
ANSWERED = select(func.count(func.distinct(Answer.question_id))).where(Answer.hidden.is_(False))

# How long the median time to a first answer is kept before it is found again (see
# ``median_first_answer``); by database (one in a process that serves, several in tests).
MEDIAN_KEPT = timedelta(minutes=5)
_medians: weakref.WeakKeyDictionary[object, tuple[datetime, float | None]] = (
    weakref.WeakKeyDictionary()
)
_finding: weakref.WeakKeyDictionary[object, asyncio.Lock] = weakref.WeakKeyDictionary()


class StatsRepository:
    def __init__(self, session: AsyncSession, now: Callable[[], datetime]) -> None:
        self.session = session
        self.now = now

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
        return await self._count(of=Question), await self.session.scalar(ANSWERED) or 0

    async def median_first_answer(self) -> float | None:
        """The median of the seconds from each answered question to its first visible
        answer (None before any), as it was at most ``MEDIAN_KEPT`` ago: an answer or a hide
        shows in it up to five minutes late. Finding it sorts every answered question's
        delay (at 100,000 of them 0.1 s of PostgreSQL, 0.2 s of SQLite, where it holds the
        one database turn every member's update waits for); the figure moves slowly, so the
        process keeps it, and one reader finds it while the others wait for it: another
        /stats or console page within the five minutes sends no statement."""
        database = self.session.get_bind()
        async with _finding.setdefault(database, asyncio.Lock()):
            kept = _medians.get(database)  # (a clock set back finds it again too)
            if kept is None or not kept[0] <= self.now() < kept[0] + MEDIAN_KEPT:
                kept = _medians[database] = (self.now(), await self._median_first_answer())
        return kept[1]

    async def _median_first_answer(self) -> float | None:
        """Found by the database (reading one row an answered question into Python took
        0.7 s): PostgreSQL's ``percentile_cont`` in one sort; on SQLite the answered
        questions counted, then the one or two delays in the middle read with OFFSET."""
        first = (
            select(Answer.question_id, func.min(Answer.created_at).label("first"))
            .where(Answer.hidden.is_(False))
            .group_by(Answer.question_id)
            .subquery()
        )
        seconds: ColumnElement[Any]
        postgresql = self.session.get_bind().dialect.name == "postgresql"
        if postgresql:
            seconds = func.extract("epoch", first.c.first - Question.created_at)
        else:  # SQLite: the stored times as Julian days
            seconds = (func.julianday(first.c.first) - func.julianday(Question.created_at)) * 86400
        delays = (
            select(seconds.label("seconds"))
            .join(first, first.c.question_id == Question.id)
            .subquery()
        )
        if postgresql:
            median = await self.session.scalar(
                select(func.percentile_cont(0.5).within_group(delays.c.seconds))
            )
            return None if median is None else round(float(median), 3)
        # as many as the delays (an answer's question is there: the foreign key), counted
        # without grouping and joining them: a third of the time
        answered = await self.session.scalar(ANSWERED)
        if not answered:
            return None
        middle = await self.session.scalars(  # one value, or the two an even count has
            select(delays.c.seconds)
            .order_by(delays.c.seconds)
            .offset((answered - 1) // 2)
            .limit(2 - answered % 2)
        )
        values = [float(value) for value in middle]
        # SQLite's days: to the millisecond; none when a hide came between the two reads
        return round(sum(values) / len(values), 3) if values else None

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
