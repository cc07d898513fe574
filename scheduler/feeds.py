"""Polling the RSS and Atom feeds the operator registered (``dcc-bot feeds add``).

The only place the bot fetches anything beyond Telegram, and only the addresses the
operator gave. A feed that cannot be fetched or read is logged, counted, and tried again
later (after 10 minutes, then longer, at most six hours): it never stops the scheduler or
the other feeds. A feed an administrator paused is not read (nor its entries stored, if it
was paused while being fetched) until it is resumed. New entries become content items once:
the feed and the entry's guid are unique together in the database. An item counts as
published when it is imported (so a digest brings what is new to the community), whatever
date the feed gives it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import aiohttp

from handlers.content.feeds import FeedEntry, NotAFeed, parse_feed
from handlers.content.items import store_item
from handlers.questions.tagging import seed_tag_terms, suggest_tags
from storage.models import Feed
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

POLL_EVERY = timedelta(minutes=30)
FIRST_RETRY = timedelta(minutes=10)
LONGEST_RETRY = timedelta(hours=6)
MAX_BYTES = 2_000_000  # a feed larger than this is refused, not read
MAX_NEW = 200  # the newest entries read from one poll; older ones in a huge feed are skipped
TIMEOUT = aiohttp.ClientTimeout(total=20)
USER_AGENT = "DCC-Bot feed reader (Digital Community of Cambodia)"

Fetch = Callable[[str], Awaitable[bytes]]


class FeedUnavailable(Exception):
    """The feed could not be fetched: network trouble, an HTTP error, too large."""


async def fetch_url(url: str) -> bytes:
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}) as http,
            http.get(url) as response,
        ):
            if response.status != 200:
                raise FeedUnavailable(f"HTTP {response.status}")
            data = bytearray()
            async for chunk in response.content.iter_chunked(65536):  # to the end, or too big
                data += chunk
                if len(data) > MAX_BYTES:
                    raise FeedUnavailable(f"larger than {MAX_BYTES:,} bytes")
    except (aiohttp.ClientError, TimeoutError) as error:
        raise FeedUnavailable(f"{type(error).__name__}: {error}") from error
    return bytes(data)


async def poll_feeds(
    uow_factory: Callable[[], UnitOfWork], now: Callable[[], datetime], fetch: Fetch = fetch_url
) -> int:
    """Poll every feed that is due; how many new items were imported."""
    async with uow_factory() as uow:
        due = [(f.id, f.url) for f in await uow.content.due_feeds(now())]
    imported = 0
    for feed_id, url in due:
        try:
            entries = parse_feed(await fetch(url))
        except (FeedUnavailable, NotAFeed) as error:
            await _failed(uow_factory, feed_id, str(error), now())
            continue
        except Exception as error:  # whatever else a strange feed does, it stays one feed's
            log.exception("feed %s could not be read", url)
            await _failed(uow_factory, feed_id, repr(error), now())
            continue
        try:
            imported += await _import(uow_factory, feed_id, entries[:MAX_NEW], now())
        except Exception as error:  # an entry the database refused: this feed waits, not all
            log.exception("the entries of feed %s could not be stored", url)
            await _failed(uow_factory, feed_id, repr(error), now())
    return imported


async def _import(
    uow_factory: Callable[[], UnitOfWork], feed_id: int, entries: list[FeedEntry], moment: datetime
) -> int:
    terms = seed_tag_terms()
    imported = 0
    async with uow_factory() as uow:
        feed = await uow.content.feed(feed_id)
        if feed is None or feed.paused_at is not None:  # removed or paused meanwhile
            return 0
        for entry in reversed(entries):  # oldest first, so ids follow the feed's order
            text = f"{entry.title} {entry.summary}"
            pair = (entry.title, None) if feed.language == "km" else (None, entry.title)
            summary = entry.summary or None
            summaries = (summary, None) if feed.language == "km" else (None, summary)
            item = await store_item(
                uow, feed.kind, pair, summaries, entry.link,
                [slug for slug, _score in suggest_tags(text, terms, limit=2)], moment,
                feed_id=feed.id, guid=entry.guid,
            )  # fmt: skip
            imported += item is not None
        _succeeded(feed, imported, moment)
        await uow.commit()
    if imported:
        log.info("feed %s: %s new item(s)", feed_id, imported)
    return imported


def _succeeded(feed: Feed, imported: int, moment: datetime) -> None:
    feed.items += imported
    feed.failures, feed.last_error = 0, None
    feed.last_ok_at, feed.next_poll_at = moment, moment + POLL_EVERY


async def _failed(
    uow_factory: Callable[[], UnitOfWork], feed_id: int, error: str, moment: datetime
) -> None:
    async with uow_factory() as uow:
        feed = await uow.content.feed(feed_id)
        if feed is None:
            return
        feed.failures += 1
        feed.last_error = error[:500]
        feed.next_poll_at = moment + min(FIRST_RETRY * 2 ** (feed.failures - 1), LONGEST_RETRY)
        await uow.commit()
    log.warning("feed %s could not be polled (%s); it is tried again later", feed_id, error)
