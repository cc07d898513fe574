"""The members import: only an administrator (or the operator) imports, and a refusal writes
nothing; the start is audited before any row, batches insert or update by Telegram id, and
the end is audited with the counts, each line with its channel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Translations
from bot.members_csv import parse_row
from handlers.acting import Acting, Channel, NotAllowed
from handlers.profile.operations import MembersImport
from storage.db import make_sessionmaker
from storage.models import AuditEntry, Member
from storage.uow import UnitOfWork

TZ = ZoneInfo("Asia/Phnom_Penh")
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
ADMIN, MODERATOR = 200, 300
COLUMNS = ("telegram_id", "full_name", "language", "role", "province", "skills")
Factory = Callable[[], UnitOfWork]


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> AsyncIterator[Factory]:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker) as uow:
        await uow.tags.sync_seed()
        await uow.staff.grant(ADMIN, "admin", granted_by=None)
        await uow.staff.grant(MODERATOR, "moderator", granted_by=None)
        await uow.session.execute(delete(AuditEntry))  # the grants': not the import's
        await uow.commit()
    yield lambda: UnitOfWork(sessionmaker)


def acting(
    uow: UnitOfWork, translations: Translations, person: int | None, channel: Channel
) -> Acting:
    return Acting(person, channel, uow, translations, NOW, TZ)


def rows(translations: Translations, *members: tuple[int, str]) -> list[dict[str, Any]]:
    """Rows as the CSV reader gives them: (telegram id, name)."""
    return [
        parse_row(
            {
                "telegram_id": str(telegram_id),
                "full_name": name,
                "language": "km",
                "role": "student",
                "province": "kampot",
                "skills": "ai;data",
            },
            translations,
        )
        for telegram_id, name in members
    ]


async def written(uow: UnitOfWork) -> tuple[list[tuple[Any, ...]], int]:
    audit = await uow.session.execute(
        select(
            AuditEntry.actor_telegram_id, AuditEntry.action, AuditEntry.detail, AuditEntry.channel
        ).order_by(AuditEntry.id)
    )
    members = await uow.session.scalar(select(func.count()).select_from(Member))
    return [tuple(r) for r in audit], members or 0


@pytest.mark.parametrize("person", [MODERATOR, 999])
async def test_only_an_administrator_imports_members_and_a_refusal_writes_nothing(
    uow_factory: Factory, translations: Translations, person: int
) -> None:
    async with uow_factory() as uow:
        importing = MembersImport(acting(uow, translations, person, "web"), "m.csv", COLUMNS)
        with pytest.raises(NotAllowed) as refused:
            await importing.start()
        assert refused.value.message == "Only administrators can do this."
        with pytest.raises(RuntimeError):  # no row is written past a refused start
            await importing.add(rows(translations, (1001, "Sok Dara")))
        with pytest.raises(RuntimeError):
            await importing.finish(0)
        assert await written(uow) == ([], 0)


@pytest.mark.parametrize(("person", "channel"), [(ADMIN, "web"), (None, "cli")])
async def test_an_import_is_audited_at_its_start_and_end_and_upserts_in_batches(
    uow_factory: Factory, translations: Translations, person: int | None, channel: Channel
) -> None:
    async with uow_factory() as uow:
        importing = MembersImport(acting(uow, translations, person, channel), "m.csv", COLUMNS)
        await importing.start()
        await uow.commit()  # on record before any row
    async with uow_factory() as uow:
        assert await written(uow) == (
            [(person, "members-import-started", {"file": "m.csv"}, channel)],
            0,
        )
    async with uow_factory() as uow:
        importing = MembersImport(acting(uow, translations, person, channel), "m.csv", COLUMNS)
        await importing.start()
        await importing.add(rows(translations, (1001, "Sok Dara"), (1002, "Chan Vanna")))
        await uow.commit()
        await importing.add(rows(translations, (1002, "Chan Vanna Sok"), (1003, "Heng Lina")))
        await importing.finish(skipped=4)
        await uow.commit()
    assert (importing.inserted, importing.updated) == (3, 1)
    async with uow_factory() as uow:
        audit, count = await written(uow)
        renamed = await uow.members.get(1002)
        skills = await uow.members.skills(renamed.id) if renamed else []
    assert count == 3 and renamed is not None and renamed.full_name == "Chan Vanna Sok"
    assert sorted(skills) == ["ai", "data"]
    assert audit[-2:] == [
        (person, "members-import-started", {"file": "m.csv"}, channel),
        (
            person,
            "members-imported",
            {"file": "m.csv", "inserted": 3, "updated": 1, "skipped": 4},
            channel,
        ),
    ]
