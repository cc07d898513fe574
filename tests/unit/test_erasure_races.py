"""An erasure against what another process does to the same member meanwhile."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_sessionmaker
from storage.models import Member, ReputationGrant
from storage.privacy import erase_member
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


async def test_a_helpful_pressed_during_an_erasure_leaves_no_grant(database: AsyncEngine) -> None:
    """The Helpful's process waits for the erasure, then finds the member erased: no points,
    and no grant for the leaderboard to count. (SQLite has one writer: nothing to race.)"""
    if database.dialect.name != "postgresql":
        pytest.skip("one writer at a time on SQLite")
    sessions = make_sessionmaker(database)
    async with UnitOfWork(sessions, lambda: NOW) as uow:
        await uow.session.execute(
            insert(Member),
            [{"telegram_id": 501, "full_name": "Sok", "language": "en", "created_at": NOW,
              "updated_at": NOW}],
        )  # fmt: skip
        await uow.commit()
        erased = await uow.members.get(501)
        assert erased is not None
        member_id = erased.id
        assert await uow.questions.add_reputation(member_id, 10, "helpful", NOW)
        await uow.commit()

    async def helpful() -> bool:
        async with UnitOfWork(sessions, lambda: NOW) as other:
            granted = await other.questions.add_reputation(member_id, 10, "helpful", NOW)
            await other.commit()
            return granted

    async with UnitOfWork(sessions, lambda: NOW) as eraser:
        member = await eraser.members.get(501)
        assert member is not None
        await erase_member(eraser.session, member, NOW)  # its grants deleted, not committed
        pressed = asyncio.create_task(helpful())
        await asyncio.wait({pressed}, timeout=0.5)
        await eraser.commit()
    assert await pressed is False
    async with UnitOfWork(sessions, lambda: NOW) as uow:
        assert list(await uow.session.scalars(select(ReputationGrant))) == []
        stored = await uow.session.get(Member, member_id)
        assert stored is not None and stored.reputation == 0
