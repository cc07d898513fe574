"""The console's Content and Feeds pages over HTTP: for administrators only; each form
without its token changes nothing; publishing writes the item /post writes (texts, topics,
search tokens, the audit line, here through the web); Unpublish, and the feeds added,
paused, resumed and removed through the content operations."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.core.i18n import Translations
from handlers.acting import Acting
from handlers.content import operations
from storage.models import AuditEntry, ContentItem, Feed
from tests.web import test_console
from tests.web.test_console import ADMIN, MODERATOR, World

world = test_console.world  # the console's signed-in test world, a fixture

TZ = ZoneInfo("Asia/Phnom_Penh")
EVENT = {
    "kind": "event", "title_km": "  សិក្ខាសាលា AI\n", "title_en": "AI workshop",
    "summary_km": "", "summary_en": "Hands-on\u202e workshop <b>for all</b>.",
    "link": "dcc.gov.kh/ai", "event_at": "2026-12-01T18:00", "deadline": "2026-12-31",
}  # fmt: skip


async def stored(world: World) -> dict[str, int]:
    """How many items, hidden items, feeds, paused feeds and audit lines are stored."""
    async with world.uow() as uow:
        count = uow.session.scalar
        return {
            "items": await count(select(func.count()).select_from(ContentItem)) or 0,
            "hidden": await count(select(func.count()).where(ContentItem.hidden.is_(True))) or 0,
            "feeds": await count(select(func.count()).select_from(Feed)) or 0,
            "paused": await count(select(func.count()).where(Feed.paused_at.is_not(None))) or 0,
            "audit": await count(select(func.count()).select_from(AuditEntry)) or 0,
        }


async def audit_lines(world: World, prefix: str) -> list[tuple[int | None, str, dict, str]]:
    async with world.uow() as uow:
        rows = await uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like(f"{prefix}%")).order_by(AuditEntry.id)
        )
        return [(e.actor_telegram_id, e.action, e.detail, e.channel or "") for e in rows]


async def test_the_content_pages_and_forms_are_for_administrators_only(world: World) -> None:
    csrf = await world.sign_in(MODERATOR)
    before = await stored(world)
    for path in ("/content", "/content/feeds"):
        assert (await world.client.get(path)).status == 403, path
    for path, data in (
        ("/content", {**EVENT, "kind": "news", "event_at": ""}),
        ("/content/hide", {"item": "1"}),
        ("/content/feeds", {"url": "https://mptc.gov.kh/rss", "kind": "news", "language": "km"}),
        ("/content/feeds/pause", {"feed": "1", "paused": "1"}),
        ("/content/feeds/remove", {"feed": "1"}),
    ):
        refused = await world.client.post(path, data={**data, "csrf": csrf})
        assert refused.status == 403 and "for administrators only" in await refused.text(), path
    assert await stored(world) == before


async def test_a_content_form_without_its_token_changes_nothing(world: World) -> None:
    csrf = await world.sign_in(ADMIN)
    added = await world.client.post(
        "/content/feeds",
        data={"csrf": csrf, "url": "https://mptc.gov.kh/rss", "kind": "news", "language": "km"},
        allow_redirects=False,
    )
    assert added.status == 303
    before = await stored(world)
    for path, data in (
        ("/content", {**EVENT, "kind": "news", "event_at": ""}),
        ("/content/feeds", {"url": "https://a.example/rss", "kind": "news", "language": "km"}),
        ("/content/feeds/pause", {"feed": "1", "paused": "1"}),
        ("/content/feeds/remove", {"feed": "1"}),
    ):
        for token in ({}, {"csrf": "forged"}):
            refused = await world.client.post(path, data={**data, **token})
            assert refused.status == 403, path
    assert await stored(world) == before


async def test_publishing_from_the_page_writes_what_post_writes(
    world: World, translations: Translations
) -> None:
    csrf = await world.sign_in(ADMIN)
    published = await world.client.post(
        "/content", data=[("csrf", csrf), *EVENT.items(), ("tags", "ai"), ("tags", "data")],
        allow_redirects=False,
    )  # fmt: skip
    assert published.status == 303 and published.headers["Location"] == "/content?done=published"
    # the same item through the operation /post hands its draft to, in the chat
    async with world.uow() as uow:
        chat = Acting(ADMIN, "chat", uow, translations, world.clock.now(), TZ)
        await operations.publish(
            chat, "event", (EVENT["title_km"], EVENT["title_en"]), (None, EVENT["summary_en"]),
            EVENT["link"], ["ai", "data"], event_at=datetime(2026, 12, 1, 18, 0, tzinfo=TZ),
        )  # fmt: skip
        await uow.commit()
    columns = (
        "kind", "title_km", "title_en", "summary_km", "summary_en", "link", "event_at",
        "deadline", "created_by", "search_tokens", "hidden", "published_at", "feed_id",
    )  # fmt: skip
    async with world.uow() as uow:
        web, bot = (await uow.session.scalars(select(ContentItem).order_by(ContentItem.id))).all()
        assert [getattr(web, c) for c in columns] == [getattr(bot, c) for c in columns]
        tags = await uow.content.tags_of([web.id, bot.id])
    assert web.title_km == "សិក្ខាសាលា AI" and web.summary_en == "Hands-on workshop <b>for all</b>."
    assert web.event_at == datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 18:00 in Phnom Penh
    assert web.deadline is None  # an event has no last day: the field is not its kind's
    assert web.link == "https://dcc.gov.kh/ai" and "workshop" in web.search_tokens.split()
    assert sorted(tags[web.id]) == sorted(tags[bot.id]) == ["ai", "data"]
    assert await audit_lines(world, "content-") == [
        (ADMIN, "content-published", {"item": web.id}, "web"),
        (ADMIN, "content-published", {"item": bot.id}, "chat"),
    ]
    page = await (await world.client.get("/content?done=published")).text()
    assert "Published: members find it" in page
    assert "AI workshop" in page and "&lt;b&gt;" not in page  # the summary is not listed
    assert page.count('name="item"') == 2  # an Unpublish button each


async def test_a_refused_item_is_shown_again_with_the_reason_and_nothing_written(
    world: World,
) -> None:
    csrf = await world.sign_in(ADMIN)
    before = await stored(world)
    no_title = {**EVENT, "title_km": "", "title_en": " ", "summary_km": "ព័ត៌មានសង្ខេប"}
    for typed, reason in (
        (no_title, "Give at least one title: in Khmer or in English."),
        ({**EVENT, "event_at": "tomorrow"}, "Write a date and a time, for example"),
        ({**EVENT, "event_at": "2026-11-25T08:00"}, "That moment has passed."),
        ({**EVENT, "link": "not a link"}, "Please send a web address like https://"),
        ({**EVENT, "kind": "opportunity", "deadline": "2026-11-24"}, "last day as a date"),
    ):
        refused = await world.client.post(
            "/content", data=[("csrf", csrf), *typed.items(), ("tags", "cybersecurity")]
        )
        page = await refused.text()
        assert refused.status == 400 and reason in page, reason
        assert 'value="cybersecurity" checked' in page
        assert f'<option value="{typed["kind"]}" selected>' in page
        assert f"{typed['summary_km']}</textarea>" in page  # what was typed is kept
        assert f'value="{typed["event_at"]}"' in page and f'value="{typed["link"]}"' in page
    assert await stored(world) == before


async def test_an_item_is_unpublished_once_and_listed_newest_first_a_page_at_a_time(
    world: World,
) -> None:
    csrf = await world.sign_in(ADMIN)
    for n in range(25):
        await world.client.post(
            "/content",
            data={"csrf": csrf, "kind": "news", "title_en": f"News number {n}"},
            allow_redirects=False,
        )
    first = await (await world.client.get("/content")).text()
    assert "News number 24</span>" in first and "News number 5</span>" in first
    assert "News number 4</span>" not in first
    assert "/content?page=2" in first
    second = await (await world.client.get("/content?page=2")).text()
    assert "News number 4</span>" in second and "News number 5</span>" not in second
    hidden = await world.client.post(
        "/content/hide", data={"csrf": csrf, "item": "3"}, allow_redirects=False
    )
    assert hidden.status == 303 and hidden.headers["Location"] == "/content?done=hidden"
    again = await world.client.post("/content/hide", data={"csrf": csrf, "item": "3"})
    assert again.status == 400 and "This item is no longer available." in await again.text()
    assert (await stored(world))["hidden"] == 1
    assert await audit_lines(world, "content-hidden") == [
        (ADMIN, "content-hidden", {"item": 3}, "web")
    ]
    listed = await (await world.client.get("/content?page=2")).text()
    assert "Unpublished" in listed and listed.count('name="item"') == 4


async def test_feeds_are_added_paused_resumed_and_removed_from_the_page(world: World) -> None:
    csrf = await world.sign_in(ADMIN)
    feed = {"csrf": csrf, "url": " mptc.gov.kh/rss ", "kind": "policy", "language": "km"}
    added = await world.client.post("/content/feeds", data=feed, allow_redirects=False)
    assert added.status == 303 and added.headers["Location"] == "/content/feeds?done=feed-added"
    twice = await world.client.post(
        "/content/feeds", data={**feed, "url": "https://mptc.gov.kh/rss"}
    )
    page = await twice.text()
    assert twice.status == 400 and "https://mptc.gov.kh/rss is registered already." in page
    assert '<option value="policy" selected>' in page  # what was typed is kept
    listed = await (await world.client.get("/content/feeds")).text()
    assert "https://mptc.gov.kh/rss" in listed and "never" in listed and ">Pause<" in listed
    for paused, shown in (("1", "Paused since"), ("0", ">Pause<")):
        done = await world.client.post(
            "/content/feeds/pause", data={"csrf": csrf, "feed": "1", "paused": paused},
            allow_redirects=False,
        )  # fmt: skip
        assert done.status == 303
        assert shown in await (await world.client.get(done.headers["Location"])).text()
        if paused == "1":
            assert (await stored(world))["paused"] == 1
            async with world.uow() as uow:
                assert await uow.content.due_feeds(world.clock.now()) == []  # not read
    resumed_again = await world.client.post(
        "/content/feeds/pause", data={"csrf": csrf, "feed": "1", "paused": "0"}
    )
    assert resumed_again.status == 400 and "Feed #1 is not paused." in await resumed_again.text()
    removed = await world.client.post(
        "/content/feeds/remove", data={"csrf": csrf, "feed": "1"}, allow_redirects=False
    )
    assert removed.status == 303
    gone = await world.client.post("/content/feeds/remove", data={"csrf": csrf, "feed": "1"})
    assert gone.status == 400 and "There is no feed #1." in await gone.text()
    assert [line[1:] for line in await audit_lines(world, "feed-")] == [
        ("feed-added", {"feed": 1, "url": "https://mptc.gov.kh/rss"}, "web"),
        ("feed-paused", {"feed": 1}, "web"),
        ("feed-resumed", {"feed": 1}, "web"),
        ("feed-removed", {"feed": 1}, "web"),
    ]


async def test_a_feeds_last_read_items_and_error_are_shown(world: World) -> None:
    async with world.uow() as uow:
        feed = await uow.content.add_feed(
            "https://mptc.gov.kh/rss", "news", "en", world.clock.now()
        )
        assert feed is not None
        feed.items, feed.failures, feed.last_error = 12, 2, "HTTP 503"
        feed.last_ok_at = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)
        await uow.commit()
    await world.sign_in(ADMIN)
    page = await (await world.client.get("/content/feeds")).text()
    assert "HTTP 503" in page and "2 failed attempts in a row" in page and ">12<" in page
    assert "10:30" in page  # the last good read, in Cambodia time
