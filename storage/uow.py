"""The unit of work: one database transaction and the repositories that share it.

It satisfies ``bot.core.ports.UpdateSession`` structurally, so dispatch can de-duplicate
updates and keep conversations in the same transaction as a handler's own writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.broadcasts import BroadcastRepository
from storage.community import CommunityRepository
from storage.competitions import CompetitionRepository
from storage.content import ContentRepository
from storage.jobs import JobRepository
from storage.members import MemberRepository
from storage.models import ConversationState, Member, ProcessedUpdate
from storage.outbox import OutboxRepository
from storage.questions import QuestionRepository
from storage.reputation import ReputationRepository
from storage.sql import transition
from storage.staff import StaffRepository
from storage.stats import StatsRepository
from storage.tags import TagRepository

CONVERSATION_FIELDS = ("flow", "step", "token", "data", "language")


class UnitOfWork:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``now`` is the app's clock (tests move it); storage stamps its rows with it."""
        self.session = sessionmaker()
        self.now = now
        self.members = MemberRepository(self.session)
        self.tags = TagRepository(self.session)
        self.staff = StaffRepository(self.session, now)
        self.outbox = OutboxRepository(self.session)
        self.questions = QuestionRepository(self.session)
        self.jobs = JobRepository(self.session)
        self.broadcasts = BroadcastRepository(self.session)
        self.content = ContentRepository(self.session)
        self.stats = StatsRepository(self.session)
        self.competitions = CompetitionRepository(self.session)
        self.reputation = ReputationRepository(self.session)
        self.community = CommunityRepository(self.session)

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(self, exc_type: Any, *_: Any) -> None:
        if exc_type is not None:
            await self.rollback()
        await self.close()

    async def transition(self, row: Any, expected: str, status: str, **values: Any) -> bool:
        """Change ``row``'s status only if it is still ``expected`` (storage.sql.transition)."""
        return await transition(self.session, row, expected, status, **values)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    async def close(self) -> None:
        await self.session.close()

    # -- what dispatch needs ---------------------------------------------------------------
    async def claim_update(self, update_id: int) -> bool:
        """Insert the update id in a savepoint: a duplicate means it was handled before."""
        try:
            async with self.session.begin_nested():
                self.session.add(ProcessedUpdate(update_id=update_id, processed_at=self.now()))
        except IntegrityError:
            return False
        return True

    async def forget_updates_before(self, moment: datetime) -> int:
        """Drop de-duplication records older than Telegram ever redelivers (a day)."""
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < moment)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def load_conversation(self, user_id: int) -> dict[str, Any] | None:
        row = await self.session.get(ConversationState, user_id)
        if row is None:
            return None
        return {name: getattr(row, name) for name in CONVERSATION_FIELDS}

    async def save_conversation(self, user_id: int, state: Mapping[str, Any]) -> None:
        row = await self.session.get(ConversationState, user_id)
        if row is None:
            row = ConversationState(user_id=user_id)
            self.session.add(row)
        for name in CONVERSATION_FIELDS:
            setattr(row, name, state[name])
        row.data = dict(state["data"])  # a new object, so the JSON change is seen
        row.updated_at = self.now()

    async def delete_conversation(self, user_id: int) -> None:
        await self.session.execute(
            delete(ConversationState).where(ConversationState.user_id == user_id)
        )

    async def member_language(self, telegram_id: int) -> str | None:
        """The member's language; a member who writes to the bot is reachable again."""
        await self.session.execute(
            update(Member)
            .where(Member.telegram_id == telegram_id, Member.unreachable.is_(True))
            .values(unreachable=False)
        )
        return await self.session.scalar(
            select(Member.language).where(
                Member.telegram_id == telegram_id, Member.deleted_at.is_(None)
            )
        )
