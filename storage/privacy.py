"""Everything stored about one member: gathered for /mydata, erased for /deleteme.

The copy holds the member's own records and the texts they wrote (questions, follow-ups,
answers, the photos and documents they sent: kind, name, type, size, never the file, their expert application, the companies they registered and jobs they posted,
their web console sessions (when started and last used, and their language),
the notes of their connection requests, the reasons of their reports), the questions
offered to them and what became of each offer, the bot's messages to them (kind, state and
times) and what they did as staff, never another person's personal data: who asked or
answered, which admin decided, which member a representative asked to meet, who a
connection request went to or came from (and the sender's note), whom they blocked or
reported, a message's text and an audit entry's details are left out. Blocks and reports
by others about the member are left out too: they are the other member's decision, and the
copy must not tell a blocked member that they are blocked.

Erasing (after handlers.profile.erasure has closed their questions and withdrawn the
offers made to them) empties every personal field of the member row and removes what links
the person to others: skills, the expert profile and topics, the notes of expert
applications (a pending one is withdrawn), pending job applications and introduction
requests to them, the pending introduction requests they sent for a company, a company
registration not decided yet, company representations and invitations, the jobs they were
alerted to, the topics their news digest follows, the categories of broadcasts and posts
they switched off, the events they said they would attend and those they checked in at
(the source they signed up by is a field of the row, emptied),
their entries to competitions still open, the photos and documents they sent (their
questions and answers lose them, and messages not sent yet stop carrying them), their places among a competition's judges, the
reputation points they were given (the leaderboard's records), their connection requests
(sent and received), the blocks they made and the blocks of them, the profile reports about
them, and the outbox messages to their chat or carrying their application, card, contact,
company registration or an answer that shows their name, whatever the messages' state,
and their web console sessions and sign-in links (they are signed out of the console).
What stays is anonymous: the row (questions and answers keep an author), decided
applications and introductions (the company's record), decided companies, reports they made
(a profile report's reason is emptied), entries to competitions past their deadline and the
scores they gave as a judge (a competition's result). Staff roles are kept: they are an
authorisation given by Telegram id, not data the person gave us. For a day the row also
keeps a keyed hash of the Telegram id (``erased_key``, never the id itself), so the same
person cannot sign up again at once: every abuse limit counts by the member row, and
erasing and signing up again would otherwise start them all afresh. The daily retention
job clears it (``MemberRepository.forget_erased_keys``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnDefault, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.community import erase_network, network_data, network_messages
from storage.limits import hold
from storage.models import (
    Answer,
    Assignment,
    Attachment,
    AuditEntry,
    Broadcast,
    CategoryOptOut,
    Company,
    CompanyRepresentative,
    Competition,
    CompetitionEntry,
    CompetitionJudge,
    CompetitionScore,
    ContentItem,
    ConversationState,
    DigestTag,
    EventAttendance,
    ExpertApplication,
    ExpertProfile,
    ExpertTag,
    IntroRequest,
    Job,
    JobAlert,
    JobApplication,
    Member,
    MemberSkill,
    OutboxMessage,
    Question,
    QuestionTag,
    Report,
    ReputationGrant,
    Rsvp,
    StaffRole,
    Tag,
    WebSession,
    WebSignIn,
)
from storage.outbox import keys_starting, statement_sized, with_parts

WITHDRAWN = "withdrawn"  # an expert application whose member erased their data

# The outbox's kinds of message (a dedupe key's first part), by whom they carry. Erasing a
# member deletes every message to their chat, and those of the first kinds that are about
# them, whoever they go to; the second kinds carry nobody but their recipient (or nobody's
# personal data). tests/unit/test_privacy_coverage.py holds every kind the bot queues to
# one of the two.
ABOUT_A_MEMBER = {
    "application": "their expert application, to the administrators",
    "application-job": "their job application (card and contact), to the representatives",
    "company": "their company registration while it waits, to the administrators",
    "intro": "a request they made for a company, to the member asked",
    "intro-accepted": "their contact, to the representative who asked",
    "answer": "their answer with their name (unless given anonymously), to the asker",
    "connect": "a connection request (the sender's card), see storage.community",
    "connected": "both members' contacts, see storage.community",
    "connect-declined": "the decliner's name, to the sender, see storage.community",
    "member-report": "a reported profile, to the moderators, see storage.community",
}
TO_THE_RECIPIENT_ONLY = frozenset(
    {
        "accepted", "answered-elsewhere", "application-decided", "application-outcome",
        "broadcast", "broadcast-report", "company-decided", "competition-changed", "cp-closed",
        "cp-judge", "cp-remind", "cp-scored", "cp-won", "digest", "escalated", "event-reminder",
        "expert-removed", "followup", "hidden", "hide-undone", "invite", "job",
        "leaderboard-thanks", "news", "offer", "report", "role", "staff-notice",
    }
)  # fmt: skip
PENDING_APPLICATION, PENDING_INTRO, PENDING_COMPANY = "sent", "pending", "pending"


def _time(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


async def personal_data(session: AsyncSession, member: Member) -> dict[str, Any]:
    """The member's data as JSON-ready values (times in ISO 8601, tags as slugs)."""
    data = _member_fields(member) | {"skills": await _slugs(session, MemberSkill, member.id)}
    data["staff_roles"] = [
        {"role": role.role, "granted_at": _time(role.granted_at)}
        for role in await session.scalars(
            select(StaffRole)
            .where(StaffRole.telegram_id == member.telegram_id)
            .order_by(StaffRole.role)
        )
    ]
    data["web_console_sessions"] = [
        {"started": _time(started), "last_used": _time(last), "language": language}
        for started, last, language in await session.execute(
            select(WebSession.created_at, WebSession.last_seen_at, WebSession.language)
            .where(WebSession.telegram_id == member.telegram_id)
            .order_by(WebSession.created_at)
        )
    ]
    data["expert"] = await _expert(session, member.id)
    data |= await _expert_applications_answers_and_reports(session, member.id)
    data["questions"] = await _questions(session, member.id)
    data["files_sent"] = await _files(session, member.id)
    data |= await _jobs(session, member.id)
    data["news_digest_topics"] = await _slugs(session, DigestTag, member.id)
    data["categories_switched_off"] = list(
        await session.scalars(
            select(CategoryOptOut.category)
            .where(CategoryOptOut.member_id == member.id)
            .order_by(CategoryOptOut.category)
        )
    )
    data["events_attending"] = [
        {"event": item_id, "since": _time(since)}
        for item_id, since in await session.execute(
            select(Rsvp.content_id, Rsvp.created_at)
            .where(Rsvp.member_id == member.id)
            .order_by(Rsvp.content_id)
        )
    ]
    data["events_checked_in"] = [
        {"event": item_id, "at": _time(at)}
        for item_id, at in await session.execute(
            select(EventAttendance.content_id, EventAttendance.checked_in_at)
            .where(EventAttendance.member_id == member.id)
            .order_by(EventAttendance.content_id)
        )
    ]
    data |= await _competitions(session, member.id)
    data |= await network_data(session, member.id)
    data |= await _offers_and_messages(session, member)
    data |= await _staff_records(session, member.telegram_id)
    data["unfinished_conversation"] = await _conversation(session, member.telegram_id)
    return data


async def _offers_and_messages(session: AsyncSession, member: Member) -> dict[str, Any]:
    """The questions offered to them (never who asked) and the bot's messages to their
    chat, by kind and time: a message's text may carry another member's name or contact."""
    offers = await session.scalars(
        select(Assignment).where(Assignment.member_id == member.id).order_by(Assignment.id)
    )
    messages: list[Any] = []
    if member.telegram_id is not None:
        messages = list(
            await session.execute(
                select(
                    OutboxMessage.dedupe_key,
                    OutboxMessage.status,
                    OutboxMessage.created_at,
                    OutboxMessage.sent_at,
                )
                .where(OutboxMessage.chat_id == member.telegram_id)
                .order_by(OutboxMessage.id)
            )
        )
    return {
        "questions_offered_to_me": [
            {
                "question": a.question_id,
                "round": a.round,
                "status": a.status,  # offered, passed, answered, withdrawn
                "offered_at": _time(a.offered_at),
                "responded_at": _time(a.responded_at),
            }
            for a in offers
        ],
        "messages_to_me": [
            {
                "kind": key.split(":", 1)[0] if key else None,
                "status": status,
                "queued_at": _time(queued),
                "sent_at": _time(sent),
            }
            for key, status, queued, sent in messages
        ],
    }


async def _staff_records(session: AsyncSession, telegram_id: int | None) -> dict[str, Any]:
    """What they did as staff, by Telegram id: the audit log's actions (its details name
    other people), the broadcasts, published items and competitions they created."""
    if telegram_id is None:
        return {}
    actions = await session.execute(
        select(AuditEntry.action, AuditEntry.created_at)
        .where(AuditEntry.actor_telegram_id == telegram_id)
        .order_by(AuditEntry.id)
    )
    broadcasts = await session.execute(
        select(Broadcast.id, Broadcast.status, Broadcast.created_at)
        .where(Broadcast.created_by == telegram_id)
        .order_by(Broadcast.id)
    )
    items = await session.execute(
        select(ContentItem.id, ContentItem.kind, ContentItem.published_at)
        .where(ContentItem.created_by == telegram_id)
        .order_by(ContentItem.id)
    )
    competitions = await session.execute(
        select(Competition.id, Competition.created_at)
        .where(Competition.created_by == telegram_id)
        .order_by(Competition.id)
    )
    return {
        "my_staff_actions": [{"action": a, "at": _time(at)} for a, at in actions],
        "broadcasts_i_created": [
            {"number": n, "status": st, "created_at": _time(at)} for n, st, at in broadcasts
        ],
        "items_i_published": [
            {"number": n, "kind": kind, "published_at": _time(at)} for n, kind, at in items
        ],
        "competitions_i_created": [
            {"number": n, "created_at": _time(at)} for n, at in competitions
        ],
    }


async def _competitions(session: AsyncSession, member_id: int) -> dict[str, Any]:
    entries = await session.execute(
        select(CompetitionEntry, Competition.title_en)
        .join(Competition, Competition.id == CompetitionEntry.competition_id)
        .where(CompetitionEntry.member_id == member_id)
        .order_by(CompetitionEntry.id)
    )
    scores = await session.execute(
        select(CompetitionEntry.competition_id, CompetitionEntry.number, CompetitionScore)
        .join(CompetitionEntry, CompetitionEntry.id == CompetitionScore.entry_id)
        .where(CompetitionScore.judge_id == member_id)
        .order_by(CompetitionEntry.competition_id, CompetitionEntry.number)
    )
    judging = await session.scalars(
        select(CompetitionJudge.competition_id)
        .where(CompetitionJudge.member_id == member_id)
        .order_by(CompetitionJudge.competition_id)
    )
    grants = await session.scalars(
        select(ReputationGrant)
        .where(ReputationGrant.member_id == member_id)
        .order_by(ReputationGrant.id)
    )
    return {
        "competition_entries": [
            {
                "competition": e.competition_id,
                "title": title,
                "entry_number": e.number,
                "text": e.text,
                "link": e.link,
                "place": e.place,
                "created_at": _time(e.created_at),
                "updated_at": _time(e.updated_at),
            }
            for e, title in entries
        ],
        "competitions_i_judge": list(judging),
        "scores_i_gave": [
            {"competition": c, "entry_number": n, "score": s.score, "at": _time(s.created_at)}
            for c, n, s in scores
        ],
        "reputation_points": [
            {"points": g.points, "for": g.reason, "at": _time(g.created_at)} for g in grants
        ],
    }


def _member_fields(m: Member) -> dict[str, Any]:
    return {
        "telegram_id": m.telegram_id,
        "username": m.username,
        "full_name": m.full_name,
        "language": m.language,
        "role": m.role,
        "organisation": m.organisation,
        "province": m.province,
        "country": m.country,
        "years_experience": m.years_experience,
        "open_to_work": m.open_to_work,
        "alert_frequency": m.alert_frequency,
        "job_alerts_in_my_area_only": m.jobs_in_province_only,
        "last_job_digest_at": _time(m.last_job_digest_at),
        "directory_visible": m.directory_visible,
        "news_digest": m.digest_frequency,
        "news_digest_kinds": [k for k in m.digest_kinds.split(",") if k],
        "last_news_digest_at": _time(m.last_digest_at),
        "phone": m.phone,
        "messages_undeliverable": m.unreachable,
        "reputation": m.reputation,
        "consent_at": _time(m.consent_at),
        "signed_up_by_link": m.source,  # the outreach source they came by, if any
        "created_at": _time(m.created_at),
        "updated_at": _time(m.updated_at),
    }


async def _expert_applications_answers_and_reports(
    session: AsyncSession, member_id: int
) -> dict[str, Any]:
    applications = await session.scalars(
        select(ExpertApplication)
        .where(ExpertApplication.member_id == member_id)
        .order_by(ExpertApplication.id)
    )
    answers = await session.scalars(
        select(Answer).where(Answer.expert_id == member_id).order_by(Answer.id)
    )
    reports = await session.scalars(
        select(Report).where(Report.reporter_id == member_id).order_by(Report.id)
    )
    return {
        "expert_applications": [
            {
                "number": a.id,
                "topics": [s for s in a.tags.split(",") if s],
                "note": a.note,
                "status": a.status,
                "created_at": _time(a.created_at),
                "decided_at": _time(a.decided_at),
            }
            for a in applications
        ],
        "answers": [
            {
                "number": a.id,
                "question": a.question_id,
                "reply_to_answer": a.reply_to_id,
                "text": a.text,
                "helpful": a.helpful,
                "accepted": a.accepted,
                "hidden": a.hidden,
                "given_anonymously": a.anonymous,
                "created_at": _time(a.created_at),
            }
            for a in answers
        ],
        "reports_made": [
            {
                "about": r.target,
                "number": r.target_id,
                "status": r.status,
                "created_at": _time(r.created_at),
            }
            for r in reports
        ],
    }


async def _files(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    """The photos and documents they sent: what Telegram said of each (the file itself is
    Telegram's, never downloaded; only its id is kept)."""
    return [
        {
            "sent_with": a.place,
            "kind": a.kind,
            "file_name": a.file_name,
            "type": a.mime_type,
            "size_bytes": a.size,
            "sent_at": _time(a.created_at),
        }
        for a in await session.scalars(
            select(Attachment).where(Attachment.member_id == member_id).order_by(Attachment.id)
        )
    ]


async def _forget_files(session: AsyncSession, member_id: int) -> None:
    """Delete the files they sent: the questions, answers, job applications and competition
    entries that carried one lose it, and a message not sent yet stops carrying it (one
    with no text besides is dropped)."""
    mine = select(Attachment.id).where(Attachment.member_id == member_id)
    if await session.scalar(mine.limit(1)) is None:
        return  # most members sent none, and each statement below reads its whole table
    for owner in (Question, Answer, JobApplication, CompetitionEntry):
        await session.execute(
            update(owner).where(owner.attachment_id.in_(mine)).values(attachment_id=None)
        )
    file_ids = select(Attachment.file_id).where(Attachment.member_id == member_id)
    waiting = (OutboxMessage.file_id.in_(file_ids), OutboxMessage.status == "pending")
    await session.execute(delete(OutboxMessage).where(*waiting, OutboxMessage.text == ""))
    await session.execute(
        update(OutboxMessage).where(*waiting).values(file_kind=None, file_id=None)
    )
    await session.execute(delete(Attachment).where(Attachment.member_id == member_id))


async def _slugs(
    session: AsyncSession, link: type[MemberSkill | ExpertTag | DigestTag], member_id: int
) -> list[str]:
    rows = await session.scalars(
        select(Tag.slug)
        .join(link, link.tag_id == Tag.id)
        .where(link.member_id == member_id)
        .order_by(Tag.position)
    )
    return list(rows)


async def _expert(session: AsyncSession, member_id: int) -> dict[str, Any] | None:
    profile = await session.get(ExpertProfile, member_id)
    if profile is None:
        return None
    quiet = f"{profile.quiet_start}-{profile.quiet_end}" if profile.quiet_start else None
    return {
        "topics": await _slugs(session, ExpertTag, member_id),
        "available": profile.available,
        "quiet_hours": quiet,
        "most_open_questions": profile.cap,
        "name_hidden_on_answers": profile.anonymous,
        "questions_offered": profile.offered,
        "questions_answered": profile.answered,
        "last_question_offered_at": _time(profile.last_assigned_at),
        "expert_status_removed_at": _time(profile.removed_at),
    }


async def _questions(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    questions = list(
        await session.scalars(
            select(Question).where(Question.asker_id == member_id).order_by(Question.id)
        )
    )
    ids = [q.id for q in questions]
    tags: dict[int, list[str]] = defaultdict(list)
    follow_ups: dict[int, list[str]] = defaultdict(list)
    answers: dict[int, int] = defaultdict(int)
    if ids:
        for question_id, slug in await session.execute(
            select(QuestionTag.question_id, Tag.slug)
            .join(Tag, Tag.id == QuestionTag.tag_id)
            .where(QuestionTag.question_id.in_(ids))
            .order_by(Tag.position)
        ):
            tags[question_id].append(slug)
        for question_id, follow_up in await session.execute(
            select(Answer.question_id, Answer.follow_up)
            .where(Answer.question_id.in_(ids))
            .order_by(Answer.id)
        ):
            answers[question_id] += 1
            if follow_up:
                follow_ups[question_id].append(follow_up)
    return [
        {
            "number": q.id,
            "text": q.text,
            "topics": tags[q.id],
            "status": q.status,
            "hidden": q.hidden,
            "answers_received": answers[q.id],
            "my_follow_up_questions": follow_ups[q.id],
            "created_at": _time(q.created_at),
            "answered_at": _time(q.answered_at),
            "closed_at": _time(q.closed_at),
        }
        for q in questions
    ]


async def _jobs(session: AsyncSession, member_id: int) -> dict[str, Any]:
    representing = {
        company_id: status
        for company_id, status in await session.execute(
            select(CompanyRepresentative.company_id, CompanyRepresentative.status).where(
                CompanyRepresentative.member_id == member_id
            )
        )
    }
    companies = await session.scalars(
        select(Company)
        .where(or_(Company.id.in_(list(representing)), Company.created_by == member_id))
        .order_by(Company.id)
    )
    mine: list[dict[str, Any]] = []
    for c in companies:
        entry: dict[str, Any] = {
            "number": c.id,
            "name": c.name,
            "status": c.status,
            "i_am": "representative"
            if representing.get(c.id) == "active"
            else "invited"
            if c.id in representing
            else "former representative",
        }
        if c.created_by == member_id:  # what they wrote when registering it
            entry |= {
                "registered_by_me": True,
                "registration_no": c.registration_no,
                "sector": c.sector,
                "website": c.website,
                "about": c.about,
                "created_at": _time(c.created_at),
            }
        mine.append(entry)
    job_rows = await session.execute(
        select(Job, Company.name)
        .join(Company, Company.id == Job.company_id)
        .where(Job.posted_by == member_id)
        .order_by(Job.id)
    )
    applications = await session.execute(
        select(JobApplication, Job.title, Company.name)
        .join(Job, Job.id == JobApplication.job_id)
        .join(Company, Company.id == Job.company_id)
        .where(JobApplication.member_id == member_id)
        .order_by(JobApplication.id)
    )
    intros = await session.execute(
        select(IntroRequest, Company.name)
        .join(Company, Company.id == IntroRequest.company_id)
        .where(or_(IntroRequest.member_id == member_id, IntroRequest.requested_by == member_id))
        .order_by(IntroRequest.id)
    )
    alerts = await session.execute(
        select(JobAlert.job_id, JobAlert.created_at, Job.title)
        .join(Job, Job.id == JobAlert.job_id)
        .where(JobAlert.member_id == member_id)
        .order_by(JobAlert.created_at, JobAlert.job_id)
    )
    intro_rows = list(intros)
    return {
        "companies": mine,
        "jobs_posted": [
            {
                "number": j.id,
                "company": name,
                "title": j.title,
                "description": j.description,
                "status": j.status,
                "published_at": _time(j.published_at),
            }
            for j, name in job_rows
        ],
        "job_applications": [
            {
                "job": a.job_id,
                "title": title,
                "company": company,
                "status": a.status,
                "created_at": _time(a.created_at),
                "decided_at": _time(a.decided_at),
            }
            for a, title, company in applications
        ],
        "introduction_requests_to_me": [
            {
                "company": company,
                "status": i.status,
                "created_at": _time(i.created_at),
                "decided_at": _time(i.decided_at),
            }
            for i, company in intro_rows
            if i.member_id == member_id
        ],
        "introduction_requests_i_sent": [  # the member asked for is someone else's data
            {"company": company, "status": i.status, "created_at": _time(i.created_at)}
            for i, company in intro_rows
            if i.requested_by == member_id and i.member_id != member_id
        ],
        "jobs_i_was_alerted_to": [
            {"job": job_id, "title": title, "at": _time(at)} for job_id, at, title in alerts
        ],
    }


async def _conversation(session: AsyncSession, telegram_id: int | None) -> dict[str, Any] | None:
    row = await session.get(ConversationState, telegram_id) if telegram_id else None
    if row is None or row.flow is None:
        return None
    return {"flow": row.flow, "step": row.step, "answers_so_far": row.data}


async def erase_member(
    session: AsyncSession, member: Member, now: datetime, erased_key: str | None = None
) -> None:
    """Forget the person (see the module's docstring for what goes and what stays).

    ``erased_key`` is the keyed hash of their Telegram id (handlers.profile.cooldown, the
    key being the bot's): the row keeps it for a day, so the same person cannot sign up
    again at once and start every limit afresh; the daily retention job clears it.

    The member's row is held first (PostgreSQL): a Helpful or an Accept pressed meanwhile in
    another process waits, then finds them erased and grants nothing. Held last, as the
    flush of their row was, such a grant came between the DELETE of their grants and the
    commit, and outlived the erasure (the leaderboard counts the month from grants). It is
    held as an UPDATE of their row would (``FOR NO KEY UPDATE``), not ``FOR UPDATE``: that
    also stopped every row written that refers to the member (an offer to the expert, an
    approval of their application), which took locks the erasure then wanted: a deadlock."""
    member_id, telegram_id = member.id, member.telegram_id
    # An expert's profile first, in the order an offer takes them (profile, then the
    # assignment that refers to the member): an offer made meanwhile waits, then finds no
    # profile and offers nothing, where it outlived the erasure.
    await hold(session, ExpertProfile.member_id, member_id)
    await hold(session, Member.id, member_id, key_share=True)
    expert_applications = list(
        await session.scalars(
            select(ExpertApplication.id).where(ExpertApplication.member_id == member_id)
        )
    )
    job_applications = list(
        await session.scalars(
            select(JobApplication.id).where(JobApplication.member_id == member_id)
        )
    )
    intros = list(
        await session.scalars(select(IntroRequest.id).where(IntroRequest.member_id == member_id))
    )
    intros_sent = list(  # a company's request the member made for it: nobody would get a yes
        await session.scalars(
            select(IntroRequest.id).where(
                IntroRequest.requested_by == member_id, IntroRequest.status == PENDING_INTRO
            )
        )
    )
    named_answers = list(  # their delivery names them; an anonymous one goes out as it is
        await session.scalars(
            select(Answer.id).where(Answer.expert_id == member_id, Answer.anonymous.is_(False))
        )
    )
    requests = list(  # companies they asked to register, not decided yet: dropped below
        await session.scalars(
            select(Company.id).where(
                Company.created_by == member_id,
                Company.status == PENDING_COMPANY,
                ~select(Job.id).where(Job.company_id == Company.id).exists(),
            )
        )
    )
    keys = [f"intro-accepted:{i}" for i in intros] + [f"intro:{i}" for i in intros_sent]
    keys += [f"answer:{i}" for i in named_answers]
    exact, prefixes = await network_messages(session, member_id)
    prefixes += [f"application:{i}:" for i in expert_applications]  # "…:<an admin's chat>"
    prefixes += [f"application-job:{i}:" for i in job_applications]
    prefixes += [f"company:{i}:" for i in requests]
    # a statement each, by an index: OR'ed in one, they read the whole outbox (a million
    # rows: seconds) while, on SQLite, every other member's update waited
    if telegram_id is not None:
        await session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == telegram_id))
    for prefix in prefixes:
        await session.execute(delete(OutboxMessage).where(keys_starting(prefix)))
    # a message in parts: "key", "key#2", "key#3"… (storage.outbox.with_parts); by the keys'
    # index, so many at a time as a statement takes (an expert's thousands of answers)
    for chunk in statement_sized(with_parts(keys) + exact):
        await session.execute(delete(OutboxMessage).where(OutboxMessage.dedupe_key.in_(chunk)))
    if intros_sent:
        await session.execute(delete(IntroRequest).where(IntroRequest.id.in_(intros_sent)))
    if requests:  # nobody would stand behind the company once verified
        for link in (CompanyRepresentative, IntroRequest):
            await session.execute(delete(link).where(link.company_id.in_(requests)))
        await session.execute(delete(Company).where(Company.id.in_(requests)))
    for table in (
        MemberSkill, ExpertTag, ExpertProfile, CompanyRepresentative, JobAlert, DigestTag, Rsvp,
        EventAttendance, CompetitionJudge, ReputationGrant, CategoryOptOut,
    ):  # fmt: skip
        await session.execute(delete(table).where(table.member_id == member_id))
    await session.execute(
        update(ExpertApplication)
        .where(ExpertApplication.member_id == member_id, ExpertApplication.status == "pending")
        .values(status=WITHDRAWN, decided_at=now)
    )
    await session.execute(
        update(ExpertApplication).where(ExpertApplication.member_id == member_id).values(note="")
    )
    await session.execute(
        delete(JobApplication).where(
            JobApplication.member_id == member_id, JobApplication.status == PENDING_APPLICATION
        )
    )
    await session.execute(
        delete(IntroRequest).where(
            IntroRequest.member_id == member_id, IntroRequest.status == PENDING_INTRO
        )
    )
    still_open = select(Competition.id).where(
        Competition.deadline_at > now, Competition.decided_at.is_(None)
    )
    await session.execute(
        delete(CompetitionEntry).where(
            CompetitionEntry.member_id == member_id,
            CompetitionEntry.competition_id.in_(still_open),
        )
    )
    await erase_network(session, member_id)
    await _forget_files(session, member_id)
    if telegram_id is not None:  # a staff member who leaves is signed out of the console
        for web_table in (WebSession, WebSignIn):
            await session.execute(delete(web_table).where(web_table.telegram_id == telegram_id))
    for column in Member.__table__.columns:
        if column.name not in ("id", "created_at", "updated_at", "deleted_at"):
            setattr(member, column.name, _default(column.default))
    member.deleted_at = member.updated_at = now
    member.erased_key = erased_key


def _default(default: Any) -> Any:
    """A column's scalar default ("en", False, 0, "off"), else None."""
    return default.arg if isinstance(default, ColumnDefault) and default.is_scalar else None
