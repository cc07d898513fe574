"""The unit of work: one database transaction and the repositories that share it.

It satisfies ``bot.core.ports.UpdateSession`` structurally, so dispatch can de-duplicate
updates and keep conversations in the same transaction as a handler's own writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, and_, cast, delete, literal, select, update
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
from storage.sql import transition, upsert
from storage.staff import StaffRepository
from storage.stats import StatsRepository
from storage.tags import TagRepository

CONVERSATION_FIELDS = ("flow", "step", "token", "data", "language")
CONVERSATIONS = ConversationState.__table__
MEMBERS = Member.__table__
PROCESSED_UPDATES = ProcessedUpdate.__table__


class UnitOfWork:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``now`` is the app's clock (tests move it); storage stamps its rows with it."""
        self.session = sessionmaker()
        self.now = now
        self._conversations_found: set[int] = set()  # by load_user, for save_conversation
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
    # Every update passes here, so each of these is one statement (Core, not the ORM's
    # unit of work): the fewer round trips an update costs, the more updates a process
    # takes, and on PostgreSQL each is a trip over the network.
    async def claim_update(self, update_id: int) -> bool:
        """Insert the update id; a duplicate (inserting nothing) was handled before."""
        result = await self.session.execute(
            upsert(self.session, PROCESSED_UPDATES)
            .values(update_id=update_id, processed_at=self.now())
            .on_conflict_do_nothing(index_elements=["update_id"])
        )
        return bool(getattr(result, "rowcount", 0))

    async def forget_updates_before(self, moment: datetime) -> int:
        """Drop de-duplication records older than Telegram ever redelivers (a day)."""
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < moment)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def load_user(self, user_id: int) -> tuple[dict[str, Any] | None, str | None]:
        """The stored conversation (or None) and the member's language (None for someone
        not signed up), in one read; a member who writes to the bot is reachable again."""
        me = select(cast(literal(user_id), BigInteger).label("user_id")).subquery("me")
        row = (
            await self.session.execute(
                select(MEMBERS.c.language, MEMBERS.c.unreachable, CONVERSATIONS)
                .select_from(me)
                .outerjoin(
                    MEMBERS,
                    and_(MEMBERS.c.telegram_id == me.c.user_id, MEMBERS.c.deleted_at.is_(None)),
                )
                .outerjoin(CONVERSATIONS, CONVERSATIONS.c.user_id == me.c.user_id)
            )
        ).one()
        found = row._mapping
        if found[MEMBERS.c.unreachable]:
            await self.session.execute(
                update(Member).where(Member.telegram_id == user_id).values(unreachable=False)
            )
        if found[CONVERSATIONS.c.user_id] is None:
            return None, found[MEMBERS.c.language]
        self._conversations_found.add(user_id)
        state = {name: found[CONVERSATIONS.c[name]] for name in CONVERSATION_FIELDS}
        return state, found[MEMBERS.c.language]

    async def save_conversation(self, user_id: int, state: Mapping[str, Any]) -> None:
        """Update the conversation this update found; insert one it did not (an upsert, for
        two first updates at once). One that was found is only ever updated: if another
        process deleted it meanwhile (an erasure), it stays deleted."""
        values = {name: state[name] for name in CONVERSATION_FIELDS}
        values["data"] = dict(state["data"])
        values["updated_at"] = self.now()
        if user_id in self._conversations_found:
            await self.session.execute(
                update(ConversationState)
                .where(ConversationState.user_id == user_id)
                .values(values)
                .execution_options(synchronize_session=False)
            )
            return
        await self.session.execute(
            upsert(self.session, CONVERSATIONS)
            .values(user_id=user_id, **values)
            .on_conflict_do_update(index_elements=["user_id"], set_=values)
        )

    async def delete_conversation(self, user_id: int) -> None:
        await self.session.execute(
            delete(ConversationState).where(ConversationState.user_id == user_id)
        )
