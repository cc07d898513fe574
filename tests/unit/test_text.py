"""Text rules that must hold for Khmer as well as English."""

from __future__ import annotations

import pytest

from bot.core.text import (
    clean_line,
    clean_text,
    clip,
    escape,
    grapheme_length,
    has_letters,
    telegram_length,
    western_digits,
)

COENG = "\u17d2"  # Khmer sign coeng: the next consonant is written below the previous one


def test_clipping_a_khmer_word_never_leaves_a_dangling_subscript() -> None:
    clipped = clip("ក្រសួង", 2)
    assert clipped == "ក្រ…"
    assert not clipped.removesuffix("…").endswith(COENG)


def test_a_clipped_text_is_exactly_limit_clusters_with_the_ellipsis() -> None:
    assert clip("Digital Community", 8) == "Digital…"
    assert grapheme_length(clip("ក្រសួង" * 10, 4)) == 4
    assert clip("ក្រសួង" * 10, 4) == "ក្រសួង…"


def test_a_clipped_line_takes_at_most_three_units_a_character_whatever_its_clusters_carry() -> None:
    bomb = "a" + "\u0301" * 1000  # one cluster of a thousand combining marks
    clipped = clip(bomb * 5, 80)
    assert telegram_length(clipped) <= 240
    assert clipped.endswith("…") and clipped.removesuffix("…") == ""  # no half cluster
    assert clip("ស្ត្រី" * 10, 4) == "ស្ត្រី" + "…"  # 6 units a cluster: 12 units at most
    assert clip("💬" * 10, 5) == "💬" * 4 + "…"  # emoji stay within the clusters' limit


def test_text_within_the_limit_is_left_alone() -> None:
    assert clip("ក្រសួង", 3) == "ក្រសួង"
    assert clip("abc", 3, ellipsis="...") == "abc"


def test_escape_makes_member_text_safe_for_html_messages() -> None:
    assert escape("<b>Tom & Jerry</b>") == "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"
    assert escape('say "hi"') == 'say "hi"'
    assert escape("សួស្ដី") == "សួស្ដី"


def test_khmer_digits_become_western_digits() -> None:
    assert western_digits("០១២៣៤៥៦៧៨៩") == "0123456789"
    assert western_digits("៣ years") == "3 years"


@pytest.mark.parametrize("text", ["សុខ", "Dara", "៣ ឆ្នាំ", "R2-D2"])
def test_khmer_and_latin_letters_count_as_letters(text: str) -> None:
    assert has_letters(text)


@pytest.mark.parametrize("text", ["", "123", "១២៣", "!? -", COENG, "\u200b"])
def test_digits_punctuation_and_lone_marks_are_not_letters(text: str) -> None:
    assert not has_letters(text)


def test_clean_line_removes_invisible_characters_and_runs_of_spaces() -> None:
    assert clean_line("  Sok \u200b  Dara\u200d\ufeff \n\t") == "Sok Dara"
    assert clean_line("ក\u200bខ") == "កខ"
    assert clean_line("\u200b \u200c") == ""


def test_clean_line_composes_accents_to_nfc() -> None:
    assert clean_line("Cafe\u0301") == "Caf\u00e9"


@pytest.mark.parametrize(
    "text",
    [
        "Sok\x00 Dara",  # NUL: PostgreSQL refuses it in text
        "\u202eSok Dara",  # right-to-left override: the name would show reversed
        "Sok\u2066 Dara\u2069",  # a bidi isolate
        "Sok\x1b Dara\x7f",  # escape and delete
        "So\u00adk Dara",  # a soft hyphen (Cf)
        "Sok\ud800 Dara",  # a lone surrogate: cannot be encoded to UTF-8
    ],
)
def test_clean_line_removes_control_and_format_characters(text: str) -> None:
    assert clean_line(text) == "Sok Dara"


def test_clean_line_turns_line_breaks_and_tabs_into_one_space() -> None:
    assert clean_line("Sok\r\nDara\tChan\x0bKim") == "Sok Dara Chan Kim"


def test_clean_line_keeps_khmer_and_removes_a_line_of_controls_entirely() -> None:
    assert clean_line("ស្រីនាង\u202e ចាន់") == "ស្រីនាង ចាន់"
    assert clean_line("\u202e\x00 \u2066") == ""


def test_clean_text_keeps_lines_and_tabs_but_drops_nul_and_bidi_controls() -> None:
    text = " Line one\x00\r\n\tLine \u202etwo\u202c\rLine\u2067 three\u2069 \n"
    assert clean_text(text) == "Line one\n\tLine two\nLine three"


def test_clean_text_keeps_emoji_joiners_and_khmer_zero_width_spaces() -> None:
    text = "I am a 👩\u200d💻 in ភ្នំ\u200bពេញ\fnext page"
    assert clean_text(text) == "I am a 👩\u200d💻 in ភ្នំ\u200bពេញ\nnext page"


def test_clean_text_composes_to_nfc() -> None:
    assert clean_text("Cafe\u0301\n") == "Caf\u00e9"


def test_telegram_counts_utf16_units_so_khmer_is_len_and_an_emoji_two() -> None:
    from bot.core.text import telegram_length

    assert telegram_length("ស្ត្រី") == len("ស្ត្រី") == 6
    assert telegram_length("💬 ok") == 5


def test_clipping_by_units_keeps_khmer_clusters_whole_and_fits_the_limit() -> None:
    from bot.core.text import clip_units

    text = "ស្ត្រី" * 100  # 6 code points a cluster
    clipped = clip_units(text, 20)
    assert clipped == "ស្ត្រី" * 3 + "…"  # 19 units: a fourth cluster would pass 20
    assert len(clipped) <= 20 and not clipped.removesuffix("…").endswith(COENG)
    assert clip_units(text, len(text)) == text
    assert clip_units("💬💬💬", 4) == "💬…"
    assert clip_units("abc", 0) == ""
