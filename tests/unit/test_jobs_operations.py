"""The company and job operations: only an administrator (or the operator) decides a company
or imports jobs, and a refusal writes nothing; a decision is taken once, audited with its
channel, and the representative is told in their language; an import publishes the rows for
a verified company only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Translations
from handlers.acting import Acting, Channel, NotAllowed
from handlers.invalid import Invalid
from handlers.jobs.operations import (
    DECIDED_ALREADY,
    NO_VERIFIED_COMPANY,
    WITHDRAWN,
    JobRow,
    approve_company,
    import_jobs,
    reject_company,
)
from storage.db import make_sessionmaker
from storage.models import AuditEntry, Company, Job, OutboxMessage
from storage.uow import UnitOfWork

TZ = ZoneInfo("Asia/Phnom_Penh")
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
REP, ADMIN, MODERATOR, STRANGER = 100, 200, 300, 400
Factory = Callable[[], UnitOfWork]


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> AsyncIterator[Factory]:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker) as uow:
        await uow.tags.sync_seed()
        rows: list[dict[str, Any]] = [
            {"telegram_id": telegram_id, "full_name": f"Member {telegram_id}", "role": "student",
             "province": "phnom-penh", "skills": [], "language": language}
            for telegram_id, language in ((REP, "km"), (ADMIN, "en"), (MODERATOR, "en"),
                                          (STRANGER, "en"))
        ]  # fmt: skip
        await uow.members.upsert_many(rows, NOW)
        await uow.staff.grant(ADMIN, "admin", granted_by=None)
        await uow.staff.grant(MODERATOR, "moderator", granted_by=None)
        await uow.session.execute(delete(AuditEntry))  # the grants': not the operations'
        await uow.commit()
    yield lambda: UnitOfWork(sessionmaker)


def acting(
    uow: UnitOfWork, translations: Translations, person: int | None, channel: Channel = "chat"
) -> Acting:
    return Acting(person, channel, uow, translations, NOW, TZ)


async def register(factory: Factory, language: str = "km") -> int:
    async with factory() as uow:
        rep = await uow.members.get(REP)
        assert rep is not None
        rep.language = language
        company = await uow.jobs.register_company(
            rep.id, "Mekong <Cloud>", "MOC-1", "Cloud", None, "Hosting.", NOW, None
        )
        assert company is not None
        await uow.commit()
        return company.id


async def written(uow: UnitOfWork) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    """The audit lines (actor, action, detail, channel), the outbox (chat, text, keyboard)
    and the number of jobs."""
    audit = await uow.session.execute(
        select(
            AuditEntry.actor_telegram_id, AuditEntry.action, AuditEntry.detail, AuditEntry.channel
        ).order_by(AuditEntry.id)
    )
    outbox = await uow.session.execute(
        select(OutboxMessage.chat_id, OutboxMessage.text, OutboxMessage.keyboard).order_by(
            OutboxMessage.id
        )
    )
    jobs = await uow.session.scalar(select(func.count()).select_from(Job))
    return [tuple(r) for r in audit], [tuple(r) for r in outbox], jobs or 0


def row(title: str = "Data engineer", deadline: date = date(2026, 12, 31)) -> JobRow:
    return JobRow(
        title=title, description="Pipelines in Python.", tags=["data", "cloud"],
        location="phnom-penh", type="full-time", deadline=deadline, apply_url=None,
    )  # fmt: skip


@pytest.mark.parametrize("person", [STRANGER, MODERATOR, REP])
async def test_only_an_administrator_decides_a_company_and_a_refusal_writes_nothing(
    uow_factory: Factory, translations: Translations, person: int
) -> None:
    company_id = await register(uow_factory)
    for decide in (approve_company, reject_company):
        async with uow_factory() as uow:
            with pytest.raises(NotAllowed) as refused:
                await decide(acting(uow, translations, person), company_id)
            assert refused.value.message == "Only administrators can do this."
            assert await written(uow) == ([], [], 0)
            company = await uow.jobs.company(company_id)
            assert company is not None and company.status == "pending"
            assert company.decided_by is None


async def test_an_approval_is_audited_and_told_to_the_representative_in_khmer_once(
    uow_factory: Factory, translations: Translations
) -> None:
    company_id = await register(uow_factory, "km")
    async with uow_factory() as uow:
        company = await approve_company(acting(uow, translations, ADMIN), company_id)
        await uow.commit()
    assert (company.status, company.decided_by, company.decided_at) == ("verified", ADMIN, NOW)
    async with uow_factory() as uow:
        audit, outbox, _ = await written(uow)
    assert audit == [(ADMIN, "company-verified", {"company": company_id}, "chat")]
    [(chat, text, keyboard)] = outbox
    km = translations.for_language("km")
    assert chat == REP
    assert text == "🏢 " + km.gettext(
        "{company} is verified. You can now post jobs and find talent."
    ).format(company="Mekong &lt;Cloud&gt;")
    data = [b["data"] for line in keyboard["rows"] for b in line]
    assert data == [f"jb:post:{company_id}", f"jb:mine:{company_id}",
                    f"jb:talent:{company_id}", f"jb:invite:{company_id}"]  # fmt: skip

    async with uow_factory() as uow:  # the second decision, whoever takes it, changes nothing
        for decide, person in ((reject_company, ADMIN), (approve_company, None)):
            with pytest.raises(Invalid) as error:
                await decide(acting(uow, translations, person), company_id)
            assert error.value.message == DECIDED_ALREADY
        assert await written(uow) == (audit, outbox, 0)
        stored = await uow.jobs.company(company_id)
        assert stored is not None and stored.status == "verified"


async def test_the_operator_rejects_and_the_first_decision_is_the_condition_of_the_write(
    uow_factory: Factory, translations: Translations
) -> None:
    company_id = await register(uow_factory, "en")
    async with uow_factory() as uow:
        company = await uow.jobs.company(company_id)  # read as pending, then decided elsewhere
        await uow.session.execute(
            update(Company)
            .where(Company.id == company_id)
            .values(status="verified")
            .execution_options(synchronize_session=False)
        )
        assert company is not None and company.status == "pending"
        with pytest.raises(Invalid) as error:
            await reject_company(acting(uow, translations, None, "cli"), company_id)
        assert error.value.message == DECIDED_ALREADY
        assert await written(uow) == ([], [], 0)
        await uow.rollback()

    async with uow_factory() as uow:
        company = await reject_company(acting(uow, translations, None, "cli"), company_id)
        await uow.commit()
    assert company.status == "rejected"
    async with uow_factory() as uow:
        audit, outbox, _ = await written(uow)
    assert audit == [(None, "company-rejected", {"company": company_id}, "cli")]
    assert [(chat, keyboard) for chat, _, keyboard in outbox] == [(REP, None)]
    assert outbox[0][1] == (
        "Mekong &lt;Cloud&gt; was not verified. Write to the ministry if you think this is a"
        " mistake."
    )


async def test_a_request_withdrawn_by_erasure_is_said_to_be(
    uow_factory: Factory, translations: Translations
) -> None:
    async with uow_factory() as uow:
        with pytest.raises(Invalid) as error:
            await approve_company(acting(uow, translations, ADMIN), 99)
        assert error.value.message == WITHDRAWN
        assert await written(uow) == ([], [], 0)


@pytest.mark.parametrize("person", [STRANGER, MODERATOR, REP])
async def test_only_an_administrator_imports_jobs_and_a_refusal_writes_nothing(
    uow_factory: Factory, translations: Translations, person: int
) -> None:
    company_id = await register(uow_factory)
    async with uow_factory() as uow:
        await approve_company(acting(uow, translations, ADMIN), company_id)
        await uow.commit()
    async with uow_factory() as uow:
        before = await written(uow)
        with pytest.raises(NotAllowed):
            await import_jobs(
                acting(uow, translations, person, "web"), company_id, [row()], "jobs.csv", 0
            )
        assert await written(uow) == before


async def test_an_import_publishes_the_rows_for_a_verified_company_and_audits_them(
    uow_factory: Factory, translations: Translations
) -> None:
    company_id = await register(uow_factory)
    rows = [row(), row("ភ្នាក់ងារ", date(2027, 1, 31))]
    async with uow_factory() as uow:  # pending: not yet
        with pytest.raises(Invalid) as error:
            await import_jobs(acting(uow, translations, None, "cli"), company_id, rows, "j.csv", 1)
        assert (error.value.message, error.value.params) == (
            NO_VERIFIED_COMPANY,
            {"number": company_id},
        )
        assert await written(uow) == ([], [], 0)
        await approve_company(acting(uow, translations, ADMIN), company_id)
        await uow.commit()
    async with uow_factory() as uow:
        imported = await import_jobs(
            acting(uow, translations, ADMIN, "web"), company_id, rows, "j.csv", 1
        )
        await uow.commit()
    assert imported.company.id == company_id and len(imported.jobs) == 2
    async with uow_factory() as uow:
        audit, _, count = await written(uow)
        jobs = [await uow.jobs.job(job.id) for job in imported.jobs]
        tags = await uow.jobs.job_tags(imported.jobs[0].id)
        rep = await uow.members.get(REP)
    assert count == 2 and audit[-1] == (
        ADMIN,
        "jobs-imported",
        {"file": "j.csv", "company": company_id, "imported": 2, "skipped": 1},
        "web",
    )
    assert [(j.title, j.status, j.posted_by) for j in jobs if j] == [
        ("Data engineer", "open", rep.id if rep else 0),
        ("ភ្នាក់ងារ", "open", rep.id if rep else 0),
    ]
    first = jobs[0]
    assert first is not None and first.deadline_at.astimezone(TZ).replace(tzinfo=None) == (
        datetime(2026, 12, 31, 23, 59, 59)
    )  # open through its last day in Cambodia
    assert sorted(tags) == ["cloud", "data"]
