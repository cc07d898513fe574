"""A question thread as /search shows it: every message fits Telegram's 4,096 units."""

from __future__ import annotations

from bot.core.i18n import Translations
from bot.core.text import telegram_length
from handlers.questions.thread import render_thread
from storage.models import Answer, Question


def shown(message: str) -> int:
    import html

    import regex

    return telegram_length(html.unescape(regex.sub(r"<[^>]+>", "", message)))


def test_every_message_of_a_thread_fits_whatever_its_text(translations: Translations) -> None:
    question = Question(id=7, text="ស្ត្រី" * 333 + "?")  # 1,999 code points
    answer = Answer(id=1, text="&" * 3500, follow_up="ស្ត្រី" * 583, accepted=True)
    reply = Answer(id=2, text="😀" * 3000, reply_to_id=1)  # 6,000 UTF-16 units
    author = "ស្ត្រី" * 30 + " &amp; Co"
    thread = render_thread(
        translations.for_language("km"), question, [(answer, author)], {1: reply}
    )
    messages = [text for text, _keyboard in thread]
    assert len(messages) == 3
    assert all(shown(m) <= 4096 for m in messages)
    assert messages[0].endswith("ស្ត្រី" * 333 + "?")  # short enough: whole
    assert messages[1].endswith("&amp;" * 3500)  # escapes count as one character each
    follow_up = messages[2].split("</i>")[0].removeprefix("❓ <i>")
    assert 90 < len(follow_up) <= 100 and follow_up.endswith("…")  # kept, even so
