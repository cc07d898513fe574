"""The outbox sender keeps Telegram's limits and loses nothing."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.keyboards import Button, InlineKeyboard, keyboard_to_json
from bot.core.ports import Rejected, RetryLater, Unreachable
from scheduler.outbox import MAX_ATTEMPTS, OutboxSender
from scheduler.pacing import MARGIN
from storage.db import make_sessionmaker
from storage.models import Member, OutboxMessage
from storage.uow import UnitOfWork
from tests.conftest import FakeClock
from tests.fakes import RecordingMessenger


class FakeTime:
    """Monotonic time that moves only when the sender sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def recording(time: FakeTime) -> RecordingMessenger:
    """Telegram, noting the sender's monotonic time of each message."""
    return RecordingMessenger(now=time.monotonic)


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> AsyncIterator[object]:
    sessionmaker = make_sessionmaker(database)
    yield lambda: UnitOfWork(sessionmaker)


async def enqueue(factory, clock: FakeClock, *chats: int, key: str | None = None) -> None:
    async with factory() as uow:
        for chat in chats:
            keyboard = keyboard_to_json(InlineKeyboard.of([[Button("Go", "x:1")]]))
            await uow.outbox.enqueue(chat, f"to {chat}", keyboard, clock.now(), key)
        await uow.commit()


async def statuses(factory) -> dict[int, str]:
    async with factory() as uow:
        rows = await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return {row.id: row.status for row in rows}


def sender(
    factory, clock: FakeClock, time: FakeTime, messenger: RecordingMessenger, rate: float = 10
) -> OutboxSender:
    return OutboxSender(factory, messenger, clock, rate, 1.0, time.monotonic, time.sleep)


async def test_the_global_rate_holds_in_every_rolling_second(uow_factory, clock: FakeClock) -> None:
    """Five in a second, spread; the sixth a second (and the margin) after the first's
    answer (here at once), the next ones likewise."""
    time = FakeTime()
    messenger = recording(time)
    await enqueue(uow_factory, clock, *range(1, 13))
    assert await sender(uow_factory, clock, time, messenger, rate=5).drain(limit=12) == 12
    moments = [round(sent.at - 100.0, 6) for sent in messenger.sent]
    spread = [0.0, 0.1, 0.2, 0.3, 0.4]  # 1/(SPREAD × rate) apart
    second = 1.0 + MARGIN
    expected = spread + [second + s for s in spread] + [2 * second + s for s in spread[:2]]
    assert moments == pytest.approx(expected)
    assert all(b - a > 1.0 for a, b in zip(moments, moments[5:], strict=False))
    assert set((await statuses(uow_factory)).values()) == {"sent"}


async def test_one_chat_gets_at_most_one_message_a_second(uow_factory, clock: FakeClock) -> None:
    time = FakeTime()
    messenger = recording(time)
    await enqueue(uow_factory, clock, 7, 7, 8)
    outbox = sender(uow_factory, clock, time, messenger, rate=100)
    assert await outbox.drain() == 2  # 7 and 8; the second message to 7 waits
    assert list((await statuses(uow_factory)).values()) == ["sent", "pending", "sent"]
    time.now += 1.0
    assert await outbox.drain() == 0  # put back for a second of the community's clock
    clock.advance(seconds=1)
    assert await outbox.drain() == 1
    assert [sent.chat_id for sent in messenger.sent] == [7, 8, 7]


async def test_flood_control_pauses_everything_and_loses_nothing(
    uow_factory, clock: FakeClock
) -> None:
    time = FakeTime()
    messenger = recording(time)
    messenger.failures[2] = [RetryLater(30)]
    await enqueue(uow_factory, clock, 1, 2, 3)
    outbox = sender(uow_factory, clock, time, messenger)
    assert await outbox.drain() == 1
    assert list((await statuses(uow_factory)).values()) == ["sent", "pending", "pending"]
    time.now += 29
    assert await outbox.drain() == 0  # still paused
    time.now += 1
    assert await outbox.drain() == 2
    assert [sent.chat_id for sent in messenger.sent] == [1, 2, 3]


async def test_a_member_who_blocked_the_bot_is_marked_unreachable(
    uow_factory,
    clock: FakeClock,
    database: AsyncEngine,
) -> None:
    async with uow_factory() as uow:
        await uow.members.upsert_many(
            [{"telegram_id": 5, "full_name": "Blocked", "role": "other", "province": "kep"}],
            clock.now(),
        )
        await uow.commit()
    time = FakeTime()
    messenger = recording(time)
    messenger.failures[5] = [Unreachable("Forbidden: bot was blocked by the user")]
    await enqueue(uow_factory, clock, 5)
    await sender(uow_factory, clock, time, messenger).drain()
    assert list((await statuses(uow_factory)).values()) == ["unreachable"]
    async with uow_factory() as uow:
        member = await uow.session.scalar(select(Member).where(Member.telegram_id == 5))
        assert member is not None and member.unreachable


async def test_transient_errors_are_retried_with_backoff_then_given_up(
    uow_factory,
    clock: FakeClock,
) -> None:
    time = FakeTime()
    messenger = recording(time)
    messenger.failures[9] = [TimeoutError("network")] * MAX_ATTEMPTS
    await enqueue(uow_factory, clock, 9)
    outbox = sender(uow_factory, clock, time, messenger)
    waits = []
    for _ in range(MAX_ATTEMPTS):
        assert await outbox.drain() == 0
        async with uow_factory() as uow:
            row = await uow.session.scalar(select(OutboxMessage))
            assert row is not None
            waits.append(row.not_before - clock.now())
        clock.advance(hours=1)
        time.now += 3600
    assert waits[:4] == [timedelta(seconds=s) for s in (5, 10, 20, 40)]
    assert list((await statuses(uow_factory)).values()) == ["failed"]


async def test_a_message_telegram_refuses_fails_at_once(uow_factory, clock: FakeClock) -> None:
    time = FakeTime()
    messenger = recording(time)
    messenger.failures[4] = [Rejected("Bad Request: can't parse entities")]
    await enqueue(uow_factory, clock, 4)
    await sender(uow_factory, clock, time, messenger).drain()
    assert list((await statuses(uow_factory)).values()) == ["failed"]


async def test_a_crash_resends_only_what_was_in_flight(uow_factory, clock: FakeClock) -> None:
    await enqueue(uow_factory, clock, 1, 2, 3)
    async with uow_factory() as uow:  # a sender claimed two rows and died
        await uow.outbox.claim_due(clock.now(), 2)
        await uow.commit()
    time = FakeTime()
    messenger = recording(time)
    outbox = sender(uow_factory, clock, time, messenger)
    await outbox.resume_after_crash()
    assert await outbox.drain() == 3
    assert sorted(sent.chat_id for sent in messenger.sent) == [1, 2, 3]


async def test_the_same_notice_is_queued_once(uow_factory, clock: FakeClock) -> None:
    await enqueue(uow_factory, clock, 1, key="offer:1")
    await enqueue(uow_factory, clock, 1, key="offer:1")
    assert len(await statuses(uow_factory)) == 1


async def test_a_message_due_later_waits(uow_factory, clock: FakeClock) -> None:
    async with uow_factory() as uow:
        await uow.outbox.enqueue(
            3, "at 07:00", None, clock.now(), None, clock.now() + timedelta(hours=5)
        )
        await uow.commit()
    time = FakeTime()
    messenger = recording(time)
    outbox = sender(uow_factory, clock, time, messenger)
    assert await outbox.drain() == 0
    clock.advance(hours=5)
    assert await outbox.drain() == 1


async def test_after_flood_control_the_rate_drops_then_climbs_back(
    uow_factory, clock: FakeClock
) -> None:
    time = FakeTime()
    messenger = recording(time)
    messenger.failures[2] = [RetryLater(1)]
    await enqueue(uow_factory, clock, *range(1, 40))
    outbox = sender(uow_factory, clock, time, messenger, rate=10)
    await outbox.drain()
    assert outbox.rate == 8.0  # a 429 with two calls in the second: down by a fifth at most
    time.now += 1
    rates = []
    for _ in range(5):
        await outbox.drain()
        rates.append(outbox.rate)
    assert rates == [8.5, 9.0, 9.5, 10.0, 10.0]  # back to DCC_SEND_RATE, never above


class LimitedTelegram(RecordingMessenger):
    """Telegram's flood control on the sender's clock: at most ``limit`` accepted sends in
    any rolling second, 429 (retry after 1 s) beyond."""

    def __init__(self, time: FakeTime, limit: int) -> None:
        super().__init__(now=time.monotonic)
        self.time, self.limit = time, limit
        self.accepted: deque[float] = deque()
        self.floods = 0

    async def _call(self, chat_id: int) -> None:
        now = self.time.monotonic()
        while self.accepted and now - self.accepted[0] >= 1.0:
            self.accepted.popleft()
        if len(self.accepted) >= self.limit:
            self.floods += 1
            raise RetryLater(1)
        self.accepted.append(now)
        await super()._call(chat_id)


async def send_everything(
    outbox: OutboxSender, clock: FakeClock, time: FakeTime, count: int
) -> None:
    """The sender's loop on the fake clocks (the community's following the sender's):
    rounds until ``count`` are sent, pauses waited."""
    start, began = clock.now(), time.now
    sent = 0
    for _ in range(count):
        if sent >= count:
            return
        sent += await outbox.drain()
        if outbox.paused():
            time.now = outbox.free.paused_until
        clock.current = start + timedelta(seconds=time.now - began)
    raise AssertionError(f"{sent} of {count} sent")


async def test_at_the_limit_the_rate_holds_with_no_flood_control(
    uow_factory, clock: FakeClock
) -> None:
    time = FakeTime()
    telegram = LimitedTelegram(time, 30)
    await enqueue(uow_factory, clock, *range(1, 601))
    outbox = sender(uow_factory, clock, time, telegram, rate=30)
    await send_everything(outbox, clock, time, 600)
    moments = [sent.at for sent in telegram.sent]
    assert telegram.floods == 0 and len(moments) == 600
    assert (600 - 1) / (moments[-1] - moments[0]) >= 29.5


async def test_under_a_lower_limit_the_rate_settles_just_under_it(
    uow_factory, clock: FakeClock
) -> None:
    """DCC_SEND_RATE 30 against a limit of 20: two 429s to learn it, then at least 90% of
    it, one 429 each PROBE_AFTER rounds at most (trying whether it rose again)."""
    time = FakeTime()
    telegram = LimitedTelegram(time, 20)
    await enqueue(uow_factory, clock, *range(1, 1201))
    outbox = sender(uow_factory, clock, time, telegram, rate=30)
    await send_everything(outbox, clock, time, 1200)
    moments = [sent.at for sent in telegram.sent]
    settled = [at for at in moments if at >= moments[0] + 5]  # after the first 429s
    assert len(settled) / (settled[-1] - settled[0]) >= 18
    assert telegram.floods <= 4
    assert 19 <= outbox.rate <= 20


async def make_paid(factory, *chats: int) -> None:
    async with factory() as uow:
        await uow.session.execute(
            update(OutboxMessage).where(OutboxMessage.chat_id.in_(chats)).values(paid=True)
        )
        await uow.commit()


async def test_claims_take_paid_and_free_rows_apart(uow_factory, clock: FakeClock) -> None:
    await enqueue(uow_factory, clock, 1, 2, 3, 4)
    await make_paid(uow_factory, 2, 4)
    async with uow_factory() as uow:
        paid = await uow.outbox.claim_due(clock.now(), 10, paid=True)
        free = await uow.outbox.claim_due(clock.now(), 10, paid=False)
        await uow.commit()
    assert [row.chat_id for row in paid] == [2, 4]
    assert [row.chat_id for row in free] == [1, 3]


async def test_outcomes_are_written_one_statement_a_status_and_error(
    uow_factory, clock: FakeClock, database: AsyncEngine
) -> None:
    await enqueue(uow_factory, clock, *range(1, 8))
    async with uow_factory() as uow:
        ids = [row.id for row in await uow.outbox.claim_due(clock.now(), 10)]
        await uow.commit()
    updates: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE"):
            updates.append(statement)

    event.listen(database.sync_engine, "before_cursor_execute", seen)
    try:
        async with uow_factory() as uow:
            await uow.outbox.finish_many(
                [(i, "sent", None) for i in ids[:5]]
                + [(ids[5], "failed", "Bad Request"), (ids[6], "failed", "Bad Request")],
                clock.now(),
            )
            await uow.commit()
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", seen)
    assert len(updates) == 2
    assert list((await statuses(uow_factory)).values()) == ["sent"] * 5 + ["failed"] * 2
    async with uow_factory() as uow:
        rows = list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert all(row.sent_at == clock.now() for row in rows[:5])
    assert [row.last_error for row in rows[5:]] == ["Bad Request"] * 2


async def test_a_round_writes_its_outcomes_in_a_few_transactions(
    uow_factory, clock: FakeClock
) -> None:
    """Group commit: the outcomes of calls that end while one write runs go in the next."""
    commits = 0

    def counting() -> UnitOfWork:
        nonlocal commits
        uow = uow_factory()
        commit = uow.commit

        async def counted() -> None:
            nonlocal commits
            commits += 1
            await commit()

        uow.commit = counted
        return uow

    await enqueue(uow_factory, clock, *range(1, 101))
    time = FakeTime()
    messenger = recording(time)
    outbox = OutboxSender(counting, messenger, clock, 1000, 0.0, time.monotonic, time.sleep)
    assert await outbox.drain(limit=100) == 100
    assert set((await statuses(uow_factory)).values()) == {"sent"}
    assert commits < 40  # claims (2) and recovery (1) included; one a message would be 103


async def test_a_paid_broadcasts_rows_go_with_allow_paid_broadcast_in_a_lane_of_their_own(
    uow_factory, clock: FakeClock
) -> None:
    """DCC_SEND_RATE 5 holds back neither: 60 paid rows go in one round of the paid lane,
    and the notice and free rows in the free one, at once, the notice first of them."""
    await enqueue(uow_factory, clock, *range(100, 160))
    await make_paid(uow_factory, *range(100, 160))
    async with uow_factory() as uow:
        for chat in range(1, 5):
            await uow.outbox.enqueue(chat, "bulk", None, clock.now(), priority=1)
        await uow.outbox.enqueue(9, "an offer to an expert", None, clock.now())
        await uow.commit()
    time = FakeTime()
    messenger = recording(time)
    outbox = OutboxSender(
        uow_factory, messenger, clock, 5, 1.0, time.monotonic, time.sleep, paid_rate=1000
    )
    assert await outbox.drain() == 65
    paid = [sent for sent in messenger.sent if sent.chat_id >= 100]
    free = [sent for sent in messenger.sent if sent.chat_id < 100]
    assert len(paid) == 60 and all(sent.paid for sent in paid)
    assert [sent.chat_id for sent in free] == [9, 1, 2, 3, 4]
    assert not any(sent.paid for sent in free)
    assert free[0].at == 100.0  # the notice at once, however many paid rows are due
