"""The abuse limits: the pure rules, routing with one member's many questions, and the
guarded writes on both databases (two transactions at once on PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.i18n import Translations
from handlers.limits import (
    Limit,
    Limits,
    may_ask,
    may_report,
    next_allowed,
    refusal_words,
)
from handlers.questions.routing import ExpertCandidate, choose_experts
from storage.db import make_sessionmaker
from storage.models import Question
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 10:00 in Phnom Penh: nobody's quiet hours
TZ = ZoneInfo("Asia/Phnom_Penh")
EVERY_TAG = ["web", "cloud", "ai", "data", "cybersecurity"]


# -- the pure rules ------------------------------------------------------------------------
def test_a_limit_of_one_is_said_in_the_singular(translations: Translations) -> None:
    """An operator may set a limit to one: "1 question", never "1 questions"; Khmer has one
    form for every number."""
    en, km = translations.for_language("en"), translations.for_language("km")
    for limit, one, many in [
        (Limit.QUESTIONS_WAITING, "You have 1 question waiting", "You have 3 questions waiting"),
        (Limit.QUESTIONS_PER_DAY, "You have asked 1 question in", "You have asked 3 questions in"),
        (Limit.REPORTS_PER_DAY, "You have sent 1 report in", "You have sent 3 reports in"),
    ]:
        assert refusal_words(en, limit, 1).format(count=1, time="").startswith(one)
        assert refusal_words(en, limit, 3).format(count=3, time="").startswith(many)
        assert refusal_words(km, limit, 1) == refusal_words(km, limit, 3) != ""
        assert "អ្នក" in refusal_words(km, limit, 1)


def test_questions_waiting_for_a_first_answer_are_capped() -> None:
    rules = Limits(questions_waiting=3)
    assert may_ask(2, [], rules, NOW) is None
    refused = may_ask(3, [], rules, NOW)
    assert refused is not None and refused.limit is Limit.QUESTIONS_WAITING and refused.count == 3


def test_questions_a_day_are_counted_over_a_rolling_24_hours() -> None:
    rules = Limits(questions_waiting=99, questions_per_day=10)
    asked = [NOW - timedelta(hours=23, minutes=i) for i in range(10)]  # oldest 23:09 ago
    refused = may_ask(0, asked, rules, NOW)
    assert refused is not None and refused.limit is Limit.QUESTIONS_PER_DAY
    assert refused.until == NOW + timedelta(minutes=51)  # when the oldest leaves the window
    assert may_ask(0, asked, rules, NOW + timedelta(minutes=51)) is None
    assert may_ask(0, asked[:9], rules, NOW) is None


def test_reports_a_day_are_capped_and_say_when_the_next_is_possible() -> None:
    rules = Limits(reports_per_day=5)
    filed = [NOW - timedelta(hours=h) for h in (1, 2, 3, 4, 5)]
    refused = may_report(filed, rules, NOW)
    assert refused is not None and refused.limit is Limit.REPORTS_PER_DAY
    assert refused.until == NOW + timedelta(hours=19)
    assert may_report(filed[:4], rules, NOW) is None
    assert next_allowed(filed, 5, NOW + timedelta(hours=19)) is None


# -- routing: one member cannot fill the experts --------------------------------------------
def route(questions: list[tuple[int, int]], experts: int, per_asker: int) -> dict[int, list[int]]:
    """Route (question, asker) pairs in turn to ``experts`` experts of every tag (cap 3,
    k 3), counting each expert's open offers; the experts each question reached."""
    held: Counter[int] = Counter()
    of_asker: Counter[tuple[int, int]] = Counter()
    reached = {}
    for question, asker in questions:
        candidates = [
            ExpertCandidate(
                member_id=e, tags=frozenset(EVERY_TAG), quiet_start=None, quiet_end=None,
                cap=3, open_assignments=held[e], asker_offers=of_asker[(e, asker)],
            )
            for e in range(100, 100 + experts)
        ]  # fmt: skip
        offers = choose_experts(candidates, EVERY_TAG, asker, NOW, TZ, 3, per_asker=per_asker)
        reached[question] = [o.member_id for o in offers]
        for o in offers:
            held[o.member_id] += 1
            of_asker[(o.member_id, asker)] += 1
    return reached


def test_three_questions_of_one_member_leave_room_for_another_members_question() -> None:
    member, other = 1, 2
    reached = route([(1, member), (2, member), (3, member), (4, other)], experts=3, per_asker=1)
    assert len(reached[1]) == 3  # the first question reaches every expert
    assert reached[2] == reached[3] == []  # the member's next ones wait for a free expert
    assert sorted(reached[4]) == [100, 101, 102]  # another member's question still goes out


def test_with_more_experts_one_members_questions_spread_over_different_experts() -> None:
    reached = route([(1, 1), (2, 1), (3, 1)], experts=9, per_asker=1)
    everyone = [e for experts in reached.values() for e in experts]
    assert len(everyone) == 9 and len(set(everyone)) == 9


def test_the_share_of_one_member_is_configurable() -> None:
    reached = route([(1, 1), (2, 1), (3, 1), (4, 2)], experts=3, per_asker=3)
    assert reached[4] == []  # three of a member's questions a place: the caps fill up again


# -- the guarded writes, on SQLite and PostgreSQL ------------------------------------------
@pytest.fixture
async def sessions(database: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    maker = make_sessionmaker(database)
    async with UnitOfWork(maker) as uow:
        await uow.tags.sync_seed()
        await uow.commit()
    return maker


@pytest.fixture
async def uow(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(sessions) as uow:
        yield uow


async def member(uow: UnitOfWork, telegram_id: int, *tags: str, cap: int = 3) -> int:
    row = {
        "telegram_id": telegram_id, "full_name": f"Member {telegram_id}", "language": "en",
        "role": "private-sector", "province": "phnom-penh", "country": None,
        "skills": ["web"], "open_to_work": False, "alert_frequency": "off",
        "directory_visible": False, "username": None, "organisation": None,
        "years_experience": 5,
    }  # fmt: skip
    await uow.members.upsert_many([row], NOW)
    found = await uow.members.get(telegram_id)
    assert found is not None
    if tags:
        profile = await uow.questions.make_expert(found.id, tags)
        profile.cap = cap
    return found.id


async def ask(
    uow: UnitOfWork, asker: int, at: datetime = NOW, waiting: int = 3, day: int = 10
) -> Question | None:
    return await uow.questions.add_question_within(
        asker, "How do I secure my server?", "", ["web"], at, at, waiting, day
    )


async def test_a_question_over_the_limits_is_not_written(uow: UnitOfWork) -> None:
    asker = await member(uow, 1)
    first, second = await ask(uow, asker, waiting=2), await ask(uow, asker, waiting=2)
    assert first is not None and second is not None
    assert await ask(uow, asker, waiting=2) is None  # two wait for a first answer
    second.status = "answered"
    third = await ask(uow, asker, waiting=2)
    assert third is not None and await uow.questions.question_tags(third.id) == ["web"]
    assert await ask(uow, asker, waiting=9, day=3) is None  # three asked today
    assert await ask(uow, asker, at=NOW + timedelta(hours=24), waiting=9, day=3) is not None
    later = NOW + timedelta(hours=24)
    assert await uow.questions.asking_load(asker, later) == (3, [later])  # one answered


async def test_an_expert_is_offered_one_open_question_of_a_member(uow: UnitOfWork) -> None:
    asker, other = await member(uow, 1), await member(uow, 2)
    expert = await member(uow, 3, "web", cap=2)
    mine = [q for _ in range(2) if (q := await ask(uow, asker)) is not None]
    theirs = [q for _ in range(2) if (q := await ask(uow, other)) is not None]
    assert len(mine) == len(theirs) == 2
    assert await uow.questions.add_offer_within(mine[0], expert, NOW, 1) is not None
    assert [r.asker_offers for r in await uow.questions.candidates(["web"], asker)] == [1]
    assert await uow.questions.candidates(["web"], asker, per_asker=1) == []
    assert len(await uow.questions.candidates(["web"], other, per_asker=1)) == 1
    assert await uow.questions.add_offer_within(mine[1], expert, NOW, 1) is None
    assert await uow.questions.add_offer_within(theirs[0], expert, NOW, 1) is not None
    assert await uow.questions.add_offer_within(theirs[1], expert, NOW, 9) is None  # the cap
    profile = await uow.questions.expert_profile(expert)
    assert profile is not None and profile.offered == 2 and profile.last_assigned_at == NOW


async def test_one_reply_and_only_to_a_follow_up_the_asker_asked(uow: UnitOfWork) -> None:
    asker, expert = await member(uow, 1), await member(uow, 2, "web")
    question = await ask(uow, asker)
    assert question is not None
    answer = await uow.questions.add_answer(question.id, expert, "Patch it.", NOW, None)
    assert await uow.questions.add_reply(question.id, answer.id, expert, "More.", NOW) is None
    answer.follow_up = "Which patches?"
    assert await uow.questions.add_reply(question.id, answer.id, asker, "Me.", NOW) is None
    reply = await uow.questions.add_reply(question.id, answer.id, expert, "Security ones.", NOW)
    assert reply is not None and reply.reply_to_id == answer.id
    assert await uow.questions.add_reply(question.id, answer.id, expert, "Again.", NOW) is None
    reply.follow_up = "forged"  # a reply is never replied to
    assert await uow.questions.add_reply(question.id, reply.id, expert, "Chain.", NOW) is None


async def test_one_pending_application_and_company_a_member(uow: UnitOfWork) -> None:
    applicant = await member(uow, 1)
    first = await uow.questions.add_application_within(applicant, ["ai"], "I teach.", NOW, 1)
    assert first is not None
    assert await uow.questions.add_application_within(applicant, ["ai"], "Me!", NOW, 1) is None
    assert await uow.questions.pending_applications_of(applicant) == 1
    first.status = "rejected"
    assert await uow.questions.add_application_within(applicant, ["ai"], "Me!", NOW, 1)

    args = ("Co", "MOC-1", "IT", None, "We build.", NOW)
    company = await uow.jobs.register_company(applicant, *args, pending_max=1)
    assert company is not None and await uow.jobs.is_representative(
        applicant, company.id, verified_only=False
    )
    assert await uow.jobs.register_company(applicant, *args, pending_max=1) is None
    assert await uow.jobs.pending_companies_of(applicant) == 1
    company.status = "verified"
    assert await uow.jobs.register_company(applicant, *args, pending_max=1) is not None


async def test_a_guarded_write_returns_its_row_from_the_insert_itself(
    uow: UnitOfWork, database: AsyncEngine
) -> None:
    """The row a limit lets through comes back by the INSERT's RETURNING, as stored; no
    second statement reads it (they did: one more round trip each)."""
    applicant, other = await member(uow, 1), await member(uow, 2)
    await uow.session.flush()
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.sync_engine, "before_cursor_execute", count)
    try:
        application = await uow.questions.add_application_within(
            applicant, ["ai", "web"], "I teach.", NOW, 1
        )
        report = await uow.community.add_report_within(applicant, other, "spam", NOW, 2)
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", count)
    assert application is not None and application.id is not None
    assert (application.member_id, application.tags, application.note) == (
        applicant,
        "ai,web",
        "I teach.",
    )
    assert application.status == "pending" and application.decided_at is None
    assert report is not None and report.id is not None and report.reason == "spam"
    written = [s.split()[0] for s in statements if "FOR UPDATE" not in s]  # the locks apart
    assert written == ["INSERT", "INSERT"]


async def test_reports_of_both_kinds_count_against_one_daily_limit(uow: UnitOfWork) -> None:
    reporter, other = await member(uow, 1), await member(uow, 2)
    question = await ask(uow, other)
    assert question is not None
    q = uow.questions
    assert await q.add_report_within(reporter, "question", question.id, NOW, 2) is not None
    assert await q.add_report_within(reporter, "question", question.id, NOW, 9) is None  # open
    assert await uow.community.add_report_within(reporter, other, "spam", NOW, 2) is not None
    assert await q.add_report_within(reporter, "answer", 1, NOW, 2) is None  # two today
    third = await member(uow, 3)
    assert await uow.community.add_report_within(reporter, third, "", NOW, 2) is None
    later = NOW + timedelta(hours=24, seconds=1)
    assert await q.add_report_within(reporter, "answer", 1, later, 2) is not None
    assert await q.reports_of_the_day(reporter, later) == [later]


async def test_two_transactions_at_once_cannot_both_pass_a_limit(
    database: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Two processes asking for one member at the same moment: the second waits for the
    first's lock and then counts its question (PostgreSQL; SQLite has one writer)."""
    if database.dialect.name != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time")
    async with UnitOfWork(sessions) as setup:
        asker = await member(setup, 1)
        await setup.commit()
    async with UnitOfWork(sessions) as first, UnitOfWork(sessions) as second:
        assert await ask(first, asker, waiting=1) is not None
        racing = asyncio.create_task(ask(second, asker, waiting=1))
        await asyncio.sleep(0.3)
        assert not racing.done()  # waiting for the first transaction's lock on the member
        await first.commit()
        assert await racing is None
