"""What staff and the operator do to content, whichever surface asks (/post and the admin
console in the chat, ``dcc-bot content`` and ``dcc-bot feeds``, the web console): publish
an item, hide one, add, pause, resume and remove a feed. Each checks the role, validates, writes, and
writes the audit line; the caller commits and shows the outcome."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from bot.core.events import FileRef
from bot.core.i18n import N_
from handlers.acting import Acting
from handlers.content import rules
from handlers.content.items import Pair, store_item
from handlers.content.kinds import KINDS, is_kind
from handlers.dates import MOMENT_FORMAT, still_to_come
from handlers.invalid import Invalid
from handlers.web_address import parse_web_address
from storage.models import ContentItem, Feed
from storage.seed.tags import SLUGS

NO_LONGER_AVAILABLE = N_("This item is no longer available.")
FEED_KINDS = tuple(k for k in KINDS if k != "event")  # a feed entry has no start time
FEED_LANGUAGES = ("km", "en")
NOT_A_FEED_CHOICE = N_(
    "A feed brings announcements, news, policies, research or opportunities, in Khmer or in English."
)
FEED_KNOWN = N_("{address} is registered already.")
NO_SUCH_FEED = N_("There is no feed #{number}.")
FEED_PAUSED_ALREADY = N_("Feed #{number} is paused already.")
FEED_NOT_PAUSED = N_("Feed #{number} is not paused.")


async def publish(
    acting: Acting,
    kind: str,
    titles: Pair,
    summaries: Pair,
    link: str | None,
    tags: Collection[str],
    *,
    event_at: datetime | None = None,
    deadline: date | None = None,
    file: FileRef | None = None,
) -> ContentItem:
    """Publish an item: at least one title; titles and summaries within their lengths; a
    web address for the link; known topics; an event's start still to come (at most a year
    ahead), an opportunity's last day (optional) not past, and no date for other kinds.
    ``file``: a poster photo or a PDF Telegram holds, sent to a member who opens the item
    with the card as its caption. Members find it in /news and the other lists, /search
    and their digest."""
    await acting.require("admin")
    if not is_kind(kind):
        raise Invalid(rules.NOT_A_KIND)
    title_km, title_en = rules.title(titles[0]), rules.title(titles[1])
    if not title_km and not title_en:
        raise Invalid(rules.NO_TITLE)
    summary_km, summary_en = rules.summary(summaries[0]), rules.summary(summaries[1])
    url = parse_web_address(link) if link else None
    for slug in tags:
        if slug not in SLUGS:
            raise Invalid(rules.UNKNOWN_TOPIC, {"slug": slug})
    if (event_at is not None and kind != "event") or (
        deadline is not None and kind != "opportunity"
    ):
        raise Invalid(rules.DATES_OF_KIND)
    if kind == "event":
        if event_at is None:
            raise Invalid(MOMENT_FORMAT)
        still_to_come(event_at, acting.now)
    if deadline is not None:
        rules.check_deadline(deadline, acting.now, acting.timezone)
    item = await store_item(
        acting.uow, kind, (title_km, title_en), (summary_km, summary_en), url,
        tags, acting.now,
        event_at=event_at, deadline=deadline, created_by=acting.person, file=file,
    )  # fmt: skip
    assert item is not None  # only feed items can be refused as seen before
    details: dict[str, object] = {"item": item.id}
    if file is not None:
        details["file"] = file.kind
    await acting.audit("content-published", details)
    return item


async def hide(acting: Acting, item_id: int) -> ContentItem:
    """Take an item out of the lists, /search and the digests (it stays stored); once."""
    await acting.require("admin")
    item = await acting.uow.content.get(item_id)
    if item is None or not await acting.uow.content.hide(item):
        raise Invalid(NO_LONGER_AVAILABLE)
    await acting.audit("content-hidden", {"item": item.id})
    return item


async def add_feed(acting: Acting, url: str, kind: str, language: str) -> Feed:
    """Register an RSS or Atom feed; the running bot reads it at once, then every half hour.
    Its entries become items of ``kind`` in ``language``."""
    await acting.require("admin")
    address = parse_web_address(url)
    if kind not in FEED_KINDS or language not in FEED_LANGUAGES:
        raise Invalid(NOT_A_FEED_CHOICE)
    feed = await acting.uow.content.add_feed(address, kind, language, acting.now)
    if feed is None:
        raise Invalid(FEED_KNOWN, {"address": address})
    await acting.audit("feed-added", {"feed": feed.id, "url": address})
    return feed


async def remove_feed(acting: Acting, feed_id: int) -> None:
    """Stop reading a feed; the items it brought stay."""
    await acting.require("admin")
    if not await acting.uow.content.remove_feed(feed_id):
        raise Invalid(NO_SUCH_FEED, {"number": feed_id})
    await acting.audit("feed-removed", {"feed": feed_id})


async def pause_feed(acting: Acting, feed_id: int, paused: bool) -> Feed:
    """Stop reading a feed for a while (``paused``), or read it again (at once); its items,
    counters and address stay. Once: a second pause (or resume) is told and writes nothing."""
    await acting.require("admin")
    feed = await acting.uow.content.feed(feed_id)
    if feed is None:
        raise Invalid(NO_SUCH_FEED, {"number": feed_id})
    if not await acting.uow.content.pause_feed(feed, paused, acting.now):
        raise Invalid(FEED_PAUSED_ALREADY if paused else FEED_NOT_PAUSED, {"number": feed_id})
    await acting.audit("feed-paused" if paused else "feed-resumed", {"feed": feed_id})
    return feed
