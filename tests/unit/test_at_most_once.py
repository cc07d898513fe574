"""Every "at most once" rule is a condition of its write, so it holds without the member's
turn (two processes, two sessions): the second session checked before the first wrote,
and its write still changes nothing. On SQLite and PostgreSQL; on PostgreSQL also with
the two transactions truly at once (the second waits for the first's row and then finds
the condition false)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_sessionmaker
from storage.models import CompetitionEntry, Member, ReputationGrant
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
Factory = Callable[[], UnitOfWork]


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> Factory:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker, lambda: NOW) as uow:
        await uow.tags.sync_seed()
        await uow.commit()
    return lambda: UnitOfWork(sessionmaker, lambda: NOW)


async def members(uow_factory: Factory, count: int) -> list[int]:
    async with uow_factory() as uow:
        rows = [
            {"telegram_id": 5000 + n, "full_name": f"Member {n}", "language": "en",
             "role": "student", "province": "kep", "skills": ["web"]}
            for n in range(count)
        ]  # fmt: skip
        await uow.members.upsert_many(rows, NOW)
        ids = [m.id for m in [await uow.members.get(5000 + n) for n in range(count)] if m]
        await uow.commit()
    return ids


async def question_with_answers(uow_factory: Factory) -> tuple[int, list[int], int]:
    """(question id, two answer ids, the expert's member id)."""
    asker, expert = await members(uow_factory, 2)
    async with uow_factory() as uow:
        question = await uow.questions.add_question(
            asker, "How do I secure my web server?", "", ["web"], NOW, NOW + timedelta(days=1)
        )
        answers = [
            await uow.questions.add_answer(question.id, expert, f"Answer {n}", NOW, None)
            for n in range(2)
        ]
        await uow.commit()
        return question.id, [a.id for a in answers], expert


async def reputation(uow_factory: Factory, member_id: int) -> tuple[int, int]:
    """The member's total and the number of grants."""
    async with uow_factory() as uow:
        member = await uow.session.get(Member, member_id)
        grants = await uow.session.scalar(
            select(func.count()).where(ReputationGrant.member_id == member_id)
        )
        assert member is not None
        return member.reputation, grants or 0


async def test_helpful_is_marked_once_though_both_sessions_checked_first(
    uow_factory: Factory,
) -> None:
    _question, [answer_id, _other], _expert = await question_with_answers(uow_factory)
    first, second = uow_factory(), uow_factory()
    try:
        a = await first.questions.answer(answer_id)
        b = await second.questions.answer(answer_id)
        assert a is not None and b is not None and not a.helpful and not b.helpful
        await first.commit()
        await second.commit()  # both saw "not helpful yet"
        assert await first.questions.mark_helpful(a) is True
        await first.commit()
        assert await second.questions.mark_helpful(b) is False
        assert b.helpful  # the session sees what stands
        await second.commit()
    finally:
        await first.close()
        await second.close()


async def test_an_answer_is_accepted_once_though_two_were_pressed(uow_factory: Factory) -> None:
    question_id, [one, two], _expert = await question_with_answers(uow_factory)
    first, second = uow_factory(), uow_factory()
    try:
        q1, q2 = (
            await first.questions.question(question_id),
            await second.questions.question(question_id),
        )
        a1, a2 = await first.questions.answer(one), await second.questions.answer(two)
        assert q1 and q2 and a1 and a2 and q2.accepted_answer_id is None
        await first.commit()
        await second.commit()
        assert await first.questions.accept(q1, a1) is True
        await first.commit()
        assert await second.questions.accept(q2, a2) is False
        assert q2.accepted_answer_id == one and not a2.accepted
        await second.commit()
    finally:
        await first.close()
        await second.close()
    async with uow_factory() as uow:
        answers = await uow.questions.answers_to(question_id)
    assert [a.accepted for a in answers] == [True, False]


async def competition(uow_factory: Factory, allowed: int) -> int:
    async with uow_factory() as uow:
        found = await uow.competitions.add(
            ("ប្រកួត", "Contest"), ("ច្បាប់", "Rules"), ("រង្វាន់", "A prize"), NOW + timedelta(days=3),
            allowed, ["web"], [], [], None, NOW,
        )  # fmt: skip
        await uow.commit()
        return found.id


async def test_a_one_entry_competition_takes_one_entry_from_two_sends(
    uow_factory: Factory,
) -> None:
    [dara, sok] = await members(uow_factory, 2)
    competition_id = await competition(uow_factory, allowed=1)
    async with uow_factory() as uow:
        assert await uow.competitions.add_entry_within_limit(
            competition_id, dara, "First", None, NOW
        )
        await uow.commit()
    async with uow_factory() as uow:  # the second Send, its check made before the first
        assert (
            await uow.competitions.add_entry_within_limit(competition_id, dara, "Again", None, NOW)
            is None
        )
        other = await uow.competitions.add_entry_within_limit(
            competition_id, sok, "Sok's", None, NOW
        )
        assert other is not None and other.number == 2  # another member is not held back
        await uow.commit()


async def test_three_entries_allowed_means_three(uow_factory: Factory) -> None:
    [dara] = await members(uow_factory, 1)
    competition_id = await competition(uow_factory, allowed=3)
    async with uow_factory() as uow:
        sent = [
            await uow.competitions.add_entry_within_limit(competition_id, dara, f"#{n}", None, NOW)
            for n in range(4)
        ]
        await uow.commit()
    assert [e.number if e else None for e in sent] == [1, 2, 3, None]


# -- PostgreSQL: the two transactions at once ---------------------------------------------
def postgres_only(database: AsyncEngine) -> None:
    if database.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: its transactions never overlap")


async def test_two_helpful_taps_at_once_grant_once(
    database: AsyncEngine, uow_factory: Factory
) -> None:
    postgres_only(database)
    _question, [answer_id, _other], expert = await question_with_answers(uow_factory)
    first, second = uow_factory(), uow_factory()
    try:
        a, b = await first.questions.answer(answer_id), await second.questions.answer(answer_id)
        assert a is not None and b is not None
        assert await first.questions.mark_helpful(a) is True  # not committed yet
        await first.questions.add_reputation(expert, 2, "helpful", NOW)
        waiting = asyncio.create_task(second.questions.mark_helpful(b))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # the row is the first one's until it commits
        await first.commit()
        assert await waiting is False
        await second.commit()
    finally:
        await first.close()
        await second.close()
    assert await reputation(uow_factory, expert) == (2, 1)


async def test_two_sends_at_once_to_a_one_entry_competition_take_one(
    database: AsyncEngine, uow_factory: Factory
) -> None:
    postgres_only(database)
    [dara] = await members(uow_factory, 1)
    competition_id = await competition(uow_factory, allowed=1)
    first, second = uow_factory(), uow_factory()
    try:
        assert await first.competitions.add_entry_within_limit(
            competition_id, dara, "One", None, NOW
        )
        waiting = asyncio.create_task(
            second.competitions.add_entry_within_limit(competition_id, dara, "Two", None, NOW)
        )
        await asyncio.sleep(0.05)
        assert not waiting.done()  # the same number: it waits for the first to end
        await first.commit()
        assert await waiting is None
        await second.commit()
    finally:
        await first.close()
        await second.close()
    async with uow_factory() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(CompetitionEntry))
    assert count == 1


async def test_two_moderators_hiding_at_once_close_the_reports_once(uow_factory: Factory) -> None:
    """The second moderator's resolve, its check made before the first decided, closes
    nothing (and the handler then tells them another moderator handled it)."""
    reporter, reported = await members(uow_factory, 2)
    async with uow_factory() as uow:
        report = await uow.community.add_report(reporter, reported, "spam", NOW)
        await uow.commit()
        report_id = report.id
    first, second = uow_factory(), uow_factory()
    try:
        a, b = await first.community.report(report_id), await second.community.report(report_id)
        assert a is not None and b is not None and b.status == "open"
        await second.commit()
        assert await first.transition(a, "open", "hidden", resolved_by=1, resolved_at=NOW)
        await first.commit()
        assert not await second.transition(b, "open", "kept", resolved_by=2, resolved_at=NOW)
        assert await second.community.resolve_reports(reported, "hidden", 2, NOW) == []
        await second.commit()
    finally:
        await first.close()
        await second.close()


async def test_one_follow_up_is_stored_though_both_sessions_checked_first(
    uow_factory: Factory,
) -> None:
    _question, [answer_id, _other], _expert = await question_with_answers(uow_factory)
    first, second = uow_factory(), uow_factory()
    try:
        a = await first.questions.answer(answer_id)
        b = await second.questions.answer(answer_id)
        assert a is not None and b is not None and a.follow_up is b.follow_up is None
        await first.commit()
        await second.commit()  # both saw "no follow-up yet"
        assert await first.questions.ask_follow_up(a, "Which port?") is True
        await first.commit()
        assert await second.questions.ask_follow_up(b, "Which firewall?") is False
        assert b.follow_up == "Which port?"  # the one the expert was sent stands
        await second.commit()
    finally:
        await first.close()
        await second.close()


async def test_the_daily_connection_requests_hold_though_the_count_was_read_first(
    uow_factory: Factory,
) -> None:
    sender, *others = await members(uow_factory, 4)
    async with uow_factory() as uow:  # a limit of two: two requests go, the third does not
        for other in others[:2]:
            assert await uow.community.add_request(sender, other, None, NOW, 2) is not None
        assert await uow.community.add_request(sender, others[2], None, NOW, 2) is None
        await uow.commit()
    async with uow_factory() as uow:  # a day later the window has moved on
        later = NOW + timedelta(hours=24, seconds=1)
        assert await uow.community.add_request(sender, others[2], None, later, 2) is not None
        await uow.commit()
