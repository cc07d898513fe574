"""Reputation as the monthly leaderboard reads it: the points given in a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ExpertProfile, Member, ReputationGrant


@dataclass(frozen=True, slots=True)
class Contributor:
    member_id: int
    telegram_id: int | None
    name: str
    language: str
    anonymous: bool  # an expert whose answers do not show their name
    points: int


@dataclass(frozen=True, slots=True)
class Placed:
    contributor: Contributor
    place: int  # equal points share one: 1, 2, 2, 4
    position: int  # in the list: 1, 2, 3, 4


class ReputationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def points_between(self, start: datetime, end: datetime) -> list[Contributor]:
        """Every member given points in [start, end), with the points; members who erased
        their data are left out (their grants are deleted with the rest)."""
        points = func.sum(ReputationGrant.points)
        rows = await self.session.execute(
            select(
                Member.id, Member.telegram_id, Member.full_name, Member.language,
                func.coalesce(ExpertProfile.anonymous, False), points,
            )
            .join(ReputationGrant, ReputationGrant.member_id == Member.id)
            .outerjoin(ExpertProfile, ExpertProfile.member_id == Member.id)
            .where(
                Member.deleted_at.is_(None),
                ReputationGrant.created_at >= start,
                ReputationGrant.created_at < end,
            )
            .group_by(Member.id, ExpertProfile.member_id)
        )  # fmt: skip
        return [
            Contributor(member_id, telegram_id, name or "", language, bool(anonymous), total or 0)
            for member_id, telegram_id, name, language, anonymous, total in rows
        ]

    async def placed_between(
        self, start: datetime, end: datetime, shown: int, member_id: int | None
    ) -> list[Placed]:
        """The first ``shown`` members by points given in [start, end), and ``member_id``'s
        own place wherever it is: the leaderboard's order and places (the rules' standings),
        ranked by the database in one statement so that only these rows leave it and read
        their member. Erasing deletes a member's grants (storage.privacy), so the month's
        totals are counted from the grants alone."""
        points = func.sum(ReputationGrant.points)
        ranked = (
            select(
                ReputationGrant.member_id, points.label("points"),
                func.rank().over(order_by=points.desc()).label("place"),
                func.row_number()
                .over(order_by=(points.desc(), ReputationGrant.member_id))
                .label("position"),
            )
            .where(ReputationGrant.created_at >= start, ReputationGrant.created_at < end)
            .group_by(ReputationGrant.member_id)
            .having(points > 0)
            .subquery()
        )  # fmt: skip
        picked = (  # a LIMIT the planner sees: it reads the few members by their key
            select(ranked)
            .where(or_(ranked.c.position <= shown, ranked.c.member_id == member_id))
            .order_by(ranked.c.position)
            .limit(shown + 1)
            .subquery()
        )
        rows = await self.session.execute(
            select(
                Member.id, Member.telegram_id, Member.full_name, Member.language,
                func.coalesce(ExpertProfile.anonymous, False), picked.c.points, picked.c.place,
                picked.c.position,
            )
            .join(picked, picked.c.member_id == Member.id)
            .outerjoin(ExpertProfile, ExpertProfile.member_id == Member.id)
            .order_by(picked.c.position)
        )  # fmt: skip
        return [
            Placed(
                Contributor(member, telegram_id, name or "", language, bool(anonymous), total),
                place, position,
            )
            for member, telegram_id, name, language, anonymous, total, place, position in rows
        ]  # fmt: skip
