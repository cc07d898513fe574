"""Text rules that must hold for Khmer as well as English."""

from __future__ import annotations

import pytest

from bot.core.text import clean_line, clip, escape, grapheme_length, has_letters, western_digits

COENG = "\u17d2"  # Khmer sign coeng: the next consonant is written below the previous one


def test_clipping_a_khmer_word_never_leaves_a_dangling_subscript() -> None:
    clipped = clip("ក្រសួង", 2)
    assert clipped == "ក្រ…"
    assert not clipped.removesuffix("…").endswith(COENG)


def test_a_clipped_text_is_exactly_limit_clusters_with_the_ellipsis() -> None:
    assert clip("Digital Community", 8) == "Digital…"
    assert grapheme_length(clip("ស្ត្រី" * 10, 4)) == 4
    assert clip("ស្ត្រី" * 10, 4) == "ស្ត្រី" * 3 + "…"


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
