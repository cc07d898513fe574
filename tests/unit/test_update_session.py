"""What dispatch asks of the unit of work for every update, on SQLite and PostgreSQL: the
update claimed once, the conversation and the member's language in one read, the
conversation written back, and an erased one never written back."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_sessionmaker
from storage.models import ConversationState, Member
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
STATE = {
    "flow": "signup", "step": "name", "token": "abc123",
    "data": {"profile": {"name": "សុភា ចាន់"}}, "language": "km",
}  # fmt: skip


async def test_an_update_is_claimed_once(database: AsyncEngine) -> None:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker, lambda: NOW) as uow:
        assert await uow.claim_update(7, 1001) is True
        await uow.commit()
    async with UnitOfWork(sessionmaker, lambda: NOW) as uow:
        assert await uow.claim_update(7, 1001) is False
        assert await uow.claim_update(8, 1001) is True


async def test_conversation_and_language_in_one_read_and_the_member_reachable_again(
    database: AsyncEngine,
) -> None:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker, lambda: NOW) as uow:
        assert await uow.load_user(2**40) == (None, None)  # nobody, and a big id
        await uow.members.upsert_many(
            [{"telegram_id": 2**40, "full_name": "Dara", "language": "en", "role": "student",
              "province": "kep", "skills": []}],
            NOW,
        )  # fmt: skip
        member = await uow.members.get(2**40)
        assert member is not None
        member.unreachable = True
        await uow.save_conversation(2**40, STATE)
        await uow.commit()
    async with UnitOfWork(sessionmaker, lambda: NOW) as uow:
        assert await uow.load_user(2**40) == (STATE, "en")  # the member's, not the chat's
        await uow.commit()
    async with sessionmaker() as session:
        assert await session.scalar(select(Member.unreachable)) is False


async def test_a_conversation_erased_meanwhile_is_not_written_back(database: AsyncEngine) -> None:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker, lambda: NOW) as uow:
        await uow.save_conversation(5, STATE)
        await uow.commit()
    async with UnitOfWork(sessionmaker, lambda: NOW) as slow:  # one process's update
        assert (await slow.load_user(5))[0] == STATE
        async with UnitOfWork(sessionmaker, lambda: NOW) as other:  # another's erasure
            await other.delete_conversation(5)
            await other.commit()
        await slow.save_conversation(5, {**STATE, "step": "role"})
        await slow.commit()
    async with sessionmaker() as session:
        assert await session.get(ConversationState, 5) is None
