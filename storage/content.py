"""Content items (announcements, news, policies, research, opportunities, events), their
tags, RSVPs, the feeds they are imported from, and what the news digest reads."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.broadcasts import receives
from storage.models import (
    CategoryOptOut,
    ContentItem,
    ContentTag,
    DigestTag,
    ExpertTag,
    Feed,
    Member,
    Question,
    QuestionTag,
    Rsvp,
    Tag,
)
from storage.seed.choices import OPTIONAL_CATEGORIES
from storage.sql import among, update_if, upsert

MEMBERS = Member.metadata.tables[Member.__tablename__]  # Core updates of a batch of ids
# What /search may find among items changes with these two (``search_version``).
SEARCH_VERSION = select(
    select(func.max(ContentItem.id)).scalar_subquery(),
    select(func.count())
    .select_from(ContentItem)
    .where(ContentItem.hidden.is_(True))
    .scalar_subquery(),
)


@dataclass(frozen=True, slots=True)
class DigestReader:
    """A member due a news digest, with what choosing their items needs."""

    member_id: int
    telegram_id: int
    language: str
    since: datetime
    kinds: frozenset[str]
    tags: frozenset[int]  # followed tag ids; empty: every tag
    expert_tags: frozenset[int]
    switched_off: frozenset[str] = frozenset()  # categories the member does not receive


class ContentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- items ---------------------------------------------------------------------------
    async def add(
        self,
        kind: str,
        titles: tuple[str | None, str | None],
        summaries: tuple[str | None, str | None],
        link: str | None,
        tags: Collection[str],
        now: datetime,
        *,
        event_at: datetime | None = None,
        deadline: date | None = None,
        created_by: int | None = None,
        feed_id: int | None = None,
        guid: str | None = None,
        search_tokens: str = "",
        published_at: datetime | None = None,
        file: tuple[str, str] | None = None,
    ) -> ContentItem | None:
        """A published item; None when its feed brought it before (same guid), or when a
        feed brings a link already published (a feed removed and added again). ``file``: a
        poster's kind (``photo`` or ``document``) and Telegram's file_id."""
        if feed_id is not None and link is not None:
            known = await self.session.scalar(
                select(ContentItem.id).where(ContentItem.link == link)
            )
            if known is not None:
                return None
        item = ContentItem(
            kind=kind, title_km=titles[0], title_en=titles[1], summary_km=summaries[0],
            summary_en=summaries[1], link=link, event_at=event_at, deadline=deadline,
            created_by=created_by, feed_id=feed_id, guid=guid, search_tokens=search_tokens,
            hidden=False, published_at=published_at or now,
            file_kind=file[0] if file else None, file_id=file[1] if file else None,
        )  # fmt: skip
        try:
            async with self.session.begin_nested():
                self.session.add(item)
        except IntegrityError:
            return None
        tag_ids = list(await self.session.scalars(select(Tag.id).where(Tag.slug.in_(set(tags)))))
        self.session.add_all(ContentTag(content_id=item.id, tag_id=t) for t in tag_ids)
        await self.session.flush()
        return item

    async def get(self, item_id: int) -> ContentItem | None:
        return await self.session.get(ContentItem, item_id)

    async def hide(self, item: ContentItem) -> bool:
        """Hide an item still shown; False when it is hidden already (by another admin)."""
        return await update_if(self.session, item, ContentItem.hidden.is_(False), hidden=True)

    async def latest(self, limit: int, offset: int = 0) -> list[ContentItem]:
        """The newest items, hidden ones too, for /admin and the web console's list."""
        rows = await self.session.scalars(
            select(ContentItem).order_by(ContentItem.id.desc()).offset(offset).limit(limit)
        )
        return list(rows)

    async def count(self) -> int:
        """Every item stored, hidden ones too (the pages of ``latest``)."""
        return await self.session.scalar(select(func.count()).select_from(ContentItem)) or 0

    async def tags_of(self, item_ids: Collection[int]) -> dict[int, list[str]]:
        if not item_ids:
            return {}
        rows = await self.session.execute(
            select(ContentTag.content_id, Tag.slug)
            .join(Tag, Tag.id == ContentTag.tag_id)
            .where(among(ContentTag.content_id, item_ids))
            .order_by(Tag.position)
        )
        found: dict[int, list[str]] = {}
        for item_id, slug in rows:
            found.setdefault(item_id, []).append(slug)
        return found

    async def browse(
        self, kinds: Sequence[str], now: datetime, offset: int, limit: int
    ) -> tuple[list[ContentItem], int]:
        """Visible items of ``kinds``, a page and the count: events still to come, soonest
        first; opportunities not past their deadline; the rest newest first."""
        conditions: list[ColumnElement[bool]] = [
            ContentItem.kind.in_(kinds),
            ContentItem.hidden.is_(False),
        ]
        order: list[Any] = [ContentItem.published_at.desc(), ContentItem.id.desc()]
        if list(kinds) == ["event"]:
            conditions.append(ContentItem.event_at > now)
            order = [ContentItem.event_at, ContentItem.id]
        if "opportunity" in kinds:
            conditions.append(
                or_(ContentItem.deadline.is_(None), ContentItem.deadline >= now.date())
            )
        total = await self.session.scalar(
            select(func.count()).select_from(ContentItem).where(*conditions)
        )
        rows = await self.session.scalars(
            select(ContentItem).where(*conditions).order_by(*order).offset(offset).limit(limit)
        )
        return list(rows), total or 0

    async def recent(self, since: datetime) -> list[tuple[ContentItem, frozenset[int]]]:
        """Visible items published since ``since``, newest first, with their tag ids."""
        items = list(
            await self.session.scalars(
                select(ContentItem)
                .where(ContentItem.published_at > since, ContentItem.hidden.is_(False))
                .order_by(ContentItem.published_at.desc(), ContentItem.id.desc())
            )
        )
        tags: dict[int, set[int]] = {}
        if items:
            rows = await self.session.execute(
                select(ContentTag.content_id, ContentTag.tag_id).where(
                    among(ContentTag.content_id, [i.id for i in items])
                )
            )
            for item_id, tag_id in rows:
                tags.setdefault(item_id, set()).add(tag_id)
        return [(item, frozenset(tags.get(item.id, ()))) for item in items]

    async def search_version(self) -> tuple[int, int]:
        """Changes whenever what /search may find among items changes (new or hidden)."""
        newest, hidden = (await self.session.execute(SEARCH_VERSION)).one()  # one read
        return newest or 0, hidden or 0

    async def searchable(self, after: int = 0) -> list[tuple[int, str]]:
        """(item id, tokens) of the visible items with words, newer than ``after``."""
        rows = await self.session.execute(
            select(ContentItem.id, ContentItem.search_tokens).where(
                ContentItem.hidden.is_(False),
                ContentItem.search_tokens != "",
                ContentItem.id > after,
            )
        )
        return [(item_id, tokens) for item_id, tokens in rows]

    # -- events --------------------------------------------------------------------------
    async def toggle_rsvp(self, item_id: int, member_id: int, now: datetime) -> bool:
        """Going now (True) or not any more (False)."""
        existing = await self.session.get(Rsvp, (item_id, member_id))
        if existing is not None:
            await self.session.delete(existing)
            await self.session.flush()
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(Rsvp(content_id=item_id, member_id=member_id, created_at=now))
        except IntegrityError:  # a double tap already added it
            pass
        return True

    async def going(self, item_id: int, member_id: int) -> bool:
        return await self.session.get(Rsvp, (item_id, member_id)) is not None

    async def rsvp_count(self, item_id: int) -> int:
        return (
            await self.session.scalar(
                select(func.count()).select_from(Rsvp).where(Rsvp.content_id == item_id)
            )
            or 0
        )

    async def due_reminders(self, now: datetime, ahead: timedelta) -> list[ContentItem]:
        """Events starting within ``ahead``: their attendees are due a reminder (each once,
        by its outbox key; someone who says they will attend later is reminded then)."""
        return list(
            await self.session.scalars(
                select(ContentItem).where(
                    ContentItem.kind == "event",
                    ContentItem.hidden.is_(False),
                    ContentItem.event_at > now,
                    ContentItem.event_at <= now + ahead,
                )
            )
        )

    async def attendees(self, item_id: int) -> list[tuple[int, int, str]]:
        """The reachable members going to an event who still receive events."""
        rows = await self.session.execute(
            select(Member.id, Member.telegram_id, Member.language)
            .join(Rsvp, Rsvp.member_id == Member.id)
            .where(
                Rsvp.content_id == item_id,
                Member.deleted_at.is_(None),
                Member.telegram_id.is_not(None),
                Member.unreachable.is_(False),
                receives("events"),
            )
            .order_by(Member.id)
        )
        return [(m, t or 0, lang) for m, t, lang in rows]

    # -- feeds ---------------------------------------------------------------------------
    async def add_feed(self, url: str, kind: str, language: str, now: datetime) -> Feed | None:
        """A new feed, due at once; None when the URL is registered already."""
        feed = Feed(
            url=url, kind=kind, language=language, added_at=now, next_poll_at=now,
            failures=0, items=0,
        )  # fmt: skip
        try:
            async with self.session.begin_nested():
                self.session.add(feed)
        except IntegrityError:
            return None
        return feed

    async def feeds(self) -> list[Feed]:
        return list(await self.session.scalars(select(Feed).order_by(Feed.id)))

    async def feed(self, feed_id: int) -> Feed | None:
        return await self.session.get(Feed, feed_id)

    async def remove_feed(self, feed_id: int) -> bool:
        """Forget a feed; the items it brought stay."""
        result = await self.session.execute(delete(Feed).where(Feed.id == feed_id))
        return bool(getattr(result, "rowcount", 0))

    async def pause_feed(self, feed: Feed, paused: bool, now: datetime) -> bool:
        """Pause a feed being read, or resume a paused one (read again at once); False when
        it is in that state already (one conditional UPDATE: two admins, one change)."""
        if paused:
            return await update_if(self.session, feed, Feed.paused_at.is_(None), paused_at=now)
        return await update_if(
            self.session, feed, Feed.paused_at.is_not(None), paused_at=None, next_poll_at=now
        )

    async def due_feeds(self, now: datetime) -> list[Feed]:
        """The feeds to read now: due, and not paused."""
        return list(
            await self.session.scalars(
                select(Feed)
                .where(Feed.next_poll_at <= now, Feed.paused_at.is_(None))
                .order_by(Feed.next_poll_at)
            )
        )

    # -- the news digest -----------------------------------------------------------------
    async def digest_readers(
        self, frequency: str, digested_before: datetime, after: int, limit: int
    ) -> list[DigestReader]:
        """The next ``limit`` members (by id) due this digest, with what they follow."""
        rows = list(
            await self.session.execute(
                select(
                    Member.id,
                    Member.telegram_id,
                    Member.language,
                    Member.digest_kinds,
                    func.coalesce(Member.last_digest_at, Member.created_at),
                )
                .where(
                    Member.deleted_at.is_(None),
                    Member.telegram_id.is_not(None),
                    Member.unreachable.is_(False),
                    Member.digest_frequency == frequency,
                    Member.id > after,
                    func.coalesce(Member.last_digest_at, Member.created_at) < digested_before,
                )
                .order_by(Member.id)
                .limit(limit)
            )
        )
        ids = [row[0] for row in rows]
        followed = await self._tags_by_member(DigestTag, ids)
        expert = await self._tags_by_member(ExpertTag, ids)
        off: dict[int, set[str]] = {}
        for member_id, category in await self.session.execute(
            select(CategoryOptOut.member_id, CategoryOptOut.category).where(
                among(CategoryOptOut.member_id, ids)
            )
        ):
            off.setdefault(member_id, set()).add(category)
        return [
            DigestReader(
                member_id,
                telegram_id or 0,
                language,
                since,
                frozenset(k for k in kinds.split(",") if k),
                frozenset(followed.get(member_id, ())),
                frozenset(expert.get(member_id, ())),
                frozenset(off.get(member_id, ())),
            )
            for member_id, telegram_id, language, kinds, since in rows
        ]

    async def _tags_by_member(
        self, table: type[DigestTag] | type[ExpertTag], member_ids: Sequence[int]
    ) -> dict[int, set[int]]:
        if not member_ids:
            return {}
        rows = await self.session.execute(
            select(table.member_id, table.tag_id).where(among(table.member_id, member_ids))
        )
        found: dict[int, set[int]] = {}
        for member_id, tag_id in rows:
            found.setdefault(member_id, set()).add(tag_id)
        return found

    async def open_questions(self, since: datetime) -> list[tuple[Question, frozenset[int]]]:
        """Open, visible questions asked since ``since``, newest first, with tag ids."""
        questions = list(
            await self.session.scalars(
                select(Question)
                .where(
                    Question.status == "open",
                    Question.hidden.is_(False),
                    Question.created_at > since,
                )
                .order_by(Question.created_at.desc())
            )
        )
        tags: dict[int, set[int]] = {}
        if questions:
            rows = await self.session.execute(
                select(QuestionTag.question_id, QuestionTag.tag_id).where(
                    among(QuestionTag.question_id, [q.id for q in questions])
                )
            )
            for question_id, tag_id in rows:
                tags.setdefault(question_id, set()).add(tag_id)
        return [(q, frozenset(tags.get(q.id, ()))) for q in questions]

    async def mark_digested(self, member_ids: Collection[int], now: datetime) -> None:
        if member_ids:
            await self.session.execute(
                update(MEMBERS).where(among(MEMBERS.c.id, member_ids)).values(last_digest_at=now)
            )

    # -- subscriptions -------------------------------------------------------------------
    async def followed_tags(self, member_id: int) -> list[str]:
        rows = await self.session.scalars(
            select(Tag.slug)
            .join(DigestTag, DigestTag.tag_id == Tag.id)
            .where(DigestTag.member_id == member_id)
            .order_by(Tag.position)
        )
        return list(rows)

    async def follow_tags(self, member_id: int, slugs: Collection[str]) -> None:
        await self.session.execute(delete(DigestTag).where(DigestTag.member_id == member_id))
        tag_ids = list(await self.session.scalars(select(Tag.id).where(Tag.slug.in_(set(slugs)))))
        self.session.add_all(DigestTag(member_id=member_id, tag_id=t) for t in tag_ids)
        await self.session.flush()

    # -- categories a member receives (/subscriptions) -------------------------------------
    async def switched_off(self, member_id: int) -> list[str]:
        """The categories the member switched off, in their usual order."""
        rows = set(
            await self.session.scalars(
                select(CategoryOptOut.category).where(CategoryOptOut.member_id == member_id)
            )
        )
        return [c for c in OPTIONAL_CATEGORIES if c in rows]

    async def switch_category(self, member_id: int, category: str, on: bool) -> None:
        """Receive ``category`` again (``on``) or not; a repeated tap changes nothing
        (a conditional write). The official announcements cannot be switched off."""
        if category not in OPTIONAL_CATEGORIES:
            raise ValueError(f"{category!r} cannot be switched off")
        if on:
            await self.session.execute(
                delete(CategoryOptOut).where(
                    CategoryOptOut.member_id == member_id, CategoryOptOut.category == category
                )
            )
            return
        await self.session.execute(
            upsert(self.session, CategoryOptOut.__table__)
            .values(member_id=member_id, category=category)
            .on_conflict_do_nothing(index_elements=["member_id", "category"])
        )
