"""Broadcast audiences, their expansion into the outbox, and the sender's order and overlap."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Translations
from handlers.broadcast.audience import describe, parse_audience
from handlers.broadcast.delivery import expand, report_progress
from scheduler.outbox import OutboxSender
from storage.broadcasts import Audience, BroadcastRepository
from storage.db import make_sessionmaker
from storage.models import Broadcast, OutboxMessage
from storage.outbox import BULK, SENT
from storage.uow import UnitOfWork
from tests.conftest import FakeClock
from tests.fakes import RecordingMessenger

Factory = Callable[[], UnitOfWork]


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> AsyncIterator[Factory]:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker) as uow:
        await uow.tags.sync_seed()
        await uow.commit()
    yield lambda: UnitOfWork(sessionmaker)


MEMBERS = [  # telegram id, role, province, skills, language
    (1, "student", "phnom-penh", ["ai"], "km"),
    (2, "student", "siem-reap", ["web"], "en"),
    (3, "academic", "siem-reap", ["ai", "data"], "km"),
    (4, "civil-servant", "kampot", ["policy"], "en"),
    (5, "other", "abroad", ["web"], "km"),
]


async def seed(factory: Factory, clock: FakeClock) -> None:
    async with factory() as uow:
        rows = [
            {"telegram_id": t, "full_name": f"M{t}", "role": role, "province": province,
             "country": "Japan" if province == "abroad" else None, "skills": skills,
             "language": language}
            for t, role, province, skills, language in MEMBERS
        ]  # fmt: skip
        await uow.members.upsert_many(rows, clock.now())
        expert = await uow.members.get(4)
        assert expert is not None
        await uow.questions.make_expert(expert.id, ["digital-gov"])
        owner = await uow.members.get(2)
        assert owner is not None
        company = await uow.jobs.add_company(owner.id, "Co", "1", "ICT", None, "x", clock.now())
        company.status = "verified"
        await uow.commit()


async def sending(
    factory: Factory, clock: FakeClock, translations: Translations, claimed: int
) -> tuple[Broadcast, list[int]]:
    """A broadcast to everyone being sent, expanded, with ``claimed`` of its messages in
    flight (their ids)."""
    async with factory() as uow:
        broadcast = await uow.broadcasts.add(
            "k", "e", None, Audience(), clock.now(), 1, clock.now()
        )
        broadcast.status = "sending"
        await uow.commit()
    await expand(factory, translations, broadcast.id, clock.now)
    async with factory() as uow:
        in_flight = [row.id for row in await uow.outbox.claim_due(clock.now(), claimed)]
        await uow.commit()
    return broadcast, in_flight


async def audience_of(factory: Factory, audience: Audience) -> set[int]:
    async with factory() as uow:
        return {t for _m, t, _lang, _wants in await uow.broadcasts.recipients(audience, 0, 100)}


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (Audience(), {1, 2, 3, 4, 5}),
        (Audience(roles=("student",)), {1, 2}),
        (Audience(roles=("student", "academic")), {1, 2, 3}),  # alternatives
        (Audience(roles=("student",), provinces=("siem-reap",)), {2}),  # both must hold
        (Audience(provinces=("abroad",)), {5}),
        (Audience(tags=("ai",)), {1, 3}),
        (Audience(tags=("digital-gov",)), {4}),  # a tag they are expert for counts too
        (Audience(experts=True), {4}),
        (Audience(companies=True), {2}),
        (Audience(companies=True, roles=("academic",)), set()),
    ],
)
async def test_an_audience_is_expanded_in_the_database(
    uow_factory: Factory, clock: FakeClock, audience: Audience, expected: set[int]
) -> None:
    await seed(uow_factory, clock)
    assert await audience_of(uow_factory, audience) == expected


async def test_members_who_left_or_blocked_the_bot_are_never_in_an_audience(
    uow_factory: Factory, clock: FakeClock
) -> None:
    await seed(uow_factory, clock)
    async with uow_factory() as uow:
        gone = await uow.members.get(1)
        blocked = await uow.members.get(2)
        assert gone is not None and blocked is not None
        await uow.members.erase(gone, clock.now())
        blocked.unreachable = True
        await uow.commit()
    assert await audience_of(uow_factory, Audience()) == {3, 4, 5}


async def test_expansion_goes_a_batch_at_a_time_and_a_redone_batch_adds_nothing(
    uow_factory: Factory, clock: FakeClock, translations: Translations
) -> None:
    await seed(uow_factory, clock)
    async with uow_factory() as uow:
        broadcast = await uow.broadcasts.add(
            "ខ្មែរ", "English", None, Audience(), clock.now(), None, clock.now()
        )
        broadcast.status = "sending"
        await uow.commit()
    assert await expand(uow_factory, translations, broadcast.id, clock.now, batch=2) == 5
    async with uow_factory() as uow:
        rows = list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        stored = await uow.broadcasts.get(broadcast.id)
        assert stored is not None and stored.expanded and stored.total == 5
        stored.expanded, stored.expanded_to = False, 2  # as if a crash lost the last batches
        await uow.commit()
    assert [r.chat_id for r in rows] == [1, 2, 3, 4, 5]
    assert {r.priority for r in rows} == {BULK}
    assert ("ខ្មែរ" in rows[0].text, "English" in rows[1].text) == (True, True)
    await expand(uow_factory, translations, broadcast.id, clock.now, batch=2)
    async with uow_factory() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert count == 5


@pytest.mark.parametrize("paid", [True, False])
async def test_expansion_copies_whether_the_broadcast_is_paid_to_its_messages(
    uow_factory: Factory, clock: FakeClock, translations: Translations, paid: bool
) -> None:
    await seed(uow_factory, clock)
    async with uow_factory() as uow:
        broadcast = await uow.broadcasts.add(
            "ខ្មែរ", "English", None, Audience(), clock.now(), None, clock.now()
        )
        broadcast.status, broadcast.paid = "sending", paid
        await uow.commit()
    assert await expand(uow_factory, translations, broadcast.id, clock.now) == 5
    async with uow_factory() as uow:
        rows = list(await uow.session.scalars(select(OutboxMessage)))
    assert [row.paid for row in rows] == [paid] * 5


def test_the_cli_audience_specs_combine_and_bad_ones_are_named() -> None:
    assert parse_audience(["all"]) == Audience()
    assert parse_audience(["role:student", "province:siem-reap", "tag:ai", "experts"]) == (
        Audience(("student",), ("siem-reap",), ("ai",), experts=True)
    )
    assert parse_audience(["companies"]) == Audience(companies=True)
    for bad in ("role:wizard", "province:paris", "tag:quantum", "everyone"):
        with pytest.raises(ValueError, match=bad):
            parse_audience([bad])


def test_an_audience_is_described_in_the_readers_language(translations: Translations) -> None:
    km, en = translations.for_language("km"), translations.for_language("en")
    audience = Audience(("student",), ("siem-reap", "abroad"), (), experts=True)
    assert describe(en, audience, []) == "Student · Siem Reap, Abroad · experts"
    assert describe(km, audience, []) == "និស្សិត · សៀមរាប, នៅបរទេស · អ្នកជំនាញ"
    assert describe(en, Audience(), []) == "All members"


async def fast_forward(_seconds: float) -> None:
    """The sender's pacing sleep, skipped: only the overlap of calls is under test."""


async def test_calls_overlap_so_a_slow_network_does_not_lower_the_rate(
    uow_factory: Factory, clock: FakeClock
) -> None:
    async with uow_factory() as uow:
        for chat in range(1, 11):
            await uow.outbox.enqueue(chat, "hello", None, clock.now())
        await uow.commit()
    messenger = RecordingMessenger(before_call=lambda _chat: asyncio.sleep(0.05))  # a slow Telegram
    sender = OutboxSender(uow_factory, messenger, clock, 100, 0.0, sleep=fast_forward)
    assert await sender.drain(limit=10) == 10
    assert messenger.most_in_flight > 1


async def test_notices_go_before_bulk_messages(uow_factory: Factory, clock: FakeClock) -> None:
    async with uow_factory() as uow:
        for chat in range(1, 6):
            await uow.outbox.enqueue(chat, "broadcast", None, clock.now(), priority=BULK)
        clock.advance(seconds=1)
        await uow.outbox.enqueue(9, "an offer to an expert", None, clock.now())
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.outbox.claim_due(clock.now(), 1)
    assert [row.chat_id for row in first] == [9]


async def test_a_stop_stands_against_a_retry_or_a_put_back_of_a_row_in_flight(
    uow_factory: Factory, clock: FakeClock, translations: Translations
) -> None:
    await seed(uow_factory, clock)
    broadcast, in_flight = await sending(uow_factory, clock, translations, 2)
    async with uow_factory() as uow:
        stored = await uow.broadcasts.get(broadcast.id)
        assert stored is not None
        await uow.broadcasts.stop(stored, clock.now())
        await uow.commit()
    async with uow_factory() as uow:  # the calls in flight meet a 5xx, then flood control
        await uow.outbox.retry_later(in_flight[0], clock.now(), "502")
        await uow.outbox.release([in_flight[1]])
        await uow.commit()
        statuses = {r.status for r in await uow.session.scalars(select(OutboxMessage))}
    assert statuses == {"stopped"}
    assert await expand(uow_factory, translations, broadcast.id, clock.now) == 0


async def test_a_stop_while_the_last_progress_run_reads_keeps_the_broadcast_stopped(
    uow_factory: Factory, clock: FakeClock, translations: Translations
) -> None:
    """The Stop commits between the progress run's reads: its rows marked stopped look
    finished, but the broadcast stays stopped, no counts are kept while the calls in flight
    still answer, and only the Stop's report goes to the administrator."""
    await seed(uow_factory, clock)
    broadcast, in_flight = await sending(uow_factory, clock, translations, 100)  # all
    unfinished = BroadcastRepository.unfinished

    async def stopped_first(repository: BroadcastRepository, broadcast_id: int) -> int:
        async with uow_factory() as other:  # the administrator's Stop, committed meanwhile
            stored = await other.broadcasts.get(broadcast_id)
            assert stored is not None and await other.broadcasts.stop(stored, clock.now())
            await other.commit()
        return await unfinished(repository, broadcast_id)

    messenger = RecordingMessenger()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BroadcastRepository, "unfinished", stopped_first)
        await report_progress(uow_factory, translations, messenger, broadcast.id, clock.now())
    async with uow_factory() as uow:  # Telegram took the calls that were in flight
        for message_id in in_flight:
            await uow.outbox.finish(message_id, SENT, clock.now())
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.broadcasts.get(broadcast.id)
        assert stored is not None and stored.status == "stopped"
        assert stored.final_counts is None
        assert (await uow.broadcasts.delivery(stored)).sent == len(in_flight) == len(MEMBERS)
        assert await uow.broadcasts.delivered_total() == len(MEMBERS)
    assert messenger.sent == []


async def test_the_delivered_total_adds_kept_counts_and_counted_rows_in_one_statement(
    uow_factory: Factory, clock: FakeClock, translations: Translations, database: AsyncEngine
) -> None:
    """One statement is one snapshot: a broadcast that finishes while the total is read is
    counted once, either from its rows or from its kept counts."""
    await seed(uow_factory, clock)
    ids = []
    for _ in range(2):
        broadcast, in_flight = await sending(uow_factory, clock, translations, 100)
        ids.append(broadcast.id)
        async with uow_factory() as uow:
            for message_id in in_flight:
                await uow.outbox.finish(message_id, SENT, clock.now())
            await uow.commit()
    async with uow_factory() as uow:  # the first finished (its counts kept), not the second
        stored = await uow.broadcasts.get(ids[0])
        assert stored is not None and await uow.broadcasts.finish(stored, clock.now())
        await uow.commit()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(database.sync_engine, "before_cursor_execute", count)
    try:
        async with uow_factory() as uow:
            assert await uow.broadcasts.delivered_total() == 2 * len(MEMBERS)
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
