"""Reading RSS and Atom feeds: bytes in, entries out, nothing fetched.

feedparser reads RSS 0.9x–2.0, Atom and RDF, and what it can of a broken feed (``bozo``);
it is given the bytes (never a URL, so it cannot fetch anything itself). An entry's
identity is its guid/id, else its link, else its title: the same entry polled twice is
imported once.
"""

from __future__ import annotations

import calendar
import html
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser
import regex

from bot.core.text import clean_line, clip_units
from handlers.invalid import Invalid
from handlers.links import parse_web_address

TITLE_MAX, SUMMARY_MAX, GUID_MAX = 380, 1000, 500  # UTF-16 units; the title column holds 400
_TAG = regex.compile(r"<[^>]*>")


class NotAFeed(ValueError):
    """Nothing in the bytes reads as a feed."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    guid: str
    title: str
    summary: str
    link: str | None
    published: datetime | None


def parse_feed(data: bytes) -> list[FeedEntry]:
    """The entries of a feed, newest first as the feed lists them; NotAFeed when the bytes
    are not a feed at all (an HTML page, an error message, nothing)."""
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries and not parsed.get("version"):  # not RSS, Atom nor RDF at all
        reason = str(parsed.get("bozo_exception") or "not an RSS or Atom feed")
        raise NotAFeed(reason.splitlines()[0])
    entries = []
    for raw in parsed.entries:
        title = plain(raw.get("title", ""))
        link = web_address(raw.get("link"))
        guid = (raw.get("id") or link or title).strip()
        if not title or not guid:
            continue
        entries.append(
            FeedEntry(
                guid=guid[:GUID_MAX],
                title=clip_units(title, TITLE_MAX),
                summary=clip_units(plain(raw.get("summary", "")), SUMMARY_MAX),
                link=link,
                published=_moment(raw.get("published_parsed") or raw.get("updated_parsed")),
            )
        )
    return entries


def web_address(raw: object) -> str | None:
    """An entry's link if it is a web address a button can carry, else none at all."""
    if not isinstance(raw, str) or not raw.lower().startswith(("http://", "https://")):
        return None
    try:
        return parse_web_address(raw)
    except Invalid:
        return None


def plain(text: str) -> str:
    """HTML from a feed as one line of plain text."""
    return clean_line(html.unescape(_TAG.sub(" ", text or "")))


def _moment(parsed: object) -> datetime | None:
    if parsed is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
