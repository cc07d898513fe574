"""Competitions as stored: their tags, judges, entries, scores and reminders.

A reminder's audience is read a batch of members at a time in member-id order (the
entrants, and the members whose skills or news-digest topics include one of the
competition's tags, judges left out unless they entered), so it is never all in memory.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    String,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.broadcasts import receives
from storage.models import (
    Competition,
    CompetitionEntry,
    CompetitionJudge,
    CompetitionReminder,
    CompetitionScore,
    CompetitionTag,
    DigestTag,
    ExpertProfile,
    Member,
    MemberSkill,
    StaffRole,
    Tag,
    UTCDateTime,
)
from storage.sql import among, upsert

RECENTLY_DECIDED = 5  # decided competitions /competitions lists
# Two entries sent at once to one competition take the same next number; the one left out
# tries again with the next. Each try waits for the other's transaction, so a few suffice.
NUMBER_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class JudgeCandidate:
    member_id: int
    name: str
    admin: bool
    expert: bool


@dataclass(frozen=True, slots=True)
class ReminderRecipient:
    member_id: int
    telegram_id: int
    language: str
    entrant: bool


def _reachable() -> list[ColumnElement[bool]]:
    return [
        Member.deleted_at.is_(None),
        Member.telegram_id.is_not(None),
        Member.unreachable.is_(False),
    ]


class CompetitionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- competitions ----------------------------------------------------------------------
    async def add(
        self,
        titles: tuple[str, str],
        rules: tuple[str, str],
        prizes: tuple[str, str],
        deadline_at: datetime,
        entries_allowed: int,
        tags: Collection[str],
        judges: Collection[int],
        reminders: Sequence[tuple[str, datetime]],
        created_by: int | None,
        now: datetime,
    ) -> Competition:
        competition = Competition(
            title_km=titles[0], title_en=titles[1], rules_km=rules[0], rules_en=rules[1],
            prizes_km=prizes[0], prizes_en=prizes[1], deadline_at=deadline_at,
            entries_allowed=entries_allowed, created_by=created_by, created_at=now,
        )  # fmt: skip
        self.session.add(competition)
        await self.session.flush()
        await self._set_tags_and_judges(competition.id, tags, judges)
        self.session.add_all(
            CompetitionReminder(competition_id=competition.id, kind=kind, due_at=due, expanded_to=0)
            for kind, due in reminders
        )
        await self.session.flush()
        return competition

    async def change(
        self,
        competition: Competition,
        revision: int,
        now: datetime,
        titles: tuple[str, str],
        rules: tuple[str, str],
        prizes: tuple[str, str],
        deadline_at: datetime,
        entries_allowed: int,
        tags: Collection[str],
        judges: Collection[int],
        reminders: Sequence[tuple[str, datetime]],
    ) -> bool:
        """An open competition edited, if it is still at ``revision`` and open for entries
        (one conditional UPDATE: another edit, or the deadline job telling the judges, in
        between makes it write nothing and return False). The reminders not begun are
        replaced by ``reminders`` (for the new deadline); one sent, or being sent, stays."""
        c = competition
        result = await self.session.execute(
            update(Competition)
            .where(
                Competition.id == c.id,
                Competition.revision == revision,
                Competition.judging_at.is_(None),
                Competition.deadline_at > now,
            )
            .values(
                title_km=titles[0], title_en=titles[1], rules_km=rules[0], rules_en=rules[1],
                prizes_km=prizes[0], prizes_en=prizes[1], deadline_at=deadline_at,
                entries_allowed=entries_allowed, revision=Competition.revision + 1,
            )
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        if getattr(result, "rowcount", 0) != 1:
            return False
        await self.session.refresh(c)
        for table in (CompetitionTag, CompetitionJudge):
            await self.session.execute(delete(table).where(table.competition_id == c.id))
        await self._set_tags_and_judges(c.id, tags, judges)
        # "not begun" is the DELETE's own condition, checked row by row as it deletes: a
        # reminder the reminder job begins meanwhile is kept, not deleted and sent again
        await self.session.execute(
            delete(CompetitionReminder).where(
                CompetitionReminder.competition_id == c.id,
                CompetitionReminder.done_at.is_(None),
                CompetitionReminder.expanded_to == 0,
            )
        )
        begun = set(
            await self.session.scalars(
                select(CompetitionReminder.kind).where(CompetitionReminder.competition_id == c.id)
            )
        )
        self.session.add_all(
            CompetitionReminder(competition_id=c.id, kind=kind, due_at=due, expanded_to=0)
            for kind, due in reminders
            if kind not in begun
        )
        await self.session.flush()
        return True

    async def _set_tags_and_judges(
        self, competition_id: int, tags: Collection[str], judges: Collection[int]
    ) -> None:
        """Core inserts: rows of these the session may hold were just deleted by a statement."""
        tag_ids = list(await self.session.scalars(select(Tag.id).where(Tag.slug.in_(set(tags)))))
        rows = (
            (CompetitionTag, [{"competition_id": competition_id, "tag_id": t} for t in tag_ids]),
            (
                CompetitionJudge,
                [{"competition_id": competition_id, "member_id": m} for m in sorted(set(judges))],
            ),
        )
        for table, values in rows:
            if values:
                await self.session.execute(insert(table).values(values))

    async def entrant_ids(self, competition_id: int) -> list[int]:
        """The members who entered (once each), for telling them of a change."""
        rows = await self.session.scalars(
            select(CompetitionEntry.member_id)
            .where(CompetitionEntry.competition_id == competition_id)
            .distinct()
            .order_by(CompetitionEntry.member_id)
        )
        return list(rows)

    async def get(self, competition_id: int) -> Competition | None:
        return await self.session.get(Competition, competition_id)

    async def tags_of(self, competition_id: int) -> list[str]:
        rows = await self.session.scalars(
            select(Tag.slug)
            .join(CompetitionTag, CompetitionTag.tag_id == Tag.id)
            .where(CompetitionTag.competition_id == competition_id)
            .order_by(Tag.position)
        )
        return list(rows)

    async def listing(
        self, now: datetime
    ) -> tuple[list[Competition], list[Competition], list[Competition]]:
        """Open ones (closing soonest first), those being judged, the recently decided."""
        undecided = Competition.decided_at.is_(None)
        open_ = await self.session.scalars(
            select(Competition)
            .where(undecided, Competition.deadline_at > now)
            .order_by(Competition.deadline_at, Competition.id)
        )
        judging = await self.session.scalars(
            select(Competition)
            .where(undecided, Competition.deadline_at <= now)
            .order_by(Competition.deadline_at.desc(), Competition.id.desc())
        )
        decided = await self.session.scalars(
            select(Competition)
            .where(Competition.decided_at.is_not(None))
            .order_by(Competition.decided_at.desc(), Competition.id.desc())
            .limit(RECENTLY_DECIDED)
        )
        return list(open_), list(judging), list(decided)

    async def entry_counts(self, competition_ids: Collection[int]) -> dict[int, int]:
        if not competition_ids:
            return {}
        rows = await self.session.execute(
            select(CompetitionEntry.competition_id, func.count())
            .where(among(CompetitionEntry.competition_id, competition_ids))
            .group_by(CompetitionEntry.competition_id)
        )
        return {competition_id: count for competition_id, count in rows}

    # -- judges ----------------------------------------------------------------------------
    async def judge_candidates(
        self, offset: int = 0, limit: int | None = None
    ) -> list[JudgeCandidate]:
        """Signed-up administrators and experts who can be reached, by name, ``limit`` of
        them from ``offset`` (the picker's page). They are found in the experts' and the
        roles' tables first, then only their members' rows are read, by id, and sorted (no
        index has names): asked as one join, PostgreSQL read every member to find them."""
        experts = select(ExpertProfile.member_id).where(ExpertProfile.removed_at.is_(None))
        admins = (
            select(Member.id)
            .join(StaffRole, StaffRole.telegram_id == Member.telegram_id)
            .where(StaffRole.role == "admin")
        )
        ids = list(await self.session.scalars(union(experts, admins)))
        return await self.judge_candidates_among(ids, offset, limit)

    async def judge_candidates_among(
        self, member_ids: Collection[int], offset: int = 0, limit: int | None = None
    ) -> list[JudgeCandidate]:
        """Those of ``member_ids`` who may judge (``judge_candidates``), by name."""
        if not member_ids:
            return []
        admin = exists().where(
            StaffRole.telegram_id == Member.telegram_id, StaffRole.role == "admin"
        )
        expert = exists().where(
            ExpertProfile.member_id == Member.id, ExpertProfile.removed_at.is_(None)
        )
        rows = await self.session.execute(
            select(Member.id, Member.full_name, admin, expert)
            .where(among(Member.id, member_ids), *_reachable(), or_(admin, expert))
            .order_by(Member.full_name, Member.id)
            .offset(offset)
            .limit(limit)
        )
        return [
            JudgeCandidate(member_id, name or "", bool(is_admin), bool(is_expert))
            for member_id, name, is_admin, is_expert in rows
        ]

    async def judges(self, competition_id: int) -> list[Member]:
        rows = await self.session.scalars(
            select(Member)
            .join(CompetitionJudge, CompetitionJudge.member_id == Member.id)
            .where(CompetitionJudge.competition_id == competition_id)
            .order_by(Member.id)
        )
        return list(rows)

    async def is_judge(self, competition_id: int, member_id: int) -> bool:
        return await self.session.get(CompetitionJudge, (competition_id, member_id)) is not None

    # -- entries ---------------------------------------------------------------------------
    async def entry(self, entry_id: int) -> CompetitionEntry | None:
        return await self.session.get(CompetitionEntry, entry_id)

    async def entries(self, competition_id: int) -> list[CompetitionEntry]:
        rows = await self.session.scalars(
            select(CompetitionEntry)
            .where(CompetitionEntry.competition_id == competition_id)
            .order_by(CompetitionEntry.number)
        )
        return list(rows)

    async def placed(self, competition_id: int) -> list[CompetitionEntry]:
        """The entries the judges placed, first place first (a card shows them, not all)."""
        rows = await self.session.scalars(
            select(CompetitionEntry)
            .where(
                CompetitionEntry.competition_id == competition_id,
                CompetitionEntry.place.is_not(None),
            )
            .order_by(CompetitionEntry.place, CompetitionEntry.number)
        )
        return list(rows)

    async def entries_of(self, competition_id: int, member_id: int) -> list[CompetitionEntry]:
        rows = await self.session.scalars(
            select(CompetitionEntry)
            .where(
                CompetitionEntry.competition_id == competition_id,
                CompetitionEntry.member_id == member_id,
            )
            .order_by(CompetitionEntry.number)
        )
        return list(rows)

    async def add_entry(
        self, competition_id: int, member_id: int, text: str, link: str | None, now: datetime
    ) -> CompetitionEntry:
        """A new entry with the competition's next anonymous number, whatever the limit
        (the tests' and the data's way in; members go through ``add_entry_within_limit``)."""
        entry = await self._insert_entry(competition_id, member_id, text, link, now, limit=False)
        assert entry is not None
        return entry

    async def add_entry_within_limit(
        self, competition_id: int, member_id: int, text: str, link: str | None, now: datetime
    ) -> CompetitionEntry | None:
        """A member's new entry, or None when they have sent all the entries the competition
        allows. The limit is the INSERT's own condition (its count of the member's entries,
        against the competition's ``entries_allowed`` as it is now), so it holds for two
        Sends at once in two processes: both take the next number, the unique number lets
        one in, and the other, run again, counts the first."""
        return await self._insert_entry(competition_id, member_id, text, link, now, limit=True)

    async def _insert_entry(
        self,
        competition_id: int,
        member_id: int,
        text: str,
        link: str | None,
        now: datetime,
        limit: bool,
    ) -> CompetitionEntry | None:
        entries = CompetitionEntry.__table__.alias("taken")
        next_number = (
            select(func.coalesce(func.max(entries.c.number), 0) + 1)
            .where(entries.c.competition_id == Competition.id)
            .scalar_subquery()
        )
        mine = (
            select(func.count())
            .select_from(entries)
            .where(entries.c.competition_id == Competition.id, entries.c.member_id == member_id)
            .scalar_subquery()
        )
        conditions: list[ColumnElement[bool]] = [Competition.id == competition_id]
        if limit:
            conditions.append(
                or_(Competition.entries_allowed == 0, mine < Competition.entries_allowed)
            )
        statement = (
            upsert(self.session, CompetitionEntry)
            .from_select(
                ["competition_id", "member_id", "number", "text", "link", "created_at", "updated_at"],
                select(
                    Competition.id, literal(member_id), next_number, literal(text),
                    literal(link, String), literal(now, UTCDateTime), literal(now, UTCDateTime),
                ).where(*conditions),
            )
            .on_conflict_do_nothing(index_elements=["competition_id", "number"])
            .returning(CompetitionEntry.id)
        )  # fmt: skip
        for _attempt in range(NUMBER_ATTEMPTS):
            entry_id = await self.session.scalar(statement)
            if entry_id is not None:
                return await self.session.get(CompetitionEntry, entry_id)
            if limit and not await self._below_limit(competition_id, member_id):
                return None
            # another entry took this number meanwhile (it is committed now): again
        raise RuntimeError(f"no free entry number in competition {competition_id}")

    async def _below_limit(self, competition_id: int, member_id: int) -> bool:
        competition = await self.session.get(Competition, competition_id, populate_existing=True)
        if competition is None:
            return False
        have = len(await self.entries_of(competition_id, member_id))
        return competition.entries_allowed == 0 or have < competition.entries_allowed

    # -- scores ----------------------------------------------------------------------------
    async def scores(self, competition_id: int) -> dict[int, list[int]]:
        """Every entry's scores (entries without a score are missing)."""
        rows = await self.session.execute(
            select(CompetitionScore.entry_id, CompetitionScore.score)
            .join(CompetitionEntry, CompetitionEntry.id == CompetitionScore.entry_id)
            .where(CompetitionEntry.competition_id == competition_id)
        )
        found: dict[int, list[int]] = {}
        for entry_id, score in rows:
            found.setdefault(entry_id, []).append(score)
        return found

    async def score_of(self, entry_id: int, judge_id: int) -> int | None:
        found = await self.session.get(CompetitionScore, (entry_id, judge_id))
        return found.score if found else None

    async def add_score(self, entry_id: int, judge_id: int, score: int, now: datetime) -> bool:
        """Store the judge's score; False (nothing changed) when they scored it before."""
        try:
            async with self.session.begin_nested():
                self.session.add(
                    CompetitionScore(
                        entry_id=entry_id, judge_id=judge_id, score=score, created_at=now
                    )
                )
        except IntegrityError:
            return False
        return True

    def _unscored(self, competition_id: int, judge_id: int) -> list[ColumnElement[bool]]:
        return [
            CompetitionEntry.competition_id == competition_id,
            CompetitionEntry.member_id != judge_id,
            not_(
                exists().where(
                    CompetitionScore.entry_id == CompetitionEntry.id,
                    CompetitionScore.judge_id == judge_id,
                )
            ),
        ]

    async def next_to_score(self, competition_id: int, judge_id: int) -> CompetitionEntry | None:
        """The first entry the judge has not scored, never their own."""
        return await self.session.scalar(
            select(CompetitionEntry)
            .where(*self._unscored(competition_id, judge_id))
            .order_by(CompetitionEntry.number)
            .limit(1)
        )

    async def left_to_score(self, competition_id: int, judge_id: int) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(CompetitionEntry)
            .where(*self._unscored(competition_id, judge_id))
        )
        return count or 0

    # -- the scheduler ---------------------------------------------------------------------
    async def due_deadlines(self, now: datetime) -> list[Competition]:
        """Competitions past their deadline whose judges were not told yet."""
        rows = await self.session.scalars(
            select(Competition)
            .where(
                Competition.judging_at.is_(None),
                Competition.decided_at.is_(None),
                Competition.deadline_at <= now,
            )
            .order_by(Competition.id)
        )
        return list(rows)

    async def due_reminders(self, now: datetime) -> list[CompetitionReminder]:
        rows = await self.session.scalars(
            select(CompetitionReminder)
            .where(CompetitionReminder.done_at.is_(None), CompetitionReminder.due_at <= now)
            .order_by(CompetitionReminder.due_at, CompetitionReminder.id)
        )
        return list(rows)

    async def reminder(self, reminder_id: int) -> CompetitionReminder | None:
        return await self.session.get(CompetitionReminder, reminder_id)

    async def reminder_times(self, competition_id: int) -> list[datetime]:
        rows = await self.session.scalars(
            select(CompetitionReminder.due_at).where(
                CompetitionReminder.competition_id == competition_id
            )
        )
        return list(rows)

    async def reminder_audience(
        self, competition_id: int, after: int, limit: int
    ) -> list[ReminderRecipient]:
        """The next ``limit`` members (by id, after ``after``) a reminder goes to: its
        entrants, and the members following its topics who receive competitions."""
        tag_ids = select(CompetitionTag.tag_id).where(
            CompetitionTag.competition_id == competition_id
        )
        entrant = exists().where(
            CompetitionEntry.competition_id == competition_id,
            CompetitionEntry.member_id == Member.id,
        )
        follows = or_(
            exists().where(MemberSkill.member_id == Member.id, MemberSkill.tag_id.in_(tag_ids)),
            and_(  # topics followed in a news digest the member still gets
                Member.digest_frequency != "off",
                exists().where(DigestTag.member_id == Member.id, DigestTag.tag_id.in_(tag_ids)),
            ),
        )
        judge = exists().where(
            CompetitionJudge.competition_id == competition_id,
            CompetitionJudge.member_id == Member.id,
        )
        rows = await self.session.execute(
            select(Member.id, Member.telegram_id, Member.language, entrant)
            .where(
                *_reachable(),
                Member.id > after,
                # an entrant hears of their own entry; a follower, unless competitions are off
                or_(entrant, and_(follows, not_(judge), receives("competitions"))),
            )
            .order_by(Member.id)
            .limit(limit)
        )
        return [
            ReminderRecipient(member_id, telegram_id or 0, language, bool(is_entrant))
            for member_id, telegram_id, language, is_entrant in rows
        ]
