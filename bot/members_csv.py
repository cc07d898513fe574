"""Members as CSV, for moving registrations in and out (``dcc-bot members import/export``).

Columns: telegram_id, full_name, language, role, province, country, skills (slugs joined by
";"), open_to_work (true/false), created_at (ISO 8601), then username, organisation,
years_experience, alert_frequency, directory_visible. An export imports back unchanged.
Importing validates each row with the same rules as sign-up (``username`` with Telegram's,
an optional leading @ removed); a bad row is reported with its line number and skipped, good
rows are upserted by telegram_id in batches (``handlers.profile.operations.MembersImport``). The export quotes every cell and puts a quote
before any that starts like a spreadsheet formula (storage.member_export.cell); the import
removes that quote again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.config import TELEGRAM_ID_MAX
from bot.core.i18n import Translations
from bot.core.text import clean_line
from bot.csv_records import BadCsv, Record, read_csv
from handlers.invalid import Invalid
from handlers.profile.rules import parse_country, parse_name, parse_organisation
from storage.member_export import COLUMNS, FORMULA_START
from storage.seed.choices import ALERT_FREQUENCIES, LANGUAGES, ROLES
from storage.seed.provinces import ABROAD, BY_SLUG
from storage.seed.tags import SLUGS

REQUIRED = ("telegram_id", "full_name", "role", "province")
TRUE, FALSE = ("true", "yes", "1", "y"), ("false", "no", "0", "n", "")


class BadRow(ValueError):
    pass


@dataclass
class ImportReport:
    columns: tuple[str, ...] = ()  # the columns the file gives
    unknown_columns: tuple[str, ...] = ()  # named in the header but not ours: ignored
    inserted: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.inserted + self.updated + len(self.errors)


def parse_row(raw: dict[str, str | None], english: Translations) -> dict[str, Any]:
    """One CSV row → member values; BadRow with the reason (in English, for operators)."""
    row = {k.strip().lower(): _uncell((v or "").strip()) for k, v in raw.items() if k is not None}
    for column in REQUIRED:
        if not row.get(column):
            raise BadRow(f"{column} is empty")
    telegram_id = row["telegram_id"]
    if not telegram_id.isdecimal() or not 0 < int(telegram_id) < TELEGRAM_ID_MAX:
        raise BadRow(f"telegram_id {telegram_id!r} is not a Telegram user id")
    t = english.for_language("en")

    def check(parse: Callable[[str], str], column: str) -> str:
        try:
            return parse(row[column])
        except Invalid as error:
            raise BadRow(f"{column}: " + t.gettext(error.message).format(**error.params)) from None

    language = row.get("language") or "en"
    if language not in LANGUAGES:
        raise BadRow(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    if row["role"] not in ROLES:
        raise BadRow(f"role {row['role']!r} is not one of {', '.join(ROLES)}")
    province = row["province"]
    if province != ABROAD and province not in BY_SLUG:
        raise BadRow(f"province {province!r} is not a province slug or 'abroad'")
    country = None
    if province == ABROAD:
        if not row.get("country"):
            raise BadRow("country is empty, and province is abroad")
        country = check(parse_country, "country")
    elif row.get("country"):
        raise BadRow("country is given, but province is not abroad")
    skills = [s.strip() for s in row.get("skills", "").split(";") if s.strip()]
    unknown = [s for s in skills if s not in SLUGS]
    if unknown:
        raise BadRow(f"unknown skill {unknown[0]!r}")
    open_to_work = _bool(row.get("open_to_work", ""), "open_to_work")
    frequency = row.get("alert_frequency") or ("weekly" if open_to_work else "off")
    if frequency not in ALERT_FREQUENCIES:
        raise BadRow(f"alert_frequency {frequency!r} is not one of {', '.join(ALERT_FREQUENCIES)}")
    years = row.get("years_experience", "")
    if years and (not years.isdecimal() or int(years) > 60):
        raise BadRow(f"years_experience {years!r} is not a number from 0 to 60")
    return {
        "telegram_id": int(telegram_id),
        "full_name": check(parse_name, "full_name"),
        "language": language,
        "role": row["role"],
        "province": province,
        "country": country,
        "skills": skills,
        "open_to_work": open_to_work,
        "alert_frequency": frequency if open_to_work else "off",
        "created_at": _time(row.get("created_at", "")),
        "username": _username(row.get("username", "")),
        "organisation": check(parse_organisation, "organisation")
        if row.get("organisation")
        else None,
        "years_experience": int(years) if years else None,
        "directory_visible": _bool(row.get("directory_visible", ""), "directory_visible"),
    }


USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,30}[A-Za-z0-9]")
"""Telegram's usernames: letters a–z (either case), digits and underscores, starting with a
letter and not ending with an underscore; 5 to 32 characters, or from 4 for the collectible
usernames sold on Fragment. A check no stricter than Telegram's: a real handle is never
refused, and what is refused (a formula, HTML, a space) could not be one."""


def _username(value: str) -> str | None:
    """The username without its optional leading @; None when empty."""
    name = clean_line(value).removeprefix("@")
    if not name:
        return None
    if not USERNAME.fullmatch(name):
        raise BadRow(
            f"username {name!r} is not a Telegram username (4 to 32 letters a-z, digits and"
            " underscores, starting with a letter, not ending with an underscore)"
        )
    return name


def _bool(value: str, column: str) -> bool:
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise BadRow(f"{column} {value!r} is not true or false")


def _time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadRow(f"created_at {value!r} is not an ISO 8601 date and time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def read_rows(
    source: TextIO, english: Translations, report: ImportReport
) -> Iterator[dict[str, Any]]:
    """Valid rows in file order; each bad row goes into ``report.errors`` with the line it
    starts on. The header is read at once: BadRow when it lacks a needed column or names
    one twice; the names it gives that are not columns go into ``report.unknown_columns``.
    """
    try:
        header, records = read_csv(source)
    except BadCsv as error:
        raise BadRow(str(error)) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BadRow(f"the header lacks the column(s) {', '.join(missing)}")
    repeated = [c for i, c in enumerate(header) if c and c in header[:i]]
    if repeated:
        raise BadRow(f"the header names the column(s) {', '.join(dict.fromkeys(repeated))} twice")
    report.columns = tuple(c for c in header if c in COLUMNS)
    report.unknown_columns = tuple(c for c in header if c and c not in COLUMNS)
    return _rows(header, records, english, report)


def _rows(
    header: list[str], records: Iterator[Record], english: Translations, report: ImportReport
) -> Iterator[dict[str, Any]]:
    seen: dict[int, int] = {}
    for record in records:
        line = record.line
        try:
            if record.problem:
                raise BadRow(f"the row {record.problem}")
            if len(record.fields) > len(header):
                raise BadRow("more fields than the header has")
            row = parse_row(dict(zip(header, record.fields, strict=False)), english)
            if row["telegram_id"] in seen:
                raise BadRow(f"telegram_id repeats line {seen[row['telegram_id']]}")
        except BadRow as error:
            report.errors.append((line, str(error)))
            continue
        seen[row["telegram_id"]] = line
        yield row


def _uncell(value: str) -> str:
    """The value a member typed, without the quote the export put before a formula start."""
    return (
        value[1:]
        if value[:1] == "'" and (value[1:2] in FORMULA_START or value[1:2] == "'")
        else value
    )
