"""The member network: the directory search, connection requests, blocks, profile reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, literal, or_, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.limits import DAY, hold, insert_if, insert_report, report_times
from storage.member_search import HIDDEN, RANKED, has_skill, hidden_by_moderators, ranked_page
from storage.models import (
    IN_DIRECTORY,
    ConnectionRequest,
    Member,
    MemberBlock,
    ProfileReport,
)

PENDING, OPEN = "pending", "open"
RESTORED = "restored"  # a hide a moderator later undid


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def pair_key(a: int, b: int) -> str:
    """The two members of a request, lower id first: the key of the one pending request."""
    low, high = sorted((a, b))
    return f"{low}-{high}"


def in_directory() -> tuple[ColumnElement[bool], ...]:
    """Members the directory shows: visible, not erased, reachable (those of its index)."""
    return IN_DIRECTORY


def listed(member: Member) -> bool:
    """``in_directory`` for one loaded member."""
    return (
        member.directory_visible
        and member.deleted_at is None
        and not member.unreachable
        and member.telegram_id is not None
    )


class CommunityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- the directory -------------------------------------------------------------------
    async def directory(
        self,
        searcher_id: int,
        tag: str | None,
        province: str | None,
        role: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Member], int]:
        """Members in the directory matching the filters (None: any), best reputation
        first, and how many match. Never the searcher, nor anyone a block stands between
        (either way): a blocked member sees the blocker as if they had left the directory."""
        unseen = union(  # read once, not per member
            select(literal(searcher_id).label("id")),
            select(MemberBlock.blocked_id).where(MemberBlock.blocker_id == searcher_id),
            select(MemberBlock.blocker_id).where(MemberBlock.blocked_id == searcher_id),
        ).subquery("unseen")
        matching: list[ColumnElement[bool]] = [*in_directory()]  # its index: migration 0025
        if tag is not None:
            matching.append(has_skill(tag))
        if province is not None:
            matching.append(Member.province == province)
        if role is not None:
            matching.append(Member.role == role)
        # Counted as all who match less the few of them unseen: testing every member against
        # the searcher's blocks took half the count (4 ms of 8 at 58,000 members in the
        # directory, SQLite). SQLite keeps no statistics: asked for the index's order, it
        # walks the index (counted plainly, it looked every member up by Telegram id: 28 ms
        # against 10); a province's or a role's members it reads by their own index, and
        # the order would only sort them.
        everyone = select(Member.id).where(*matching)
        if province is None and role is None and self.session.get_bind().dialect.name == "sqlite":
            everyone = everyone.order_by(*RANKED)
        total = select(
            select(func.count()).select_from(everyone.subquery()).scalar_subquery()
            - select(func.count())
            .select_from(unseen)
            .join(Member, Member.id == unseen.c.id)
            .where(*matching)
            .scalar_subquery()
        )
        conditions = [*matching, Member.id.not_in(select(unseen.c.id))]
        return await ranked_page(self.session, conditions, offset, limit, total)

    # -- requests ------------------------------------------------------------------------
    async def requests_between(self, a: int, b: int) -> list[ConnectionRequest]:
        rows = await self.session.scalars(
            select(ConnectionRequest)
            .where(
                or_(
                    (ConnectionRequest.sender_id == a) & (ConnectionRequest.recipient_id == b),
                    (ConnectionRequest.sender_id == b) & (ConnectionRequest.recipient_id == a),
                )
            )
            .order_by(ConnectionRequest.id)
        )
        return list(rows)

    async def sent_since(self, sender_id: int, since: datetime) -> list[datetime]:
        """When the member sent each request after ``since`` (the rate limit's window)."""
        rows = await self.session.scalars(
            select(ConnectionRequest.created_at).where(
                ConnectionRequest.sender_id == sender_id, ConnectionRequest.created_at > since
            )
        )
        return list(rows)

    async def add_request(
        self, sender_id: int, recipient_id: int, note: str | None, now: datetime, per_day: int
    ) -> ConnectionRequest | None:
        """A pending request, or None when one already waits between the two members (the
        unique pending pair decides, in a savepoint, so two quick taps cannot both pass) or
        the sender has sent ``per_day`` in the last 24 hours (counted by the INSERT, behind
        a lock on the sender: see storage.limits)."""
        await hold(self.session, Member.id, sender_id)
        sent = (
            select(func.count())
            .where(
                ConnectionRequest.sender_id == sender_id, ConnectionRequest.created_at > now - DAY
            )
            .scalar_subquery()
        )
        values = {
            "sender_id": sender_id, "recipient_id": recipient_id, "note": note,
            "status": PENDING, "pending_pair": pair_key(sender_id, recipient_id),
            "created_at": now,
        }  # fmt: skip
        try:
            async with self.session.begin_nested():
                return await insert_if(self.session, ConnectionRequest, values, sent < per_day)
        except IntegrityError:
            return None

    async def request(self, request_id: int) -> ConnectionRequest | None:
        return await self.session.get(ConnectionRequest, request_id)

    @staticmethod
    def decide(request: ConnectionRequest, status: str, now: datetime) -> None:
        """Answer a pending request: it no longer holds the pair's pending place."""
        request.status, request.decided_at, request.pending_pair = status, now, None

    # -- blocks --------------------------------------------------------------------------
    async def is_blocked(self, blocker_id: int, blocked_id: int) -> bool:
        return await self.session.get(MemberBlock, (blocker_id, blocked_id)) is not None

    async def block(self, blocker_id: int, blocked_id: int, now: datetime) -> bool:
        """Block; False when the member was blocked already."""
        if await self.is_blocked(blocker_id, blocked_id):
            return False
        self.session.add(MemberBlock(blocker_id=blocker_id, blocked_id=blocked_id, created_at=now))
        await self.session.flush()
        return True

    async def unblock(self, blocker_id: int, blocked_id: int) -> bool:
        block = await self.session.get(MemberBlock, (blocker_id, blocked_id))
        if block is None:
            return False
        await self.session.delete(block)
        return True

    async def blocked_by(self, blocker_id: int, limit: int) -> list[Member]:
        """The members someone blocked, newest block first."""
        rows = await self.session.scalars(
            select(Member)
            .join(MemberBlock, MemberBlock.blocked_id == Member.id)
            .where(MemberBlock.blocker_id == blocker_id)
            .order_by(MemberBlock.created_at.desc(), Member.id)
            .limit(limit)
        )
        return list(rows)

    async def count_blocked_by(self, blocker_id: int) -> int:
        return (
            await self.session.scalar(
                select(func.count())
                .select_from(MemberBlock)
                .where(MemberBlock.blocker_id == blocker_id)
            )
            or 0
        )

    # -- reports -------------------------------------------------------------------------
    async def open_report(self, reporter_id: int, member_id: int) -> ProfileReport | None:
        return await self.session.scalar(
            select(ProfileReport).where(
                ProfileReport.reporter_id == reporter_id,
                ProfileReport.member_id == member_id,
                ProfileReport.status == OPEN,
            )
        )

    async def add_report(
        self, reporter_id: int, member_id: int, reason: str, now: datetime
    ) -> ProfileReport:
        report = ProfileReport(
            reporter_id=reporter_id, member_id=member_id, reason=reason, status=OPEN,
            created_at=now,
        )  # fmt: skip
        self.session.add(report)
        await self.session.flush()
        return report

    async def add_report_within(
        self, reporter_id: int, member_id: int, reason: str, now: datetime, per_day: int
    ) -> ProfileReport | None:
        """``add_report`` unless the reporter has an open report on this member or filed
        ``per_day`` reports (of any kind) in the last 24 hours; None then (counted by the
        INSERT, see storage.limits)."""
        same = exists().where(
            ProfileReport.reporter_id == reporter_id,
            ProfileReport.member_id == member_id,
            ProfileReport.status == OPEN,
        )
        values = {
            "reporter_id": reporter_id, "member_id": member_id, "reason": reason,
            "status": OPEN, "created_at": now,
        }  # fmt: skip
        return await insert_report(self.session, ProfileReport, values, same, now, per_day)

    async def reports_of_the_day(self, reporter_id: int, now: datetime) -> list[datetime]:
        """When the member filed each report (any kind) in the last 24 hours."""
        return await report_times(self.session, reporter_id, now - DAY)

    async def open_reports(self, limit: int) -> list[ProfileReport]:
        rows = await self.session.scalars(
            select(ProfileReport)
            .where(ProfileReport.status == "open")
            .order_by(ProfileReport.id)
            .limit(limit)
        )
        return list(rows)

    async def report(self, report_id: int) -> ProfileReport | None:
        return await self.session.get(ProfileReport, report_id)

    async def hidden_by_moderators(self, member_id: int) -> bool:
        """A moderator hid the member after a report: they stay out of the directory
        whatever their own setting says (their profile edits cannot undo a decision)."""
        return bool(await self.session.scalar(select(hidden_by_moderators(literal(member_id)))))

    async def hidden_members(self, limit: int) -> list[Member]:
        """Members moderators hid (and who still have their data), the latest hide first."""
        latest = func.max(ProfileReport.resolved_at)
        rows = await self.session.execute(
            select(Member, latest)
            .join(ProfileReport, ProfileReport.member_id == Member.id)
            .where(ProfileReport.status == HIDDEN, Member.deleted_at.is_(None))
            .group_by(Member.id)
            .order_by(latest.desc(), Member.id)
            .limit(limit)
        )
        return [member for member, _ in rows]

    async def lift_hide(self, member_id: int) -> list[int]:
        """Undo the moderators' hide, in one statement (of two moderators at once, one lifts
        it); the reports behind it, none when it was not hidden. Whether the member shows in
        the directory again stays their own choice."""
        rows = await self.session.scalars(
            update(ProfileReport)
            .where(ProfileReport.member_id == member_id, ProfileReport.status == HIDDEN)
            .values(status=RESTORED)
            .returning(ProfileReport.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(rows)

    async def resolve_reports(
        self, member_id: int, status: str, moderator: int | None, now: datetime
    ) -> list[int]:
        """Close every open report about the member with one decision; their numbers. Only
        reports still open are closed (the UPDATE's condition): of two moderators deciding
        at once, the second closes nothing and is told."""
        closed = await self.session.scalars(
            update(ProfileReport)
            .where(ProfileReport.member_id == member_id, ProfileReport.status == OPEN)
            .values(status=status, resolved_by=moderator, resolved_at=now)
            .returning(ProfileReport.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(closed)


# -- the member's own data: /mydata and /deleteme (storage.privacy) ----------------------------
async def network_data(session: AsyncSession, member_id: int) -> dict[str, Any]:
    """The member network (/community): requests, blocks and reports, each without the
    other member's identity."""
    requests = list(
        await session.scalars(
            select(ConnectionRequest)
            .where(
                or_(
                    ConnectionRequest.sender_id == member_id,
                    ConnectionRequest.recipient_id == member_id,
                )
            )
            .order_by(ConnectionRequest.id)
        )
    )
    blocks = await session.scalars(
        select(MemberBlock.created_at)
        .where(MemberBlock.blocker_id == member_id)
        .order_by(MemberBlock.created_at)
    )
    reports = await session.scalars(
        select(ProfileReport)
        .where(ProfileReport.reporter_id == member_id)
        .order_by(ProfileReport.id)
    )
    return {
        "connection_requests_i_sent": [
            {
                "note": r.note,
                "status": r.status,
                "created_at": _time(r.created_at),
                "decided_at": _time(r.decided_at),
            }
            for r in requests
            if r.sender_id == member_id
        ],
        "connection_requests_to_me": [  # the sender and their note are their data
            {
                "status": r.status,
                "created_at": _time(r.created_at),
                "decided_at": _time(r.decided_at),
            }
            for r in requests
            if r.recipient_id == member_id and r.sender_id != member_id
        ],
        "members_i_blocked": [{"since": _time(since)} for since in blocks],
        "profiles_i_reported": [
            {"reason": r.reason, "status": r.status, "created_at": _time(r.created_at)}
            for r in reports
        ],
    }


async def network_messages(session: AsyncSession, member_id: int) -> tuple[list[str], list[str]]:
    """The outbox messages carrying the member's card, contact or words to someone else:
    the keys of their requests and the answers to them, and the key prefixes of the reports
    about them and their reports' reasons (a message to each moderator)."""
    requests = await session.scalars(
        select(ConnectionRequest.id).where(
            or_(
                ConnectionRequest.sender_id == member_id,
                ConnectionRequest.recipient_id == member_id,
            )
        )
    )
    reports = await session.scalars(
        select(ProfileReport.id).where(
            or_(ProfileReport.member_id == member_id, ProfileReport.reporter_id == member_id)
        )
    )
    keys = [
        f"{kind}:{i}" for i in requests for kind in ("connect", "connected", "connect-declined")
    ]
    return keys, [f"member-report:{i}:" for i in reports]


async def erase_network(session: AsyncSession, member_id: int) -> None:
    """/deleteme: every request by or to the member, every block by or of them, the
    reports about them; the reasons of their own reports are emptied."""
    await session.execute(
        delete(ConnectionRequest).where(
            or_(
                ConnectionRequest.sender_id == member_id,
                ConnectionRequest.recipient_id == member_id,
            )
        )
    )
    await session.execute(
        delete(MemberBlock).where(
            or_(MemberBlock.blocker_id == member_id, MemberBlock.blocked_id == member_id)
        )
    )
    await session.execute(delete(ProfileReport).where(ProfileReport.member_id == member_id))
    await session.execute(
        update(ProfileReport).where(ProfileReport.reporter_id == member_id).values(reason="")
    )
