"""An erasure against what another process does to the same member meanwhile."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_sessionmaker
from storage.models import Assignment, ExpertProfile, Member, Question, ReputationGrant
from storage.privacy import erase_member
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


async def signed_up(uow: UnitOfWork, *people: tuple[int, str]) -> list[Member]:
    """Members with these Telegram ids and names, as stored (committed)."""
    await uow.session.execute(
        insert(Member),
        [{"telegram_id": telegram_id, "full_name": name, "language": "en", "created_at": NOW,
          "updated_at": NOW} for telegram_id, name in people],
    )  # fmt: skip
    await uow.commit()
    found = [await uow.members.get(telegram_id) for telegram_id, _name in people]
    assert all(found)
    return [member for member in found if member is not None]


async def test_a_helpful_pressed_during_an_erasure_leaves_no_grant(database: AsyncEngine) -> None:
    """The Helpful's process waits for the erasure, then finds the member erased: no points,
    and no grant for the leaderboard to count. (SQLite has one writer: nothing to race.)"""
    if database.dialect.name != "postgresql":
        pytest.skip("one writer at a time on SQLite")
    sessions = make_sessionmaker(database)
    async with UnitOfWork(sessions, lambda: NOW) as uow:
        [erased] = await signed_up(uow, (501, "Sok"))
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


async def test_a_question_offered_to_an_expert_during_their_erasure_does_not_deadlock(
    database: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The offer locks the expert's profile, then writes an assignment that refers to the
    member; the erasure held the member, then deleted the profile. Held ``FOR UPDATE``, the
    member's row stopped the assignment's reference and each waited for the other; held
    less, the offer outlived the erasure. The erasure takes the profile first now."""
    if database.dialect.name != "postgresql":
        pytest.skip("one writer at a time on SQLite")
    import storage.privacy

    sessions = make_sessionmaker(database)
    async with UnitOfWork(sessions, lambda: NOW) as uow:
        expert, asker = await signed_up(uow, (501, "Expert"), (502, "Asker"))
        uow.session.add(ExpertProfile(member_id=expert.id, cap=3))
        question = Question(
            asker_id=asker.id, text="?", search_tokens="", status="open", round=1,
            escalate_at=NOW + timedelta(hours=1), hidden=False, created_at=NOW,
        )  # fmt: skip
        uow.session.add(question)
        await uow.commit()
        expert_id, question_id = expert.id, question.id
    held = asyncio.Event()
    network_messages = storage.privacy.network_messages

    async def slowly(session: Any, member_id: int) -> Any:  # after the hold, before the rest
        held.set()
        await asyncio.sleep(0.3)
        return await network_messages(session, member_id)

    monkeypatch.setattr(storage.privacy, "network_messages", slowly)

    async def erasure() -> None:
        async with UnitOfWork(sessions, lambda: NOW) as uow:
            member = await uow.members.get(501)
            assert member is not None
            await erase_member(uow.session, member, NOW)
            await uow.commit()

    async def offer() -> None:  # another member's question routed to the expert
        await held.wait()
        async with UnitOfWork(sessions, lambda: NOW) as uow:
            asked = await uow.session.get(Question, question_id)
            assert asked is not None
            await uow.questions.add_offer_within(asked, expert_id, NOW, 3)
            await uow.commit()

    outcomes = await asyncio.wait_for(
        asyncio.gather(erasure(), offer(), return_exceptions=True), timeout=20
    )
    assert outcomes == [None, None], outcomes
    async with UnitOfWork(sessions, lambda: NOW) as uow:  # the offer waited, then found none
        offered = select(Assignment).where(Assignment.member_id == expert_id)
        assert list(await uow.session.scalars(offered)) == []
