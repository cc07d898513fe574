"""Broadcasts: their rows, their audiences expanded in the database a batch at a time, and
their delivery counted from the outbox rows they wrote.

An audience is a few lists of slugs and two flags. Criteria of different kinds must all hold
(students *in* Siem Reap), several values of one kind are alternatives (students *or*
academics); no criterion at all is every member. Members who erased their data, or who
blocked the bot, are never in an audience.

A broadcast has a category (storage.seed.choices.CATEGORIES): members who switched it off
(/subscriptions) are left out when the audience is queued, batch by batch as the broadcast
starts sending, so the choice counts as it stands then; the count before sending leaves them
out too, and the broadcast counts them (``left_out``) apart from those who blocked the bot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import (
    Broadcast,
    CategoryOptOut,
    Company,
    CompanyRepresentative,
    EventAttendance,
    ExpertProfile,
    ExpertTag,
    Member,
    MemberSkill,
    OutboxMessage,
    Tag,
)
from storage.outbox import BULK, FAILED, OUTBOX, PENDING, SENDING, STOPPED, UNREACHABLE
from storage.seed.choices import OFFICIAL
from storage.sql import transition, upsert

SCHEDULED, SENDING_NOW, DONE, STOPPED_BY_ADMIN, CANCELLED = (
    "scheduled", "sending", "done", "stopped", "cancelled",
)  # fmt: skip


@dataclass(frozen=True)
class Audience:
    roles: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    experts: bool = False
    companies: bool = False  # representatives of verified companies
    attended: tuple[int, ...] = ()  # events (content item ids) they checked in at

    def to_json(self) -> dict[str, Any]:
        return {
            "roles": list(self.roles), "provinces": list(self.provinces),
            "tags": list(self.tags), "experts": self.experts, "companies": self.companies,
            "attended": list(self.attended),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(
            tuple(data.get("roles", ())), tuple(data.get("provinces", ())),
            tuple(data.get("tags", ())), bool(data.get("experts")), bool(data.get("companies")),
            tuple(int(i) for i in data.get("attended", ())),
        )  # fmt: skip

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE clause on ``members``: reachable members matching every criterion."""
        found: list[ColumnElement[bool]] = [
            Member.deleted_at.is_(None),
            Member.telegram_id.is_not(None),
            Member.unreachable.is_(False),
        ]
        if self.roles:
            found.append(Member.role.in_(self.roles))
        if self.provinces:
            found.append(Member.province.in_(self.provinces))
        if self.tags:  # the tag among their skills, or among the tags they are expert for
            found.append(
                or_(
                    exists().where(
                        MemberSkill.member_id == Member.id,
                        MemberSkill.tag_id == Tag.id,
                        Tag.slug.in_(self.tags),
                    ),
                    exists().where(
                        ExpertTag.member_id == Member.id,
                        ExpertTag.tag_id == Tag.id,
                        Tag.slug.in_(self.tags),
                    ),
                )
            )
        if self.experts:
            found.append(
                exists().where(
                    ExpertProfile.member_id == Member.id, ExpertProfile.removed_at.is_(None)
                )
            )
        if self.attended:  # checked in at one of these events (by its QR code)
            found.append(
                exists().where(
                    EventAttendance.member_id == Member.id,
                    EventAttendance.content_id.in_(self.attended),
                )
            )
        if self.companies:
            found.append(
                exists().where(
                    CompanyRepresentative.member_id == Member.id,
                    CompanyRepresentative.status == "active",
                    CompanyRepresentative.company_id == Company.id,
                    Company.status == "verified",
                )
            )
        return found


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where a broadcast stands, from its outbox rows."""

    total: int
    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    stopped: int = 0
    left_out: int = 0  # members of the audience who switched the broadcast's category off
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return self.sent + self.unreachable + self.failed + self.stopped

    @property
    def left(self) -> int:
        return max(self.total - self.done, 0)


def receives(category: str) -> ColumnElement[bool]:
    """On ``members``: the member has not switched ``category`` off (official: everyone)."""
    return ~exists().where(
        CategoryOptOut.member_id == Member.id, CategoryOptOut.category == category
    )


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        text_km: str,
        text_en: str,
        link_url: str | None,
        audience: Audience,
        send_at: datetime,
        created_by: int | None,
        now: datetime,
        category: str = OFFICIAL,
        file: tuple[str, str] | None = None,
        protect: bool = False,
        pin: bool = False,
        upload: tuple[str, str] | None = None,
        paid: bool = False,
    ) -> Broadcast:
        """``file``: its kind (``photo`` or ``document``) and Telegram's file_id; ``upload``:
        its kind and the path of a local file, uploaded on the first send (``keep_file_id``);
        ``paid``: sent fast with Telegram's paid broadcasts (``Broadcast.paid``)."""
        kind = upload[0] if upload else file[0] if file else None
        broadcast = Broadcast(
            text_km=text_km, text_en=text_en, link_url=link_url, audience=audience.to_json(),
            category=category, left_out=0, protect=protect, pin=pin, paid=paid,
            file_kind=kind, file_id=file[1] if file else None,
            file_path=upload[1] if upload else None,
            status=SCHEDULED, send_at=send_at, expanded=False, expanded_to=0, total=0,
            created_by=created_by, progress_chat_id=created_by, created_at=now,
        )  # fmt: skip
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self.session.get(Broadcast, broadcast_id)

    async def poster(self, broadcast_id: int) -> tuple[str | None, str | None]:
        """The file_id of a broadcast's file, once Telegram gave one, and its local path."""
        found = (
            await self.session.execute(
                select(Broadcast.file_id, Broadcast.file_path).where(Broadcast.id == broadcast_id)
            )
        ).first()
        return (found[0], found[1]) if found else (None, None)

    async def keep_file_id(self, broadcast_id: int, file_id: str) -> bool:
        """The file_id Telegram gave a local file uploaded on the first send, kept once (a
        conditional UPDATE: another sender's first upload is not overwritten), so later
        messages send it by id; whether this one was kept."""
        done = await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.file_id.is_(None))
            .values(file_id=file_id)
        )
        return bool(getattr(done, "rowcount", 0))

    async def count_by_language(
        self, audience: Audience, category: str = OFFICIAL
    ) -> dict[str, int]:
        """The members who would receive it now, by language: those who switched
        ``category`` off are not counted."""
        rows = await self.session.execute(
            select(Member.language, func.count())
            .where(*audience.conditions(), receives(category))
            .group_by(Member.language)
        )
        return {language: count for language, count in rows}

    async def start_due(self, now: datetime) -> list[int]:
        """Scheduled broadcasts whose time has come start sending; their ids."""
        due = list(
            await self.session.scalars(
                select(Broadcast.id).where(Broadcast.status == SCHEDULED, Broadcast.send_at <= now)
            )
        )
        if due:
            await self.session.execute(
                update(Broadcast)
                .where(Broadcast.id.in_(due), Broadcast.status == SCHEDULED)
                .values(status=SENDING_NOW, started_at=now)
            )
        return due

    async def sending(self) -> list[Broadcast]:
        return list(
            await self.session.scalars(
                select(Broadcast).where(Broadcast.status == SENDING_NOW).order_by(Broadcast.id)
            )
        )

    async def recipients(
        self, audience: Audience, after: int, limit: int, category: str = OFFICIAL
    ) -> list[tuple[int, int, str, bool]]:
        """(member id, Telegram id, language, receives ``category``) of the next ``limit``
        members of the audience above ``after``: those who switched the category off are
        listed too (False), to be counted and passed over."""
        rows = await self.session.execute(
            select(Member.id, Member.telegram_id, Member.language, receives(category))
            .where(*audience.conditions(), Member.id > after)
            .order_by(Member.id)
            .limit(limit)
        )
        # telegram_id is not null here
        return [(m, t or 0, lang, bool(wants)) for m, t, lang, wants in rows]

    async def queue(
        self,
        broadcast: Broadcast,
        recipients: Sequence[tuple[int, int, str]],
        messages: dict[str, tuple[str, dict[str, Any] | None]],
        now: datetime,
    ) -> None:
        """One outbox row a recipient (text and keyboard of their language, the broadcast's
        file with the text as its caption, its protection, pin and whether it is paid),
        one statement;
        a recipient queued before (a batch redone after a crash) is skipped by its key.
        ``expanded_to`` is the caller's to move (past members left out too)."""
        if recipients:
            await self.session.execute(
                upsert(self.session, OUTBOX)
                .values(status=PENDING, attempts=0, not_before=now, created_at=now, priority=BULK)
                .on_conflict_do_nothing(index_elements=["dedupe_key"]),
                [
                    {
                        "chat_id": telegram_id,
                        "text": messages[language][0],
                        "keyboard": messages[language][1],
                        "dedupe_key": f"broadcast:{broadcast.id}:{member_id}",
                        "broadcast_id": broadcast.id,
                        "file_kind": broadcast.file_kind
                        if broadcast.file_id or broadcast.file_path
                        else None,
                        "file_id": broadcast.file_id,
                        "protect": broadcast.protect,
                        "pin": broadcast.pin,
                        "paid": broadcast.paid,
                    }
                    for member_id, telegram_id, language in recipients
                ],
            )

    async def queued(self, broadcast_id: int) -> int:
        return (
            await self.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.broadcast_id == broadcast_id)
            )
            or 0
        )

    async def delivery(self, broadcast: Broadcast) -> Delivery:
        """From the counts the broadcast keeps once finished (``keep_final_counts``), or,
        while it is being sent or just stopped, counted from its outbox rows."""
        by_status = (
            {status: int(count) for status, count in broadcast.final_counts.items()}
            if broadcast.final_counts is not None
            else await self._counts(broadcast.id)
        )
        queued = sum(by_status.values())  # counted from rows: erased members' rows are gone
        return Delivery(
            total=queued if broadcast.expanded else max(broadcast.total, queued),
            sent=by_status.get("sent", 0),
            unreachable=by_status.get("unreachable", 0),
            failed=by_status.get("failed", 0),
            stopped=by_status.get(STOPPED, 0),
            left_out=broadcast.left_out,
            by_status=by_status,
        )

    async def _counts(self, broadcast_id: int) -> dict[str, int]:
        rows = await self.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.broadcast_id == broadcast_id)
            .group_by(OutboxMessage.status)
        )
        return {status: count for status, count in rows}

    async def keep_final_counts(self, stopped_before: datetime) -> int:
        """Keep on each finished broadcast its delivery counts by status; how many
        broadcasts. Its rows no longer change, so ``broadcast status``, the console and the
        statistics read those counts instead of counting its rows again, and deleting the
        rows after the retention period leaves them as they were. Decided over keeping
        broadcast rows forever: a row a recipient holds their chat id and a copy of the text.

        A broadcast that finishes sending keeps them at once (``finish``). A stopped one only
        once stopped before ``stopped_before``: its rows in flight at the stop were marked
        stopped too, and the sender writes what Telegram answered over them afterwards."""
        finished = await self.session.scalars(
            select(Broadcast).where(
                or_(
                    Broadcast.status == DONE,
                    (Broadcast.status == STOPPED_BY_ADMIN)
                    & (Broadcast.finished_at < stopped_before),
                ),
                Broadcast.final_counts.is_(None),
            )
        )
        kept = 0
        for broadcast in finished:
            if await self.unfinished(broadcast.id):
                continue  # a row put back to be sent again: next time
            broadcast.final_counts = await self._counts(broadcast.id)
            kept += 1
        return kept

    async def finish(self, broadcast: Broadcast, now: datetime) -> bool:
        """Done: every message went out or was refused (the caller saw none left), and its
        counts are kept from now on (``keep_final_counts``). False when an administrator
        stopped it meanwhile: their Stop marked the rows in flight stopped, which is why
        none looked left, and the outcomes still to come are counted a day later.

        The guarded write comes first: once it holds the row, a Stop waits for this
        transaction, so the counts read after it are the rows as they stand."""
        if not await transition(self.session, broadcast, SENDING_NOW, DONE, finished_at=now):
            return False
        broadcast.final_counts = await self._counts(broadcast.id)
        return True

    async def delivered_total(self) -> int:
        """Broadcast messages delivered, all broadcasts together (the statistics)."""
        counting = select(Broadcast.id).where(Broadcast.final_counts.is_(None))
        counted = (  # by the (broadcast, status) index: the rows of the broadcasts still
            select(func.count())  # counted, not every sent notice
            .select_from(OutboxMessage)
            .where(OutboxMessage.broadcast_id.in_(counting), OutboxMessage.status == "sent")
            .scalar_subquery()
        )
        kept = select(func.coalesce(func.sum(Broadcast.final_counts["sent"].as_integer()), 0))
        # One statement, so one snapshot: a broadcast finishing meanwhile is counted once.
        return int(await self.session.scalar(select(counted + kept.scalar_subquery())) or 0)

    async def stop(self, broadcast: Broadcast, now: datetime) -> bool:
        """Nothing more is sent; False when it was not being sent (finished, or stopped by
        another admin meanwhile). The broadcast row is written first, on the condition that
        it is being sent (an expansion batch writing meanwhile finishes before, or sees the
        stop); then every row not sent is marked stopped, those in flight too: if Telegram
        took one, its outcome is written over; if not, it is not tried again."""
        if not await transition(
            self.session, broadcast, SENDING_NOW, STOPPED_BY_ADMIN, finished_at=now, expanded=True
        ):
            return False
        await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.broadcast_id == broadcast.id,
                OutboxMessage.status.in_((PENDING, SENDING)),
            )
            .values(status=STOPPED)
        )
        broadcast.total = await self.queued(broadcast.id)
        return True

    async def claim_batch(self, broadcast_id: int) -> bool:
        """Take the broadcast's row for the expansion batch about to be written (a write,
        so a Stop waits for the batch, or the batch sees the Stop); False when it is no
        longer being expanded."""
        result = await self.session.execute(
            update(Broadcast)
            .where(
                Broadcast.id == broadcast_id,
                Broadcast.status == SENDING_NOW,
                Broadcast.expanded.is_(False),
            )
            .values(expanded_to=Broadcast.expanded_to)
        )
        return bool(getattr(result, "rowcount", 0))

    async def unfinished(self, broadcast_id: int) -> int:
        return (
            await self.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.broadcast_id == broadcast_id,
                    OutboxMessage.status.in_((PENDING, SENDING)),
                )
            )
            or 0
        )

    async def cancel(self, broadcast: Broadcast, now: datetime) -> bool:
        """A scheduled broadcast is called off; False when it has started (or ended)."""
        return await transition(self.session, broadcast, SCHEDULED, CANCELLED, finished_at=now)

    async def unreached(self, broadcast_id: int) -> list[tuple[int, str, str]]:
        """(Telegram id, name, outbox status: unreachable or failed) of the recipients the
        broadcast could not reach, as long as its outbox rows are kept (retention); the name
        is empty for someone no longer a member."""
        rows = await self.session.execute(
            select(OutboxMessage.chat_id, Member.full_name, OutboxMessage.status)
            .outerjoin(
                Member, (Member.telegram_id == OutboxMessage.chat_id) & Member.deleted_at.is_(None)
            )
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.status.in_((UNREACHABLE, FAILED)),
            )
            .order_by(OutboxMessage.id)
        )
        return [(chat_id, name or "", status) for chat_id, name, status in rows]

    async def recent(self, limit: int) -> list[Broadcast]:
        """The newest broadcasts, for /admin."""
        return list(
            await self.session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit))
        )
