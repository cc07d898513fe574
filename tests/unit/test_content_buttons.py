"""The content and broadcast buttons: every declared action has its handler, and the data
of the buttons built is what messages already sent carry (``ct:rsvp:ID``, ``bc:stop:ID``)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.i18n import Translations
from handlers.broadcast import router as broadcast_router
from handlers.broadcast.buttons import BROADCAST, STOP
from handlers.broadcast.message import stop_keyboard
from handlers.content import router as content_router
from handlers.content.buttons import CONTENT, RSVP
from handlers.content.cards import item_keyboard
from storage.models import Broadcast, ContentItem

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def test_every_content_and_broadcast_action_is_handled_and_routed() -> None:
    assert CONTENT.unhandled() == [] and BROADCAST.unhandled() == []
    assert content_router.callbacks["ct"] == CONTENT.route
    assert broadcast_router.callbacks["bc"] == BROADCAST.route
    assert [str(p) for p in (*CONTENT.presses(), *BROADCAST.presses())] == [
        "ct:rsvp:<row id>",
        "bc:stop:<row id>",
    ]


def test_the_buttons_carry_the_data_they_always_did(translations: Translations) -> None:
    t = translations.for_language("km")
    event = ContentItem(id=42, kind="event", link="https://dcc.gov.kh", published_at=NOW)
    keyboard = item_keyboard(t, event, going=False)
    assert keyboard is not None
    assert [b.data for b in keyboard.rows[0]] == [None, "ct:rsvp:42"]  # the link, then RSVP
    [[stop]] = stop_keyboard(t, Broadcast(id=7)).rows
    assert stop.data == "bc:stop:7"
    assert (RSVP.read(["42"]), STOP.read(["7"]), STOP.read(["0"])) == ((42,), (7,), None)
