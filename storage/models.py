"""The tables. Times are stored as UTC and always come back timezone-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.seed.choices import CONTENT_KINDS

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """SQLite keeps no time zone: store naive UTC, hand back aware UTC on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database: use aware UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


DIGEST_KINDS_ALL = ",".join(CONTENT_KINDS)  # what a member's news digest brings at first


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime, dict[str, Any]: JSON}  # noqa: RUF012


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(100))
    name_km: Mapped[str] = mapped_column(String(100))
    keywords_en: Mapped[str] = mapped_column(Text, default="")  # comma-separated
    keywords_km: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, language: str) -> str:
        return self.name_km if language == "km" else self.name_en


class Member(Base):
    """A signed-up member. After /deleteme the row stays (questions keep their author)
    but every personal field is emptied and ``telegram_id`` is cleared; ``erased_key``
    then holds a keyed hash of the Telegram id for a day, so the same person cannot sign
    up again at once (handlers.profile.cooldown), and the daily retention job clears it."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(64))
    full_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="en")
    role: Mapped[str | None] = mapped_column(String(32), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(32), index=True)
    country: Mapped[str | None] = mapped_column(String(100))
    years_experience: Mapped[int | None] = mapped_column(Integer)
    open_to_work: Mapped[bool] = mapped_column(Boolean, default=False)
    alert_frequency: Mapped[str] = mapped_column(String(16), default="off")
    directory_visible: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(32))
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    reputation: Mapped[int] = mapped_column(Integer, default=0)
    jobs_in_province_only: Mapped[bool] = mapped_column(Boolean, default=False)
    last_job_digest_at: Mapped[datetime | None] = mapped_column()
    # The news digest (/subscriptions): how often, which kinds (slugs joined by ",").
    digest_frequency: Mapped[str] = mapped_column(String(16), default="weekly")
    digest_kinds: Mapped[str] = mapped_column(String(120), default=DIGEST_KINDS_ALL)
    last_digest_at: Mapped[datetime | None] = mapped_column()
    consent_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(index=True)  # the statistics' weeks
    updated_at: Mapped[datetime] = mapped_column()
    deleted_at: Mapped[datetime | None] = mapped_column()
    erased_key: Mapped[str | None] = mapped_column(String(64), index=True)
    # The outreach link they signed up by (``outreach_links.source``), if any: how they
    # arrived, shown in /mydata and emptied by /deleteme like every other field.
    source: Mapped[str | None] = mapped_column(String(32), index=True)


class MemberSkill(Base):
    __tablename__ = "member_skills"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class StaffRole(Base):
    """Admins and moderators by Telegram id: granted before the person signs up, too."""

    __tablename__ = "staff_roles"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column()
    granted_by: Mapped[int | None] = mapped_column(BigInteger)


class ConversationState(Base):
    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(String(8), default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    language: Mapped[str | None] = mapped_column(String(2))
    updated_at: Mapped[datetime] = mapped_column()


class ProcessedUpdate(Base):
    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(index=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[str | None] = mapped_column(String(8))  # chat, cli, web: where it was done


# -- questions and experts -------------------------------------------------------------------
class ExpertProfile(Base):
    """A member who was approved as an expert, with how they want to receive questions.

    ``removed_at``: an administrator took the status away. The row stays for what outlives
    it (the anonymity of their answers, the counters if they are approved again); storage's
    ``expert_profile`` and every "is an expert" test leave such a profile out."""

    __tablename__ = "expert_profiles"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    quiet_start: Mapped[str | None] = mapped_column(String(5))  # "21:00", community time
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    cap: Mapped[int] = mapped_column(Integer, default=3)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    last_assigned_at: Mapped[datetime | None] = mapped_column()
    offered: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    removed_at: Mapped[datetime | None] = mapped_column()


class ExpertTag(Base):
    """A tag an expert is verified for."""

    __tablename__ = "expert_tags"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ExpertApplication(Base):
    __tablename__ = "expert_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    tags: Mapped[str] = mapped_column(Text)  # slugs joined by ","
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()


class Attachment(Base):
    """A photo or document a member sent, kept as Telegram's ``file_id`` (never downloaded)
    with what Telegram said of it: sent on again by that id. ``place`` says where it was
    sent (``question``, ``answer``, ``application``, ``entry``): /mydata lists them, /deleteme
    deletes them (and clears the ``attachment_id`` of the rows that carried them)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    place: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # photo or document
    file_id: Mapped[str] = mapped_column(String(256))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    file_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column()


class Question(Base):
    """A member's question. ``escalate_at`` is the due time the scheduler looks for."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    search_tokens: Mapped[str] = mapped_column(Text, default="")  # for /search, space-joined
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    escalate_at: Mapped[datetime | None] = mapped_column(index=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_answer_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(index=True)  # the statistics' weeks
    answered_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    # The screenshot sent with it; cleared (no foreign key) when the asker erases their data.
    attachment_id: Mapped[int | None] = mapped_column(Integer)


class QuestionTag(Base):
    __tablename__ = "question_tags"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Assignment(Base):
    """A question offered to one expert (or, in the last round, shown to a moderator).

    Indexed by (member, status): routing counts each candidate's open offers, and an
    expert's past offers (answered, passed, withdrawn) must not be read to do it."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("question_id", "member_id"),
        Index("ix_assignments_member_status", "member_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="offered", index=True)
    offered_at: Mapped[datetime] = mapped_column()
    responded_at: Mapped[datetime | None] = mapped_column()


class Answer(Base):
    """An answer, or (``reply_to_id``) an expert's reply to the follow-up on their answer."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)  # the asker's one follow-up question
    # the answer a follow-up is on (an index of the replies alone: migration 0024)
    reply_to_id: Mapped[int | None] = mapped_column(Integer)
    helpful: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # The expert's choice when they gave it: switching anonymity later changes only the
    # answers to come, so an answer given anonymously never names its author.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column()
    attachment_id: Mapped[int | None] = mapped_column(Integer)  # a photo sent with it


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    target: Mapped[str] = mapped_column(String(16))  # "question" or "answer"
    target_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    resolved_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()


# -- the outbox: every proactive message -----------------------------------------------------
class OutboxMessage(Base):
    """A message to send outside the update that caused it.

    ``status``: pending → sending → sent, or failed / unreachable. ``sending`` is written and
    committed before the API call and ``sent`` after it, so after a crash only the rows in
    ``sending`` may have gone out already (they are sent again: at-least-once, duplicates
    bounded by what was in flight). ``dedupe_key`` makes enqueueing the same notice twice a
    no-op; its keys sort byte by byte on PostgreSQL too (collation "C", as SQLite's BINARY),
    so the messages under a prefix are a range of its index (``storage.outbox.keys_starting``).
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    text: Mapped[str] = mapped_column(Text)
    keyboard: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(
        String(128).with_variant(String(128, collation="C"), "postgresql"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    # Bulk messages (broadcasts, digests) wait while any notice of priority 0 is due.
    priority: Mapped[int] = mapped_column(Integer, default=0)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE")
    )
    claimed_at: Mapped[datetime | None] = mapped_column()  # when it became ``sending``
    # A photo or document sent by its file_id, ``text`` being its caption (CAPTION_MAX).
    file_kind: Mapped[str | None] = mapped_column(String(16))
    file_id: Mapped[str | None] = mapped_column(String(256))
    protect: Mapped[bool] = mapped_column(Boolean, default=False)  # no forwarding or saving
    pin: Mapped[bool] = mapped_column(Boolean, default=False)  # pinned in the chat once sent
    # Sent with allow_paid_broadcast, paced by DCC_PAID_SEND_RATE instead of DCC_SEND_RATE
    paid: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_outbox_due", "status", "priority", "not_before"),
        # A broadcast's rows and its delivery counts by status, from the index alone: the
        # console reads them every few seconds while it sends (migration 0024).
        Index("ix_outbox_broadcast_status", "broadcast_id", "status"),
    )


# -- companies and jobs ----------------------------------------------------------------------
class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(240))  # 120 characters, 240 code points
    registration_no: Mapped[str] = mapped_column(String(80))
    sector: Mapped[str] = mapped_column(String(160))
    website: Mapped[str | None] = mapped_column(String(300))
    about: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()


class CompanyRepresentative(Base):
    __tablename__ = "company_representatives"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="active")  # or "invited"
    invited_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column()


class Job(Base):
    """A job offer. It is shown and alerted while open and before ``deadline_at``."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    posted_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    title: Mapped[str] = mapped_column(String(240))  # 120 characters, 240 code points
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(32), index=True)  # province slug, remote, abroad
    job_type: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[date] = mapped_column(Date)
    deadline_at: Mapped[datetime] = mapped_column(index=True)  # the deadline's end, in UTC
    apply_url: Mapped[str | None] = mapped_column(String(500))  # None: apply in the bot
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    published_at: Mapped[datetime] = mapped_column(index=True)
    instant_alerts_done: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    closed_at: Mapped[datetime | None] = mapped_column()


class JobTag(Base):
    __tablename__ = "job_tags"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class JobAlert(Base):
    """A job a member was told about (instantly or in a digest): never the same job twice."""

    __tablename__ = "job_alerts"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    job_id: Mapped[int] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column()


class JobApplication(Base):
    __tablename__ = "job_applications"
    __table_args__ = (UniqueConstraint("job_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="sent")  # interview, declined
    created_at: Mapped[datetime] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    attachment_id: Mapped[int | None] = mapped_column(Integer)  # the CV sent with it


class IntroRequest(Base):
    """A company asking to meet a member found in talent search; contact only on accept."""

    __tablename__ = "intro_requests"
    __table_args__ = (UniqueConstraint("company_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    requested_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()


# -- broadcasts, content, feeds, digests -----------------------------------------------------
class Broadcast(Base):
    """A ministry message to an audience, in Khmer and English.

    ``status``: scheduled (until ``send_at``) → sending → done, or stopped / cancelled.
    While sending, the audience is written to the outbox a batch at a time; ``expanded_to``
    is the last member id written, so a restart goes on where it stopped.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text_km: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    link_url: Mapped[str | None] = mapped_column(String(300))
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    send_at: Mapped[datetime] = mapped_column(index=True)
    expanded: Mapped[bool] = mapped_column(Boolean, default=False)
    expanded_to: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(BigInteger)  # Telegram id; None: the CLI
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    # The delivery counts by outbox status, kept when its sent rows are deleted (retention)
    final_counts: Mapped[dict[str, Any] | None] = mapped_column()
    # What it is about (storage.seed.choices.CATEGORIES); members who switched the category
    # off are left out when the audience is queued, and counted in ``left_out``.
    category: Mapped[str] = mapped_column(String(16), default="official")
    left_out: Mapped[int] = mapped_column(Integer, default=0)
    # A poster photo or a PDF sent with it, its text the caption. A local file the CLI
    # named (``file_path``) is uploaded on the first send and its ``file_id`` kept for
    # every later one. ``protect``: no forwarding or saving; ``pin``: pinned in each chat.
    file_kind: Mapped[str | None] = mapped_column(String(16))
    file_id: Mapped[str | None] = mapped_column(String(256))
    file_path: Mapped[str | None] = mapped_column(String(500))
    protect: Mapped[bool] = mapped_column(Boolean, default=False)
    pin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Paid (fast): sent with Telegram's allow_paid_broadcast, up to DCC_PAID_SEND_RATE a second
    paid: Mapped[bool] = mapped_column(Boolean, default=False)


class Feed(Base):
    """An RSS or Atom feed the operator registered; polled when ``next_poll_at`` is due,
    unless an administrator paused it (``paused_at``)."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(500), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    added_at: Mapped[datetime] = mapped_column()
    next_poll_at: Mapped[datetime] = mapped_column(index=True)
    last_ok_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    paused_at: Mapped[datetime | None] = mapped_column()


class ContentItem(Base):
    """An announcement, news, policy, research, opportunity or event, in one language or
    both. ``event_at`` is an event's start; ``deadline`` an opportunity's last day."""

    __tablename__ = "content_items"
    __table_args__ = (UniqueConstraint("feed_id", "guid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title_km: Mapped[str | None] = mapped_column(String(400))
    title_en: Mapped[str | None] = mapped_column(String(400))
    summary_km: Mapped[str | None] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500), index=True)
    event_at: Mapped[datetime | None] = mapped_column(index=True)
    deadline: Mapped[date | None] = mapped_column(Date)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    guid: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    search_tokens: Mapped[str] = mapped_column(Text, default="")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime] = mapped_column(index=True)
    # A poster photo or a PDF published with it (by Telegram's file_id), the text its caption
    file_kind: Mapped[str | None] = mapped_column(String(16))
    file_id: Mapped[str | None] = mapped_column(String(256))


class ContentTag(Base):
    __tablename__ = "content_tags"

    content_id: Mapped[int] = mapped_column(
        ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Rsvp(Base):
    """A member going to an event: reminded the day before."""

    __tablename__ = "rsvps"

    content_id: Mapped[int] = mapped_column(
        ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column()


class CategoryOptOut(Base):
    """A category of broadcasts and posts a member switched off (/subscriptions); none:
    every category. The official announcements cannot be switched off."""

    __tablename__ = "category_opt_outs"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(16), primary_key=True)


class OutreachLink(Base):
    """A registered source of sign-ups (a poster, a university visit, a ministry post): its
    link is ``https://t.me/<bot>?start=s_<source>``. Who added it is in the audit log."""

    __tablename__ = "outreach_links"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column()


class EventAttendance(Base):
    """A member checked in at an event by its QR code (``/start e_<id>_in``): once a member,
    by the key."""

    __tablename__ = "event_attendance"

    content_id: Mapped[int] = mapped_column(
        ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    checked_in_at: Mapped[datetime] = mapped_column()


class DigestTag(Base):
    """A tag a member follows in the news digest (none followed: every tag)."""

    __tablename__ = "digest_tags"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


# -- competitions and the leaderboard --------------------------------------------------------
class Competition(Base):
    """A ministry competition with prizes, in Khmer and English.

    Open until ``deadline_at``, then judged until ``decided_at`` (the state is computed from
    these, handlers.competitions.rules). ``judging_at`` is when the scheduler told the judges;
    ``entries_allowed`` 0 means no limit. ``revision`` counts the edits: an edit is saved
    only over the revision its form was opened on.
    """

    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_km: Mapped[str] = mapped_column(String(400))
    title_en: Mapped[str] = mapped_column(String(400))
    rules_km: Mapped[str] = mapped_column(Text)
    rules_en: Mapped[str] = mapped_column(Text)
    prizes_km: Mapped[str] = mapped_column(Text)
    prizes_en: Mapped[str] = mapped_column(Text)
    deadline_at: Mapped[datetime] = mapped_column(index=True)
    entries_allowed: Mapped[int] = mapped_column(Integer, default=1)
    judging_at: Mapped[datetime | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(BigInteger)  # the admin's Telegram id
    created_at: Mapped[datetime] = mapped_column()
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def title(self, language: str) -> str:
        return self.title_km if language == "km" else self.title_en

    def rules(self, language: str) -> str:
        return self.rules_km if language == "km" else self.rules_en

    def prizes(self, language: str) -> str:
        return self.prizes_km if language == "km" else self.prizes_en


class CompetitionTag(Base):
    __tablename__ = "competition_tags"

    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CompetitionJudge(Base):
    __tablename__ = "competition_judges"

    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CompetitionEntry(Base):
    """A member's entry. Judges see it by ``number`` (1, 2, … in each competition), never
    by its author; ``place`` is set for the winners when the competition is decided."""

    __tablename__ = "competition_entries"
    __table_args__ = (UniqueConstraint("competition_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    place: Mapped[int | None] = mapped_column(Integer)
    attachment_id: Mapped[int | None] = mapped_column(Integer)  # a file sent with it
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class CompetitionScore(Base):
    """One judge's score of one entry, 1–10: stored once (the first tap counts)."""

    __tablename__ = "competition_scores"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("competition_entries.id", ondelete="CASCADE"), primary_key=True
    )
    judge_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column()


class CompetitionReminder(Base):
    """A reminder 3 days ("3d") or 1 day ("1d") before a deadline: due at ``due_at``.

    Its audience is written to the outbox a batch of members at a time; ``expanded_to`` is
    the last member id written, so a restart goes on where it stopped; ``done_at`` ends it.
    """

    __tablename__ = "competition_reminders"
    __table_args__ = (UniqueConstraint("competition_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(4))
    due_at: Mapped[datetime] = mapped_column(index=True)
    expanded_to: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column()


class ReputationGrant(Base):
    """Reputation points given to a member, and when: the monthly leaderboard counts them."""

    __tablename__ = "reputation_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))  # "helpful", "accepted"
    created_at: Mapped[datetime] = mapped_column(index=True)


# -- the member network (/community) ---------------------------------------------------------
class ConnectionRequest(Base):
    """A member asking another to connect; their Telegram handles are exchanged on accept.

    ``status``: pending → accepted or declined (a block on the request declines it too, so
    the sender cannot tell the two apart), or withdrawn. ``pending_pair`` is the two member
    ids, lower first ("3-8"), while the request waits, and NULL once it is answered: its
    unique index lets one request at a time wait between two members, whoever sent it.
    """

    __tablename__ = "connection_requests"
    __table_args__ = (Index("ix_connection_requests_sender_created", "sender_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    pending_pair: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()


class MemberBlock(Base):
    """A member who no longer takes requests from another (until they unblock them)."""

    __tablename__ = "member_blocks"

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column()


class ProfileReport(Base):
    """A member's profile reported to the moderators. ``status``: open → hidden (taken out of
    the directory) or kept; the first moderator's decision counts; hidden → restored when a
    moderator undoes the hide (the member then chooses their visibility again)."""

    __tablename__ = "profile_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    resolved_by: Mapped[int | None] = mapped_column(BigInteger)  # the moderator's Telegram id
    created_at: Mapped[datetime] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()


# -- the web console ---------------------------------------------------------------------------
class WebSignIn(Base):
    """A sign-in to the web console: a single-use link's token, or a Telegram Login's hash.

    Only the SHA-256 of the secret is kept, so the table read by someone else opens nothing.
    ``used_at`` is set by the one conditional UPDATE (or INSERT, for a Telegram Login) that
    lets it in: a second use finds it set and is refused."""

    __tablename__ = "web_sign_ins"

    secret_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column()


class WebSession(Base):
    """A signed-in browser: the SHA-256 of the id its cookie carries, whose it is, the
    form token its POSTs must carry, the console's language for it, and when it was last
    used (12 hours idle ends it)."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2), default="en")
    created_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column(index=True)


# -- what search may find ---------------------------------------------------------------------
# Every question asked reads whether anything was hidden since /search's index was built: a
# count of the hidden answers, questions and items (storage.questions, storage.content). Few
# rows are ever hidden, so an index of those alone keeps each count small however many there
# are (without it, a scan of the whole table each time: 20 ms at 200,000 answers).
for _hideable in (Question, Answer, ContentItem):
    Index(
        f"ix_{_hideable.__tablename__}_hidden",
        _hideable.hidden,
        postgresql_where=_hideable.hidden.is_(True),
        sqlite_where=_hideable.hidden.is_(True),
    )


# A follow-up's reply is looked up by the answer it completes (one reply each, checked by the
# INSERT): an index of the replies alone, few next to the answers (migration 0024).
Index(
    "ix_answers_reply_to_id",
    Answer.reply_to_id,
    postgresql_where=Answer.reply_to_id.is_not(None),
    sqlite_where=Answer.reply_to_id.is_not(None),
)


# The members the directory may show (``storage.community.in_directory``), and an index of
# them in its order, best reputation first: a page stops after its rows, and the count reads
# the index alone (migration 0025). A query says these very conditions, as SQLite needs to
# use a partial index.
IN_DIRECTORY = (
    Member.directory_visible.is_(True),
    Member.deleted_at.is_(None),
    Member.unreachable.is_(False),
    Member.telegram_id.is_not(None),
)
Index(
    "ix_members_directory",
    Member.reputation.desc(),
    Member.id,
    postgresql_where=and_(*IN_DIRECTORY),
    sqlite_where=and_(*IN_DIRECTORY),
)
# The directory filtered by province or by role, in its order, each carrying the other filter
# so that a count reads the index alone (migration 0027).
for _first, _other in ((Member.province, Member.role), (Member.role, Member.province)):
    Index(
        f"ix_members_directory_{_first.key}",
        _first,
        Member.reputation.desc(),
        Member.id,
        _other,
        postgresql_where=and_(*IN_DIRECTORY),
        sqlite_where=and_(*IN_DIRECTORY),
    )
