"""The jobs feature's pure rules: deadlines, digest times, digest splitting, who is alerted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.html import DigestEntry, clip_html, split_digest
from handlers.invalid import Invalid
from handlers.jobs.rules import (
    ABROAD,
    JOB_TYPES,
    REMOTE,
    is_job_location,
    is_job_type,
    job_matches,
    next_digest_time,
    parse_deadline,
)

TODAY = date(2026, 6, 15)  # a Monday
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")  # UTC+7 all year
STREY = "ស្ត្រី"  # one grapheme cluster, six code points

FORMAT = "Please send the deadline as a date, for example 31/12/2026."
NO_SUCH_DATE = (
    "There is no such date. Please send the day first, then the month, for example 31/12/2026."
)
NOT_FUTURE = "The deadline must be after today."
TOO_FAR = "The deadline must be within {years} years from today."


# -- deadlines -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/12/2026", date(2026, 12, 31)),
        ("31-12-2026", date(2026, 12, 31)),
        ("31.12.2026", date(2026, 12, 31)),
        ("2026-12-31", date(2026, 12, 31)),
        ("2026/7/1", date(2026, 7, 1)),
        ("31/12/26", date(2026, 12, 31)),
        ("01/02/2027", date(2027, 2, 1)),  # day first: 1 February, not 2 January
        ("5/7", date(2026, 7, 5)),  # no year, still ahead this year
        ("31/12", date(2026, 12, 31)),
        ("01/03", date(2027, 3, 1)),  # no year, already past: next year
        ("16/06", date(2026, 6, 16)),  # tomorrow
        ("៣១/១២/២០២៦", date(2026, 12, 31)),
        ("៣១-១២", date(2026, 12, 31)),
        ("31 December 2026", date(2026, 12, 31)),
        ("Dec 31 2026", date(2026, 12, 31)),
        ("December 31st, 2026", date(2026, 12, 31)),
        ("31 Dec", date(2026, 12, 31)),
        ("1st of March", date(2027, 3, 1)),
        ("Sept 3", date(2026, 9, 3)),
        ("May 5", date(2027, 5, 5)),
        ("31-DEC-2026", date(2026, 12, 31)),
        ("៣១ ធ្នូ ២០២៦", date(2026, 12, 31)),
        ("១ មករា ២០២៧", date(2027, 1, 1)),
        ("១៤ កុម្ភៈ", date(2027, 2, 14)),
        ("១៤ កុម្ភ ២០២៧", date(2027, 2, 14)),  # visarga left off
        ("ថ្ងៃទី២០ ខែកក្កដា ឆ្នាំ២០២៦", date(2026, 7, 20)),
        ("ថ្ងៃទី ៣០ ខែ វិច្ឆិកា ឆ្នាំ ២០២៦", date(2026, 11, 30)),
        ("២៥ មិថុនា", date(2026, 6, 25)),
        ("Deadline: 31/12/2026.", date(2026, 12, 31)),
        ("  by 31 Dec 2026 please ", date(2026, 12, 31)),
        ("ផុតកំណត់ ៣១/១២/២០២៦", date(2026, 12, 31)),
        ("៣១\u200b/១២/២០២៦", date(2026, 12, 31)),  # zero-width space typed inside
        ("15/06/2028", date(2028, 6, 15)),  # exactly two years ahead
        ("ថ្ងៃទី៣១ ខែ១២ ឆ្នាំ២០២៦", date(2026, 12, 31)),  # a numeric month after ខែ
        ("31 12 2026", date(2026, 12, 31)),
        ("29/2", date(2028, 2, 29)),  # the next 29 February
    ],
)
def test_a_deadline_is_read_in_english_and_khmer(text: str, expected: date) -> None:
    assert parse_deadline(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "msgid"),
    [
        ("", FORMAT),
        ("next Friday", FORMAT),
        ("ឆាប់ៗ", FORMAT),
        ("31/12 17:00", FORMAT),  # a time too: refused rather than half read
        ("31/12/2026 or 01/01/2027", FORMAT),
        ("December 2026", FORMAT),
        ("31/02/2027", NO_SUCH_DATE),
        ("៣១/០២", NO_SUCH_DATE),  # no year: neither this year nor next has one
        ("12/31/2026", NO_SUCH_DATE),  # month first: there is no 12th day of the 31st month
        ("32 Dec 2026", NO_SUCH_DATE),
        ("0/12/2026", NO_SUCH_DATE),
        ("29/02/2027", NO_SUCH_DATE),  # not a leap year
        ("15/06/2026", NOT_FUTURE),  # today
        ("15/06", NOT_FUTURE),  # today, without a year: not rolled a year ahead
        ("14/06/2026", NOT_FUTURE),
        ("1 មករា 2026", NOT_FUTURE),
        ("16/06/2028", TOO_FAR),
        ("31/12/2099", TOO_FAR),
        ("៣១ ធ្នូ ២៥៧០", TOO_FAR),  # a Buddhist-era year
    ],
)
def test_a_deadline_is_refused_with_the_reason(text: str, msgid: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_deadline(text, TODAY)
    assert refused.value.message == msgid
    assert refused.value.params == ({"years": 2} if msgid == TOO_FAR else {})


def test_the_two_year_limit_from_a_leap_day_ends_on_the_28th() -> None:
    leap_day = date(2028, 2, 29)
    assert parse_deadline("28/02/2030", leap_day) == date(2030, 2, 28)
    with pytest.raises(Invalid):
        parse_deadline("01/03/2030", leap_day)


def test_a_leap_day_without_a_year_is_the_next_one_that_exists() -> None:
    assert parse_deadline("29/02", date(2027, 3, 1)) == date(2028, 2, 29)


def test_a_date_at_the_end_of_the_year_rolls_into_the_next() -> None:
    assert parse_deadline("05/01", date(2026, 12, 31)) == date(2027, 1, 5)
    assert parse_deadline("ថ្ងៃទី១ មករា", date(2026, 12, 31)) == date(2027, 1, 1)


# -- digest times --------------------------------------------------------------------------
def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (utc(2026, 6, 15, 0, 30), utc(2026, 6, 15, 1, 0)),  # 07:30 local: today at 08:00
        (utc(2026, 6, 15, 1, 0), utc(2026, 6, 16, 1, 0)),  # 08:00 local exactly: tomorrow
        (utc(2026, 6, 15, 0, 59, 59), utc(2026, 6, 15, 1, 0)),
        (utc(2026, 6, 15, 16, 59), utc(2026, 6, 16, 1, 0)),  # 23:59 local
        (utc(2026, 6, 15, 17, 0), utc(2026, 6, 16, 1, 0)),  # midnight local, still the 15th UTC
        (utc(2026, 6, 14, 18, 0), utc(2026, 6, 15, 1, 0)),  # 01:00 local on the 15th
        (utc(2026, 12, 31, 2, 0), utc(2027, 1, 1, 1, 0)),  # across the year
    ],
)
def test_the_daily_digest_is_the_next_eight_o_clock_in_phnom_penh(
    after: datetime, expected: datetime
) -> None:
    result = next_digest_time("daily", after, PHNOM_PENH)
    assert result == expected
    assert result is not None and result.tzinfo == UTC


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (utc(2026, 6, 15, 0, 30), utc(2026, 6, 15, 1, 0)),  # Monday 07:30 local
        (utc(2026, 6, 15, 1, 0), utc(2026, 6, 22, 1, 0)),  # Monday 08:00 local exactly
        (utc(2026, 6, 16, 3, 0), utc(2026, 6, 22, 1, 0)),  # Tuesday
        (utc(2026, 6, 21, 16, 59), utc(2026, 6, 22, 1, 0)),  # Sunday 23:59 local
        (utc(2026, 6, 21, 17, 0), utc(2026, 6, 22, 1, 0)),  # Monday 00:00 local, Sunday UTC
        (utc(2026, 6, 14, 20, 0), utc(2026, 6, 15, 1, 0)),  # Sunday UTC, Monday 03:00 local
        (utc(2026, 12, 29, 0, 0), utc(2027, 1, 4, 1, 0)),  # across the year
    ],
)
def test_the_weekly_digest_is_the_next_monday_eight_o_clock_in_phnom_penh(
    after: datetime, expected: datetime
) -> None:
    assert next_digest_time("weekly", after, PHNOM_PENH) == expected


def test_an_aware_time_in_another_zone_gives_the_same_instant() -> None:
    local = datetime(2026, 6, 15, 7, 30, tzinfo=PHNOM_PENH)
    assert next_digest_time("daily", local, PHNOM_PENH) == utc(2026, 6, 15, 1, 0)


def test_the_hour_follows_the_zone_across_a_daylight_saving_change() -> None:
    london = ZoneInfo("Europe/London")  # clocks go forward on 29 March 2026
    assert next_digest_time("daily", utc(2026, 3, 28, 12, 0), london) == utc(2026, 3, 29, 7, 0)
    assert next_digest_time("daily", utc(2026, 3, 29, 12, 0), london) == utc(2026, 3, 30, 7, 0)


@pytest.mark.parametrize("frequency", ["instant", "off"])
def test_instant_and_off_have_no_digest(frequency: str) -> None:
    assert next_digest_time(frequency, utc(2026, 6, 15, 0, 0), PHNOM_PENH) is None


def test_a_naive_time_or_an_unknown_frequency_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        next_digest_time("daily", datetime(2026, 6, 15, 0, 0), PHNOM_PENH)
    with pytest.raises(ValueError):
        next_digest_time("hourly", utc(2026, 6, 15, 0, 0), PHNOM_PENH)


# -- digest splitting ----------------------------------------------------------------------
def entries(*texts: str) -> list[DigestEntry]:
    return [DigestEntry(number, text) for number, text in enumerate(texts, 1)]


def test_an_empty_digest_is_not_sent() -> None:
    assert split_digest("Jobs for you", []) == []


def test_a_short_digest_is_one_message_with_blank_lines_between_entries() -> None:
    assert split_digest("<b>Jobs</b>", entries("<b>A</b>", "B")) == ["<b>Jobs</b>\n\n<b>A</b>\n\nB"]


def test_a_message_exactly_at_the_limit_is_not_split() -> None:
    header = "H" * 10
    texts = ("a" * 40, "b" * 44)  # 10 + 2 + 40 + 2 + 44 = 98
    assert split_digest(header, entries(*texts), limit=98) == [
        f"{header}\n\na{'a' * 39}\n\n{'b' * 44}"
    ]
    split = split_digest(header, entries(*texts), limit=97)
    assert split == [f"{header}\n\n{'a' * 40}", f"…\n\n{'b' * 44}"]


def test_entries_are_never_cut_and_every_message_fits() -> None:
    texts = [f"<b>Job {n}</b>\n" + "x" * (50 + n * 7) for n in range(40)]
    messages = split_digest("Header", entries(*texts), limit=400, continued="(continued)")
    assert all(len(message) <= 400 for message in messages)
    assert messages[0].startswith("Header\n\n")
    assert all(message.startswith("(continued)\n\n") for message in messages[1:])
    bodies = [message.split("\n\n", 1)[1] for message in messages]
    assert "\n\n".join(bodies).split("\n\n") == texts  # all there, in order, whole


def test_khmer_entries_are_counted_in_utf16_units() -> None:
    khmer = "<b>" + STREY * 100 + "</b>"  # 607 code points, 100 clusters
    messages = split_digest("ការងារ", entries(khmer, khmer, khmer), limit=1300)
    assert [len(m) for m in messages] == [6 + 2 + 607 + 2 + 607, 1 + 2 + 607]
    assert all(len(m.encode("utf-16-le")) // 2 == len(m) for m in messages)


def test_one_entry_too_long_for_a_message_is_clipped_on_a_cluster_and_balanced() -> None:
    long_job = "<b>" + STREY * 1000 + "</b> &amp; more"
    messages = split_digest("Jobs", entries("short", long_job, "last"), limit=4096)
    assert len(messages) == 3
    assert messages[0] == "Jobs\n\nshort"
    clipped = messages[1].removeprefix("…\n\n")
    assert len(messages[1]) <= 4096
    assert clipped.startswith("<b>") and clipped.endswith("…</b>")
    assert clipped.removeprefix("<b>").removesuffix("…</b>") == STREY * ((4096 - 3 - 8) // 6)
    assert messages[2] == "…\n\nlast"


def test_a_long_first_entry_is_clipped_under_the_header_not_moved() -> None:
    messages = split_digest("Jobs", entries("y" * 200), limit=100)
    assert messages == ["Jobs\n\n" + "y" * 93 + "…"]


def test_a_header_that_leaves_no_room_is_refused() -> None:
    with pytest.raises(ValueError):
        split_digest("H" * 100, entries("a"), limit=100)


def test_clipping_html_never_cuts_a_tag_or_an_entity() -> None:
    html = '<b>Tom &amp; Jerry</b> <a href="https://example.com/apply">Apply here</a>'
    assert clip_html(html, 100) == html
    assert clip_html(html, 14) == "<b>Tom…</b>"
    assert clip_html(html, 18) == "<b>Tom &amp;…</b>"  # no space left before the ellipsis
    assert clip_html(html, 19) == "<b>Tom &amp; J…</b>"
    assert clip_html(html, 40) == "<b>Tom &amp; Jerry</b>…"
    assert (
        clip_html(html, 66) == '<b>Tom &amp; Jerry</b> <a href="https://example.com/apply">Ap…</a>'
    )
    for limit in range(1, len(html)):
        clipped = clip_html(html, limit)
        assert len(clipped) <= limit
        assert clipped.count("<b>") == clipped.count("</b>")
        assert clipped.count("<a ") == clipped.count("</a>")


# -- who is alerted ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("job_tags", "location", "skills", "province", "province_filter", "expected"),
    [
        ({"python"}, "phnom-penh", {"python", "sql"}, "phnom-penh", False, True),
        ({"python"}, "phnom-penh", {"design"}, "phnom-penh", False, False),  # no shared tag
        (set(), "phnom-penh", {"python"}, "phnom-penh", False, False),
        ({"python"}, "phnom-penh", set(), "phnom-penh", False, False),
        ({"python"}, "siem-reap", {"python"}, "phnom-penh", False, True),  # filter off
        ({"python"}, "siem-reap", {"python"}, "phnom-penh", True, False),  # filter on
        ({"python"}, "phnom-penh", {"python"}, "phnom-penh", True, True),
        ({"python"}, REMOTE, {"python"}, "phnom-penh", True, True),
        ({"python"}, ABROAD, {"python"}, "phnom-penh", True, False),
        ({"python"}, ABROAD, {"python"}, ABROAD, True, True),  # a member living abroad
        ({"python"}, REMOTE, {"python"}, ABROAD, True, True),
        ({"python"}, "kampot", {"python"}, ABROAD, True, False),
        ({"python"}, REMOTE, {"python"}, None, True, True),  # no province: remote only
        ({"python"}, "kampot", {"python"}, None, True, False),
        ({"python"}, "kampot", {"python"}, None, False, True),
        ({"python"}, REMOTE, {"design"}, "kampot", True, False),  # location never enough
    ],
)
def test_who_is_alerted_to_a_job(
    job_tags: set[str],
    location: str,
    skills: set[str],
    province: str | None,
    province_filter: bool,
    expected: bool,
) -> None:
    assert job_matches(job_tags, location, skills, province, province_filter) is expected


def test_job_types_and_locations() -> None:
    assert JOB_TYPES == ("full-time", "part-time", "internship", "contract")
    assert is_job_type("internship") and not is_job_type("volunteer")
    assert all(is_job_location(v) for v in ("phnom-penh", "siem-reap", REMOTE, ABROAD))
    assert not is_job_location("Phnom Penh")


# -- moments (scheduled broadcasts, events) -------------------------------------------------
NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)  # 10:00 in Phnom Penh


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("25/12/2026 18:00", datetime(2026, 12, 25, 18, 0)),
        ("18:00 25/12/2026", datetime(2026, 12, 25, 18, 0)),
        ("15/06 10:30", datetime(2026, 6, 15, 10, 30)),  # later today
        ("15/06 09:30", datetime(2027, 6, 15, 9, 30)),  # no year, past: not accepted below
        ("25 Dec 2026 6pm", datetime(2026, 12, 25, 18, 0)),
        ("25 Dec 2026 6:30 pm", datetime(2026, 12, 25, 18, 30)),
        ("25 Dec 2026 12am", datetime(2026, 12, 25, 0, 0)),
        ("២៥/១២/២០២៦ ១៨:០០", datetime(2026, 12, 25, 18, 0)),
        ("ថ្ងៃទី២៥ ខែធ្នូ ឆ្នាំ២០២៦ ម៉ោង ៦:០០ ល្ងាច", datetime(2026, 12, 25, 18, 0)),
        ("៧ មករា ៩:៣០ ព្រឹក", datetime(2027, 1, 7, 9, 30)),
        ("2026-07-01 08h", datetime(2026, 7, 1, 8, 0)),
    ],
)
def test_a_moment_is_read_in_english_and_khmer(text: str, local: datetime) -> None:
    from handlers.dates import parse_moment

    if local.year == 2027 and local.month == 6:
        with pytest.raises(Invalid):  # a year ahead and a bit: too far
            parse_moment(text, NOW, PHNOM_PENH)
        return
    assert parse_moment(text, NOW, PHNOM_PENH) == local.replace(tzinfo=PHNOM_PENH)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25/12/2026", "Please send the date and the time, for example 31/12/2026 18:00."),
        ("18:00", "Please send the date and the time, for example 31/12/2026 18:00."),
        ("25/12/2026 25:00", "Please send the date and the time, for example 31/12/2026 18:00."),
        (
            "25/12/2026 18:00 19:00",
            "Please send the date and the time, for example 31/12/2026 18:00.",
        ),
        ("25/12/2026 13pm", "Please send the date and the time, for example 31/12/2026 18:00."),
        ("15/06/2026 09:00", "That moment has passed. Please send a date and time still to come."),
        ("31/12/2027 09:00", "That is more than a year ahead. Please send a nearer date."),
        ("31/02/2027 09:00", NO_SUCH_DATE),
    ],
)
def test_a_moment_that_cannot_be_read_or_is_past_is_refused(text: str, message: str) -> None:
    from handlers.dates import parse_moment

    with pytest.raises(Invalid) as refused:
        parse_moment(text, NOW, PHNOM_PENH)
    assert refused.value.message == message


def test_a_digest_of_emoji_titles_fits_telegrams_utf16_limit() -> None:
    from bot.core.text import telegram_length

    entries = [DigestEntry(n, f"<b>#{n} · " + "😀" * 120 + "</b>\n🏢 Co") for n in range(1, 21)]
    messages = split_digest("📬 <b>New jobs</b>", entries)
    assert len(messages) > 1
    assert all(telegram_length(m) <= 4096 for m in messages)
    assert sum(m.count("<b>#") for m in messages) == 20  # no entry lost or split
    assert telegram_length(clip_html("<b>" + "😀" * 100 + "</b>", 21)) <= 21
