"""Creating and editing a competition: only an administrator (or the operator), and a
refusal writes nothing; the terms are checked as /newcompetition checks them, naming the
term refused; an edit writes over the revision it was opened on, while entries are open,
audits with its channel and tells the members who entered, in their language."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Translations
from handlers.acting import Acting, Channel, NotAllowed
from handlers.competitions.cards import changed_notice
from handlers.competitions.operations import (
    CHANGED_MEANWHILE,
    CLOSED_FOR_CHANGES,
    CompetitionTerms,
    create_competition,
    edit_competition,
)
from handlers.dates import MOMENT_PAST, MOMENT_TOO_FAR
from handlers.invalid import Invalid
from storage.db import make_sessionmaker
from storage.models import AuditEntry, Competition, CompetitionReminder, OutboxMessage
from storage.uow import UnitOfWork

TZ = ZoneInfo("Asia/Phnom_Penh")
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 12, 31, 18, 0, tzinfo=TZ)
ADMIN, MODERATOR, ENTRANT, STRANGER = 200, 300, 400, 500
Factory = Callable[[], UnitOfWork]


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> AsyncIterator[Factory]:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker) as uow:
        await uow.tags.sync_seed()
        rows: list[dict[str, Any]] = [
            {"telegram_id": telegram_id, "full_name": f"Member {telegram_id}", "role": "student",
             "province": "phnom-penh", "skills": [], "language": language}
            for telegram_id, language in ((ADMIN, "en"), (MODERATOR, "en"), (ENTRANT, "km"),
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


async def member_id(uow: UnitOfWork, telegram_id: int) -> int:
    member = await uow.members.get(telegram_id)
    assert member is not None
    return member.id


async def terms(uow: UnitOfWork, **changes: Any) -> CompetitionTerms:
    base = CompetitionTerms(
        titles=("ការប្រកួត AI", "AI contest"), rules=("សរសេរកម្មវិធី", "Write a program"),
        prizes=("កុំព្យូទ័រយួរដៃ", "A laptop"), deadline_at=DEADLINE, entries_allowed=1, tags=["ai"],
        judges=[await member_id(uow, ADMIN)],
    )  # fmt: skip
    return replace(base, **changes)


async def written(uow: UnitOfWork) -> tuple[int, list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The number of competitions, the audit lines (actor, action, detail, channel) and the
    outbox (chat, text)."""
    count = await uow.session.scalar(select(func.count()).select_from(Competition))
    audit = await uow.session.execute(
        select(
            AuditEntry.actor_telegram_id, AuditEntry.action, AuditEntry.detail, AuditEntry.channel
        ).order_by(AuditEntry.id)
    )
    outbox = await uow.session.execute(
        select(OutboxMessage.chat_id, OutboxMessage.text).order_by(OutboxMessage.id)
    )
    return count or 0, [tuple(r) for r in audit], [tuple(r) for r in outbox]


async def created(factory: Factory, translations: Translations) -> tuple[int, int]:
    """A competition the administrator created, with one entry by ENTRANT; (id, revision)."""
    async with factory() as uow:
        competition = await create_competition(acting(uow, translations, ADMIN), await terms(uow))
        entrant = await member_id(uow, ENTRANT)
        await uow.competitions.add_entry(competition.id, entrant, "My entry", None, NOW)
        await uow.commit()
        return competition.id, competition.revision


@pytest.mark.parametrize("person", [STRANGER, MODERATOR])
async def test_only_an_administrator_creates_or_edits_and_a_refusal_writes_nothing(
    uow_factory: Factory, translations: Translations, person: int
) -> None:
    competition_id, revision = await created(uow_factory, translations)
    async with uow_factory() as uow:
        before = await written(uow)
        with pytest.raises(NotAllowed) as refused:
            await create_competition(acting(uow, translations, person), await terms(uow))
        assert refused.value.message == "Only administrators can do this."
        changed = await terms(uow, titles=("ថ្មី", "New"))
        with pytest.raises(NotAllowed):
            await edit_competition(
                acting(uow, translations, person, "web"), competition_id, revision, changed
            )
        assert await written(uow) == before
        stored = await uow.competitions.get(competition_id)
        assert stored is not None and stored.title_en == "AI contest"


async def test_an_administrator_creates_it_audited_with_its_reminders(
    uow_factory: Factory, translations: Translations
) -> None:
    async with uow_factory() as uow:
        admin = await member_id(uow, ADMIN)
        competition = await create_competition(
            acting(uow, translations, ADMIN), await terms(uow, titles=(" ការប្រកួត\u202e ", "AI"))
        )
        await uow.commit()
    async with uow_factory() as uow:
        count, audit, outbox = await written(uow)
        stored = await uow.competitions.get(competition.id)
        judges = [m.id for m in await uow.competitions.judges(competition.id)]
        kinds = await uow.session.scalars(
            select(CompetitionReminder.kind).where(
                CompetitionReminder.competition_id == competition.id
            )
        )
        reminders = sorted(kinds)
    assert stored is not None and (stored.title_km, stored.created_by) == ("ការប្រកួត", ADMIN)
    assert (count, judges, reminders, outbox) == (1, [admin], ["1d", "3d"], [])
    assert audit == [
        (
            ADMIN,
            "competition-created",
            {"competition": competition.id, "deadline": DEADLINE.isoformat(), "judges": [admin]},
            "chat",
        )
    ]


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"titles": ("", "AI")}, "Please send 1 to {limit} characters.", "title_km"),
        ({"titles": ("ក", "A" * 121)}, "Please send 1 to {limit} characters.", "title_en"),
        ({"rules": ("ក", "\u200b")}, "Please send 1 to {limit} characters.", "rules_en"),
        ({"prizes": ("🎁" * 251, "A")}, "Please send 1 to {limit} characters.", "prizes_km"),
        ({"prizes": ("ក", " ")}, "Please send 1 to {limit} characters.", "prizes_en"),
        ({"tags": ["quantum"]}, "Please choose at least one topic.", "tags"),
        ({"deadline_at": NOW}, MOMENT_PAST, "deadline"),
        ({"deadline_at": NOW + timedelta(days=367)}, MOMENT_TOO_FAR, "deadline"),
        ({"entries_allowed": 2}, "Please choose with one of the buttons.", "entries"),
        ({"judges": []}, "Please choose at least one judge.", "judges"),
    ],
)
async def test_terms_are_checked_as_the_flow_checks_them_and_name_the_step_to_ask_again(
    uow_factory: Factory, translations: Translations, changes: dict[str, Any], message: str,
    field: str,
) -> None:  # fmt: skip
    async with uow_factory() as uow:
        with pytest.raises(Invalid) as error:
            await create_competition(
                acting(uow, translations, None, "cli"), await terms(uow, **changes)
            )
        assert (error.value.message, error.value.params["field"]) == (message, field)
        assert await written(uow) == (0, [], [])


async def test_a_judge_no_longer_eligible_is_left_out_and_none_left_is_refused(
    uow_factory: Factory, translations: Translations
) -> None:
    async with uow_factory() as uow:
        stranger = await member_id(uow, STRANGER)  # neither administrator nor expert
        with pytest.raises(Invalid) as error:
            await create_competition(
                acting(uow, translations, ADMIN), await terms(uow, judges=[stranger])
            )
        assert error.value.params == {"field": "judges"}
        admin = await member_id(uow, ADMIN)
        both = await terms(uow, judges=[stranger, admin])
        competition = await create_competition(acting(uow, translations, ADMIN), both)
        assert [m.id for m in await uow.competitions.judges(competition.id)] == [admin]


async def test_an_edit_is_audited_and_told_to_the_entrants_in_their_language(
    uow_factory: Factory, translations: Translations
) -> None:
    competition_id, revision = await created(uow_factory, translations)
    later = DEADLINE + timedelta(days=7)
    async with uow_factory() as uow:
        admin = await member_id(uow, ADMIN)
        changed = await terms(uow, deadline_at=later, titles=("ការប្រកួតថ្មី", "New contest"))
        competition = await edit_competition(
            acting(uow, translations, ADMIN, "web"), competition_id, revision, changed
        )
        await uow.commit()
    assert (competition.title_en, competition.deadline_at) == ("New contest", later)
    async with uow_factory() as uow:
        _, audit, outbox = await written(uow)
    assert audit[-1] == (
        ADMIN,
        "competition-edited",
        {"competition": competition_id, "deadline": later.isoformat(), "judges": [admin]},
        "web",
    )
    [(chat, text)] = outbox
    assert chat == ENTRANT  # in Khmer, the entrant's language
    assert text == changed_notice(competition, TZ, translations.for_language("km"))[0]
    assert "<b>ការប្រកួតថ្មី</b>" in text

    async with uow_factory() as uow:  # the form opened before this edit saves nothing
        before = await written(uow)
        with pytest.raises(Invalid) as error:
            await edit_competition(
                acting(uow, translations, ADMIN), competition_id, revision, await terms(uow)
            )
        assert error.value.message == CHANGED_MEANWHILE and "field" not in error.value.params
        assert await written(uow) == before

    async with uow_factory() as uow:  # topics and judges only: the entrants are not told
        changed = await terms(uow, deadline_at=later, titles=("ការប្រកួតថ្មី", "New contest"))
        later_on = Acting(ADMIN, "chat", uow, translations, NOW + timedelta(hours=1), TZ)
        await edit_competition(
            later_on, competition_id, revision + 1, replace(changed, tags=["ai", "data"])
        )
        _, audit, outbox = await written(uow)
        assert audit[-1][1] == "competition-edited" and len(outbox) == 1


async def test_after_the_deadline_a_competition_can_no_longer_be_edited(
    uow_factory: Factory, translations: Translations
) -> None:
    competition_id, revision = await created(uow_factory, translations)
    async with uow_factory() as uow:
        after = Acting(ADMIN, "chat", uow, translations, DEADLINE + timedelta(minutes=1), TZ)
        changed = await terms(uow, deadline_at=DEADLINE + timedelta(days=3))
        with pytest.raises(Invalid) as error:
            await edit_competition(after, competition_id, revision, changed)
        assert error.value.message == CLOSED_FOR_CHANGES
        with pytest.raises(Invalid) as error:
            await edit_competition(acting(uow, translations, ADMIN), 999, 0, changed)
        assert error.value.message == CLOSED_FOR_CHANGES
