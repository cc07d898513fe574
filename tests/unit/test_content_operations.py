"""The content operations (publish, hide, add and remove a feed), as every surface calls
them: a person without the role is refused and nothing is written (no item, no feed, no
audit line, no outbox row, even if the caller commits); an administrator or the operator
writes the row and one audit line naming the surface; bad values are refused with the
chat's messages and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.events import FileRef
from bot.core.i18n import Translations
from handlers.acting import Acting, Channel, NotAllowed
from handlers.content import operations, rules
from handlers.content.items import store_item
from handlers.dates import MOMENT_FORMAT, MOMENT_PAST, MOMENT_TOO_FAR
from handlers.invalid import Invalid
from handlers.text_search.tokens import search_tokens
from handlers.web_address import NOT_A_WEB_ADDRESS
from storage.db import make_sessionmaker
from storage.models import AuditEntry, ContentItem, Feed, OutboxMessage
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 10:00 in Phnom Penh
TZ = ZoneInfo("Asia/Phnom_Penh")
ADMIN, MODERATOR, MEMBER = 100, 200, 300
Factory = Callable[[], UnitOfWork]
EMOJI = "🎉"  # two UTF-16 units: Telegram counts it twice


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> Factory:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker, lambda: NOW) as uow:
        await uow.tags.sync_seed()
        await uow.staff.grant(ADMIN, "admin", None)
        await uow.staff.grant(MODERATOR, "moderator", None)
        await uow.commit()
    return lambda: UnitOfWork(sessionmaker, lambda: NOW)


def as_(
    uow: UnitOfWork, translations: Translations, person: int | None, channel: Channel = "chat"
) -> Acting:
    return Acting(person, channel, uow, translations, NOW, TZ)


async def written(uow_factory: Factory) -> dict[str, int]:
    """How many items, feeds, hidden items, audit lines and outbox rows are stored."""
    async with uow_factory() as uow:
        count = uow.session.scalar
        return {
            "items": await count(select(func.count()).select_from(ContentItem)) or 0,
            "hidden": await count(select(func.count()).where(ContentItem.hidden.is_(True))) or 0,
            "feeds": await count(select(func.count()).select_from(Feed)) or 0,
            "audit": await count(select(func.count()).select_from(AuditEntry)) or 0,
            "outbox": await count(select(func.count()).select_from(OutboxMessage)) or 0,
        }


async def audit_lines(uow_factory: Factory) -> list[tuple[int | None, str, dict[str, Any], str]]:
    async with uow_factory() as uow:
        entries = await uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action.not_like("grant-%")).order_by(AuditEntry.id)
        )  # the staff roles granted for the test are left out
        return [(e.actor_telegram_id, e.action, e.detail, e.channel or "") for e in entries]


async def attempt(
    uow_factory: Factory, translations: Translations, person: int | None, act: Any, *args: Any
) -> Exception:
    """Run an operation that must be refused, commit anyway (a careless caller), and give
    back what it raised."""
    async with uow_factory() as uow:
        with pytest.raises((NotAllowed, Invalid)) as refused:
            await act(as_(uow, translations, person), *args)
        await uow.commit()
    return refused.value


NEWS = ("news", ("ព័ត៌មាន", "News of the ministry"), (None, "A summary."), None, ["ai"])


# -- publish ---------------------------------------------------------------------------------
@pytest.mark.parametrize("person", [MODERATOR, MEMBER])
async def test_publishing_is_refused_to_anyone_but_an_admin_and_writes_nothing(
    uow_factory: Factory, translations: Translations, person: int
) -> None:
    before = await written(uow_factory)
    refused = await attempt(uow_factory, translations, person, operations.publish, *NEWS)
    assert isinstance(refused, NotAllowed)
    assert refused.message == "Only administrators can do this."
    assert await written(uow_factory) == before


async def test_an_admin_in_the_chat_and_the_operator_publish_with_an_audit_line_each(
    uow_factory: Factory, translations: Translations
) -> None:
    start = NOW + timedelta(days=3)
    async with uow_factory() as uow:
        event = await operations.publish(
            as_(uow, translations, ADMIN), "event", ("  សិក្ខាសាលា AI\n", None),
            (None, "Hands-on\u202e workshop."), "dcc.gov.kh/ai", ["ai", "data"], event_at=start,
        )  # fmt: skip
        await uow.commit()
    async with uow_factory() as uow:
        grant = await operations.publish(
            as_(uow, translations, None, "cli"), "opportunity", (None, "A grant"),
            (None, None), None, [], deadline=date(2026, 11, 25),  # today still counts
        )  # fmt: skip
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.content.get(event.id)
        assert stored is not None
        assert (stored.title_km, stored.title_en) == ("សិក្ខាសាលា AI", None)  # cleaned
        assert stored.summary_en == "Hands-on workshop."  # the bidi control is gone
        assert stored.link == "https://dcc.gov.kh/ai"
        assert stored.created_by == ADMIN
        assert stored.search_tokens == search_tokens("សិក្ខាសាលា AI", None, None, stored.summary_en)
        assert sorted((await uow.content.tags_of([event.id]))[event.id]) == ["ai", "data"]
    assert await audit_lines(uow_factory) == [
        (ADMIN, "content-published", {"item": event.id}, "chat"),
        (None, "content-published", {"item": grant.id}, "cli"),
    ]
    assert (await written(uow_factory))["outbox"] == 0  # members hear of it in their digest


async def test_an_item_published_with_a_poster_keeps_it_and_audits_its_kind(
    uow_factory: Factory, translations: Translations
) -> None:
    async with uow_factory() as uow:
        item = await operations.publish(
            as_(uow, translations, ADMIN), *NEWS, file=FileRef("document", "BQACAgPoster")
        )
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.content.get(item.id)
        assert stored is not None
        assert (stored.file_kind, stored.file_id) == ("document", "BQACAgPoster")
    assert await audit_lines(uow_factory) == [
        (ADMIN, "content-published", {"item": item.id, "file": "document"}, "chat")
    ]


TOO_LONG_TITLE = EMOJI * 101  # 101 characters, 202 units


@pytest.mark.parametrize(
    ("values", "message", "params"),
    [
        ({"titles": (None, " \u200b ")}, rules.NO_TITLE, {}),
        ({"titles": (None, TOO_LONG_TITLE)}, rules.TEXT_LENGTH, {"limit": 200}),
        ({"summaries": (EMOJI * 751, None)}, rules.TEXT_LENGTH, {"limit": 1500}),
        ({"link": "not a link"}, NOT_A_WEB_ADDRESS, {}),
        ({"tags": ["ai", "quantum"]}, rules.UNKNOWN_TOPIC, {"slug": "quantum"}),
        ({"kind": "gossip"}, rules.NOT_A_KIND, {}),
        ({"kind": "event"}, MOMENT_FORMAT, {}),
        ({"kind": "event", "event_at": NOW}, MOMENT_PAST, {}),
        ({"kind": "event", "event_at": NOW + timedelta(days=367)}, MOMENT_TOO_FAR, {}),
        ({"event_at": NOW + timedelta(days=1)}, rules.DATES_OF_KIND, {}),
        ({"deadline": date(2026, 12, 31)}, rules.DATES_OF_KIND, {}),
        ({"kind": "opportunity", "deadline": date(2026, 11, 24)}, rules.DEADLINE_FORMAT, {}),
    ],
)
async def test_a_bad_item_is_refused_with_the_chats_message_and_nothing_is_written(
    uow_factory: Factory,
    translations: Translations,
    values: dict[str, Any],
    message: str,
    params: dict[str, Any],
) -> None:
    item: dict[str, Any] = {
        "kind": "news", "titles": (None, "Title"), "summaries": (None, None), "link": None,
        "tags": [],
    } | values  # fmt: skip
    before = await written(uow_factory)

    async def publish(acting: Acting) -> ContentItem:
        return await operations.publish(acting, **item)

    refused = await attempt(uow_factory, translations, ADMIN, publish)
    assert isinstance(refused, Invalid)
    assert (refused.message, refused.params) == (message, params)
    assert await written(uow_factory) == before


async def test_an_items_search_tokens_come_from_its_texts_in_one_place(
    uow_factory: Factory,
) -> None:
    async with uow_factory() as uow:
        item = await store_item(
            uow, "news", ("សន្តិសុខសាយប័រ", "Cybersecurity"), (None, "Networks"), None, [], NOW
        )
        assert item is not None
        assert "network" in item.search_tokens.split()
        assert item.search_tokens == search_tokens("សន្តិសុខសាយប័រ Cybersecurity Networks")


# -- hide ------------------------------------------------------------------------------------
async def published(uow_factory: Factory) -> int:
    async with uow_factory() as uow:
        item = await store_item(uow, "news", (None, "Item"), (None, None), None, [], NOW)
        assert item is not None
        await uow.commit()
        return item.id


@pytest.mark.parametrize("person", [MODERATOR, MEMBER])
async def test_hiding_is_refused_to_anyone_but_an_admin_and_writes_nothing(
    uow_factory: Factory, translations: Translations, person: int
) -> None:
    item_id = await published(uow_factory)
    before = await written(uow_factory)
    refused = await attempt(uow_factory, translations, person, operations.hide, item_id)
    assert isinstance(refused, NotAllowed)
    assert await written(uow_factory) == before


async def test_an_item_is_hidden_once_though_two_admins_pressed_hide(
    uow_factory: Factory, translations: Translations
) -> None:
    item_id = await published(uow_factory)
    first, second = uow_factory(), uow_factory()
    try:
        assert await second.content.get(item_id) is not None  # the second saw it shown
        await second.commit()
        await operations.hide(as_(first, translations, ADMIN, "web"), item_id)
        await first.commit()
        with pytest.raises(Invalid) as refused:
            await operations.hide(as_(second, translations, ADMIN), item_id)
        assert refused.value.message == operations.NO_LONGER_AVAILABLE
        await second.commit()
    finally:
        await first.close()
        await second.close()
    assert (await written(uow_factory))["hidden"] == 1
    assert await audit_lines(uow_factory) == [(ADMIN, "content-hidden", {"item": item_id}, "web")]
    refused_too = await attempt(uow_factory, translations, ADMIN, operations.hide, item_id + 1)
    assert isinstance(refused_too, Invalid)  # no such item


# -- feeds -----------------------------------------------------------------------------------
@pytest.mark.parametrize("person", [MODERATOR, MEMBER])
async def test_feeds_are_added_and_removed_by_admins_only(
    uow_factory: Factory, translations: Translations, person: int
) -> None:
    async with uow_factory() as uow:
        feed = await operations.add_feed(
            as_(uow, translations, None, "cli"), "mptc.gov.kh/rss", "news", "km"
        )
        await uow.commit()
    before = await written(uow_factory)
    for act, args in (
        (operations.add_feed, ("https://example.com/feed", "news", "en")),
        (operations.remove_feed, (feed.id,)),
        (operations.pause_feed, (feed.id, True)),
    ):
        refused = await attempt(uow_factory, translations, person, act, *args)
        assert isinstance(refused, NotAllowed)
    assert await written(uow_factory) == before


async def test_a_feed_is_added_once_and_removed_once_with_audit_lines(
    uow_factory: Factory, translations: Translations
) -> None:
    async with uow_factory() as uow:
        feed = await operations.add_feed(
            as_(uow, translations, ADMIN, "web"), " mptc.gov.kh/rss ", "policy", "km"
        )
        await uow.commit()
    assert (feed.url, feed.kind, feed.language) == ("https://mptc.gov.kh/rss", "policy", "km")
    for args, message, params in (
        (("https://mptc.gov.kh/rss", "news", "en"), operations.FEED_KNOWN,
         {"address": "https://mptc.gov.kh/rss"}),
        (("not a link", "news", "en"), NOT_A_WEB_ADDRESS, {}),
        (("https://a.example/rss", "event", "en"), operations.NOT_A_FEED_CHOICE, {}),
        (("https://a.example/rss", "news", "fr"), operations.NOT_A_FEED_CHOICE, {}),
    ):  # fmt: skip
        refused = await attempt(uow_factory, translations, ADMIN, operations.add_feed, *args)
        assert isinstance(refused, Invalid)
        assert (refused.message, refused.params) == (message, params)
    async with uow_factory() as uow:
        await operations.remove_feed(as_(uow, translations, None, "cli"), feed.id)
        await uow.commit()
    refused = await attempt(uow_factory, translations, None, operations.remove_feed, feed.id)
    assert isinstance(refused, Invalid)
    assert (refused.message, refused.params) == (operations.NO_SUCH_FEED, {"number": feed.id})
    assert await audit_lines(uow_factory) == [
        (ADMIN, "feed-added", {"feed": feed.id, "url": "https://mptc.gov.kh/rss"}, "web"),
        (None, "feed-removed", {"feed": feed.id}, "cli"),
    ]
    assert (await written(uow_factory))["feeds"] == 0


async def test_a_feed_is_paused_once_and_resumed_once_with_audit_lines(
    uow_factory: Factory, translations: Translations
) -> None:
    async with uow_factory() as uow:
        feed = await operations.add_feed(
            as_(uow, translations, None, "cli"), "mptc.gov.kh/rss", "news", "km"
        )
        await uow.commit()
    async with uow_factory() as uow:
        paused = await operations.pause_feed(as_(uow, translations, ADMIN, "web"), feed.id, True)
        await uow.commit()
    assert paused.paused_at == NOW
    for args, message in (
        ((feed.id, True), operations.FEED_PAUSED_ALREADY),
        ((feed.id + 1, True), operations.NO_SUCH_FEED),
    ):
        refused = await attempt(uow_factory, translations, ADMIN, operations.pause_feed, *args)
        assert isinstance(refused, Invalid)
        assert (refused.message, refused.params) == (message, {"number": args[0]})
    async with uow_factory() as uow:
        assert await uow.content.due_feeds(NOW + timedelta(days=1)) == []  # not read
        resumed = await operations.pause_feed(as_(uow, translations, None, "cli"), feed.id, False)
        await uow.commit()
    assert resumed.paused_at is None and resumed.next_poll_at == NOW  # read again at once
    refused = await attempt(uow_factory, translations, ADMIN, operations.pause_feed, feed.id, False)
    assert isinstance(refused, Invalid) and refused.message == operations.FEED_NOT_PAUSED
    audit = await audit_lines(uow_factory)
    assert audit[1:] == [
        (ADMIN, "feed-paused", {"feed": feed.id}, "web"),
        (None, "feed-resumed", {"feed": feed.id}, "cli"),
    ]
