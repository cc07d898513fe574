"""Members as CSV, written for the CLI's ``members export`` and the admins' /export alike.

Columns as the README lists them, slugs as the bot stores them; an export imports back
unchanged (bot/members_csv.py reads it). Every cell is quoted, and every cell that starts
like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return, as OWASP
lists them) gets a leading quote, which the import removes again: whatever a member or an
import put into a name, an organisation, a country or a username, a spreadsheet opening the
file shows it as text and never runs it.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from typing import TextIO

from storage.models import Member

COLUMNS = (
    "telegram_id", "full_name", "language", "role", "province", "country", "skills",
    "open_to_work", "created_at", "username", "organisation", "years_experience",
    "alert_frequency", "directory_visible",
)  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """A leading quote keeps spreadsheets from running "=…", "+…", "-…", "@…" as formulas.
    A value that starts with a quote itself gets one more, so the import gives it back."""
    return "'" + value if value[:1] in FORMULA_START or value[:1] == "'" else value


def export_row(member: Member, skills: list[str]) -> list[str]:
    """One member's cells, each through ``cell``: the values that cannot start like a
    formula today (ids, slugs, times) stay safe if that ever changes."""
    values = [
        str(member.telegram_id),
        member.full_name or "",
        member.language,
        member.role or "",
        member.province or "",
        member.country or "",
        ";".join(skills),
        "true" if member.open_to_work else "false",
        member.created_at.isoformat(timespec="seconds"),
        member.username or "",
        member.organisation or "",
        "" if member.years_experience is None else str(member.years_experience),
        member.alert_frequency,
        "true" if member.directory_visible else "false",
    ]
    return [cell(value) for value in values]


async def write_csv(rows: AsyncIterator[tuple[Member, list[str]]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    count = 0
    async for member, skills in rows:
        writer.writerow(export_row(member, skills))
        count += 1
    return count
