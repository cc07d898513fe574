"""Reputation as the monthly leaderboard reads it: the points given in a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
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
