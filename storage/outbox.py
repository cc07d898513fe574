"""The outbox table: every proactive message is a row, written in the transaction that
decided to send it, and sent later by the one sender (scheduler/outbox.py)."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, delete, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Broadcast, Member, OutboxMessage
from storage.sql import upsert

PENDING, SENDING, SENT, FAILED, UNREACHABLE = "pending", "sending", "sent", "failed", "unreachable"
STOPPED = "stopped"  # a broadcast's message not sent because an admin stopped it
FINISHED = (SENT, FAILED, UNREACHABLE, STOPPED)  # nothing more happens to these rows
NOTICE, BULK = 0, 1  # priorities: notices first, then broadcasts and digests
THANKS_KEY = "leaderboard-thanks:"  # the leaderboard's monthly thank-you (handlers/leaderboard)
MESSAGE_MAX = 4096  # Telegram's limit: UTF-16 units of the text once its HTML is parsed
CAPTION_MAX = 1024  # a photo's or document's caption, counted the same way
FOLLOWS = "<!--follows-->"
"""Between the parts of one row sent as several messages: a file's caption, then the rest of
a text too long for a caption (broadcasts, ``handlers.broadcast.delivery``). Escaped member
text never holds a ``<``, so the mark is never part of what someone wrote."""
IDS_A_STATEMENT = 5000  # ids in one IN (…): far under SQLite's and asyncpg's limits
T = TypeVar("T")
PART = "#"  # a notice in parts: the first keeps its key, the next ones "key#2", "key#3"…
# The parts looked for when a notice is dropped (``cancel``, an erasure): by their keys, read
# through the keys' unique index. A pattern ("key#…") would read every pending row, a
# broadcast's 100,000 among them, inside the transaction that answers or closes a question.
# The notices dropped have far fewer parts: the longest, an answer of 4,096 units sent with
# its screenshot's caption, takes three (test_telegram_lengths holds them to four).
PARTS_MAX = 8
_TAG = re.compile(r"<[^<>]*>")

log = logging.getLogger(__name__)


def statement_sized(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """``values`` in runs of at most ``IDS_A_STATEMENT``, one IN (…) a statement each."""
    for start in range(0, len(values), IDS_A_STATEMENT):
        yield values[start : start + IDS_A_STATEMENT]


def with_parts(keys: Sequence[str]) -> list[str]:
    """``keys`` and the keys their parts would have (up to ``PARTS_MAX``)."""
    return [key if n == 1 else f"{key}{PART}{n}" for key in keys for n in range(1, PARTS_MAX + 1)]


def keys_starting(prefix: str) -> ColumnElement[bool]:
    """The rows whose key starts with ``prefix``, as a range of the keys' unique index: a
    ``LIKE 'prefix%'`` reads every row (SQLite's ignores case, the index does not;
    PostgreSQL's uses no index of keys in a language's order). The keys sort byte by byte
    on both databases (migration 0026), so the range holds exactly the prefix's keys."""
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(OutboxMessage.dedupe_key >= prefix, OutboxMessage.dedupe_key < after)


def _shown_units(text: str) -> int:
    return len(html.unescape(_TAG.sub("", text)).encode("utf-16-le")) // 2


def fitting(text: str) -> list[str]:
    """``text``, or when Telegram would refuse it as too long, its text in plain pieces
    that fit. Callers split long messages properly (``bot.core.html.split_message``); one
    that reaches the outbox too long anyway is a bug, logged, and still delivered whole."""
    if _shown_units(text) <= MESSAGE_MAX:
        return [text]
    plain = html.unescape(_TAG.sub("", text))
    log.error("a message of %s units was queued: sent in pieces", _shown_units(text))
    pieces, piece, size = [], "", 0
    for char in plain:  # whole code points: never half a surrogate pair
        width = 2 if ord(char) > 0xFFFF else 1
        if size + width > MESSAGE_MAX:
            pieces.append(piece)
            piece, size = "", 0
        piece, size = piece + char, size + width
    return [html.escape(p, quote=False) for p in [*pieces, piece]]


@dataclass(frozen=True, slots=True)
class BulkMessage:
    """A message of a digest or an alert run, queued with many others in one statement."""

    chat_id: int
    text: str
    dedupe_key: str
    keyboard: dict[str, Any] | None = None  # keyboards.keyboard_to_json


OUTBOX = OutboxMessage.metadata.tables[OutboxMessage.__tablename__]


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(
        self,
        chat_id: int,
        text: str | Sequence[str],
        keyboard: dict[str, Any] | None,
        now: datetime,
        dedupe_key: str | None = None,
        not_before: datetime | None = None,
        priority: int = NOTICE,
        file: tuple[str, str] | None = None,
        protect: bool = False,
    ) -> None:
        """Queue a message, or a message in parts (sent in order, the keyboard under the
        last); with a ``dedupe_key`` seen before, nothing happens. With ``file`` (its kind,
        ``photo`` or ``document``, and Telegram's file_id) the first part is the caption of
        that photo or document (callers split with
        ``bot.core.html.split_caption``; a first part too long for a caption anyway follows
        the file as a message of its own). ``protect``: every part without forwarding or
        saving."""
        parts = [
            fit for part in ([text] if isinstance(text, str) else text) for fit in fitting(part)
        ]
        if file is not None and _shown_units(parts[0]) > CAPTION_MAX:
            log.error("a caption of %s units was queued: sent after the file", len(parts[0]))
            parts.insert(0, "")
        for number, part in enumerate(parts, 1):
            key = dedupe_key if number == 1 or dedupe_key is None else f"{dedupe_key}{PART}{number}"
            attached = file if number == 1 else None
            queued = await self.session.scalar(
                upsert(self.session, OutboxMessage)
                .values(
                    chat_id=chat_id,
                    text=part,
                    keyboard=keyboard if number == len(parts) else None,
                    dedupe_key=key,
                    status=PENDING,
                    attempts=0,
                    not_before=not_before or now,
                    created_at=now,
                    priority=priority,
                    file_kind=attached[0] if attached else None,
                    file_id=attached[1] if attached else None,
                    protect=protect,
                    pin=False,
                )
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
                .returning(OutboxMessage.id)
            )
            if queued is None:  # queued before: its parts too
                return

    async def enqueue_many(self, messages: Sequence[BulkMessage], now: datetime) -> None:
        """Queue bulk messages in one statement; a ``dedupe_key`` seen before is skipped."""
        messages = [
            BulkMessage(m.chat_id, part, m.dedupe_key if n == 1 else f"{m.dedupe_key}{PART}{n}",
                        m.keyboard if n == len(parts) else None)
            for m in messages for parts in [fitting(m.text)] for n, part in enumerate(parts, 1)
        ]  # fmt: skip
        if messages:
            await self.session.execute(
                upsert(self.session, OUTBOX)
                .values(
                    status=PENDING,
                    attempts=0,
                    not_before=now,
                    created_at=now,
                    priority=BULK,
                )
                .on_conflict_do_nothing(index_elements=["dedupe_key"]),
                [
                    {
                        "chat_id": m.chat_id,
                        "text": m.text,
                        "dedupe_key": m.dedupe_key,
                        "keyboard": m.keyboard,
                    }
                    for m in messages
                ],
            )

    async def queued(self, dedupe_key: str) -> bool:
        """Whether a message with this key was ever queued (sent or not)."""
        found = await self.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        return found is not None

    async def queued_any(self, key_prefix: str) -> bool:
        """Whether any message whose key starts with ``key_prefix`` was ever queued."""
        found = await self.session.scalar(
            select(OutboxMessage.id).where(keys_starting(key_prefix)).limit(1)
        )
        return found is not None

    async def cancel(self, dedupe_keys: Sequence[str]) -> set[str]:
        """Drop messages not sent yet (an offer for a question that closed meanwhile), their
        parts too; the keys of those dropped. One the sender has already claimed is left to
        go out."""
        if not dedupe_keys:
            return set()
        dropped = await self.session.scalars(
            delete(OutboxMessage)
            .where(
                OutboxMessage.dedupe_key.in_(with_parts(dedupe_keys)),
                # ``status || ''``: found by the keys' index, never by the index of every
                # pending row (SQLite, with no statistics, would pick the latter)
                OutboxMessage.status.concat("") == PENDING,
            )
            .returning(OutboxMessage.dedupe_key)
        )
        return {key.split(PART)[0] for key in dropped if key is not None}

    async def claim_due(
        self, now: datetime, limit: int, paid: bool | None = None
    ) -> list[OutboxMessage]:
        """Due pending rows, notices first then oldest, marked ``sending`` (the caller
        commits). One guarded UPDATE … WHERE status = 'pending' … RETURNING: a row another
        sender claimed meanwhile is not pending any more, so it is never handed to two
        (on PostgreSQL the rows chosen are also locked, skipping those another sender holds).
        ``paid``: only a paid broadcast's rows (True), only the others (False), or any."""
        due = (
            select(OutboxMessage.id)
            .where(OutboxMessage.status == PENDING, OutboxMessage.not_before <= now)
            .order_by(OutboxMessage.priority, OutboxMessage.not_before, OutboxMessage.id)
            .limit(limit)
        )
        if paid is not None:
            due = due.where(OutboxMessage.paid.is_(True) if paid else OutboxMessage.paid.is_(False))
        if self.session.get_bind().dialect.name == "postgresql":
            # a CTE, computed once: as ``IN (subquery)`` PostgreSQL may scan it again
            # during the UPDATE and claim more than ``limit`` rows
            chosen = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
        else:
            chosen = due.cte("due")
        rows = list(
            await self.session.scalars(
                update(OutboxMessage)
                .where(OutboxMessage.id == chosen.c.id, OutboxMessage.status == PENDING)
                .values(status=SENDING, claimed_at=now)
                .returning(OutboxMessage)
                .execution_options(synchronize_session=False, populate_existing=True)
            )
        )
        rows.sort(key=lambda row: (row.priority, row.not_before, row.id))
        return rows

    async def recover_stuck(self, claimed_before: datetime) -> int:
        """Rows ``sending`` since before ``claimed_before``: no call takes that long, so the
        sender could not write their outcome (the database locked or gone for a moment).
        They are pending again and go out again; how many."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == SENDING,
                or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < claimed_before),
            )
            .values(status=PENDING)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def forget_finished(
        self, before: datetime, keep_thanks_after: datetime, batch: int
    ) -> int:
        """Delete up to ``batch`` finished rows (sent, failed, unreachable, stopped) sent, or
        for the others written, before ``before``; how many. Kept: a broadcast's rows until
        its counts are kept on the broadcast (``final_counts``), and the leaderboard's
        thank-you rows written after ``keep_thanks_after`` (they are the record that a
        month was thanked, read until the next month's thank-you is due)."""
        frozen = select(Broadcast.id).where(Broadcast.final_counts.is_not(None))
        doomed = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status.in_(FINISHED),
                func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < before,
                or_(OutboxMessage.broadcast_id.is_(None), OutboxMessage.broadcast_id.in_(frozen)),
                or_(
                    OutboxMessage.dedupe_key.is_(None),
                    not_(OutboxMessage.dedupe_key.startswith(THANKS_KEY)),
                    OutboxMessage.created_at < keep_thanks_after,
                ),
            )
            .limit(batch)
        )
        result = await self.session.execute(
            delete(OutboxMessage).where(OutboxMessage.id.in_(doomed.scalar_subquery()))
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def release(self, ids: Sequence[int], not_before: datetime | None = None) -> None:
        """Put claimed rows back (a flood-control pause; a chat sent to a moment ago)."""
        if ids:
            values: dict[str, Any] = {"status": PENDING}
            if not_before is not None:
                values["not_before"] = not_before
            await self.session.execute(  # only what is still ours: a Stop meanwhile stands
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.status == SENDING)
                .values(**values)
            )

    async def finish(
        self, message_id: int, status: str, now: datetime, error: str | None = None
    ) -> None:
        values: dict[str, Any] = {"status": status, "last_error": error}
        if status == SENT:
            values["sent_at"] = now
        await self.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
        )

    async def finish_many(
        self, outcomes: Sequence[tuple[int, str, str | None]], now: datetime
    ) -> None:
        """The outcomes of many calls (row id, status, error): one UPDATE for each status
        and error, all the rows sent since the last write being one."""
        grouped: dict[tuple[str, str | None], list[int]] = {}
        for message_id, status, error in outcomes:
            grouped.setdefault((status, error), []).append(message_id)
        for (status, error), ids in grouped.items():
            values: dict[str, Any] = {"status": status, "last_error": error}
            if status == SENT:
                values["sent_at"] = now
            for chunk in statement_sized(ids):
                await self.session.execute(
                    update(OutboxMessage).where(OutboxMessage.id.in_(chunk)).values(**values)
                )

    async def attempts(self, message_id: int) -> int:
        return (
            await self.session.scalar(
                select(OutboxMessage.attempts).where(OutboxMessage.id == message_id)
            )
            or 0
        )

    async def keep_the_rest(self, message_id: int, text: str) -> None:
        """A row whose file went out but not all the messages following it: what is left is
        all it sends from now on (no file, no pin), so a retry never sends the file twice."""
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING)
            .values(text=text, file_kind=None, file_id=None, pin=False)
        )

    async def retry_later(self, message_id: int, when: datetime, error: str) -> None:
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING)
            .values(
                status=PENDING,
                not_before=when,
                attempts=OutboxMessage.attempts + 1,
                last_error=error,
            )
        )

    async def mark_unreachable(self, *chat_ids: int) -> None:
        """The members blocked the bot: later audiences leave them out."""
        await self.session.execute(
            update(Member).where(Member.telegram_id.in_(chat_ids)).values(unreachable=True)
        )

    async def resume_in_flight(self) -> int:
        """After a crash: rows left in ``sending`` may not have gone out; send them again."""
        result = await self.session.execute(
            update(OutboxMessage).where(OutboxMessage.status == SENDING).values(status=PENDING)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def backlog(self) -> int:
        return (
            await self.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_((PENDING, SENDING)))
            )
            or 0
        )
