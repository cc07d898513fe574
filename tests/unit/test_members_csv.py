"""Members CSV rows: what an import accepts, how it reports bad rows, and export round trips."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.core.i18n import Translations
from bot.members_csv import COLUMNS, BadRow, ImportReport, parse_row, read_rows
from storage.member_export import export_row
from storage.models import Member

HEADER = "telegram_id,full_name,language,role,province,country,skills,open_to_work,created_at\n"


def row(**values: str) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "telegram_id": "1001", "full_name": "Sok Dara", "language": "en", "role": "student",
        "province": "phnom-penh", "country": "", "skills": "ai;data", "open_to_work": "false",
        "created_at": "",
    }  # fmt: skip
    return base | values


def english(report: ImportReport) -> list[tuple[int, str]]:
    """The skipped lines as the command line prints them."""
    return [(line, str(why)) for line, why in report.errors]


def read(text: str, translations: Translations) -> tuple[list[dict[str, Any]], ImportReport]:
    report = ImportReport()
    return list(read_rows(io.StringIO(text, newline=""), translations, report)), report


# -- single rows ---------------------------------------------------------------------------------
def test_a_khmer_member_row_is_accepted(translations: Translations) -> None:
    member = parse_row(
        row(full_name="  សុខ  ដារា ", language="km", province="abroad", country="ជប៉ុន"),
        translations,
    )
    assert member["full_name"] == "សុខ ដារា"
    assert member["language"] == "km"
    assert (member["province"], member["country"]) == ("abroad", "ជប៉ុន")
    assert member["skills"] == ["ai", "data"]


def test_an_english_member_row_is_accepted_with_defaults(translations: Translations) -> None:
    member = parse_row(row(language=""), translations)
    assert member["telegram_id"] == 1001
    assert member["language"] == "en"
    assert member["open_to_work"] is False
    assert member["alert_frequency"] == "off"
    assert member["created_at"] is None
    assert member["organisation"] is None
    assert member["years_experience"] is None
    assert member["username"] is None


@pytest.mark.parametrize("value", ["true", "TRUE", "Yes", "y", "1"])
def test_open_to_work_yes_in_any_case(translations: Translations, value: str) -> None:
    member = parse_row(row(open_to_work=value), translations)
    assert member["open_to_work"] is True
    assert member["alert_frequency"] == "weekly"


@pytest.mark.parametrize("value", ["false", "False", "NO", "0", ""])
def test_open_to_work_no_in_any_case(translations: Translations, value: str) -> None:
    member = parse_row(row(open_to_work=value, alert_frequency="daily"), translations)
    assert member["open_to_work"] is False
    assert member["alert_frequency"] == "off"


def test_open_to_work_maybe_is_refused(translations: Translations) -> None:
    with pytest.raises(BadRow, match="open_to_work 'maybe' is not true or false"):
        parse_row(row(open_to_work="maybe"), translations)


def test_created_at_with_an_offset_is_converted_to_utc(translations: Translations) -> None:
    member = parse_row(row(created_at="2025-01-02T10:04:05+07:00"), translations)
    assert member["created_at"] == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert member["created_at"].utcoffset() == timedelta(0)


def test_created_at_without_an_offset_is_taken_as_utc(translations: Translations) -> None:
    member = parse_row(row(created_at="2025-01-02T03:04:05"), translations)
    assert member["created_at"] == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert member["created_at"].tzinfo is not None


def test_skills_may_have_spaces_or_be_empty(translations: Translations) -> None:
    assert parse_row(row(skills=" ai ; web ;; "), translations)["skills"] == ["ai", "web"]
    assert parse_row(row(skills=""), translations)["skills"] == []


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"language": "fr"}, "language 'fr' is not one of km, en"),
        ({"skills": "ai;quantum"}, "unknown skill 'quantum'"),
        ({"full_name": "12345"}, "full_name: A name needs letters. Please type your full name."),
        ({"full_name": "ស្ត្រី" * 101}, "full_name: That is too long: please send at most 100"),
        ({"telegram_id": "0"}, "telegram_id '0' is not a Telegram user id"),
        ({"years_experience": "61"}, "years_experience '61' is not a number from 0 to 60"),
    ],
)
def test_a_bad_value_is_refused_with_the_reason(
    translations: Translations, values: dict[str, str], reason: str
) -> None:
    with pytest.raises(BadRow) as refused:
        parse_row(row(**values), translations)
    assert str(refused.value).startswith(reason)


def test_control_and_format_characters_are_removed_from_names_and_usernames(
    translations: Translations,
) -> None:
    member = parse_row(
        row(
            full_name="Sok\x00 \u202eDara", username="@dara\x00_dev\u200b", organisation="MPTC\x07"
        ),
        translations,
    )
    assert (member["full_name"], member["username"]) == ("Sok Dara", "dara_dev")
    assert member["organisation"] == "MPTC"


def test_a_row_with_a_nul_byte_in_the_name_is_read_without_it(translations: Translations) -> None:
    rows, report = read(HEADER + "1001,Sok\x00Dara,en,student,kep,,,no,\n", translations)
    assert report.errors == []
    assert rows[0]["full_name"] == "SokDara"


@pytest.mark.parametrize("values", [{"telegram_id": "²"}, {"years_experience": "³"}])
def test_superscript_digits_are_a_bad_row_not_a_crash(
    translations: Translations, values: dict[str, str]
) -> None:
    with pytest.raises(BadRow):
        parse_row(row(**values), translations)


# -- whole files -----------------------------------------------------------------------------
def test_a_header_with_a_byte_order_mark_is_read(
    tmp_path: Path, translations: Translations
) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes(("\ufeff" + HEADER + "1001,សុខ ដារា,km,student,kep,,,yes,\n").encode())
    report = ImportReport()
    with path.open(encoding="utf-8-sig", newline="") as source:
        rows = list(read_rows(source, translations, report))
    assert [r["full_name"] for r in rows] == ["សុខ ដារា"]
    assert report.errors == []


def test_quoted_commas_quotes_and_newlines_keep_line_numbers(translations: Translations) -> None:
    rows, report = read(
        HEADER
        + '1001,"Chan, ""Vanna""",en,student,kep,,,no,\n'  # line 2
        + '1002,"Sok\nDara",en,student,kep,,,no,\n'  # lines 3 and 4
        + "1003,Wizard,en,wizard,kep,,,no,\n"  # line 5
        + "1004,Too,en,student,kep,,,no,,extra,,,,,,\n",  # line 6
        translations,
    )
    assert [r["full_name"] for r in rows] == ['Chan, "Vanna"', "Sok Dara"]
    assert english(report) == [
        (5, "role 'wizard' is not one of civil-servant, private-sector, student, academic, "
            "freelancer, other"),
        (6, "more fields than the header has"),
    ]  # fmt: skip


def test_a_repeated_telegram_id_points_at_its_first_line(translations: Translations) -> None:
    rows, report = read(
        HEADER + "1001,Sok,en,student,kep,,,no,\n" + "1002,Dara,en,student,kep,,,no,\n"
        "1001,Again,en,student,kep,,,no,\n",
        translations,
    )
    assert [r["telegram_id"] for r in rows] == [1001, 1002]
    assert english(report) == [(4, "telegram_id repeats line 2")]


def test_a_bad_row_spanning_two_lines_is_reported_at_its_first_line(
    translations: Translations,
) -> None:
    _, report = read(HEADER + '1002,"Sok\nDara",en,wizard,kep,,,no,\n', translations)
    assert [line for line, _ in report.errors] == [2]


def test_an_exported_member_imports_back_unchanged(translations: Translations) -> None:
    member = Member(
        telegram_id=1001, full_name='Sok "Dara", Jr', language="km", role="academic",
        province="abroad", country="ជប៉ុន", open_to_work=True, alert_frequency="daily",
        created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=7))),
        username="dara", organisation="ក្រសួងប្រៃសណីយ៍", years_experience=3,
        directory_visible=True,
    )  # fmt: skip
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([COLUMNS, export_row(member, ["ai", "web"])])
    rows, report = read(out.getvalue(), translations)
    assert report.errors == []
    assert rows == [
        {
            "telegram_id": 1001, "full_name": 'Sok "Dara", Jr', "language": "km",
            "role": "academic", "province": "abroad", "country": "ជប៉ុន",
            "skills": ["ai", "web"], "open_to_work": True, "alert_frequency": "daily",
            "created_at": datetime(2025, 1, 1, 20, 4, 5, tzinfo=UTC), "username": "dara",
            "organisation": "ក្រសួងប្រៃសណីយ៍", "years_experience": 3,
            "directory_visible": True,
        }
    ]  # fmt: skip


def test_an_unterminated_quote_at_the_end_is_reported_at_its_own_line(
    translations: Translations,
) -> None:
    rows, report = read(
        HEADER + "1001,Sok,en,student,kep,,,no,\n" + '1002,"Dara,en,student,kep,,,no,\n',
        translations,
    )
    assert [r["telegram_id"] for r in rows] == [1001]
    assert english(report) == [
        (3, 'the row has a quoted field that is never closed (a " is missing)')
    ]
    _, report = read(HEADER + '1001,"Sok', translations)
    assert [line for line, _ in report.errors] == [2]


def test_a_field_over_the_csv_limit_is_one_bad_row_and_the_import_goes_on(
    translations: Translations,
) -> None:
    rows, report = read(
        HEADER
        + f"1001,{'x' * 140_000},en,student,kep,,,no,\n"
        + "1002,Dara,en,student,kep,,,no,\n",
        translations,
    )
    assert [r["telegram_id"] for r in rows] == [1002]
    assert english(report) == [(2, "the row has a field longer than 131,072 characters")]


def test_text_after_a_closing_quote_is_a_bad_row_at_its_line(translations: Translations) -> None:
    rows, report = read(
        HEADER
        + '1001,"Sok" Dara,en,student,kep,,,no,\n'
        + "\n"
        + "1002,Dara,en,student,kep,,,no,\n"
        "1003,Wizard,en,wizard,kep,,,no,\n",
        translations,
    )
    assert [r["telegram_id"] for r in rows] == [1002]
    assert [line for line, _ in report.errors] == [2, 5]  # the blank line 3 counts
    assert str(report.errors[0][1]).startswith("the row is not valid CSV")


def test_a_header_naming_a_column_twice_is_refused(translations: Translations) -> None:
    with pytest.raises(BadRow, match=re.escape("the header names full_name twice")):
        read(
            "telegram_id,full_name,role,province,Full_Name\n1001,Sok,student,kep,Dara\n",
            translations,
        )


def test_unknown_columns_are_named_in_the_report_and_ignored(translations: Translations) -> None:
    rows, report = read(
        "telegram_id,full_name,role,province,open_to_wrok,,notes\n1001,Sok,student,kep,yes,,x\n",
        translations,
    )
    assert report.unknown_columns == ("open_to_wrok", "notes")
    assert report.columns == ("telegram_id", "full_name", "role", "province")
    assert rows[0]["open_to_work"] is False and report.errors == []


def test_a_value_starting_with_a_quote_comes_back_unchanged(translations: Translations) -> None:
    from storage.member_export import cell

    for value in ("'=SUM(A1)", "'already quoted", "=SUM(A1)", "ok"):
        exported = cell(value)
        assert exported.startswith("'") == value.startswith(("'", "="))
        row = parse_row(
            {"telegram_id": "5", "full_name": exported, "role": "student", "province": "kep"},
            translations,
        )
        assert row["full_name"] == value


# -- usernames and spreadsheet safety ------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("@Sok_Dara1", "Sok_Dara1"),  # the @ is optional, the case as Telegram shows it
        ("sokdara", "sokdara"),
        ("dara", "dara"),  # four characters: a collectible username
        ("a" + "b" * 31, "a" + "b" * 31),  # 32, the longest
        ("", None),
        ("@", None),
    ],
)
def test_a_telegram_username_is_accepted(
    translations: Translations, given: str, stored: str | None
) -> None:
    assert parse_row(row(username=given), translations)["username"] == stored


@pytest.mark.parametrize(
    "given",
    [
        "=HYPERLINK(\"http://x\")", "+85512", "-dara", "@@dara", "1dara", "_dara", "dara_",
        "abc", "a" * 33, "sok dara", "<b>dara</b>", "សុខដារា", "dara.dev", "dara-dev",
    ],
)  # fmt: skip
def test_a_username_telegram_would_not_give_is_refused(
    translations: Translations, given: str
) -> None:
    with pytest.raises(BadRow) as refused:
        parse_row(row(username=given), translations)
    assert str(refused.value).startswith("username ") and "not a Telegram username" in str(
        refused.value
    )


async def test_every_exported_cell_is_quoted_and_none_starts_like_a_formula(
    translations: Translations,
) -> None:
    from storage.member_export import write_csv

    member = Member(
        telegram_id=1001, full_name="=Sok Dara", language="en", role="student", province="abroad",
        country="@Japan", open_to_work=False, alert_frequency="off",
        created_at=datetime(2025, 1, 2, tzinfo=UTC), username="@evil", organisation="-MPTC",
        years_experience=None, directory_visible=False,
    )  # fmt: skip
    other = Member(
        telegram_id=1002, full_name="\tTabbed", language="en", role="student", province="kep",
        country=None, open_to_work=False, alert_frequency="off",
        created_at=datetime(2025, 1, 2, tzinfo=UTC), username=None, organisation="\rReturn",
        years_experience=2, directory_visible=False,
    )  # fmt: skip

    async def rows() -> Any:
        yield member, ["ai"]
        yield other, []

    out = io.StringIO()
    assert await write_csv(rows(), out) == 2
    lines = out.getvalue().split("\n")
    fields = re.findall(r'"(?:[^"]|"")*"|,', lines[1])
    assert all(f.startswith('"') for f in fields if f != ",")  # every cell quoted
    assert lines[1].count('","') == len(COLUMNS) - 1
    cells = [c for line in csv.reader(io.StringIO(out.getvalue(), newline="")) for c in line]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {"'=Sok Dara", "'@Japan", "'@evil", "'-MPTC", "'\tTabbed", "'\rReturn"} <= set(cells)
    report = ImportReport()
    back = list(read_rows(io.StringIO(out.getvalue(), newline=""), translations, report))
    assert report.errors == []
    assert (back[0]["full_name"], back[0]["country"], back[0]["organisation"]) == (
        "=Sok Dara", "@Japan", "-MPTC",
    )  # fmt: skip


def test_a_skipped_line_reads_in_khmer_too(translations: Translations) -> None:
    _rows, report = read(
        'telegram_id,full_name,role,province\n5,Sok,student,mars\n6,"Dara",student,"kep\n',
        translations,
    )
    khmer = translations.for_language("km")
    assert [line for line, _ in report.errors] == [2, 3]
    bad_province, unclosed = (why.text(khmer) for _, why in report.errors)
    assert "'mars'" in bad_province and "province" not in bad_province.split("'mars'")[1]
    assert str(report.errors[1][1]).startswith("the row has a quoted field")
    assert unclosed != str(report.errors[1][1]) and "ជួរ" in unclosed
    with pytest.raises(BadRow) as refused:
        parse_row(row(full_name="x" * 300), translations)
    assert str(refused.value).startswith("full_name: ")
    assert refused.value.text(khmer) != str(refused.value)
