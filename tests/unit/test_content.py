"""Content: feeds read from local bytes, feeds polled with a fake fetch, the news digest
composed in the member's language, event reminders sent once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Translations
from handlers.content.digest import (
    chosen_items,
    chosen_questions,
    digest_messages,
    send_content_digests,
)
from handlers.content.events import remind_attendees
from handlers.content.feeds import NotAFeed, parse_feed
from scheduler.feeds import FeedUnavailable, poll_feeds
from storage.content import DigestReader
from storage.db import make_sessionmaker
from storage.models import ContentItem, Feed, OutboxMessage, Question
from storage.uow import UnitOfWork
from tests.conftest import FakeClock

TZ = ZoneInfo("Asia/Phnom_Penh")
Factory = Callable[[], UnitOfWork]

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>MPTC</title>
<item><guid>mptc-1</guid><title>Sub-decree on e-commerce</title>
<link>https://mptc.gov.kh/1</link><description>&lt;p&gt;The new &lt;b&gt;rules&lt;/b&gt;
for online shops.&lt;/p&gt;</description><pubDate>Mon, 23 Nov 2026 08:00:00 +0700</pubDate></item>
<item><title>No guid, a link</title><link>https://mptc.gov.kh/2</link></item>
<item><description>no title: skipped</description></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>ព័ត៌មាន</title>
<entry><id>tag:mptc,2026:7</id><title>គោលនយោបាយសន្តិសុខអ៊ីនធឺណិត</title>
<link href="https://mptc.gov.kh/km/7"/><summary>សេចក្តីព្រាង</summary>
<updated>2026-11-20T10:00:00Z</updated></entry></feed>""".encode()


def test_an_rss_feed_is_read_into_entries_with_plain_text() -> None:
    first, second = parse_feed(RSS)
    assert (first.guid, first.title, first.link) == (
        "mptc-1", "Sub-decree on e-commerce", "https://mptc.gov.kh/1",
    )  # fmt: skip
    assert first.summary == "The new rules for online shops."
    assert first.published == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert second.guid == "https://mptc.gov.kh/2" and second.published is None


def test_an_atom_feed_in_khmer_is_read() -> None:
    [entry] = parse_feed(ATOM)
    assert entry.title == "គោលនយោបាយសន្តិសុខអ៊ីនធឺណិត" and entry.guid == "tag:mptc,2026:7"
    assert entry.link == "https://mptc.gov.kh/km/7" and entry.summary == "សេចក្តីព្រាង"


def test_a_broken_feed_gives_what_it_can_and_nonsense_is_refused() -> None:
    truncated = RSS[: RSS.index(b"<item><title>No guid")]  # cut off mid-document
    assert [e.guid for e in parse_feed(truncated)] == ["mptc-1"]
    for nonsense in (b"", b"<html><body>Not found</body></html>", b"\x00\xff garbage"):
        with pytest.raises(NotAFeed):
            parse_feed(nonsense)
    assert parse_feed(b"<rss version='2.0'><channel><title>t</title></channel></rss>") == []


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> AsyncIterator[Factory]:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker) as uow:
        await uow.tags.sync_seed()
        await uow.commit()
    yield lambda: UnitOfWork(sessionmaker)


async def add_feed(factory: Factory, clock: FakeClock, language: str = "en") -> int:
    async with factory() as uow:
        feed = await uow.content.add_feed(
            "https://mptc.gov.kh/rss", "policy", language, clock.now()
        )
        assert feed is not None
        await uow.commit()
        return feed.id


async def items(factory: Factory) -> list[ContentItem]:
    async with factory() as uow:
        return list(await uow.session.scalars(select(ContentItem).order_by(ContentItem.id)))


async def test_a_polled_feed_imports_each_entry_once(
    uow_factory: Factory, clock: FakeClock
) -> None:
    await add_feed(uow_factory, clock)

    async def fetch(url: str) -> bytes:
        return RSS

    assert await poll_feeds(uow_factory, clock.now, fetch) == 2
    assert await poll_feeds(uow_factory, clock.now, fetch) == 0  # not due yet
    clock.advance(minutes=31)
    assert await poll_feeds(uow_factory, clock.now, fetch) == 0  # due, nothing new
    found = await items(uow_factory)
    assert [(i.kind, i.title_en, i.title_km) for i in found] == [
        ("policy", "No guid, a link", None), ("policy", "Sub-decree on e-commerce", None),
    ]  # fmt: skip
    assert "ecommerce" in (await content_tags(uow_factory, found[1].id))  # tagged from its text
    assert found[1].published_at == clock.now() - timedelta(minutes=31)  # when it came


async def content_tags(factory: Factory, item_id: int) -> list[str]:
    async with factory() as uow:
        return (await uow.content.tags_of([item_id])).get(item_id, [])


async def test_an_unreachable_or_broken_feed_is_retried_later_and_stops_nothing(
    uow_factory: Factory, clock: FakeClock
) -> None:
    broken = await add_feed(uow_factory, clock)
    async with uow_factory() as uow:
        khmer = await uow.content.add_feed("https://mptc.gov.kh/km", "news", "km", clock.now())
        assert khmer is not None
        await uow.commit()

    async def fetch(url: str) -> bytes:
        if url.endswith("/rss"):
            raise FeedUnavailable("HTTP 503")
        return ATOM

    assert await poll_feeds(uow_factory, clock.now, fetch) == 1  # the other feed still read
    async with uow_factory() as uow:
        feed = await uow.session.get(Feed, broken)
        assert feed is not None and feed.failures == 1 and feed.last_error == "HTTP 503"
        assert feed.next_poll_at == clock.now() + timedelta(minutes=10)
    clock.advance(minutes=10)

    async def garbage(url: str) -> bytes:
        return b"<html>oops</html>"

    await poll_feeds(uow_factory, clock.now, garbage)
    async with uow_factory() as uow:
        feed = await uow.session.get(Feed, broken)
        assert feed is not None and feed.failures == 2
        assert feed.next_poll_at == clock.now() + timedelta(minutes=20)  # longer each time
    [item] = await items(uow_factory)
    assert item.title_km == "គោលនយោបាយសន្តិសុខអ៊ីនធឺណិត" and item.title_en is None


async def test_a_paused_feed_is_not_read_until_it_is_resumed(
    uow_factory: Factory, clock: FakeClock
) -> None:
    feed_id = await add_feed(uow_factory, clock)
    fetched: list[str] = []

    async def fetch(url: str) -> bytes:
        fetched.append(url)
        return RSS

    async with uow_factory() as uow:
        feed = await uow.content.feed(feed_id)
        assert feed is not None and await uow.content.pause_feed(feed, True, clock.now())
        await uow.commit()
    clock.advance(hours=7)  # long past due
    assert await poll_feeds(uow_factory, clock.now, fetch) == 0
    assert fetched == [] and await items(uow_factory) == []

    async def paused_while_fetching(url: str) -> bytes:
        async with uow_factory() as uow:
            feed = await uow.content.feed(feed_id)
            assert feed is not None and await uow.content.pause_feed(feed, True, clock.now())
            await uow.commit()
        return RSS

    async with uow_factory() as uow:
        feed = await uow.content.feed(feed_id)
        assert feed is not None and await uow.content.pause_feed(feed, False, clock.now())
        await uow.commit()
    assert await poll_feeds(uow_factory, clock.now, paused_while_fetching) == 0
    assert await items(uow_factory) == []  # its entries are not stored either
    async with uow_factory() as uow:
        feed = await uow.content.feed(feed_id)
        assert feed is not None and await uow.content.pause_feed(feed, False, clock.now())
        await uow.commit()
    assert await poll_feeds(uow_factory, clock.now, fetch) == 2  # resumed: read at once


# -- the digest ------------------------------------------------------------------------------
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # Monday 08:00 in Phnom Penh


def item(
    item_id: int, kind: str, km: str | None, en: str | None, days_ago: float = 1, **extra: object
) -> ContentItem:
    return ContentItem(
        id=item_id, kind=kind, title_km=km, title_en=en, summary_km=None, summary_en=None,
        link=None, published_at=NOW - timedelta(days=days_ago), **extra,
    )  # fmt: skip


def reader(**changes: object) -> DigestReader:
    values: dict[str, object] = {
        "member_id": 1, "telegram_id": 11, "language": "en", "since": NOW - timedelta(days=7),
        "kinds": frozenset({"policy", "news", "announcement", "research", "opportunity", "event"}),
        "tags": frozenset(), "expert_tags": frozenset(),
    }  # fmt: skip
    return DigestReader(**{**values, **changes})  # type: ignore[arg-type]


def test_the_digest_brings_what_is_new_of_the_kinds_and_topics_followed() -> None:
    found = [
        (item(1, "policy", "គោលនយោបាយ", "ICT policy"), frozenset({5})),
        (item(2, "news", None, "Old news", days_ago=9), frozenset()),  # before the last digest
        (item(3, "news", "ព័ត៌មាន", None), frozenset({6})),  # another topic
        (item(4, "event", None, "Past event", event_at=NOW - timedelta(hours=1)), frozenset()),
        (item(5, "event", None, "Workshop", event_at=NOW + timedelta(days=3)), frozenset()),
        (item(6, "research", None, "No topic: for all"), frozenset()),
        (item(7, "opportunity", None, "Closed", deadline=date(2026, 11, 27)), frozenset()),
        (item(8, "opportunity", None, "Open", deadline=date(2026, 11, 30)), frozenset()),
    ]
    today = date(2026, 11, 30)
    assert [i.id for i in chosen_items(reader(), found, NOW, today)] == [1, 3, 5, 6, 8]
    followed = reader(tags=frozenset({5}))
    assert [i.id for i in chosen_items(followed, found, NOW, today)] == [1, 5, 6, 8]
    only_policy = reader(kinds=frozenset({"policy"}))
    assert [i.id for i in chosen_items(only_policy, found, NOW, today)] == [1]


def test_an_expert_gets_open_questions_in_their_tags_but_not_their_own() -> None:
    def question(qid: int, hours_ago: float) -> Question:
        return Question(
            id=qid, asker_id=qid * 10, text=f"q{qid}", created_at=NOW - timedelta(hours=hours_ago)
        )

    questions = [(question(1, 5), frozenset({3})), (question(2, 5), frozenset({4})),
                 (question(3, 500), frozenset({3})), (question(4, 2), frozenset({3}))]  # fmt: skip
    asked_by = {1: 10, 2: 20, 3: 30, 4: 1}
    expert = reader(expert_tags=frozenset({3}))
    assert [q.id for q in chosen_questions(expert, questions, asked_by)] == [1]
    assert chosen_questions(reader(), questions, asked_by) == []


def test_the_digest_is_in_the_members_language_with_a_marker_for_the_other(
    translations: Translations,
) -> None:
    km, en = translations.for_language("km"), translations.for_language("en")
    both = item(1, "policy", "គោលនយោបាយ ICT", "ICT policy")
    english_only = item(2, "news", None, "Hackathon results")
    [khmer] = digest_messages(km, [both, english_only], [], TZ)
    assert khmer.startswith(
        "📰 <b>" + km.gettext("Your digest from the Digital Community of Cambodia")
    )
    assert "គោលនយោបាយ ICT" in khmer and "ICT policy" not in khmer
    assert "Hackathon results <i>" + km.gettext("(only in English)") + "</i>" in khmer
    [english] = digest_messages(en, [both, english_only], [], TZ)
    assert "<b>Policies</b>" in english and "ICT policy" in english and "(only" not in english
    assert digest_messages(en, [], [], TZ) == []  # nothing new: nothing to send


def test_a_long_digest_counts_the_rest_and_fits_telegram(translations: Translations) -> None:
    en = translations.for_language("en")
    many = [item(n, "news", None, f"Story {n} " + "x" * 150) for n in range(1, 9)]
    [message] = digest_messages(en, many, [], TZ)
    assert message.count("Story") == 5 and "And 3 more: /news" in message
    assert len(message) <= 4096


async def test_the_weekly_digest_goes_once_and_an_empty_one_not_at_all(
    uow_factory: Factory, translations: Translations
) -> None:
    async with uow_factory() as uow:
        rows = [
            {"telegram_id": t, "full_name": f"M{t}", "role": "student", "province": "kep",
             "skills": ["ai"], "language": lang}
            for t, lang in ((11, "en"), (12, "km"))
        ]  # fmt: skip
        await uow.members.upsert_many(rows, NOW - timedelta(days=30))
        await uow.content.add(
            "policy", (None, "ICT policy"), (None, None), None, [], NOW - timedelta(days=1)
        )
        quiet = await uow.members.get(12)
        assert quiet is not None
        quiet.digest_kinds = "event"  # follows events only: nothing new for them
        await uow.commit()
    assert await send_content_digests(uow_factory, translations, "weekly", NOW, TZ) == 1
    assert await send_content_digests(uow_factory, translations, "weekly", NOW, TZ) == 0
    assert await send_content_digests(uow_factory, translations, "daily", NOW, TZ) == 0
    async with uow_factory() as uow:
        [row] = list(await uow.session.scalars(select(OutboxMessage)))
    assert row.chat_id == 11 and "ICT policy" in row.text and row.priority == 1


async def test_attendees_are_reminded_the_day_before_once(
    uow_factory: Factory, clock: FakeClock, translations: Translations
) -> None:
    async with uow_factory() as uow:
        await uow.members.upsert_many(
            [{"telegram_id": 21, "full_name": "Going", "role": "student", "province": "kep",
              "skills": ["ai"], "language": "km"}],
            clock.now(),
        )  # fmt: skip
        member = await uow.members.get(21)
        event = await uow.content.add(
            "event", ("សិក្ខាសាលា", None), (None, None), None, [], clock.now(),
            event_at=clock.now() + timedelta(days=3),
        )  # fmt: skip
        assert member is not None and event is not None
        await uow.content.toggle_rsvp(event.id, member.id, clock.now())
        await uow.commit()
    assert await remind_attendees(uow_factory, translations, clock.now(), TZ) == 0  # too early
    clock.advance(days=2, hours=1)
    assert await remind_attendees(uow_factory, translations, clock.now(), TZ) == 1
    assert await remind_attendees(uow_factory, translations, clock.now(), TZ) == 0
    async with uow_factory() as uow:
        [row] = list(await uow.session.scalars(select(OutboxMessage)))
    km = translations.for_language("km")
    assert row.chat_id == 21 and "សិក្ខាសាលា" in row.text
    assert km.gettext("Reminder: {title} starts on {moment}.").split("{")[0] in row.text
