"""Questions, experts, assignments, answers and reports as the Q&A feature stores them."""

from __future__ import annotations

import typing
from collections.abc import Collection, Sequence
from datetime import datetime, time
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.limits import DAY, hold, insert_if, insert_report, insert_where, report_times
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
from storage.sql import update_if

OFFERED, PASSED, ANSWERED, WITHDRAWN = "offered", "passed", "answered", "withdrawn"

# What /search may find among questions changes with these three (``search_version``).
SEARCH_VERSION = select(
    select(func.max(Answer.id)).scalar_subquery(),
    select(func.count()).select_from(Answer).where(Answer.hidden.is_(True)).scalar_subquery(),
    select(func.count()).select_from(Question).where(Question.hidden.is_(True)).scalar_subquery(),
)
# Read by every question's routing, built once.
QUESTION_TAGS = (
    select(Tag.slug)
    .join(QuestionTag, QuestionTag.tag_id == Tag.id)
    .where(QuestionTag.question_id == bindparam("question_id"))
    .order_by(Tag.position)
)
OFFERED_TO = select(Assignment.member_id).where(Assignment.question_id == bindparam("question_id"))


def open_offers_of(
    member_id: ColumnElement[int] | InstrumentedAttribute[int] | int,
    asker_id: ColumnElement[int] | int | None = None,
) -> ColumnElement[int]:
    """How many open offers the member holds (of ``asker_id``'s questions only, when given):
    offers of the round their question is in, while it waits for a first answer. What an
    expert's cap counts, in routing's query and in the guarded write of an offer alike."""
    conditions = [
        Assignment.member_id == member_id,
        Assignment.status == OFFERED,
        Assignment.round == Question.round,  # earlier rounds' offers stop counting
        Question.status == "open",
    ]
    if asker_id is not None:
        conditions.append(Question.asker_id == asker_id)
    return (
        select(func.count())
        .select_from(Assignment)
        .join(Question, Question.id == Assignment.question_id)
        .where(*conditions)
        .scalar_subquery()
    )


def _candidates() -> tuple[Any, Any]:
    """Routing's query (``candidates``), without and with the per-asker condition."""
    asker = bindparam("asker_id", type_=Integer)
    open_count = open_offers_of(Member.id)
    askers = open_offers_of(Member.id, asker)
    query = (
        select(
            Member.id, Member.telegram_id, Member.language,
            func.aggregate_strings(Tag.slug, ","), ExpertProfile.quiet_start,
            ExpertProfile.quiet_end, ExpertProfile.cap, open_count,
            ExpertProfile.last_assigned_at, ExpertProfile.answered, ExpertProfile.offered,
            askers,
        )
        .join(ExpertTag, ExpertTag.member_id == Member.id)
        .join(Tag, Tag.id == ExpertTag.tag_id)
        .join(ExpertProfile, ExpertProfile.member_id == Member.id)
        .where(
            Tag.slug.in_(bindparam("slugs", expanding=True)),
            ExpertProfile.available.is_(True),
            Member.id != asker,
            Member.deleted_at.is_(None),
            Member.unreachable.is_(False),
            Member.telegram_id.is_not(None),
        )
        .group_by(Member.id, ExpertProfile.member_id)
        .having(open_count < ExpertProfile.cap)
    )  # fmt: skip
    return query, query.having(askers < bindparam("most", type_=Integer))


# The statements of every question's routing, built once (building them took longer than
# running them): with bound parameters, the same SQL as when they were built per call.
CANDIDATES, CANDIDATES_PER_ASKER = _candidates()
EXPERTS_EXIST = (
    select(ExpertTag.member_id)
    .join(Tag, Tag.id == ExpertTag.tag_id)
    .join(Member, Member.id == ExpertTag.member_id)
    .join(ExpertProfile, ExpertProfile.member_id == Member.id)
    .where(
        Tag.slug.in_(bindparam("slugs", expanding=True)),
        Member.id != bindparam("asker_id", type_=Integer),
        Member.deleted_at.is_(None),
        Member.unreachable.is_(False),
        Member.telegram_id.is_not(None),
    )
    .limit(1)
)
_QUESTIONS = typing.cast(Table, Question.__table__)
_NEW_QUESTION = (
    "asker_id",
    "text",
    "search_tokens",
    "status",
    "round",
    "escalate_at",
    "hidden",
    "created_at",
)
_MINE = Question.asker_id == bindparam("mine", type_=Integer)
# ``add_question_within``: the question, inserted only while the asker is under both limits,
# counted by the INSERT itself (``storage.limits``).
ADD_QUESTION_WITHIN = insert_where(
    _QUESTIONS,
    {name: bindparam(name, type_=_QUESTIONS.c[name].type) for name in _NEW_QUESTION},
    and_(
        select(func.count()).where(_MINE, Question.status == "open").scalar_subquery()
        < bindparam("waiting_max", type_=Integer),
        select(func.count())
        .where(_MINE, Question.created_at > bindparam("since", type_=_QUESTIONS.c.created_at.type))
        .scalar_subquery()
        < bindparam("per_day", type_=Integer),
    ),
).returning(*_QUESTIONS.c)
# The same, read back as the question it stored: no second read of the row.
ADD_QUESTION_WITHIN_READ = select(Question).from_statement(ADD_QUESTION_WITHIN)
# ``asking_load``: the questions waiting and those of the day in one read (few either way).
ASKING_LOAD = select(Question.status == "open", Question.created_at).where(
    Question.asker_id == bindparam("asker_id", type_=Integer),
    or_(
        Question.status == "open",
        Question.created_at > bindparam("since", type_=_QUESTIONS.c.created_at.type),
    ),
)
# A new question's tags, their ids looked up by the INSERT itself.
TAG_QUESTION = insert(typing.cast(Table, QuestionTag.__table__)).from_select(
    ["question_id", "tag_id"],
    select(bindparam("question_id", type_=Integer), Tag.id).where(
        Tag.slug.in_(bindparam("slugs", expanding=True))
    ),
)


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
    asker_offers: int = 0  # open offers the expert holds of the asker's questions


@lru_cache(maxsize=1024)
def clock_time(value: str | None) -> time | None:
    """A stored "HH:MM" (quiet hours) as a time; None stays None."""
    if not value:
        return None
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


EXPERT_SETTINGS = frozenset({"available", "quiet_start", "quiet_end", "cap", "anonymous"})
"""What an expert sets in /profile (``update_expert_settings``)."""


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

    async def update_expert_settings(self, member_id: int, **values: object) -> bool:
        """An expert's own settings (``EXPERT_SETTINGS``), written only while they are an
        expert: the UPDATE's condition, so a setting chosen as an administrator takes the
        status away changes nothing (False then). Expert status itself is ``make_expert``
        and ``remove_expert``, called by ``handlers.questions.operations``."""
        if not values or set(values) - EXPERT_SETTINGS:
            raise ValueError(f"not an expert's setting: {sorted(set(values) - EXPERT_SETTINGS)}")
        result = await self.session.execute(
            update(ExpertProfile)
            .where(ExpertProfile.member_id == member_id, ExpertProfile.removed_at.is_(None))
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0))

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

    async def candidates(
        self, slugs: Collection[str], asker_id: int, per_asker: int | None = None
    ) -> list[ExpertRow]:
        """The experts who may be offered a question on ``slugs`` asked by ``asker_id``:
        verified for at least one of them (``tags``: those of ``slugs`` they have),
        reachable, available, not the asker, under their cap and, with ``per_asker``,
        holding fewer open offers of the asker's questions than that.

        One query, filtered in SQL and read as plain columns on the Core connection, one row
        an expert (no ORM objects): with 10,000 experts this is most of a routing decision's
        time (bench/routing.py --database). The open offers are counted for each expert
        found, through the (member, status) index, so past offers are never read."""
        await self.session.flush()  # the Core connection does not autoflush like the session
        connection = await self.session.connection()
        values: dict[str, Any] = {"slugs": list(slugs), "asker_id": asker_id}
        if per_asker is None:
            rows = await connection.execute(CANDIDATES, values)
        else:
            rows = await connection.execute(CANDIDATES_PER_ASKER, values | {"most": per_asker})
        tag_sets: dict[str, frozenset[str]] = {}  # a few distinct ones: built once each
        return [
            ExpertRow(
                member_id, telegram_id or 0, language,
                tag_sets.get(tags) or tag_sets.setdefault(tags, frozenset(tags.split(","))),
                True, clock_time(quiet_start), clock_time(quiet_end), cap, open_assignments,
                last_assigned_at, answered, offered, asker_offers,
            )
            for (
                member_id, telegram_id, language, tags, quiet_start, quiet_end, cap,
                open_assignments, last_assigned_at, answered, offered, asker_offers,
            ) in rows
        ]  # fmt: skip

    async def experts_exist(self, slugs: Collection[str], except_member_id: int) -> bool:
        """Whether any reachable expert other than ``except_member_id`` is verified for one
        of ``slugs``, whether available, away or at their cap."""
        found = await self.session.scalar(
            EXPERTS_EXIST, {"slugs": list(slugs), "asker_id": except_member_id}
        )
        return found is not None

    # -- questions -----------------------------------------------------------------------
    async def add_question(
        self,
        asker_id: int,
        text: str,
        search_tokens: str,
        slugs: Collection[str],
        now: datetime,
        escalate_at: datetime,
    ) -> Question:
        """``search_tokens``: what /search matches, made by ``handlers.questions.indexing``."""
        question = Question(
            asker_id=asker_id, text=text, search_tokens=search_tokens, status="open",
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

    async def add_question_within(
        self,
        asker_id: int,
        text: str,
        search_tokens: str,
        slugs: Collection[str],
        now: datetime,
        escalate_at: datetime,
        waiting_max: int,
        per_day: int,
    ) -> Question | None:
        """``add_question`` while the asker has fewer than ``waiting_max`` questions waiting
        for a first answer and asked fewer than ``per_day`` in the last 24 hours; None
        otherwise. Counted by the INSERT itself, behind a lock on the asker's row
        (``storage.limits``)."""
        await hold(self.session, Member.id, asker_id)
        await self.session.flush()  # questions added to the session count too
        question = await self.session.scalar(
            ADD_QUESTION_WITHIN_READ,
            {
                "asker_id": asker_id, "text": text, "search_tokens": search_tokens,
                "status": "open", "round": 1, "escalate_at": escalate_at, "hidden": False,
                "created_at": now, "mine": asker_id, "since": now - DAY,
                "waiting_max": waiting_max, "per_day": per_day,
            },
        )  # fmt: skip
        if question is None:
            return None
        await self.session.execute(
            TAG_QUESTION, {"question_id": question.id, "slugs": list(slugs)}
        )  # the tags' ids looked up by the INSERT itself
        return question

    async def asking_load(self, asker_id: int, now: datetime) -> tuple[int, list[datetime]]:
        """The member's questions waiting for a first answer, and when they asked those of
        the last 24 hours: what the question limits are checked against."""
        rows = await self.session.execute(ASKING_LOAD, {"asker_id": asker_id, "since": now - DAY})
        found = [(bool(waiting), created_at) for waiting, created_at in rows]
        asked = sorted(created_at for _, created_at in found if created_at > now - DAY)
        return sum(waiting for waiting, _ in found), asked

    async def question(self, question_id: int) -> Question | None:
        return await self.session.get(Question, question_id)

    async def question_tags(self, question_id: int) -> list[str]:
        return list(await self.session.scalars(QUESTION_TAGS, {"question_id": question_id}))

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

    async def answered_documents(self, after_answer: int = 0) -> list[tuple[int, str]]:
        """(question id, tokens) of every visible question with a visible answer; with
        ``after_answer``, of those with a visible answer newer than that one."""
        answered = select(Answer.question_id).where(
            Answer.hidden.is_(False), Answer.id > after_answer
        )
        rows = await self.session.execute(
            select(Question.id, Question.search_tokens).where(
                Question.hidden.is_(False), Question.id.in_(answered)
            )
        )
        return [(question_id, tokens) for question_id, tokens in rows]

    # -- assignments ---------------------------------------------------------------------
    async def offered_member_ids(self, question_id: int) -> set[int]:
        return set(await self.session.scalars(OFFERED_TO, {"question_id": question_id}))

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

    async def add_offer_within(
        self, question: Question, member_id: int, now: datetime, per_asker: int
    ) -> Assignment | None:
        """Offer ``question`` (in its round) to an expert while they hold fewer open offers
        than their cap and fewer than ``per_asker`` of the asker's questions; None when a
        concurrent offer took the place meanwhile. The condition is the INSERT's, behind a
        lock on the expert's profile (``storage.limits``), so caps hold across processes."""
        await hold(self.session, ExpertProfile.member_id, member_id)
        cap = select(ExpertProfile.cap).where(ExpertProfile.member_id == member_id)
        assignment = await insert_if(
            self.session, Assignment,
            {
                "question_id": question.id, "member_id": member_id, "round": question.round,
                "status": OFFERED, "offered_at": now,
            },
            and_(
                open_offers_of(member_id) < cap.scalar_subquery(),
                open_offers_of(member_id, question.asker_id) < per_asker,
            ),
        )  # fmt: skip
        if assignment is None:
            return None
        await self.session.execute(
            update(ExpertProfile)
            .where(ExpertProfile.member_id == member_id)
            .values(last_assigned_at=now, offered=ExpertProfile.offered + 1)
        )
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
        anonymous = await self._given_anonymously(expert_id, reply_to)
        answer = Answer(
            question_id=question_id, expert_id=expert_id, text=text, reply_to_id=reply_to,
            helpful=False, accepted=False, hidden=False, anonymous=anonymous, created_at=now,
        )  # fmt: skip
        self.session.add(answer)
        await self.session.flush()
        return answer

    async def _given_anonymously(self, expert_id: int, reply_to: int | None) -> bool:
        """Whether an answer the expert gives now is anonymous: by their choice now, and a
        reply to a follow-up also when the answer it completes was."""
        if await self.answers_anonymously(expert_id):
            return True
        completed = None if reply_to is None else await self.session.get(Answer, reply_to)
        return completed is not None and completed.anonymous

    async def add_reply(
        self, question_id: int, follow_up_on: int, expert_id: int, text: str, now: datetime
    ) -> Answer | None:
        """The expert's one reply to the asker's follow-up on their answer ``follow_up_on``;
        None unless that answer is theirs, is an answer (not itself a reply), carries a
        follow-up the asker asked, and has no reply yet. The condition is the INSERT's,
        behind a lock on the answer's row (``storage.limits``): one reply, whatever the
        taps or processes."""
        await hold(self.session, Answer.id, follow_up_on)
        parent = Answer.__table__.alias("parent")
        earlier = Answer.__table__.alias("earlier")
        return await insert_if(
            self.session, Answer,
            {
                "question_id": question_id, "expert_id": expert_id, "text": text, "reply_to_id": follow_up_on,
                "helpful": False, "accepted": False, "hidden": False, "created_at": now,
                "anonymous": await self._given_anonymously(expert_id, follow_up_on),
            },
            and_(
                exists().where(
                    parent.c.id == follow_up_on,
                    parent.c.question_id == question_id,
                    parent.c.expert_id == expert_id,
                    parent.c.reply_to_id.is_(None),
                    parent.c.follow_up.is_not(None),
                ),
                ~exists().where(earlier.c.reply_to_id == follow_up_on),
            ),
        )  # fmt: skip

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
        row = (await self.session.execute(SEARCH_VERSION)).one()  # one read of the three
        newest, hidden_answers, hidden_questions = row
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

    async def ask_follow_up(self, answer: Answer, text: str) -> bool:
        """Store the asker's one follow-up on ``answer``; False when one was asked before.
        ``follow_up IS NULL`` is the UPDATE's condition, so two sent at once (two processes)
        store one, the one whose message goes to the expert."""
        return await update_if(self.session, answer, Answer.follow_up.is_(None), follow_up=text)

    async def mark_helpful(self, answer: Answer) -> bool:
        """Mark ``answer`` helpful; False when it already was. The check is the UPDATE's own
        condition, so of two taps at once (two processes) one wins and grants the points."""
        return await update_if(self.session, answer, Answer.helpful.is_(False), helpful=True)

    async def accept(self, question: Question, answer: Answer) -> bool:
        """Make ``answer`` the question's accepted answer; False when one was accepted
        before. The question's ``accepted_answer_id IS NULL`` is the UPDATE's condition, so
        two Accepts at once (on two answers, in two processes) leave one accepted."""
        won = await update_if(
            self.session, question, Question.accepted_answer_id.is_(None),
            accepted_answer_id=answer.id,
        )  # fmt: skip
        if won:
            await update_if(self.session, answer, Answer.accepted.is_(False), accepted=True)
        else:
            await self.session.refresh(answer)
        return won

    async def add_reputation(self, member_id: int, points: int, reason: str, now: datetime) -> bool:
        """The one place reputation is given: the member's total, and the grant with its time
        (``reason``: "helpful", "accepted"), so the leaderboard can count a month's points.
        A member who erased their data gets none (False): erasure emptied their reputation
        and grants, and a Helpful pressed afterwards must not start them again."""
        result = await self.session.execute(
            update(Member)
            .where(Member.id == member_id, Member.deleted_at.is_(None))
            .values(reputation=Member.reputation + points)
        )
        if not getattr(result, "rowcount", 0):
            return False
        self.session.add(
            ReputationGrant(member_id=member_id, points=points, reason=reason, created_at=now)
        )
        return True

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

    async def add_application_within(
        self, member_id: int, slugs: Sequence[str], note: str, now: datetime, pending_max: int
    ) -> ExpertApplication | None:
        """``add_application`` while the member has fewer than ``pending_max`` applications
        waiting for a decision; None otherwise (counted by the INSERT, see storage.limits)."""
        await hold(self.session, Member.id, member_id)
        pending = (
            select(func.count())
            .select_from(ExpertApplication)
            .where(ExpertApplication.member_id == member_id, ExpertApplication.status == "pending")
            .scalar_subquery()
        )
        return await insert_if(
            self.session, ExpertApplication,
            {
                "member_id": member_id, "tags": ",".join(slugs), "note": note,
                "status": "pending", "created_at": now,
            },
            pending < pending_max,
        )  # fmt: skip

    async def pending_applications_of(self, member_id: int) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(ExpertApplication)
            .where(ExpertApplication.member_id == member_id, ExpertApplication.status == "pending")
        )
        return count or 0

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

    async def add_report_within(
        self, reporter_id: int, target: str, target_id: int, now: datetime, per_day: int
    ) -> Report | None:
        """``add_report`` unless the member has an open report on the same thing or filed
        ``per_day`` reports (of any kind) in the last 24 hours; None then (counted by the
        INSERT, see storage.limits)."""
        same = exists().where(
            Report.reporter_id == reporter_id,
            Report.target == target,
            Report.target_id == target_id,
            Report.status == "open",
        )
        values = {
            "reporter_id": reporter_id, "target": target, "target_id": target_id,
            "status": "open", "created_at": now,
        }  # fmt: skip
        return await insert_report(self.session, Report, values, same, now, per_day)

    async def reports_of_the_day(self, reporter_id: int, now: datetime) -> list[datetime]:
        """When the member filed each report (any kind) in the last 24 hours."""
        return await report_times(self.session, reporter_id, now - DAY)

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
