"""Companies, their representatives, jobs, applications, intros, and the job-alert queries.

The alert queries are set-based and go a batch of members at a time: who matches a new job
is one join of ``member_skills`` with ``job_tags``; a digest run reads a batch of members
with their skills and the open jobs' tags (handlers/jobs/alerts.py matches them), so the
number of members never decides how much memory a run takes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, exists, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.limits import hold, insert_if
from storage.member_search import has_skill, ranked_page
from storage.models import (
    Company,
    CompanyRepresentative,
    IntroRequest,
    Job,
    JobAlert,
    JobApplication,
    JobTag,
    Member,
    MemberSkill,
    Tag,
)
from storage.sql import among, upsert

ACTIVE, INVITED = "active", "invited"
OPEN, CLOSED = "open", "closed"
VERIFIED = "verified"
REMOTE = "remote"  # the one location every province filter lets through (handlers.jobs.rules)

# The tables, for Core statements: a batch's alert pairs (record_told), digested members.
JOB_ALERTS = JobAlert.metadata.tables[JobAlert.__tablename__]
MEMBERS = Member.metadata.tables[Member.__tablename__]


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who an alert goes to: enough to queue a message without loading the member."""

    member_id: int
    telegram_id: int
    language: str


@dataclass(frozen=True, slots=True)
class AlertJob:
    """A job as alerts show it: the row, its company's name and its tag slugs."""

    job: Job
    company_name: str
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DigestMember:
    """A member due a digest, with what matching needs: the province filter and skills."""

    recipient: Recipient
    province: str | None
    province_only: bool
    skills: frozenset[int]  # tag ids


class JobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- companies -----------------------------------------------------------------------
    async def add_company(
        self,
        member_id: int,
        name: str,
        registration_no: str,
        sector: str,
        website: str | None,
        about: str,
        now: datetime,
    ) -> Company:
        """A pending company with no limit (the demonstration data, imports, tests)."""
        company = await self.register_company(
            member_id, name, registration_no, sector, website, about, now, pending_max=None
        )
        assert company is not None  # no limit: always stored
        return company

    async def register_company(
        self,
        member_id: int,
        name: str,
        registration_no: str,
        sector: str,
        website: str | None,
        about: str,
        now: datetime,
        pending_max: int | None,
    ) -> Company | None:
        """A pending company, whoever registers it its first active representative, while
        fewer than ``pending_max`` of the member's registrations wait for verification;
        None otherwise (counted by the INSERT, see storage.limits)."""
        await hold(self.session, Member.id, member_id)
        company = await insert_if(
            self.session, Company,
            {
                "name": name, "registration_no": registration_no, "sector": sector,
                "website": website, "about": about, "status": "pending",
                "created_by": member_id, "created_at": now,
            },
            true() if pending_max is None
            else self.pending_companies_count(member_id) < pending_max,
        )  # fmt: skip
        if company is not None:
            await self._first_representative(company, member_id, now)
        return company

    async def _first_representative(self, company: Company, member_id: int, now: datetime) -> None:
        self.session.add(
            CompanyRepresentative(
                company_id=company.id, member_id=member_id, status=ACTIVE, created_at=now
            )
        )
        await self.session.flush()

    @staticmethod
    def pending_companies_count(member_id: int) -> ColumnElement[int]:
        return (
            select(func.count())
            .select_from(Company)
            .where(Company.created_by == member_id, Company.status == "pending")
            .scalar_subquery()
        )

    async def pending_companies_of(self, member_id: int) -> int:
        """The member's company registrations waiting for verification."""
        return await self.session.scalar(select(self.pending_companies_count(member_id))) or 0

    async def company(self, company_id: int) -> Company | None:
        return await self.session.get(Company, company_id)

    async def pending_companies(self) -> list[Company]:
        rows = await self.session.scalars(
            select(Company).where(Company.status == "pending").order_by(Company.id)
        )
        return list(rows)

    async def companies_of(self, member_id: int) -> list[Company]:
        """The companies the member actively represents (invitations not accepted excluded)."""
        rows = await self.session.scalars(
            select(Company)
            .join(CompanyRepresentative, CompanyRepresentative.company_id == Company.id)
            .where(
                CompanyRepresentative.member_id == member_id,
                CompanyRepresentative.status == ACTIVE,
            )
            .order_by(Company.id)
        )
        return list(rows)

    async def is_representative(
        self, member_id: int, company_id: int, verified_only: bool = True
    ) -> bool:
        query = (
            select(CompanyRepresentative.member_id)
            .join(Company, Company.id == CompanyRepresentative.company_id)
            .where(
                CompanyRepresentative.company_id == company_id,
                CompanyRepresentative.member_id == member_id,
                CompanyRepresentative.status == ACTIVE,
            )
        )
        if verified_only:
            query = query.where(Company.status == VERIFIED)
        return await self.session.scalar(query) is not None

    async def invite_representative(
        self, company_id: int, member_id: int, invited_by: int | None, now: datetime
    ) -> None:
        """Invite a member; an active representative stays active, an invitation is renewed."""
        row = await self.session.get(CompanyRepresentative, (company_id, member_id))
        if row is None:
            self.session.add(
                CompanyRepresentative(
                    company_id=company_id,
                    member_id=member_id,
                    status=INVITED,
                    invited_by=invited_by,
                    created_at=now,
                )
            )
        elif row.status == INVITED:
            row.invited_by, row.created_at = invited_by, now
        await self.session.flush()

    async def has_invite(self, company_id: int, member_id: int) -> bool:
        row = await self.session.get(CompanyRepresentative, (company_id, member_id))
        return row is not None and row.status == INVITED

    async def accept_invite(self, company_id: int, member_id: int) -> bool:
        """True when an invitation was waiting and the member is now a representative."""
        result = await self.session.execute(
            update(CompanyRepresentative)
            .where(
                CompanyRepresentative.company_id == company_id,
                CompanyRepresentative.member_id == member_id,
                CompanyRepresentative.status == INVITED,
            )
            .values(status=ACTIVE)
        )
        return bool(getattr(result, "rowcount", 0))

    async def decline_invite(self, company_id: int, member_id: int) -> None:
        row = await self.session.get(CompanyRepresentative, (company_id, member_id))
        if row is not None and row.status == INVITED:
            await self.session.delete(row)
            await self.session.flush()

    async def representatives(self, company_id: int) -> list[Member]:
        """Active representatives still members (erased ones cannot be told anything)."""
        rows = await self.session.scalars(
            select(Member)
            .join(CompanyRepresentative, CompanyRepresentative.member_id == Member.id)
            .where(
                CompanyRepresentative.company_id == company_id,
                CompanyRepresentative.status == ACTIVE,
                Member.deleted_at.is_(None),
            )
            .order_by(Member.id)
        )
        return list(rows)

    async def member_by_username(self, username: str) -> Member | None:
        """Telegram usernames ignore case: @SokDara and @sokdara are one person."""
        return await self.session.scalar(
            select(Member).where(
                func.lower(Member.username) == username.lstrip("@").lower(),
                Member.deleted_at.is_(None),
            )
        )

    # -- jobs ----------------------------------------------------------------------------
    async def add_job(
        self,
        company_id: int,
        posted_by: int,
        title: str,
        description: str,
        tags: list[str],
        location: str,
        job_type: str,
        deadline: date,
        deadline_at: datetime,
        apply_url: str | None,
        now: datetime,
    ) -> Job:
        """An open job, published now; its instant alerts go out on the scheduler's next run."""
        job = Job(
            company_id=company_id, posted_by=posted_by, title=title, description=description,
            location=location, job_type=job_type, deadline=deadline, deadline_at=deadline_at,
            apply_url=apply_url, status=OPEN, published_at=now, instant_alerts_done=False,
        )  # fmt: skip
        self.session.add(job)
        await self.session.flush()
        tag_ids = list(await self.session.scalars(select(Tag.id).where(Tag.slug.in_(set(tags)))))
        self.session.add_all(JobTag(job_id=job.id, tag_id=tag_id) for tag_id in tag_ids)
        await self.session.flush()
        return job

    async def job(self, job_id: int) -> Job | None:
        return await self.session.get(Job, job_id)

    async def job_tags(self, job_id: int) -> list[str]:
        rows = await self.session.scalars(
            select(Tag.slug)
            .join(JobTag, JobTag.tag_id == Tag.id)
            .where(JobTag.job_id == job_id)
            .order_by(Tag.position, Tag.id)
        )
        return list(rows)

    async def update_job(
        self,
        job: Job,
        title: str,
        description: str,
        tags: list[str],
        location: str,
        job_type: str,
        deadline: date,
        deadline_at: datetime,
        apply_url: str | None,
    ) -> None:
        """Change a published job. New skills or a new place may interest members who did
        not match before: its instant alerts run again (those told already are not told
        twice, by their ``JobAlert`` rows)."""
        before = (job.location, await self.job_tags(job.id))
        job.title, job.description, job.location, job.job_type = (
            title, description, location, job_type
        )  # fmt: skip
        job.deadline, job.deadline_at, job.apply_url = deadline, deadline_at, apply_url
        await self.session.execute(delete(JobTag).where(JobTag.job_id == job.id))
        tag_ids = list(await self.session.scalars(select(Tag.id).where(Tag.slug.in_(set(tags)))))
        self.session.add_all(JobTag(job_id=job.id, tag_id=tag_id) for tag_id in tag_ids)
        await self.session.flush()
        if before != (location, await self.job_tags(job.id)):
            job.instant_alerts_done = False
        await self.session.flush()

    async def jobs_of_company(self, company_id: int, limit: int) -> list[Job]:
        """The company's newest jobs, open or not."""
        rows = await self.session.scalars(
            select(Job).where(Job.company_id == company_id).order_by(Job.id.desc()).limit(limit)
        )
        return list(rows)

    async def application_counts(self, job_ids: Collection[int]) -> dict[int, int]:
        if not job_ids:
            return {}
        rows = await self.session.execute(
            select(JobApplication.job_id, func.count())
            .where(among(JobApplication.job_id, job_ids))
            .group_by(JobApplication.job_id)
        )
        return {job_id: count for job_id, count in rows}

    async def close_job(self, job_id: int, now: datetime) -> None:
        await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == OPEN)
            .values(status=CLOSED, closed_at=now)
        )

    async def open_jobs(
        self, now: datetime, tag: str | None, province: str | None, offset: int, limit: int
    ) -> tuple[list[Job], int]:
        """Open jobs before their deadline, newest first, and how many there are in all.

        A province shows the jobs there and the remote ones (anyone can take those)."""
        conditions: list[ColumnElement[bool]] = [Job.status == OPEN, Job.deadline_at > now]
        if tag is not None:
            conditions.append(
                exists()
                .where(JobTag.job_id == Job.id, JobTag.tag_id == Tag.id, Tag.slug == tag)
                .correlate(Job)
            )
        if province is not None:
            conditions.append(Job.location.in_((province, REMOTE)))
        total = await self.session.scalar(select(func.count()).select_from(Job).where(*conditions))
        rows = await self.session.scalars(
            select(Job)
            .where(*conditions)
            .order_by(Job.published_at.desc(), Job.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(rows), total or 0

    # -- applications and intros ---------------------------------------------------------
    async def apply(self, job_id: int, member_id: int, now: datetime) -> JobApplication | None:
        """The member's application, or None when they had applied already (a double tap)."""
        application = JobApplication(
            job_id=job_id, member_id=member_id, status="sent", created_at=now
        )
        return application if await self._insert_once(application) else None

    async def applied_at(self, job_id: int, member_id: int) -> datetime | None:
        """When the member applied for the job, or None."""
        return await self.session.scalar(
            select(JobApplication.created_at).where(
                JobApplication.job_id == job_id, JobApplication.member_id == member_id
            )
        )

    async def has_applied(self, job_id: int, member_id: int) -> bool:
        found = await self.session.scalar(
            select(JobApplication.id).where(
                JobApplication.job_id == job_id, JobApplication.member_id == member_id
            )
        )
        return found is not None

    async def application(self, application_id: int) -> JobApplication | None:
        return await self.session.get(JobApplication, application_id)

    async def request_intro(
        self, company_id: int, requested_by: int, member_id: int, now: datetime
    ) -> IntroRequest | None:
        """A pending intro request, or None when the company has asked this member before."""
        intro = IntroRequest(
            company_id=company_id, requested_by=requested_by, member_id=member_id,
            status="pending", created_at=now,
        )  # fmt: skip
        return intro if await self._insert_once(intro) else None

    async def intro(self, intro_id: int) -> IntroRequest | None:
        return await self.session.get(IntroRequest, intro_id)

    async def _insert_once(self, row: JobApplication | IntroRequest) -> bool:
        """Insert in a savepoint: the unique constraint, not a prior read, decides, so two
        concurrent taps cannot both succeed."""
        try:
            async with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return False
        return True

    # -- talent search -------------------------------------------------------------------
    async def talent(
        self, tag: str | None, province: str | None, offset: int, limit: int
    ) -> tuple[list[Member], int]:
        """Members in the directory and open to work, best reputation first, and the count."""
        conditions: list[ColumnElement[bool]] = [
            Member.directory_visible.is_(True),
            Member.open_to_work.is_(True),
            Member.deleted_at.is_(None),
        ]
        if tag is not None:
            conditions.append(has_skill(tag))
        if province is not None:
            conditions.append(Member.province == province)
        return await ranked_page(self.session, conditions, offset, limit)

    # -- job alerts ----------------------------------------------------------------------
    async def jobs_awaiting_instant_alerts(self) -> list[int]:
        rows = await self.session.scalars(
            select(Job.id).where(Job.instant_alerts_done.is_(False)).order_by(Job.id)
        )
        return list(rows)

    async def mark_instant_alerts_done(self, job_id: int) -> None:
        await self.session.execute(
            update(Job).where(Job.id == job_id).values(instant_alerts_done=True)
        )

    async def instant_recipients(self, job: Job, after: int, limit: int) -> list[Recipient]:
        """The next ``limit`` members (by id, above ``after``) to alert of ``job`` at once:
        open to work, "instant", reachable, sharing a tag with it, in its province when they
        asked for that (``handlers.jobs.rules.job_matches``), and not alerted of it yet."""
        shares_a_tag = (
            exists()
            .where(
                MemberSkill.member_id == Member.id,
                MemberSkill.tag_id == JobTag.tag_id,
                JobTag.job_id == job.id,
            )
            .correlate(Member)
        )
        rows = await self.session.execute(
            select(Member.id, Member.telegram_id, Member.language)
            .where(
                *_alertable(),
                Member.alert_frequency == "instant",
                Member.id > after,
                shares_a_tag,
                _in_province(job.location),
                ~exists().where(JobAlert.member_id == Member.id, JobAlert.job_id == job.id),
            )
            .order_by(Member.id)
            .limit(limit)
        )
        return [Recipient(m, telegram_id, lang) for m, telegram_id, lang in rows if telegram_id]

    async def open_job_tags(self, now: datetime) -> list[tuple[int, str, int]]:
        """(job id, location, tag id) of every open job before its deadline, newest first:
        what digest matching needs of the jobs, a few bytes each."""
        rows = await self.session.execute(
            select(Job.id, Job.location, JobTag.tag_id)
            .join(JobTag, JobTag.job_id == Job.id)
            .where(Job.status == OPEN, Job.deadline_at > now)
            .order_by(Job.published_at.desc(), Job.id.desc())
        )
        return [(job_id, location, tag_id) for job_id, location, tag_id in rows]

    async def digest_members(
        self, frequency: str, digested_before: datetime, after: int, limit: int
    ) -> list[DigestMember]:
        """The next ``limit`` members (by id, above ``after``) on this digest frequency whose
        last digest is older than ``digested_before`` (a rerun skips those served), with
        their skills' tag ids: two indexed queries a batch, never every member at once.

        A member who never had a digest counts from when they joined: one who signs up
        after this morning's digest time gets the first digest at the next one."""
        rows = await self.session.execute(
            select(
                Member.id,
                Member.telegram_id,
                Member.language,
                Member.province,
                Member.jobs_in_province_only,
            )
            .where(
                *_alertable(),
                Member.alert_frequency == frequency,
                Member.id > after,
                func.coalesce(Member.last_job_digest_at, Member.created_at) < digested_before,
            )
            .order_by(Member.id)
            .limit(limit)
        )
        members = [row for row in rows if row.telegram_id]
        skills: dict[int, set[int]] = {}
        if members:
            skill_rows = await self.session.execute(
                select(MemberSkill.member_id, MemberSkill.tag_id).where(
                    among(MemberSkill.member_id, [m.id for m in members])
                )
            )
            for member_id, tag_id in skill_rows:
                skills.setdefault(member_id, set()).add(tag_id)
        return [
            DigestMember(
                Recipient(m.id, m.telegram_id, m.language),
                m.province,
                m.jobs_in_province_only,
                frozenset(skills.get(m.id, ())),
            )
            for m in members
        ]

    async def alerted_jobs(self, member_ids: Collection[int], now: datetime) -> dict[int, set[int]]:
        """Per member, the jobs they were told of that may still be open: those told since
        the oldest open job was published. The query starts from the members (the primary
        key's first column), so it reads the batch's own alerts and never a whole job's."""
        if not member_ids:
            return {}
        oldest_open = (
            select(func.min(Job.published_at))
            .where(Job.status == OPEN, Job.deadline_at > now)
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(JobAlert.member_id, JobAlert.job_id).where(
                among(JobAlert.member_id, member_ids), JobAlert.created_at >= oldest_open
            )
        )
        alerted: dict[int, set[int]] = {}
        for member_id, job_id in rows:
            alerted.setdefault(member_id, set()).add(job_id)
        return alerted

    async def alert_jobs(self, job_ids: Collection[int]) -> dict[int, AlertJob]:
        """Jobs with their company names and tag slugs, to render alerts (two queries)."""
        if not job_ids:
            return {}
        rows = await self.session.execute(
            select(Job, Company.name)
            .join(Company, Company.id == Job.company_id)
            .where(among(Job.id, job_ids))
        )
        jobs = {job.id: (job, name) for job, name in rows}
        tags: dict[int, list[str]] = {}
        tag_rows = await self.session.execute(
            select(JobTag.job_id, Tag.slug)
            .join(Tag, Tag.id == JobTag.tag_id)
            .where(among(JobTag.job_id, job_ids))
            .order_by(Tag.position, Tag.id)
        )
        for job_id, slug in tag_rows:
            tags.setdefault(job_id, []).append(slug)
        return {
            job_id: AlertJob(job, name, tuple(tags.get(job_id, ())))
            for job_id, (job, name) in jobs.items()
        }

    async def record_told(self, told: Sequence[tuple[int, int]], now: datetime) -> None:
        """Record the (member id, job id) pairs an alert run told of, one statement however
        many, in the transaction that queued their messages; a pair seen before stays."""
        if told:
            await self.session.execute(
                upsert(self.session, JOB_ALERTS)
                .values(created_at=now)
                .on_conflict_do_nothing(index_elements=["member_id", "job_id"]),
                [{"member_id": m, "job_id": j} for m, j in told],
            )

    async def mark_digested(self, member_ids: Collection[int], now: datetime) -> None:
        if member_ids:
            await self.session.execute(
                update(MEMBERS)
                .where(among(MEMBERS.c.id, member_ids))
                .values(last_job_digest_at=now)
            )


def _alertable() -> tuple[ColumnElement[bool], ...]:
    """Members a job alert may go to: open to work, reachable, not erased."""
    return (
        Member.open_to_work.is_(True),
        Member.unreachable.is_(False),
        Member.deleted_at.is_(None),
        Member.telegram_id.is_not(None),
    )


def _in_province(location: str) -> ColumnElement[bool]:
    """The province filter for a job at ``location``: off, or the job is remote or in the
    member's province (a member without a province gets remote jobs only)."""
    if location == REMOTE:
        return true()
    return or_(Member.jobs_in_province_only.is_(False), Member.province == location)
