"""The operations on experts and reports (handlers/questions/operations.py), as the chat, the
command line and the web console call them: refused to a member without the role with
nothing written, and for staff or the operator the row, the audit line with its surface, and
the notice in the recipient's language. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.i18n import Translations
from handlers.acting import Acting, Channel, NotAllowed
from handlers.invalid import Invalid
from handlers.questions import operations
from handlers.questions.indexing import question_tokens, reindex
from handlers.questions.operations import (
    Decided,
    add_expert,
    decide_application,
    decide_report,
    remove_expert,
)
from storage.db import make_sessionmaker
from storage.models import AuditEntry, OutboxMessage, Question
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Phnom_Penh")
ADMIN, MODERATOR, MEMBER, EXPERT, ASKER = 501, 502, 503, 504, 505


@pytest.fixture
async def uow(database: AsyncEngine) -> AsyncIterator[UnitOfWork]:
    maker: async_sessionmaker[AsyncSession] = make_sessionmaker(database)
    async with UnitOfWork(maker) as setup:
        await setup.tags.sync_seed()
        await setup.commit()
    async with UnitOfWork(maker) as uow:
        yield uow


def as_(uow: UnitOfWork, tr: Translations, person: int | None, channel: Channel = "chat") -> Acting:
    return Acting(person, channel, uow, tr, NOW, TZ)


async def member(uow: UnitOfWork, telegram_id: int, language: str = "en", *tags: str) -> int:
    row = {
        "telegram_id": telegram_id, "full_name": f"Member {telegram_id}", "language": language,
        "role": "private-sector", "province": "phnom-penh", "country": None,
        "skills": ["web"], "open_to_work": False, "alert_frequency": "off",
        "directory_visible": False, "username": None, "organisation": None,
        "years_experience": 5,
    }  # fmt: skip
    await uow.members.upsert_many([row], NOW)
    found = await uow.members.get(telegram_id)
    assert found is not None
    if tags:
        await uow.questions.make_expert(found.id, tags)
    return found.id


async def staff(uow: UnitOfWork) -> None:
    await uow.staff.grant(ADMIN, "admin", granted_by=None)
    await uow.staff.grant(MODERATOR, "moderator", granted_by=None)


async def audit(uow: UnitOfWork) -> list[tuple[int | None, str, dict[str, Any], str | None]]:
    """The audit lines after the staff's appointments."""
    rows = await uow.session.scalars(
        select(AuditEntry).where(AuditEntry.action.not_like("grant-%")).order_by(AuditEntry.id)
    )
    return [(a.actor_telegram_id, a.action, a.detail, a.channel) for a in rows]


async def outbox(uow: UnitOfWork) -> list[tuple[int, str]]:
    rows = await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [(m.chat_id, m.text) for m in rows]


# -- expert applications -------------------------------------------------------------------
async def test_an_application_is_decided_by_an_administrator_once(
    uow: UnitOfWork, translations: Translations
) -> None:
    await staff(uow)
    applicant = await member(uow, MEMBER, "km")
    application = await uow.questions.add_application(applicant, ["ai", "data"], "I teach.", NOW)

    for person in (MEMBER, MODERATOR):  # a member, and a moderator, may not decide
        with pytest.raises(NotAllowed) as refused:
            await decide_application(as_(uow, translations, person), application.id, True)
        assert refused.value.message == "Only administrators can do this."
    assert application.status == "pending"
    assert await uow.questions.expert_profile(applicant) is None
    assert await audit(uow) == [] and await outbox(uow) == []

    await decide_application(as_(uow, translations, ADMIN), application.id, True)
    assert (application.status, application.decided_by) == ("approved", ADMIN)
    assert await uow.questions.expert_tags(applicant) == ["data", "ai"]  # taxonomy order
    assert await audit(uow) == [(ADMIN, "expert-approved", {"application": application.id}, "chat")]
    km = translations.for_language("km")
    en = translations.for_language("en")
    [(chat, text)] = await outbox(uow)
    assert chat == MEMBER and text == operations.decision_notice(km, approved=True)[0]
    assert text != operations.decision_notice(en, approved=True)[0]  # in the member's Khmer

    with pytest.raises(Decided) as second:  # the first decision counts
        await decide_application(as_(uow, translations, None, "cli"), application.id, False)
    assert second.value.message == operations.APPLICATION_DECIDED
    assert application.status == "approved" and len(await audit(uow)) == 1
    with pytest.raises(Invalid) as gone:
        await decide_application(as_(uow, translations, ADMIN), 9999, True)
    assert gone.value.message == operations.NO_APPLICATION and not isinstance(gone.value, Decided)


async def test_a_rejection_makes_no_expert_and_tells_the_member(
    uow: UnitOfWork, translations: Translations
) -> None:
    applicant = await member(uow, MEMBER)
    application = await uow.questions.add_application(applicant, ["ai"], "I teach.", NOW)
    await decide_application(as_(uow, translations, None, "web"), application.id, False)
    assert application.status == "rejected" and application.decided_by is None
    assert await uow.questions.expert_profile(applicant) is None
    assert await audit(uow) == [(None, "expert-rejected", {"application": application.id}, "web")]
    assert await outbox(uow) == [(MEMBER, "Your expert application was not approved this time.")]


# -- adding and removing experts -----------------------------------------------------------
async def test_the_operator_adds_an_expert_and_a_member_cannot(
    uow: UnitOfWork, translations: Translations
) -> None:
    await staff(uow)
    added = await member(uow, MEMBER)
    with pytest.raises(NotAllowed):
        await add_expert(as_(uow, translations, MODERATOR), MEMBER, ["ai"])
    assert await uow.questions.expert_profile(added) is None and await audit(uow) == []

    for slugs, message in (
        ([], operations.NO_TOPIC),
        (["ai", "quantum"], operations.UNKNOWN_TOPIC),
    ):
        with pytest.raises(Invalid) as refused:
            await add_expert(as_(uow, translations, None, "cli"), MEMBER, slugs)
        assert refused.value.message == message
    with pytest.raises(Invalid) as stranger:
        await add_expert(as_(uow, translations, None, "cli"), 4444, ["ai"])
    assert stranger.value.params == {"telegram_id": 4444}
    assert await uow.questions.expert_profile(added) is None and await audit(uow) == []

    tags = await add_expert(as_(uow, translations, None, "cli"), MEMBER, ["cybersecurity", "ai"])
    assert tags == ["ai", "cybersecurity"] and await uow.questions.expert_profile(added)
    assert await audit(uow) == [
        (None, "expert-added", {"member_id": added, "tags": ["cybersecurity", "ai"]}, "cli")
    ]
    assert await outbox(uow) == []  # as at the command line before: no notice


async def test_removing_an_expert_moves_their_offers_on_and_tells_them(
    uow: UnitOfWork, translations: Translations
) -> None:
    await staff(uow)
    expert = await member(uow, EXPERT, "km", "web")
    asker = await member(uow, ASKER)
    later = NOW + timedelta(days=1)
    question = await uow.questions.add_question(asker, "Why?", "", ["web"], NOW, later)
    offer = await uow.questions.add_assignment(question.id, expert, 1, NOW)

    for person in (MEMBER, MODERATOR):
        with pytest.raises(NotAllowed):
            await remove_expert(as_(uow, translations, person), EXPERT)
    assert await uow.questions.expert_profile(expert) is not None and offer.status == "offered"
    assert await audit(uow) == [] and await outbox(uow) == []

    await remove_expert(as_(uow, translations, ADMIN), EXPERT)
    assert await uow.questions.expert_profile(expert) is None
    assert await uow.questions.expert_tags(expert) == []
    assert offer.status == "withdrawn" and question.escalate_at == NOW  # moves on now
    assert await audit(uow) == [(ADMIN, "expert-removed", {"member_id": expert}, "chat")]
    km, en = translations.for_language("km"), translations.for_language("en")
    assert await outbox(uow) == [(EXPERT, operations.removed_notice(km)[0])]
    assert operations.removed_notice(km)[0] != operations.removed_notice(en)[0]  # in Khmer

    with pytest.raises(Invalid) as again:
        await remove_expert(as_(uow, translations, None, "cli"), EXPERT)
    assert again.value.message == operations.NOT_AN_EXPERT and len(await audit(uow)) == 1


# -- reports -------------------------------------------------------------------------------
async def reported_answer(uow: UnitOfWork, author: int) -> tuple[Question, int, int]:
    """A question with a reported answer by ``author``; the question, answer and report."""
    asker = await member(uow, ASKER)
    reporter = await member(uow, MEMBER)
    text = "How do I secure my web server?"
    question = await uow.questions.add_question(
        asker, text, question_tokens(text), ["web"], NOW, NOW
    )
    answer = await uow.questions.add_answer(question.id, author, "Install fail2ban", NOW, None)
    await reindex(uow, question)
    report = await uow.questions.add_report(reporter, "answer", answer.id, NOW)
    return question, answer.id, report.id


async def test_a_moderator_hides_a_reported_answer_and_its_words_leave_search(
    uow: UnitOfWork, translations: Translations
) -> None:
    await staff(uow)
    expert = await member(uow, EXPERT, "en", "web")
    question, answer_id, report_id = await reported_answer(uow, expert)
    assert "fail2ban" in question.search_tokens.split()

    with pytest.raises(NotAllowed) as refused:
        await decide_report(as_(uow, translations, MEMBER), report_id, True)
    assert refused.value.message == "Only moderators can do this."
    report = await uow.questions.report(report_id)
    answer = await uow.questions.answer(answer_id)
    assert report is not None and answer is not None
    assert report.status == "open" and not answer.hidden and await audit(uow) == []

    await decide_report(as_(uow, translations, MODERATOR), report_id, True)
    assert (report.status, report.resolved_by) == ("hidden", MODERATOR) and answer.hidden
    assert "fail2ban" not in question.search_tokens.split()
    assert question.search_tokens == question_tokens(question.text)
    assert await audit(uow) == [(MODERATOR, "report-hidden", {"report": report_id}, "chat")]
    assert await outbox(uow) == []  # nobody is told, as before

    with pytest.raises(Decided) as second:  # the first decision counts
        await decide_report(as_(uow, translations, ADMIN), report_id, False)
    assert second.value.message == operations.REPORT_HANDLED and len(await audit(uow)) == 1


async def test_a_hidden_question_is_closed_and_keeping_changes_nothing(
    uow: UnitOfWork, translations: Translations
) -> None:
    await staff(uow)
    asker, reporter = await member(uow, ASKER), await member(uow, MEMBER)
    question = await uow.questions.add_question(asker, "Spam?", "", ["web"], NOW, NOW)
    kept = await uow.questions.add_report(reporter, "question", question.id, NOW)
    await decide_report(as_(uow, translations, None, "cli"), kept.id, False)
    assert kept.status == "kept" and not question.hidden and question.status == "open"
    hidden = await uow.questions.add_report(reporter, "question", question.id, NOW)
    await decide_report(as_(uow, translations, ADMIN), hidden.id, True)
    assert question.hidden and question.status == "closed"
    assert [(a[1], a[3]) for a in await audit(uow)] == [
        ("report-kept", "cli"),
        ("report-hidden", "chat"),
    ]


async def test_a_moderator_never_decides_a_report_about_their_own_answer(
    uow: UnitOfWork, translations: Translations
) -> None:
    await staff(uow)
    moderator = await member(uow, MODERATOR)  # a moderator who answered as a member
    _question, _answer, report_id = await reported_answer(uow, moderator)
    with pytest.raises(NotAllowed) as refused:
        await decide_report(as_(uow, translations, MODERATOR), report_id, False)
    assert refused.value.message == operations.ABOUT_YOU
    report = await uow.questions.report(report_id)
    assert report is not None and report.status == "open" and await audit(uow) == []
    await decide_report(as_(uow, translations, ADMIN), report_id, False)  # another decides
    assert report.status == "kept"
