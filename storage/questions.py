"""Questions, experts, assignments, answers and reports as the Q&A feature stores them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, time
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    Assignment,
    ExpertApplication,
    ExpertProfile,
    ExpertTag,
    Member,
    Question,
    QuestionTag,
    Report,
    ReputationGrant,
    Tag,
)

OFFERED, PASSED, ANSWERED, WITHDRAWN = "offered", "passed", "answered", "withdrawn"


class ExpertRow(NamedTuple):
    """What routing needs to know of one expert, read in one query for all of a question's
    tags: routing ranks these rows as they are (thousands a question, bench/routing.py)."""

    member_id: int
    telegram_id: int
    language: str
    tags: frozenset[str]
    available: bool
    quiet_start: time | None  # local wall clock, community time zone
    quiet_end: time | None
    cap: int
    open_assignments: int
    last_assigned_at: datetime | None
    answered: int
    offered: int


@lru_cache(maxsize=1024)
def clock_time(value: str | None) -> time | None:
    """A stored "HH:MM" (quiet hours) as a time; None stays None."""
    if not value:
        return None
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


class QuestionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- experts -------------------------------------------------------------------------
    async def expert_profile(self, member_id: int) -> ExpertProfile | None:
        """The member's expert profile while they are an expert (None once removed)."""
        profile = await self.session.get(ExpertProfile, member_id)
        return profile if profile is not None and profile.removed_at is None else None

    async def answers_anonymously(self, member_id: int) -> bool:
        """Whether the answer the member gives now shows no name: their choice as an expert,
        which still holds for their replies to follow-ups after the status was taken away.
        Each answer keeps the choice it was given with (``Answer.anonymous``)."""
        profile = await self.session.get(ExpertProfile, member_id)
        return bool(profile and profile.anonymous)

    async def expert_tags(self, member_id: int) -> list[str]:
        rows = await self.session.scalars(
            select(Tag.slug)
            .join(ExpertTag, ExpertTag.tag_id == Tag.id)
            .where(ExpertTag.member_id == member_id)
            .order_by(Tag.position)
        )
        return list(rows)

    async def make_expert(self, member_id: int, slugs: Collection[str]) -> ExpertProfile:
        """Verify the member for ``slugs`` (added to any they had). A member whose status
        was taken away gets their profile back, counters and settings as they were."""
        profile = await self.session.get(ExpertProfile, member_id)
        if profile is None:
            profile = ExpertProfile(
                member_id=member_id, available=True, quiet_start="21:00", quiet_end="07:00",
                cap=3, anonymous=False, offered=0, answered=0,
            )  # fmt: skip
            self.session.add(profile)
        profile.removed_at = None
        have = set(await self.expert_tags(member_id))
        tag_ids = await self.session.scalars(select(Tag.id).where(Tag.slug.in_(set(slugs) - have)))
        for tag_id in tag_ids:
            self.session.add(ExpertTag(member_id=member_id, tag_id=tag_id))
        await self.session.flush()
        return profile

    async def withdraw_offers_to(
        self, member_id: int, keep_after_round: int | None = None
    ) -> list[Assignment]:
        """The member's open offers are withdrawn, so their [Answer] no longer works,
        except those of rounds after ``keep_after_round`` (for staff: a question's last
        round is shown to them as a moderator). The offers withdrawn."""
        offers = await self.session.scalars(
            select(Assignment).where(
                Assignment.member_id == member_id, Assignment.status == OFFERED
            )
        )
        withdrawn = [a for a in offers if keep_after_round is None or a.round <= keep_after_round]
        for assignment in withdrawn:
            assignment.status = WITHDRAWN
        await self.session.flush()
        return withdrawn

    async def remove_expert(self, profile: ExpertProfile, now: datetime, withdrawn: int) -> None:
        """The member is an expert no more: their topics go and the profile is marked
        removed (``ExpertProfile.removed_at``); ``withdrawn`` offers they had
        (``withdraw_offers_to``) no longer count as offered."""
        await self.session.execute(
            delete(ExpertTag).where(ExpertTag.member_id == profile.member_id)
        )
        profile.removed_at = now
        profile.offered = max(0, profile.offered - withdrawn)  # as withdraw_undelivered
        await self.session.flush()

    async def candidates(self, slugs: Collection[str], asker_id: int) -> list[ExpertRow]:
        """The experts who may be offered a question on ``slugs`` asked by ``asker_id``:
        verified for at least one of them (``tags``: those of ``slugs`` they have),
        reachable, available, not the asker and under their cap.

        One query, filtered in SQL and read as plain columns on the Core connection, one row
        an expert (no ORM objects): with 10,000 experts this is most of a routing decision's
        time (bench/routing.py --database). The open offers are counted for each expert
        found, through the (member, status) index, so past offers are never read."""
        open_count = (
            select(func.count())
            .select_from(Assignment)
            .join(Question, Question.id == Assignment.question_id)
            .where(
                Assignment.member_id == Member.id,
                Assignment.status == OFFERED,
                Assignment.round == Question.round,  # earlier rounds' offers stop counting
                Question.status == "open",
            )
            .scalar_subquery()
        )
        await self.session.flush()  # the Core connection does not autoflush like the session
        connection = await self.session.connection()
        rows = await connection.execute(
            select(
                Member.id, Member.telegram_id, Member.language,
                func.aggregate_strings(Tag.slug, ","), ExpertProfile.quiet_start,
                ExpertProfile.quiet_end, ExpertProfile.cap, open_count,
                ExpertProfile.last_assigned_at, ExpertProfile.answered, ExpertProfile.offered,
            )
            .join(ExpertTag, ExpertTag.member_id == Member.id)
            .join(Tag, Tag.id == ExpertTag.tag_id)
            .join(ExpertProfile, ExpertProfile.member_id == Member.id)
            .where(
                Tag.slug.in_(list(slugs)),
                ExpertProfile.available.is_(True),
                Member.id != asker_id,
                Member.deleted_at.is_(None),
                Member.unreachable.is_(False),
                Member.telegram_id.is_not(None),
            )
            .group_by(Member.id, ExpertProfile.member_id)
            .having(open_count < ExpertProfile.cap)
        )  # fmt: skip
        tag_sets: dict[str, frozenset[str]] = {}  # a few distinct ones: built once each
        return [
            ExpertRow(
                member_id, telegram_id or 0, language,
                tag_sets.get(tags) or tag_sets.setdefault(tags, frozenset(tags.split(","))),
                True, clock_time(quiet_start), clock_time(quiet_end), cap, open_assignments,
                last_assigned_at, answered, offered,
            )
            for (
                member_id, telegram_id, language, tags, quiet_start, quiet_end, cap,
                open_assignments, last_assigned_at, answered, offered,
            ) in rows
        ]  # fmt: skip

    async def experts_exist(self, slugs: Collection[str], except_member_id: int) -> bool:
        """Whether any reachable expert other than ``except_member_id`` is verified for one
        of ``slugs``, whether available, away or at their cap."""
        found = await self.session.scalar(
            select(ExpertTag.member_id)
            .join(Tag, Tag.id == ExpertTag.tag_id)
            .join(Member, Member.id == ExpertTag.member_id)
            .join(ExpertProfile, ExpertProfile.member_id == Member.id)
            .where(
                Tag.slug.in_(list(slugs)),
                Member.id != except_member_id,
                Member.deleted_at.is_(None),
                Member.unreachable.is_(False),
                Member.telegram_id.is_not(None),
            )
            .limit(1)
        )
        return found is not None

    # -- questions -----------------------------------------------------------------------
    async def add_question(
        self,
        asker_id: int,
        text: str,
        search_tokens: Sequence[str],
        slugs: Collection[str],
        now: datetime,
        escalate_at: datetime,
    ) -> Question:
        question = Question(
            asker_id=asker_id, text=text, search_tokens=" ".join(search_tokens), status="open",
            round=1, escalate_at=escalate_at, hidden=False, created_at=now,
        )  # fmt: skip
        self.session.add(question)
        await self.session.flush()
        tag_ids = list(await self.session.scalars(select(Tag.id).where(Tag.slug.in_(slugs))))
        if tag_ids:
            await self.session.execute(
                insert(QuestionTag), [{"question_id": question.id, "tag_id": t} for t in tag_ids]
            )
        return question

    async def question(self, question_id: int) -> Question | None:
        return await self.session.get(Question, question_id)

    async def question_tags(self, question_id: int) -> list[str]:
        rows = await self.session.scalars(
            select(Tag.slug)
            .join(QuestionTag, QuestionTag.tag_id == Tag.id)
            .where(QuestionTag.question_id == question_id)
            .order_by(Tag.position)
        )
        return list(rows)

    async def questions_of(self, asker_id: int, offset: int, limit: int) -> list[Question]:
        rows = await self.session.scalars(
            select(Question)
            .where(Question.asker_id == asker_id)
            .order_by(Question.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(rows)

    async def unclosed_questions_of(self, asker_id: int) -> list[Question]:
        """The member's questions still taking answers (open or answered, not closed)."""
        rows = await self.session.scalars(
            select(Question)
            .where(Question.asker_id == asker_id, Question.status != "closed")
            .order_by(Question.id)
        )
        return list(rows)

    async def count_questions_of(self, asker_id: int) -> int:
        count = await self.session.scalar(
            select(func.count()).select_from(Question).where(Question.asker_id == asker_id)
        )
        return count or 0

    async def due_escalations(self, now: datetime, limit: int = 100) -> list[Question]:
        rows = await self.session.scalars(
            select(Question)
            .where(Question.status == "open", Question.escalate_at <= now)
            .order_by(Question.escalate_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(rows)

    async def answered_documents(self) -> list[tuple[int, str]]:
        """(question id, tokens) of every visible question with a visible answer."""
        rows = await self.session.execute(
            select(Question.id, Question.search_tokens).where(
                Question.hidden.is_(False),
                Question.id.in_(select(Answer.question_id).where(Answer.hidden.is_(False))),
            )
        )
        return [(question_id, tokens) for question_id, tokens in rows]

    # -- assignments ---------------------------------------------------------------------
    async def offered_member_ids(self, question_id: int) -> set[int]:
        rows = await self.session.scalars(
            select(Assignment.member_id).where(Assignment.question_id == question_id)
        )
        return set(rows)

    async def add_assignment(
        self, question_id: int, member_id: int, round: int, now: datetime
    ) -> Assignment:
        assignment = Assignment(
            question_id=question_id, member_id=member_id, round=round, status=OFFERED,
            offered_at=now,
        )  # fmt: skip
        self.session.add(assignment)
        await self.session.execute(
            update(ExpertProfile)
            .where(ExpertProfile.member_id == member_id)
            .values(last_assigned_at=now, offered=ExpertProfile.offered + 1)
        )
        await self.session.flush()
        return assignment

    async def withdraw_offers(self, question_id: int) -> list[int]:
        """Offers nobody acted on end with the question; their ids (to drop unsent messages)."""
        ids = list(
            await self.session.scalars(
                select(Assignment.id).where(
                    Assignment.question_id == question_id, Assignment.status == OFFERED
                )
            )
        )
        if ids:
            await self.session.execute(
                update(Assignment).where(Assignment.id.in_(ids)).values(status=WITHDRAWN)
            )
        return ids

    async def withdraw_undelivered(self, assignments: Sequence[Assignment]) -> None:
        """Offers whose message never went out: withdrawn, and no longer counted as offers
        the experts had (``offered`` is the denominator of their answer rate)."""
        for assignment in assignments:
            assignment.status = WITHDRAWN
            await self.session.execute(
                update(ExpertProfile)
                .where(ExpertProfile.member_id == assignment.member_id)
                .values(offered=ExpertProfile.offered - 1)
            )

    async def open_offers(self, question_id: int, round: int) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.question_id == question_id,
                Assignment.round == round,
                Assignment.status == OFFERED,
            )
        )
        return count or 0

    async def assignment(self, assignment_id: int) -> Assignment | None:
        return await self.session.get(Assignment, assignment_id)

    async def assignments_of(self, question_id: int) -> list[Assignment]:
        rows = await self.session.scalars(
            select(Assignment).where(Assignment.question_id == question_id)
        )
        return list(rows)

    # -- answers -------------------------------------------------------------------------
    async def add_answer(
        self, question_id: int, expert_id: int, text: str, now: datetime, reply_to: int | None
    ) -> Answer:
        """The answer, anonymous if its expert chose so now (``Answer.anonymous``); a reply
        to a follow-up also when the answer it completes was: it would name that answer's
        author."""
        anonymous = await self.answers_anonymously(expert_id)
        if reply_to is not None and not anonymous:
            completed = await self.session.get(Answer, reply_to)
            anonymous = completed is not None and completed.anonymous
        answer = Answer(
            question_id=question_id, expert_id=expert_id, text=text, reply_to_id=reply_to,
            helpful=False, accepted=False, hidden=False, anonymous=anonymous, created_at=now,
        )  # fmt: skip
        self.session.add(answer)
        await self.session.flush()
        return answer

    async def answer_counts(self, question_ids: Sequence[int]) -> dict[int, int]:
        """Visible answers (follow-up replies not counted) of each question."""
        if not question_ids:
            return {}
        rows = await self.session.execute(
            select(Answer.question_id, func.count())
            .where(
                Answer.question_id.in_(question_ids),
                Answer.hidden.is_(False),
                Answer.reply_to_id.is_(None),
            )
            .group_by(Answer.question_id)
        )
        return {question_id: count for question_id, count in rows}

    async def reply_to(self, answer_id: int) -> Answer | None:
        return await self.session.scalar(select(Answer).where(Answer.reply_to_id == answer_id))

    async def search_version(self) -> tuple[int, int, int]:
        """Changes whenever what /search may find changes (an answer, a hide)."""
        newest = await self.session.scalar(select(func.max(Answer.id)))
        hidden_answers = await self.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.hidden.is_(True))
        )
        hidden_questions = await self.session.scalar(
            select(func.count()).select_from(Question).where(Question.hidden.is_(True))
        )
        return newest or 0, hidden_answers or 0, hidden_questions or 0

    async def mark_answered(self, member_id: int) -> None:
        await self.session.execute(
            update(ExpertProfile)
            .where(ExpertProfile.member_id == member_id)
            .values(answered=ExpertProfile.answered + 1)
        )

    async def answer(self, answer_id: int) -> Answer | None:
        return await self.session.get(Answer, answer_id)

    async def answers_to(self, question_id: int) -> list[Answer]:
        rows = await self.session.scalars(
            select(Answer)
            .where(Answer.question_id == question_id, Answer.hidden.is_(False))
            .order_by(Answer.accepted.desc(), Answer.id)
        )
        return list(rows)

    async def mark_helpful(self, answer: Answer) -> bool:
        """Mark ``answer`` helpful; False when it already was. The check is the UPDATE's own
        condition, so of two taps at once (two processes) one wins and grants the points."""
        result = await self.session.execute(
            update(Answer)
            .where(Answer.id == answer.id, Answer.helpful.is_(False))
            .values(helpful=True)
            .execution_options(synchronize_session=False)
        )
        await self.session.refresh(answer)
        return bool(getattr(result, "rowcount", 0))

    async def accept(self, question: Question, answer: Answer) -> bool:
        """Make ``answer`` the question's accepted answer; False when one was accepted
        before. The question's ``accepted_answer_id IS NULL`` is the UPDATE's condition, so
        two Accepts at once (on two answers, in two processes) leave one accepted."""
        result = await self.session.execute(
            update(Question)
            .where(Question.id == question.id, Question.accepted_answer_id.is_(None))
            .values(accepted_answer_id=answer.id)
            .execution_options(synchronize_session=False)
        )
        won = bool(getattr(result, "rowcount", 0))
        if won:
            await self.session.execute(
                update(Answer)
                .where(Answer.id == answer.id)
                .values(accepted=True)
                .execution_options(synchronize_session=False)
            )
        await self.session.refresh(question)
        await self.session.refresh(answer)
        return won

    async def add_reputation(self, member_id: int, points: int, reason: str, now: datetime) -> None:
        """The one place reputation is given: the member's total, and the grant with its time
        (``reason``: "helpful", "accepted"), so the leaderboard can count a month's points."""
        await self.session.execute(
            update(Member)
            .where(Member.id == member_id)
            .values(reputation=Member.reputation + points)
        )
        self.session.add(
            ReputationGrant(member_id=member_id, points=points, reason=reason, created_at=now)
        )

    # -- applications and reports --------------------------------------------------------
    async def add_application(
        self, member_id: int, slugs: Sequence[str], note: str, now: datetime
    ) -> ExpertApplication:
        application = ExpertApplication(
            member_id=member_id, tags=",".join(slugs), note=note, status="pending", created_at=now
        )
        self.session.add(application)
        await self.session.flush()
        return application

    async def pending_applications(self) -> list[ExpertApplication]:
        rows = await self.session.scalars(
            select(ExpertApplication)
            .where(ExpertApplication.status == "pending")
            .order_by(ExpertApplication.id)
        )
        return list(rows)

    async def application(self, application_id: int) -> ExpertApplication | None:
        return await self.session.get(ExpertApplication, application_id)

    async def add_report(
        self, reporter_id: int, target: str, target_id: int, now: datetime
    ) -> Report:
        report = Report(
            reporter_id=reporter_id, target=target, target_id=target_id, status="open",
            created_at=now,
        )  # fmt: skip
        self.session.add(report)
        await self.session.flush()
        return report

    async def open_report(self, reporter_id: int, target: str, target_id: int) -> Report | None:
        return await self.session.scalar(
            select(Report).where(
                Report.reporter_id == reporter_id,
                Report.target == target,
                Report.target_id == target_id,
                Report.status == "open",
            )
        )

    async def open_reports(self, limit: int) -> list[Report]:
        rows = await self.session.scalars(
            select(Report).where(Report.status == "open").order_by(Report.id).limit(limit)
        )
        return list(rows)

    async def report(self, report_id: int) -> Report | None:
        return await self.session.get(Report, report_id)
