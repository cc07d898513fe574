"""Numbers, dates and plurals as each language writes them: Khmer digits and Khmer dates on a
Khmer screen, English dates day first, a count's noun in its form; and what the bot writes,
a member can type back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.i18n import Translations
from handlers.dates import normalised, parse_moment, read_date
from handlers.profile.rules import parse_quiet_hours, parse_years

LOCALES = Path(__file__).resolve().parents[2] / "locales"
TRANSLATIONS = Translations(LOCALES, strict=True)
KM = TRANSLATIONS.for_language("km")
EN = TRANSLATIONS.for_language("en")
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
MOMENT = datetime(2026, 12, 12, 9, 0, tzinfo=PHNOM_PENH)


def test_khmer_screens_write_khmer_digits_and_khmer_dates() -> None:
    assert KM.moment(MOMENT) == "ថ្ងៃទី១២ ខែធ្នូ ឆ្នាំ២០២៦ ម៉ោង ០៩:០០"
    assert KM.date(date(2026, 11, 24)) == "ថ្ងៃទី២៤ ខែវិច្ឆិកា ឆ្នាំ២០២៦"
    assert KM.date(date(2026, 11, 24), "medium") == "ថ្ងៃទី២៤ ខែវិច្ឆិកា ឆ្នាំ២០២៦"
    assert KM.date(date(2026, 11, 1), "MMMM y") == "ខែវិច្ឆិកា ឆ្នាំ២០២៦"
    assert KM.date(date(2026, 12, 5), "d MMM") == "៥ ធ្នូ"
    assert KM.number(1234567) == "១,២៣៤,៥៦៧"
    assert KM.number(Decimal("2.5")) == "២.៥"
    assert KM.duration(7200).replace("\u200b", "") == "២ ម៉ោង"
    assert KM.digits("1/3") == "១/៣"


def test_english_dates_are_day_first() -> None:
    assert EN.date(date(2026, 12, 5)) == "5 December 2026"
    assert EN.date(date(2026, 12, 5), "medium") == "5 Dec 2026"
    assert EN.date(date(2026, 12, 5), "full") == "Saturday 5 December 2026"
    assert EN.date(date(2026, 11, 1), "MMMM y") == "November 2026"
    assert EN.moment(datetime(2026, 12, 5, 9, 0, tzinfo=PHNOM_PENH)) == "5 December 2026 09:00"
    assert EN.moment(datetime(2026, 12, 5, 2, 0, tzinfo=UTC).astimezone(PHNOM_PENH)).endswith(
        "09:00"
    )
    assert EN.number(1234567) == "1,234,567"
    assert EN.digits("1/3") == "1/3"


def test_numbers_formatted_into_a_khmer_message_are_in_khmer_digits() -> None:
    limit = KM.gettext("Please send 1 to {limit} characters.")
    assert limit.format(limit=100) == "សូមផ្ញើពី ១ ដល់ ១០០ តួអក្សរ។"
    assert limit.format(limit=2.5) == "សូមផ្ញើពី ១ ដល់ ២.៥ តួអក្សរ។"
    assert limit.format(limit=Decimal("40000")) == "សូមផ្ញើពី ១ ដល់ ៤០០០០ តួអក្សរ។"
    # a text, typed digits or an id to type back, is left as it is; so is a truth value
    assert limit.format(limit="100") == "សូមផ្ញើពី ១ ដល់ 100 តួអក្សរ។"
    assert limit.format(limit=True) == "សូមផ្ញើពី ១ ដល់ True តួអក្សរ។"
    assert limit.format_map({"limit": 7}) == "សូមផ្ញើពី ១ ដល់ ៧ តួអក្សរ។"
    assert type(limit.format(limit=1)) is str
    assert EN.gettext("Please send 1 to {limit} characters.").format(limit=100) == (
        "Please send 1 to 100 characters."
    )


@pytest.mark.parametrize(
    ("count", "english"),
    [(0, "0 members found"), (1, "1 member found"), (2, "2 members found")],
)
def test_plurals_take_the_form_of_the_count(count: int, english: str) -> None:
    singular, plural = "{count} member found", "{count} members found"
    assert EN.ngettext(singular, plural, count).format(count=count) == english
    khmer = KM.ngettext(singular, plural, count).format(count=count)
    assert khmer == f"រកឃើញសមាជិក {KM.digits(str(count))} នាក់"


def test_what_the_bot_writes_a_member_can_type_back() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=PHNOM_PENH)
    for t in (KM, EN):
        assert parse_moment(t.moment(MOMENT), now, PHNOM_PENH) == MOMENT
        assert read_date(normalised(t.date(MOMENT.date())), now.date(), "") == MOMENT.date()


def test_numbers_typed_in_khmer_digits_are_read() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=PHNOM_PENH)
    assert parse_moment("២៥/១២/២០២៦ ១៨:០០", now, PHNOM_PENH) == datetime(
        2026, 12, 25, 18, 0, tzinfo=PHNOM_PENH
    )
    assert read_date(normalised("៣១/១២/២០២៦"), now.date(), "") == date(2026, 12, 31)
    assert parse_years("៣") == 3
    assert parse_years("១២ ឆ្នាំ") == 12
    assert parse_quiet_hours("២១:០០-០៧:០០") == parse_quiet_hours("21:00-07:00")


@pytest.mark.parametrize(
    "msgid",
    [
        "Please send the date and the time, for example 31/12/2026 18:00.",
        "Please send the date and time, for example 25/12/2026 18:00.",
        "Please send the deadline as a date, for example 31/12/2026.",
        "Until when can people apply? Send the date, for example 31/12/2026.",
        "When should it go out? Send the date and time in Cambodia, for example 25/12/2026 18:00.",
    ],
)
def test_the_khmer_examples_of_a_date_to_type_are_read(msgid: str) -> None:
    """The examples a Khmer screen gives are in Khmer digits, and typed as shown they work."""
    example = KM.gettext(msgid).split("ឧទាហរណ៍ ")[1].rstrip("។").split(" ឬ")[0]
    assert not any(c.isascii() and c.isdigit() for c in example)
    now = datetime(2026, 12, 1, 12, 0, tzinfo=PHNOM_PENH)
    if ":" in example:
        assert parse_moment(example, now, PHNOM_PENH).year == 2026
    else:
        assert read_date(normalised(example), now.date(), "") == date(2026, 12, 31)
