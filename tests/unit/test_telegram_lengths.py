"""Telegram's limits, counted as Telegram counts them: UTF-16 code units of the text once its
HTML is parsed. Measuring, clipping and splitting for Khmer, emoji, combining marks, tags
and entities, exactly at the limits; properties checked on generated texts (Hypothesis)."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.core.html import (
    MESSAGE_MAX,
    fits,
    shown_length,
    split_caption,
    split_html,
    split_message,
)
from bot.core.i18n import Translations
from bot.core.keyboards import Button, InlineKeyboard, keyboard_to_json
from bot.core.text import (
    clean_text,
    clip,
    clip_units,
    escape,
    telegram_length,
    too_long,
)
from bot.sandbox.emulator import BotApiEmulator, EmuUser, _plain_text
from storage.models import OutboxMessage
from storage.outbox import fitting
from tests.conftest import FakeClock
from tests.fakes import RecordingMessenger, Sent
from tests.unit.test_outbox_sender import FakeTime, sender, uow_factory

__all__ = ["uow_factory"]  # the fixture, shared with the sender's tests

COENG = "\u17d2"
RLO = "\u202e"
FAMILY = "👨\u200d👩\u200d👧"  # one cluster of 8 units
LOCALES = Path(__file__).resolve().parents[2] / "locales"


# -- measuring -----------------------------------------------------------------------------
def test_telegram_counts_the_text_it_shows_tags_nothing_and_an_entity_one() -> None:
    assert shown_length("<b>Tom &amp; Jerry</b>") == len("Tom & Jerry") == 11
    assert shown_length("&lt;b&gt;") == 3
    assert shown_length('<a href="https://example.com/a-long-address">go</a>') == 2
    assert shown_length("💬 <i>ស្ត្រី</i>") == 2 + 1 + 6
    assert shown_length("&#128172;") == 2  # an emoji written as a character reference
    assert shown_length(FAMILY) == telegram_length(FAMILY) == 8


def test_shown_length_is_what_the_emulator_and_telegram_count() -> None:
    text = "<b>" + escape("a < b & c > d 💬 ស្ត្រី") + '</b>\n<a href="x">link</a>'
    assert shown_length(text) == telegram_length(_plain_text(text, "HTML"))


# -- clipping ------------------------------------------------------------------------------
def test_clipping_by_units_exactly_at_the_limit() -> None:
    assert clip_units("abcd", 4) == "abcd"
    assert clip_units("abcde", 4) == "abc…"
    assert clip_units("💬💬", 4) == "💬💬"  # exactly four units: left alone
    assert clip_units("💬💬a", 4) == "💬…"  # never half a surrogate pair
    assert clip_units("a" + FAMILY, 8) == "a…"  # never half an emoji ZWJ sequence
    assert clip_units("ក្រសួង", 4) == "ក្រ…"  # never a dangling subscript
    assert not clip_units("ក្រសួង", 3).removesuffix("…").endswith(COENG)


def test_a_field_limited_in_characters_is_also_capped_in_code_points() -> None:
    mark_bomb = ("a" + "\u0301" * 1000) * 5  # five "characters" of a thousand marks each
    assert too_long(mark_bomb, 80)
    assert too_long("a" * 81, 80) and not too_long("a" * 80, 80)
    assert not too_long("ស្ត្រី" * 20, 60)  # real Khmer: 120 code points for 20 characters
    assert too_long("ស្ត្រី" * 21, 60)  # 126 code points: over twice 60


# -- cleaning ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (f"How do I {RLO}secure my server?", "How do I secure my server?"),
        ("\u2066isolated\u2069 \u200eLRM \u200fRLM", "isolated LRM RLM"),
        ("no\x00 NUL\ufeff BOM \u2060joiner", "no NUL BOM joiner"),
        ("runs\u200b\u200b\u200bof zero width", "runsof zero width"),
        ("\u200bat the edges\u200d", "at the edges"),
        ("beside \u200c a space", "beside  a space"),
        ("soft\u00adhyphen", "softhyphen"),
    ],
)
def test_long_texts_lose_bidi_controls_and_stray_zero_width_characters(
    typed: str, kept: str
) -> None:
    assert clean_text(typed) == kept


def test_long_texts_keep_what_khmer_and_emoji_need() -> None:
    scotland = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    text = f"ភ្នំ\u200bពេញ {FAMILY} ក\u200cខ ក\u200dខ {scotland}\nline two"
    assert clean_text(text) == text


# -- splitting -----------------------------------------------------------------------------
def test_a_text_that_fits_is_one_message_exactly_at_the_limit() -> None:
    text = "<b>" + "💬" * 2048 + "</b>"  # 4,096 units
    assert split_html(text) == [text]
    assert len(split_html(text + "a")) == 2


def test_splitting_prefers_paragraphs_then_lines_then_words() -> None:
    text = "first paragraph here\n\nsecond one is a bit longer\nwith a line"
    assert split_html(text, 30) == [
        "first paragraph here",
        "second one is a bit longer",
        "with a line",
    ]
    assert split_html("aaaa bbbb cccc dddd", 10) == ["aaaa bbbb", "cccc dddd"]


def test_splitting_keeps_tags_balanced_and_opens_them_again_with_their_attributes() -> None:
    text = '<b>heading</b>\n\n<a href="https://x.org/?a=1&amp;b=2">one two three four</a>'
    parts = split_html(text, 16)
    assert parts == [
        "<b>heading</b>",
        '<a href="https://x.org/?a=1&amp;b=2">one two three</a>',
        '<a href="https://x.org/?a=1&amp;b=2">four</a>',
    ]
    for part in parts:
        _plain_text(part, "HTML")  # parses: no tag left open or closed twice


def test_splitting_never_cuts_an_entity_an_emoji_or_a_khmer_cluster() -> None:
    assert split_html("&lt;" * 5, 2) == ["&lt;&lt;", "&lt;&lt;", "&lt;"]
    assert split_html(FAMILY * 3, 10) == [FAMILY, FAMILY, FAMILY]
    assert split_html("ស្ត្រី" * 3, 7) == ["ស្ត្រី", "ស្ត្រី", "ស្ត្រី"]


def test_a_cluster_longer_than_a_message_is_cut_between_code_points() -> None:
    bomb = "a" + "\u0301" * 5000
    parts = split_html(bomb)
    assert "".join(parts) == bomb and all(shown_length(p) <= MESSAGE_MAX for p in parts)


def test_a_split_message_marks_its_parts_in_the_readers_language() -> None:
    translations = Translations(LOCALES, strict=True)
    heading = "💬 <b>Dara answered your question #7:</b>\n\n"
    answer = escape("Install the update first 👍 and then restart. " * 89)  # 4,094 units
    for language in ("en", "km"):
        t = translations.for_language(language)
        parts = split_message(heading + answer, t)
        assert len(parts) == 2 and parts[0].startswith(heading)
        assert all(shown_length(p) <= MESSAGE_MAX for p in parts)
        assert parts[-1].endswith("</i>") and t.digits("2") in parts[-1][-20:]
    assert split_message("short", translations.for_language("en")) == ["short"]


_ATOMS = ["ស្ត្រី", "ក្រសួង", "ខ្ញុំ", FAMILY, "🇰🇭", "a\u0301", "word", "<", "&", " ", "\n", "\n\n"]
_PIECES = st.lists(st.sampled_from(_ATOMS), max_size=40).map(lambda atoms: escape("".join(atoms)))
_SEGMENTS = st.one_of(
    _PIECES,
    _PIECES.map(lambda s: f"<b>{s}</b>"),
    _PIECES.map(lambda s: f'<a href="https://x.org/?q=1&amp;r=2"><i>{s}</i></a>'),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SEGMENTS, max_size=12).map("".join), st.integers(min_value=8, max_value=120))
def test_split_parts_fit_parse_and_keep_the_whole_text(text: str, limit: int) -> None:
    parts = split_html(text, limit)
    plain = _plain_text(text, "HTML")
    shown = [_plain_text(part, "HTML") for part in parts]  # each part parses
    assert all(telegram_length(p) <= limit for p in shown)
    assert regex.sub(r"\s", "", "".join(shown)) == regex.sub(r"\s", "", plain)
    clusters = set(regex.findall(r"\X", plain))
    for part in shown:
        assert set(regex.findall(r"\X", part)) <= clusters  # no cluster cut in two
        assert not part.rstrip().endswith(COENG)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SEGMENTS, max_size=12).map("".join), st.integers(min_value=0, max_value=200))
def test_the_quick_measure_agrees_with_telegrams_count(text: str, limit: int) -> None:
    """``fits`` skips parsing when the markup itself fits: it must answer as the count does,
    for texts whose tags and entities make the markup longer than what shows."""
    assert fits(text, limit) == (shown_length(text) <= limit)
    assert fits("&lt;b&gt;" * 3, 9) and not fits("&lt;b&gt;" * 3, 8)  # 27 written, 9 shown


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=1, max_value=80))
def test_clipped_text_fits_and_is_a_prefix_of_whole_clusters(text: str, limit: int) -> None:
    clipped = clip_units(text, limit)
    assert telegram_length(clipped) <= limit
    kept = clipped.removesuffix("…") if clipped != text else text
    assert text.startswith(kept)
    assert (
        regex.findall(r"\X", kept) == regex.findall(r"\X", text)[: len(regex.findall(r"\X", kept))]
    )
    assert telegram_length(clip(text, limit)) <= 3 * limit


# -- the outbox's last line of defence -----------------------------------------------------
def test_the_outbox_splits_a_row_telegram_would_refuse_and_logs_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    text = "<b>Header</b>\n" + escape("<💬>") * 1500  # 6,000 units shown
    with caplog.at_level(logging.ERROR):
        parts = fitting(text)
    assert len(parts) == 2 and "sent in pieces" in caplog.text
    assert all(telegram_length(_plain_text(p, "HTML")) <= MESSAGE_MAX for p in parts)
    assert "".join(_plain_text(p, "HTML") for p in parts) == _plain_text(text, "HTML")
    assert fitting("<b>fine</b>") == ["<b>fine</b>"]


# -- the emulator refuses what Telegram refuses --------------------------------------------
async def test_the_emulator_refuses_over_long_texts_counted_after_entity_parsing() -> None:
    user = EmuUser(id=77, first_name="Dara")
    async with BotApiEmulator() as emu, aiohttp.ClientSession() as http:
        emu.register(user)
        base = f"{emu.url}/bot{emu.token}"

        async def call(method: str, **params: object) -> dict[str, object]:
            async with http.post(f"{base}/{method}", json=params) as resp:
                return dict(await resp.json())

        fits = "<b>" + "&lt;" * 4096 + "</b>"  # 16,000 characters of HTML, 4,096 shown
        sent = await call("sendMessage", chat_id=user.id, text=fits, parse_mode="HTML")
        assert sent["ok"]
        over = await call("sendMessage", chat_id=user.id, text="💬" * 2049)
        assert over["description"] == "Bad Request: message is too long"
        message_id = sent["result"]["message_id"]  # type: ignore[index]
        edit = await call(
            "editMessageText", chat_id=user.id, message_id=message_id, text="a" * 4097
        )
        assert edit["description"] == "Bad Request: MESSAGE_TOO_LONG"


# -- a reply too long for one message --------------------------------------------------------
async def test_a_reply_too_long_for_one_message_goes_in_parts_with_the_keyboard_under_the_last() -> (
    None
):
    from bot.core.context import Context
    from bot.core.events import Event, EventKind, User
    from bot.core.ports import Conversation, SystemClock

    translations = Translations(LOCALES, strict=True)
    user = User(7, "Dara", language_code="km")
    messenger = RecordingMessenger()
    ctx: Context[None, None] = Context(
        event=Event(1, EventKind.TEXT, user, chat_id=7),
        t=translations.for_language("km"),
        messenger=messenger,
        session=None,
        conversation=Conversation(7),
        clock=SystemClock(),
        flows={},
        translators=translations,
    )
    keyboard = InlineKeyboard.of([[Button("OK", "ok")]])
    await ctx.reply("<b>" + escape("ស្ត្រី < 💬 ") * 500 + "</b>", keyboard)  # 5,500 units
    assert [sent.keyboard is None for sent in messenger.sent] == [True, False]
    assert all(
        telegram_length(_plain_text(text, "HTML")) <= MESSAGE_MAX for text in messenger.texts
    )
    await ctx.reply("short", keyboard)
    assert messenger.sent[-1] == Sent(7, "short", keyboard)


async def test_a_notice_in_parts_is_queued_once_sent_in_order_and_cancelled_whole(
    uow_factory, clock: FakeClock
) -> None:
    keyboard = keyboard_to_json(InlineKeyboard.of([[Button("Answer", "qa:a:9")]]))
    for _ in range(2):  # the second time: queued before, nothing added
        async with uow_factory() as uow:
            await uow.outbox.enqueue(5, ["one", "two", "three"], keyboard, clock.now(), "offer:9")
            await uow.commit()
    async with uow_factory() as uow:
        rows = list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        assert [(r.text, r.dedupe_key, r.keyboard) for r in rows] == [
            ("one", "offer:9", None), ("two", "offer:9#2", None), ("three", "offer:9#3", keyboard),
        ]  # fmt: skip
        assert await uow.outbox.cancel(["offer:9", "offer:10"]) == {"offer:9"}
        assert list(await uow.session.scalars(select(OutboxMessage))) == []  # every part
        await uow.rollback()
    time = FakeTime()
    messenger = RecordingMessenger(now=time.monotonic)
    outbox = sender(uow_factory, clock, time, messenger)
    for _ in range(3):  # one message a second to a chat
        await outbox.drain()
        time.now += 1
        clock.advance(seconds=1)
    assert messenger.texts == ["one", "two", "three"]


def test_the_longest_notices_dropped_have_fewer_parts_than_are_looked_for(
    translations: Translations,
) -> None:
    """A withdrawn offer, or an erased expert's answer not sent yet, is dropped by its parts'
    keys (``storage.outbox.with_parts``), not by a pattern: the longest question under every
    tag's name, and the longest answer under the longest name, each with a screenshot's
    caption, must stay within the parts looked for."""
    from handlers.questions.answers import answer_message
    from handlers.questions.offers import offer_text
    from handlers.questions.settings import ANSWER_MAX, QUESTION_MAX
    from storage.models import Answer, Question
    from storage.outbox import PARTS_MAX
    from storage.seed.tags import TAGS

    def longest(units: int) -> str:
        text = ("ស្ត្រី < 💬 " * units)[: units // 2]
        while telegram_length(text + "ក") <= units:
            text += "ក"
        return text

    question = Question(id=999_999, text=longest(QUESTION_MAX))
    answer = Answer(id=999_999, text=longest(ANSWER_MAX), reply_to_id=None)
    for language in ("km", "en"):
        t = translations.for_language(language)
        names = ", ".join(tag.name_km if language == "km" else tag.name_en for tag in TAGS)
        notices = [
            offer_text(t, question, names, to_moderator=True),
            answer_message(t, question, answer, "ស" * 200, anonymous=False)[0],
        ]
        for notice in notices:
            for parts in (split_message(notice, t), split_caption(notice, t)):
                # and one more when a caption is too long anyway (storage.outbox.enqueue)
                assert len(parts) + 1 <= 4 < PARTS_MAX


async def test_a_button_answer_is_clipped_to_the_200_units_telegram_takes() -> None:
    from bot.core.context import Context
    from bot.core.events import Event, EventKind, User
    from bot.core.ports import Conversation, SystemClock

    translations = Translations(LOCALES, strict=True)
    messenger = RecordingMessenger()
    ctx: Context[None, None] = Context(
        event=Event(1, EventKind.CALLBACK, User(7, "Dara"), chat_id=7, callback_id="q1"),
        t=translations.for_language("en"),
        messenger=messenger,
        session=None,
        conversation=Conversation(7),
        clock=SystemClock(),
        flows={},
        translators=translations,
    )
    await ctx.answer("Shared with " + "💬" * 150, alert=True)
    [(_, text, alert)] = messenger.answers
    assert text is not None and telegram_length(text) <= 200 and alert
