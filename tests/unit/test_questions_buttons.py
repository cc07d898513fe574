"""The ``qa:`` buttons: every declared action has a handler, and the data the buttons carry
is byte for byte what members already have on their messages."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import handlers.questions  # noqa: F401  (gives each action its handler)
from bot.core.i18n import Translations
from bot.core.keyboards import InlineKeyboard
from handlers.questions.answers import answer_message
from handlers.questions.buttons import PAGE, QA
from handlers.questions.experts import application_message
from handlers.questions.moderation import report_message
from handlers.questions.offers import offer_message

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
OLD_CODES = {"a", "p", "h", "c", "f", "y", "x", "v", "m", "ok", "no", "rq", "ra", "hide", "keep"}


def data(keyboard: InlineKeyboard | None) -> list[list[str | None]]:
    assert keyboard is not None
    return [[button.data for button in row] for row in keyboard.rows]


def test_every_qa_action_is_handled_and_none_was_added_or_dropped() -> None:
    assert QA.unhandled() == []
    assert {press.code for press in QA.presses()} == OLD_CODES


def test_the_buttons_carry_the_data_they_always_did(translations: Translations) -> None:
    t = translations.for_language("km")
    question: Any = SimpleNamespace(id=3, text="How?")
    _, offer = offer_message(t, question, "Web", 7)
    assert data(offer) == [["qa:a:7", "qa:p:7"], ["qa:rq:3"]]

    answer: Any = SimpleNamespace(id=12, text="Patch it.", reply_to_id=None, question_id=3)
    _, rating = answer_message(t, question, answer, "Dara", anonymous=False)
    assert data(rating) == [["qa:h:12", "qa:c:12"], ["qa:f:12", "qa:ra:12"]]

    report: Any = SimpleNamespace(id=5, target="answer")
    assert data(report_message(t, report, "spam")[1]) == [["qa:hide:5", "qa:keep:5"]]

    application: Any = SimpleNamespace(id=9, note="I teach.")
    member: Any = SimpleNamespace(full_name="Dara", username=None, telegram_id=7, deleted_at=None)
    _, decide = application_message(t, application, member, [], ["ai"])
    assert data(decide) == [["qa:ok:9", "qa:no:9"]]
    assert PAGE.data(0) == "qa:m:0" and PAGE.data(10) == "qa:m:10"
