"""Job CSV rows: free text is cleaned the way the bot's own job form cleans it."""

from __future__ import annotations

import io
from datetime import date

import pytest

from bot.core.i18n import Translations
from bot.jobs_csv import BadJobRow, parse_job, read_jobs

TODAY = date(2026, 11, 25)


def job(**values: str) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "title": "Web developer", "description": "Build our site.\nIn Phnom Penh.",
        "tags": "web", "location": "phnom-penh", "type": "full-time", "deadline": "2026-12-31",
    }  # fmt: skip
    return base | values


def test_nul_and_bidi_controls_leave_the_title_and_description_but_lines_stay(
    translations: Translations,
) -> None:
    parsed = parse_job(
        job(
            title="\u202eWeb\x00 developer", description="Build\x00 our site.\r\n\u2066In\u2069 PP."
        ),
        TODAY,
        translations,
    )
    assert parsed["title"] == "Web developer"
    assert parsed["description"] == "Build our site.\nIn PP."


@pytest.mark.parametrize("column", ["title", "description"])
def test_a_field_of_control_characters_only_is_refused(
    translations: Translations, column: str
) -> None:
    with pytest.raises(BadJobRow, match=f"{column} has no visible text"):
        parse_job(job(**{column: "\x00\u202e"}), TODAY, translations)


def test_bad_rows_are_reported_at_the_line_they_start_on(translations: Translations) -> None:
    errors: list[tuple[int, str]] = []
    source = io.StringIO(
        "title,description,tags,location,type,deadline\n"
        'Web developer,"Build\nour\nsite",web,kep,full-time,2026-12-31\n'  # lines 2 to 4
        "Wizard,Magic,web,kep,wizardry,2026-12-31\n"  # line 5
        'Cook,"Open quote,web,kep,full-time,2026-12-31\n',  # line 6, never closed
        newline="",
    )
    jobs = list(read_jobs(source, TODAY, translations, errors))
    assert [j["title"] for j in jobs] == ["Web developer"]
    assert [line for line, _ in errors] == [5, 6]
    assert "never closed" in errors[1][1]
