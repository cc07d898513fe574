"""The unit of work: one database transaction and the repositories that share it.

It satisfies ``bot.core.ports.UpdateSession`` structurally, so dispatch can de-duplicate
updates and keep conversations in the same transaction as a handler's own writes.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Table,
    and_,
    bindparam,
    cast,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.attachments import AttachmentRepository
from storage.broadcasts import BroadcastRepository
from storage.community import CommunityRepository
from storage.competitions import CompetitionRepository
from storage.content import ContentRepository
from storage.jobs import JobRepository
from storage.members import MemberRepository
from storage.models import ConversationState, Member, ProcessedUpdate
from storage.outbox import OutboxRepository
from storage.outreach import OutreachRepository
from storage.questions import QuestionRepository
from storage.reputation import ReputationRepository
from storage.sql import INSERTS, transition
from storage.staff import StaffRepository
from storage.stats import StatsRepository
from storage.tags import TagRepository

CONVERSATION_FIELDS = ("flow", "step", "token", "data", "language")
CONVERSATIONS = typing.cast(Table, ConversationState.__table__)
MEMBERS = typing.cast(Table, Member.__table__)
PROCESSED_UPDATES = typing.cast(Table, ProcessedUpdate.__table__)

# The statements every update runs, built once: building one costs more than the database
# takes to run it (SQLAlchemy also keys its compiled cache on the statement object).
_ME = select(cast(bindparam("user_id", type_=BigInteger), BigInteger).label("user_id")).subquery(
    "me"
)
LOAD_USER = (
    select(MEMBERS.c.language, MEMBERS.c.unreachable, CONVERSATIONS)
    .select_from(_ME)
    .outerjoin(
        MEMBERS, and_(MEMBERS.c.telegram_id == _ME.c.user_id, MEMBERS.c.deleted_at.is_(None))
    )
    .outerjoin(CONVERSATIONS, CONVERSATIONS.c.user_id == _ME.c.user_id)
)
CLAIM_UPDATE = {
    # On PostgreSQL the claim first takes the member's turn: a transaction-scoped advisory
    # lock on their id, released at commit or rollback. Two taps of one member reaching two
    # processes at once then run one after the other, as they do within one process (where
    # dispatch's asyncio lock already orders them). One statement: the lock costs no extra
    # round trip. SQLite has one writer, so its transactions already take turns.
    "postgresql": pg_insert(PROCESSED_UPDATES)
    .from_select(
        ["update_id", "processed_at"],
        select(
            cast(bindparam("update_id", type_=BigInteger), BigInteger),
            bindparam("processed_at", type_=PROCESSED_UPDATES.c.processed_at.type),
        ).select_from(
            select(
                func.pg_advisory_xact_lock(
                    cast(bindparam("turns"), Integer), cast(bindparam("member"), Integer)
                ).label("turn")
            ).subquery("member_turn")
        ),
    )
    .on_conflict_do_nothing(index_elements=["update_id"]),
    "sqlite": sqlite_insert(PROCESSED_UPDATES).on_conflict_do_nothing(index_elements=["update_id"]),
}
# The advisory locks' two-number key space (apart from the scheduler's one-number lock):
# the first number names "a member's turn", the second is the Telegram id folded to 32 bits
# (two ids sharing a fold only wait for each other now and then, which is harmless).
MEMBER_TURNS = 0x0DCC


def member_turn_key(user_id: int) -> int:
    """``user_id`` folded into PostgreSQL's signed 32-bit integer."""
    folded = (user_id ^ (user_id >> 32)) & 0xFFFF_FFFF
    return folded - 2**32 if folded >= 2**31 else folded


SAVE_CONVERSATION = (
    update(CONVERSATIONS)
    .where(CONVERSATIONS.c.user_id == bindparam("conversation"))
    .values({name: bindparam(f"new_{name}") for name in (*CONVERSATION_FIELDS, "updated_at")})
)


def _start_conversation(insert: Any) -> Any:
    """A conversation inserted, or (two first updates at once) the other's overwritten."""
    fields = ("user_id", *CONVERSATION_FIELDS, "updated_at")
    statement = insert(CONVERSATIONS).values({name: bindparam(name) for name in fields})
    return statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={name: statement.excluded[name] for name in fields if name != "user_id"},
    )


START_CONVERSATION = {dialect: _start_conversation(insert) for dialect, insert in INSERTS.items()}


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
        self.attachments = AttachmentRepository(self.session)
        self.questions = QuestionRepository(self.session)
        self.jobs = JobRepository(self.session)
        self.broadcasts = BroadcastRepository(self.session)
        self.content = ContentRepository(self.session)
        self.stats = StatsRepository(self.session, now)
        self.competitions = CompetitionRepository(self.session)
        self.reputation = ReputationRepository(self.session)
        self.community = CommunityRepository(self.session)
        self.outreach = OutreachRepository(self.session)

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(self, exc_type: Any, *_: Any) -> None:
        if exc_type is not None:
            await self.rollback()
        await self.close()

    @property
    def database(self) -> object:
        """The database this unit works on, as a key for what a process keeps of it (held
        weakly: the key goes with the database's engine)."""
        return self.session.get_bind()

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
    async def claim_update(self, update_id: int, user_id: int) -> bool:
        """Take the member's turn (PostgreSQL: until this transaction ends) and insert the
        update id; a duplicate (inserting nothing) was handled before."""
        dialect = self.session.get_bind().dialect.name
        values: dict[str, Any] = {"update_id": update_id, "processed_at": self.now()}
        if dialect == "postgresql":
            values |= {"turns": MEMBER_TURNS, "member": member_turn_key(user_id)}
        result = await self.session.execute(CLAIM_UPDATE[dialect], values)
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
        row = (await self.session.execute(LOAD_USER, {"user_id": user_id})).one()
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

    async def load_member(self, user_id: int) -> Member | None:
        """The member who sent the update, not erased; only for handlers that ask for it."""
        return await self.members.get(user_id)

    async def save_conversation(self, user_id: int, state: Mapping[str, Any]) -> None:
        """Update the conversation this update found; insert one it did not (an upsert, for
        two first updates at once). One that was found is only ever updated: if another
        process deleted it meanwhile (an erasure), it stays deleted."""
        values = {name: state[name] for name in CONVERSATION_FIELDS}
        values["data"] = dict(state["data"])
        values["updated_at"] = self.now()
        if user_id in self._conversations_found:
            await self.session.execute(
                SAVE_CONVERSATION,
                {"conversation": user_id, **{f"new_{k}": v for k, v in values.items()}},
            )
            return
        dialect = self.session.get_bind().dialect.name
        await self.session.execute(START_CONVERSATION[dialect], {"user_id": user_id, **values})

    async def delete_conversation(self, user_id: int) -> None:
        await self.session.execute(
            delete(ConversationState).where(ConversationState.user_id == user_id)
        )
