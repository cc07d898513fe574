"""The outbox across processes and faults: a claim hands a row to one sender only; the
running sender mends its own bookkeeping when the database failed for a moment; a second
leader on one SQLite file is refused; finished rows are deleted after the retention period
while broadcasts keep their counts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_app
from bot.config import ConfigError, Settings, load_settings
from scheduler.leader import LeadTaken, SqliteLead
from scheduler.outbox import STUCK_AFTER, OutboxSender
from scheduler.retention import THANKS_KEPT, forget_finished_messages
from storage.broadcasts import Audience
from storage.db import make_engine, make_sessionmaker
from storage.models import OutboxMessage
from storage.uow import UnitOfWork
from tests.conftest import FakeClock
from tests.fakes import RecordingMessenger
from tests.unit.test_outbox_sender import FakeTime, enqueue, statuses


class DatabaseGone(Exception):
    """What the driver raises while the database is locked or unreachable."""


class FlakyDatabase:
    """Units of work whose commit fails while ``down``."""

    def __init__(self, database: AsyncEngine, clock: FakeClock) -> None:
        self.sessionmaker = make_sessionmaker(database)
        self.clock = clock
        self.down = False

    def __call__(self) -> UnitOfWork:
        uow = UnitOfWork(self.sessionmaker, self.clock.now)
        commit = uow.commit

        async def flaky_commit() -> None:
            if self.down:
                raise DatabaseGone("database is locked")
            await commit()

        uow.commit = flaky_commit  # type: ignore[method-assign]
        return uow


def fails_then_goes_down(time: FakeTime, flaky: FlakyDatabase) -> RecordingMessenger:
    """Telegram takes (or refuses) the message; right after, the database goes away."""

    async def database_goes_down(_chat_id: int) -> None:
        flaky.down = True

    return RecordingMessenger(now=time.monotonic, before_call=database_goes_down)


def make_sender(
    flaky: FlakyDatabase, messenger: RecordingMessenger, time: FakeTime
) -> OutboxSender:
    return OutboxSender(flaky, messenger, flaky.clock, 10, 1.0, time.monotonic, time.sleep)


async def test_a_sent_message_whose_outcome_could_not_be_written_is_not_sent_again(
    database: AsyncEngine, clock: FakeClock
) -> None:
    flaky = FlakyDatabase(database, clock)
    await enqueue(flaky, clock, 1)
    time = FakeTime()
    messenger = fails_then_goes_down(time, flaky)
    outbox = make_sender(flaky, messenger, time)
    await outbox.drain()  # sent; "sent" could not be written
    assert list((await statuses(flaky)).values()) == ["sending"]
    flaky.down = False
    messenger.before_call = None  # the database stays up from now on
    await outbox.drain()
    assert list((await statuses(flaky)).values()) == ["sent"]
    assert [sent.chat_id for sent in messenger.sent] == [1]  # once


async def test_a_message_left_sending_is_sent_again_by_the_running_sender(
    database: AsyncEngine, clock: FakeClock
) -> None:
    """Telegram did not take it (a timeout), and scheduling the retry failed too: the row
    stays ``sending``; after STUCK_AFTER the same sender, still running, sends it."""
    flaky = FlakyDatabase(database, clock)
    await enqueue(flaky, clock, 1)
    time = FakeTime()
    messenger = fails_then_goes_down(time, flaky)
    messenger.failures[1] = [TimeoutError("timed out")]
    outbox = make_sender(flaky, messenger, time)
    await outbox.drain()
    assert list((await statuses(flaky)).values()) == ["sending"]
    flaky.down = False
    messenger.before_call = None
    for _ in range(3):  # rounds go on, the row is not due again yet
        assert await outbox.drain() == 0
    clock.advance(seconds=STUCK_AFTER.total_seconds() + 60)
    time.now += STUCK_AFTER.total_seconds() + 60
    assert await outbox.drain() == 1
    assert list((await statuses(flaky)).values()) == ["sent"]


async def test_a_guarded_claim_never_hands_one_row_to_two_claimers(
    database: AsyncEngine, clock: FakeClock, tmp_path: Path
) -> None:
    """Two senders (each with its own engine, as two processes) claim the same outbox at
    once, round after round: every row is claimed exactly once."""
    url = database.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(2)]
    makers = [make_sessionmaker(engine) for engine in engines]
    factories = [(lambda s=maker: UnitOfWork(s, clock.now)) for maker in makers]
    async with factories[0]() as uow:
        for chat in range(300):
            await uow.outbox.enqueue(chat, f"to {chat}", None, clock.now())
        await uow.commit()
    claimed: list[list[int]] = [[], []]

    async def claimer(index: int) -> None:
        while True:
            async with factories[index]() as uow:
                rows = await uow.outbox.claim_due(clock.now(), 7)
                await uow.commit()
            if not rows:
                return
            claimed[index].extend(row.id for row in rows)
            await asyncio.sleep(0)

    try:
        await asyncio.gather(claimer(0), claimer(1))
    finally:
        for engine in engines:
            await engine.dispose()
    every = claimed[0] + claimed[1]
    assert len(every) == len(set(every)) == 300
    assert set((await statuses(factories[0])).values()) == {"sending"}


async def test_claims_keep_notices_first_then_the_oldest(
    database: AsyncEngine, clock: FakeClock
) -> None:
    factory = FlakyDatabase(database, clock)
    async with factory() as uow:
        await uow.outbox.enqueue(1, "bulk", None, clock.now(), priority=1)
        await uow.outbox.enqueue(2, "older notice", None, clock.now())
        await uow.outbox.enqueue(3, "newer notice", None, clock.now() + timedelta(seconds=1))
        await uow.commit()
    async with factory() as uow:
        rows = await uow.outbox.claim_due(clock.now() + timedelta(seconds=5), 2)
    assert [row.text for row in rows] == ["older notice", "newer notice"]
    assert all(row.status == "sending" and row.claimed_at == clock.now() + timedelta(seconds=5)
               for row in rows)  # fmt: skip


# -- one leader per SQLite file ----------------------------------------------------------
async def test_a_second_bot_on_one_sqlite_file_is_refused_with_a_clear_message(
    settings: Settings, clock: FakeClock
) -> None:
    first = await build_app(settings, migrate=True, clock=clock)
    second = await build_app(settings, clock=clock)
    try:
        first.take_sqlite_lead()
        with pytest.raises(ConfigError) as refused:
            second.take_sqlite_lead()
        assert "another dcc-bot is already running on the SQLite database" in str(refused.value)
        assert "use PostgreSQL" in str(refused.value)
        assert first.sqlite_lead is not None
        first.sqlite_lead.release()  # the first stops (or is killed): the next may lead
        second.take_sqlite_lead()
    finally:
        for app in (first, second):
            if app.sqlite_lead is not None:
                app.sqlite_lead.release()
            await app.database.dispose()


def test_the_lead_goes_with_its_holder(tmp_path: Path) -> None:
    one, two = SqliteLead(str(tmp_path / "a.sqlite3")), SqliteLead(str(tmp_path / "a.sqlite3"))
    one.take()
    with pytest.raises(LeadTaken):
        two.take()
    SqliteLead(str(tmp_path / "b.sqlite3")).take()  # another file is another bot
    one.release()
    two.take()
    two.release()


# -- retention ---------------------------------------------------------------------------
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
Factory = Callable[[], UnitOfWork]


async def outbox_rows(factory: Factory) -> list[OutboxMessage]:
    async with factory() as uow:
        return list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_finished_messages_are_deleted_after_the_retention_period(
    database: AsyncEngine,
) -> None:
    sessionmaker = make_sessionmaker(database)

    def factory() -> UnitOfWork:
        return UnitOfWork(sessionmaker, lambda: NOW)

    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=29)
    async with factory() as uow:
        for key, status, at in (
            ("old-sent", "sent", old), ("recent-sent", "sent", recent),
            ("old-failed", "failed", old), ("old-pending", "pending", old),
            ("old-sending", "sending", old),
            ("leaderboard-thanks:2026-10:1", "sent", NOW - timedelta(days=40)),
            ("leaderboard-thanks:2026-08:1", "sent", NOW - THANKS_KEPT - timedelta(days=1)),
        ):  # fmt: skip
            await uow.outbox.enqueue(1, key, None, at, key)
            await uow.session.flush()
            row = await uow.session.scalar(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == key)
            )
            assert row is not None
            row.status, row.sent_at = status, at if status == "sent" else None
        await uow.commit()
    deleted = await forget_finished_messages(factory, NOW, timedelta(days=30))
    assert deleted == 3
    assert [row.dedupe_key for row in await outbox_rows(factory)] == [
        "recent-sent", "old-pending", "old-sending", "leaderboard-thanks:2026-10:1",
    ]  # fmt: skip


async def test_a_broadcast_keeps_its_counts_when_its_rows_are_deleted(
    database: AsyncEngine,
) -> None:
    sessionmaker = make_sessionmaker(database)

    def factory() -> UnitOfWork:
        return UnitOfWork(sessionmaker, lambda: NOW)

    sent_at = NOW - timedelta(days=40)
    async with factory() as uow:
        await uow.tags.sync_seed()
        broadcast = await uow.broadcasts.add(
            "សួស្តី", "Hello", None, Audience(), sent_at, None, sent_at
        )
        going = await uow.broadcasts.add("កំពុង", "Going", None, Audience(), sent_at, None, sent_at)
        for n, status in enumerate(("sent", "sent", "unreachable", "failed")):
            uow.session.add(
                OutboxMessage(
                    chat_id=n, text="Hello", status=status, attempts=0, not_before=sent_at,
                    created_at=sent_at, sent_at=sent_at if status == "sent" else None,
                    priority=1, broadcast_id=broadcast.id, dedupe_key=f"b:{broadcast.id}:{n}",
                )
            )  # fmt: skip
        uow.session.add(
            OutboxMessage(
                chat_id=9, text="Going", status="sent", attempts=0, not_before=sent_at,
                created_at=sent_at, sent_at=sent_at, priority=1, broadcast_id=going.id,
            )
        )  # fmt: skip
        broadcast.status, broadcast.expanded, broadcast.finished_at = "done", True, sent_at
        going.status = "sending"  # not finished: its rows stay, counted from them
        # stopped two days ago: settled; an hour ago: a call in flight may still be written
        stopped, just_stopped = [
            await uow.broadcasts.add("ឈប់", "Stopped", None, Audience(), at, None, at)
            for at in (NOW - timedelta(days=2), NOW - timedelta(hours=1))
        ]
        for n, (broadcast_id, status) in enumerate(
            [(stopped.id, "sent"), (stopped.id, "stopped"), (just_stopped.id, "stopped")]
        ):
            uow.session.add(
                OutboxMessage(
                    chat_id=20 + n, text="Stopped", status=status, attempts=0,
                    not_before=NOW, created_at=NOW, priority=1, broadcast_id=broadcast_id,
                )
            )  # fmt: skip
        stopped.status, stopped.expanded = "stopped", True
        stopped.finished_at = NOW - timedelta(days=2)
        just_stopped.status, just_stopped.expanded = "stopped", True
        just_stopped.finished_at = NOW - timedelta(hours=1)
        await uow.commit()
        before = await uow.broadcasts.delivery(broadcast)
        reach_before = await uow.stats.broadcast_reach()
    await forget_finished_messages(factory, NOW, timedelta(days=30))
    rows = [row.broadcast_id for row in await outbox_rows(factory)]
    assert rows == [going.id, stopped.id, stopped.id, just_stopped.id]  # within the period
    async with factory() as uow:
        settled, unsettled = [await uow.broadcasts.get(b.id) for b in (stopped, just_stopped)]
        assert settled is not None and settled.final_counts == {"sent": 1, "stopped": 1}
        assert unsettled is not None and unsettled.final_counts is None
        kept = await uow.broadcasts.get(broadcast.id)
        assert kept is not None
        after = await uow.broadcasts.delivery(kept)
        reach_after = await uow.stats.broadcast_reach()
    assert (after.total, after.sent, after.unreachable, after.failed) == (4, 2, 1, 1)
    assert after == before
    assert reach_after == reach_before == (4, 4)


def test_the_retention_period_is_a_setting() -> None:
    assert load_settings({}, dotenv=False).outbox_retention_days == 30
    assert load_settings({"DCC_OUTBOX_RETENTION_DAYS": "90"}).outbox_retention_days == 90
    for bad in ("1", "0", "thirty", "-5", "2.5"):
        with pytest.raises(ConfigError, match="DCC_OUTBOX_RETENTION_DAYS"):
            load_settings({"DCC_OUTBOX_RETENTION_DAYS": bad})
