"""Storing an item with what /search finds it by: the one place an item's search tokens
are built, for the publish operation, the feed reader and the demonstration data alike."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from bot.core.events import FileRef
from handlers.text_search.tokens import search_tokens
from storage.models import ContentItem
from storage.uow import UnitOfWork

Pair = tuple[str | None, str | None]  # (Khmer, English)


async def store_item(
    uow: UnitOfWork,
    kind: str,
    titles: Pair,
    summaries: Pair,
    link: str | None,
    tags: Collection[str],
    now: datetime,
    *,
    event_at: datetime | None = None,
    deadline: date | None = None,
    created_by: int | None = None,
    feed_id: int | None = None,
    guid: str | None = None,
    file: FileRef | None = None,
) -> ContentItem | None:
    """The item, searchable by its titles and summaries in both languages; None when its
    feed brought it before (see ``ContentRepository.add``). ``file``: its poster."""
    return await uow.content.add(
        kind, titles, summaries, link, tags, now,
        event_at=event_at, deadline=deadline, created_by=created_by, feed_id=feed_id,
        guid=guid, search_tokens=search_tokens(*titles, *summaries),
        file=(file.kind, file.file_id) if file else None,
    )  # fmt: skip
