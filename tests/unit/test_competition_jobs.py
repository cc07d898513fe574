"""The competitions' scheduled job: reminders go out in batches, once each, to entrants and
to members following the competition's tags; a late run sends only the latest reminder;
deadlines move competitions to judging once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Translations
from handlers.competitions.deadlines import run_competitions, send_due_reminders
from handlers.competitions.rules import reminder_due_times
from storage.db import make_sessionmaker
from storage.models import Competition, CompetitionReminder, OutboxMessage
from storage.uow import UnitOfWork
from tests.unit.test_job_alerts import Crash, crashing_after

TZ = ZoneInfo("Asia/Phnom_Penh")
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=10)
Factory = Callable[[], UnitOfWork]


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> AsyncIterator[Factory]:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker) as uow:
        await uow.tags.sync_seed()
        await uow.commit()
    yield lambda: UnitOfWork(sessionmaker)


async def members(factory: Factory, count: int, skills: list[str], first: int = 100) -> list[int]:
    rows: list[dict[str, Any]] = [
        {"telegram_id": first + n, "full_name": f"M{n}", "role": "student",
         "province": "phnom-penh", "skills": skills, "language": "km" if n % 2 else "en"}
        for n in range(count)
    ]  # fmt: skip
    async with factory() as uow:
        await uow.members.upsert_many(rows, NOW)
        found = [await uow.members.get(r["telegram_id"]) for r in rows]
        await uow.commit()
    return [m.id for m in found if m is not None]


async def competition(factory: Factory, judges: list[int], deadline: datetime = DEADLINE) -> int:
    async with factory() as uow:
        created = await uow.competitions.add(
            ("ការប្រកួត", "Contest"), ("វិធាន", "Rules"), ("កុំព្យូទ័រ", "A laptop"), deadline, 1, ["ai"],
            judges, reminder_due_times(deadline, NOW), 1, NOW,
        )  # fmt: skip
        await uow.commit()
        return created.id


async def outbox(factory: Factory) -> list[OutboxMessage]:
    async with factory() as uow:
        return list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_reminder_reaches_its_audience_in_batches_once_even_after_a_crash(
    uow_factory: Factory, translations: Translations
) -> None:
    followers = await members(uow_factory, 7, ["ai"])
    [judge] = await members(uow_factory, 1, ["ai"], first=500)
    await members(uow_factory, 3, ["web"], first=600)  # not following the tags
    competition_id = await competition(uow_factory, [judge])
    at = DEADLINE - timedelta(days=3) + timedelta(minutes=1)
    with pytest.raises(Crash):  # the process dies after two batches of two
        await send_due_reminders(crashing_after(uow_factory, 2), translations, at, TZ, batch=2)
    assert len(await outbox(uow_factory)) == 4
    assert await send_due_reminders(uow_factory, translations, at, TZ, batch=2) == 3
    assert await send_due_reminders(uow_factory, translations, at, TZ, batch=2) == 0
    sent = await outbox(uow_factory)
    assert sorted(m.dedupe_key or "" for m in sent) == sorted(
        f"cp-remind:{competition_id}:3d:{m}" for m in followers
    )
    assert all(m.keyboard and m.priority == 1 for m in sent)
    assert "នឹងបិទក្នុងរយៈពេល ៣ ថ្ងៃ" in sent[1].text  # the second member reads Khmer
    assert "closes in 3 days" in sent[0].text


async def test_a_follower_who_switched_competitions_off_gets_no_reminder_an_entrant_does(
    uow_factory: Factory, translations: Translations
) -> None:
    quiet, entrant, follower = await members(uow_factory, 3, ["ai"])
    competition_id = await competition(uow_factory, [])
    async with uow_factory() as uow:
        for member_id in (quiet, entrant):
            await uow.content.switch_category(member_id, "competitions", on=False)
        await uow.competitions.add_entry(competition_id, entrant, "My entry", None, NOW)
        await uow.commit()
    at = DEADLINE - timedelta(days=3) + timedelta(minutes=1)
    assert await send_due_reminders(uow_factory, translations, at, TZ) == 2
    keys = sorted(m.dedupe_key or "" for m in await outbox(uow_factory))
    assert keys == sorted(f"cp-remind:{competition_id}:3d:{m}" for m in (entrant, follower))


async def test_after_a_long_outage_only_the_latest_reminder_goes_out(
    uow_factory: Factory, translations: Translations
) -> None:
    await members(uow_factory, 2, ["ai"])
    await competition(uow_factory, [])
    at = DEADLINE - timedelta(hours=20)  # both reminders are due
    assert await run_competitions(uow_factory, translations, at, TZ) == 2
    sent = await outbox(uow_factory)
    assert [":1d:" in (m.dedupe_key or "") for m in sent] == [True, True]
    assert "closes in 24 hours" in sent[0].text and "២៤ ម៉ោង" in sent[1].text
    async with uow_factory() as uow:
        done = list(await uow.session.scalars(select(CompetitionReminder)))
    assert all(r.done_at is not None for r in done)


async def test_the_deadline_tells_the_judges_once(
    uow_factory: Factory, translations: Translations
) -> None:
    [entrant, judge] = await members(uow_factory, 2, ["web"])
    competition_id = await competition(uow_factory, [judge], NOW + timedelta(hours=1))
    async with uow_factory() as uow:
        await uow.competitions.add_entry(competition_id, entrant, "My work", None, NOW)
        await uow.commit()
    later = NOW + timedelta(hours=2)
    await run_competitions(uow_factory, translations, later, TZ)
    await run_competitions(uow_factory, translations, later, TZ)
    keys = [m.dedupe_key for m in await outbox(uow_factory)]
    assert keys == [f"cp-judge:{competition_id}:{judge}"]  # the creator (id 1) is no admin
    async with uow_factory() as uow:
        found = await uow.session.get(Competition, competition_id)
    assert found is not None and found.judging_at == later and found.decided_at is None
