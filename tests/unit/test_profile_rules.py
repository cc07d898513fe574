"""What a member may type for each profile field, and which question sign-up asks next."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.invalid import Invalid
from handlers.profile.rules import (
    next_field,
    parse_country,
    parse_name,
    parse_organisation,
    parse_years,
)

STREY = "ស្ត្រី"  # one grapheme cluster, six code points


# -- names ---------------------------------------------------------------------------------
def test_name_is_trimmed_and_inner_spaces_collapse() -> None:
    assert parse_name("  Sok    Dara \n") == "Sok Dara"


def test_zero_width_spaces_are_removed_from_a_khmer_name() -> None:
    assert parse_name("សុខ\u200bដារា") == "សុខដារា"


def test_a_right_to_left_override_is_removed_from_a_name() -> None:
    assert parse_name("\u202eSok Dara\u202c") == "Sok Dara"
    with pytest.raises(Invalid):
        parse_name("\u202e\u202e")


def test_a_khmer_name_is_counted_in_clusters_and_capped_at_what_the_database_holds() -> None:
    name = "ស" * 60 + STREY * 20  # 80 clusters, 180 code points
    assert len(name) == 180
    assert parse_name(name) == name
    with pytest.raises(Invalid) as refused:
        parse_name(STREY * 40)  # 40 clusters, but 240 code points: more than 200
    assert refused.value.params == {"limit": 100}


def test_a_cluster_loaded_with_combining_marks_is_refused() -> None:
    with pytest.raises(Invalid):
        parse_name("a" + "\u0301" * 4500)


def test_a_name_of_101_clusters_is_too_long() -> None:
    with pytest.raises(Invalid) as refused:
        parse_name(STREY * 101)
    assert refused.value.params == {"limit": 100}


def test_a_100_letter_latin_name_fits_and_101_does_not() -> None:
    assert parse_name("a" * 100) == "a" * 100
    with pytest.raises(Invalid):
        parse_name("a" * 101)


@pytest.mark.parametrize("text", ["", "   ", " \u200b\u200b ", "\t\n"])
def test_an_empty_name_asks_for_the_full_name(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_name(text)
    assert refused.value.message == "Please type your full name."
    assert refused.value.params == {}


def test_a_name_of_digits_only_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        parse_name("12345")
    assert refused.value.message == "A name needs letters. Please type your full name."


def test_a_5000_character_paste_is_refused_with_the_limit() -> None:
    with pytest.raises(Invalid) as refused:
        parse_name("x" * 5000)
    assert refused.value.message == "That is too long: please send at most {limit} characters."
    assert refused.value.params == {"limit": 100}


# -- years ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "years"),
    [("3", 3), ("៣", 3), ("១២", 12), ("3 years", 3), ("0", 0), ("60", 60), ("  7  ", 7)],
)
def test_years_accept_western_and_khmer_digits(text: str, years: int) -> None:
    assert parse_years(text) == years


@pytest.mark.parametrize("text", ["61", "-1", "abc", "", "3.5", "៦១", "1000"])
def test_years_outside_0_to_60_or_not_whole_are_refused(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_years(text)
    assert refused.value.message == "Please send a number of years from 0 to {max}, for example 3."
    assert refused.value.params == {"max": 60}


@pytest.mark.parametrize("text", ["៣ ឆ្នាំ", "3 ឆ្នាំ"])
def test_khmer_unit_word_after_the_number_is_accepted_like_years(text: str) -> None:
    assert parse_years(text) == 3


# -- country and organisation ---------------------------------------------------------------
def test_country_in_either_language() -> None:
    assert parse_country("  Japan ") == "Japan"
    assert parse_country("ជប៉ុន") == "ជប៉ុន"


def test_country_needs_letters_and_is_at_most_50_characters() -> None:
    with pytest.raises(Invalid) as refused:
        parse_country("123")
    assert refused.value.message == "Please type the country's name in letters, for example Japan."
    with pytest.raises(Invalid) as refused:
        parse_country("")
    assert refused.value.message == "Please type the country you live in."
    with pytest.raises(Invalid) as refused:
        parse_country("a" * 51)
    assert refused.value.params == {"limit": 50}


def test_organisation_is_cleaned_and_may_be_a_number_like_school_42() -> None:
    assert parse_organisation(" Ministry   of\u200b Posts ") == "Ministry of Posts"
    assert parse_organisation("ក្រសួងប្រៃសណីយ៍") == "ក្រសួងប្រៃសណីយ៍"
    assert parse_organisation("42") == "42"


def test_organisation_empty_or_over_100_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        parse_organisation("  ")
    assert refused.value.message == "Please type the name of your organisation or school."
    assert parse_organisation("o" * 100) == "o" * 100
    with pytest.raises(Invalid) as refused:
        parse_organisation("o" * 101)
    assert refused.value.params == {"limit": 100}


# -- the order of questions ------------------------------------------------------------------
def walk(draft: dict[str, Any]) -> list[str]:
    steps, step = ["name"], "name"
    while (following := next_field(step, draft, editing=False)) is not None:
        steps.append(following)
        step = following
    return steps


def test_sign_up_asks_in_order_skipping_country_and_frequency() -> None:
    draft = {"province": "phnom-penh", "open": False}
    assert walk(draft) == [
        "name", "role", "org", "location", "skills", "years", "open", "visible", "phone",
    ]  # fmt: skip


def test_country_is_asked_only_after_abroad_and_frequency_only_when_open() -> None:
    draft = {"province": "abroad", "open": True}
    assert walk(draft) == [
        "name", "role", "org", "location", "country", "skills",
        "years", "open", "freq", "visible", "phone",
    ]  # fmt: skip


def test_editing_one_field_returns_to_the_summary() -> None:
    for step in ("name", "role", "org", "skills", "years", "visible", "phone", "country"):
        assert next_field(step, {"province": "kep", "open": False}, editing=True) is None
    assert next_field("location", {"province": "kep"}, editing=True) is None
    assert next_field("open", {"open": False}, editing=True) is None


def test_editing_still_asks_the_follow_up_questions() -> None:
    assert next_field("location", {"province": "abroad"}, editing=True) == "country"
    assert next_field("open", {"open": True}, editing=True) == "freq"


def test_the_job_alert_area_is_asked_in_the_profile_only_when_alerts_come() -> None:
    assert next_field("freq", {"open": True, "freq": "daily"}, editing=True) == "area"
    assert next_field("freq", {"open": True, "freq": "off"}, editing=True) is None
    assert next_field("area", {"open": True, "freq": "daily"}, editing=True) is None
    assert next_field("freq", {"open": True, "freq": "daily"}, editing=False) == "visible"


def test_after_the_last_field_or_an_unknown_step_comes_the_summary() -> None:
    assert next_field("phone", {}, editing=False) is None
    assert next_field("nonsense", {}, editing=False) is None
