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
from bot.core.i18n import N_, Translations, Translator
from bot.core.text import clean_line
from bot.csv_records import BadCsv, Problem, Record, read_csv
from handlers.invalid import Invalid
from handlers.profile.rules import parse_country, parse_name, parse_organisation
from storage.member_export import COLUMNS, FORMULA_START
from storage.seed.choices import ALERT_FREQUENCIES, LANGUAGES, ROLES
from storage.seed.provinces import ABROAD, BY_SLUG
from storage.seed.tags import SLUGS

REQUIRED = ("telegram_id", "full_name", "role", "province")
TRUE, FALSE = ("true", "yes", "1", "y"), ("false", "no", "0", "n", "")


class BadRow(ValueError):
    """Why a row (or the header) is refused: ``message`` a msgid (English is the source
    language), ``params`` its values. ``str()`` gives it in English, for the command line;
    ``text`` in a reader's language, for the web console. A field refused by one of
    sign-up's rules carries that rule's ``Invalid`` as its ``{reason}``."""

    def __init__(self, message: str, invalid: Invalid | None = None, **params: object) -> None:
        self.message = message
        self.invalid = invalid
        self.params = params
        super().__init__(self._filled(message, _reason(invalid, None)))

    def text(self, t: Translator) -> str:
        return self._filled(t.gettext(self.message), _reason(self.invalid, t))

    def _filled(self, message: str, reason: str) -> str:
        return message.format(**self.params, **({"reason": reason} if self.invalid else {}))


def _reason(invalid: Invalid | None, t: Translator | None) -> str:
    if invalid is None:
        return ""
    return (t.gettext(invalid.message) if t else invalid.message).format(**invalid.params)


@dataclass
class ImportReport:
    columns: tuple[str, ...] = ()  # the columns the file gives
    unknown_columns: tuple[str, ...] = ()  # named in the header but not ours: ignored
    inserted: int = 0
    updated: int = 0
    errors: list[tuple[int, BadRow]] = field(default_factory=list)  # line, why skipped

    @property
    def done(self) -> int:
        return self.inserted + self.updated + len(self.errors)


def parse_row(raw: dict[str, str | None], english: Translations) -> dict[str, Any]:
    """One CSV row → member values; BadRow with the reason (in English, for operators)."""
    row = {k.strip().lower(): _uncell((v or "").strip()) for k, v in raw.items() if k is not None}
    for column in REQUIRED:
        if not row.get(column):
            raise BadRow(N_("{column} is empty"), column=column)
    telegram_id = row["telegram_id"]
    if not telegram_id.isdecimal() or not 0 < int(telegram_id) < TELEGRAM_ID_MAX:
        raise BadRow(N_("telegram_id {value} is not a Telegram user id"), value=repr(telegram_id))

    def check(parse: Callable[[str], str], column: str) -> str:
        try:
            return parse(row[column])
        except Invalid as error:
            raise BadRow(N_("{column}: {reason}"), error, column=column) from None

    language = row.get("language") or "en"
    if language not in LANGUAGES:
        raise BadRow(
            N_("language {value} is not one of {choices}"),
            value=repr(language), choices=", ".join(LANGUAGES),
        )  # fmt: skip
    if row["role"] not in ROLES:
        raise BadRow(
            N_("role {value} is not one of {choices}"),
            value=repr(row["role"]),
            choices=", ".join(ROLES),
        )
    province = row["province"]
    if province != ABROAD and province not in BY_SLUG:
        raise BadRow(
            N_("province {value} is not a province slug or 'abroad'"), value=repr(province)
        )
    country = None
    if province == ABROAD:
        if not row.get("country"):
            raise BadRow(N_("country is empty, and province is abroad"))
        country = check(parse_country, "country")
    elif row.get("country"):
        raise BadRow(N_("country is given, but province is not abroad"))
    skills = [s.strip() for s in row.get("skills", "").split(";") if s.strip()]
    unknown = [s for s in skills if s not in SLUGS]
    if unknown:
        raise BadRow(N_("unknown skill {value}"), value=repr(unknown[0]))
    open_to_work = _bool(row.get("open_to_work", ""), "open_to_work")
    frequency = row.get("alert_frequency") or ("weekly" if open_to_work else "off")
    if frequency not in ALERT_FREQUENCIES:
        raise BadRow(
            N_("alert_frequency {value} is not one of {choices}"),
            value=repr(frequency), choices=", ".join(ALERT_FREQUENCIES),
        )  # fmt: skip
    years = row.get("years_experience", "")
    if years and (not years.isdecimal() or int(years) > 60):
        raise BadRow(N_("years_experience {value} is not a number from 0 to 60"), value=repr(years))
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
            N_(
                "username {value} is not a Telegram username (4 to 32 letters a-z, digits and underscores, starting with a letter, not ending with an underscore)"
            ),
            value=repr(name),
        )
    return name


def _bool(value: str, column: str) -> bool:
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise BadRow(N_("{column} {value} is not true or false"), column=column, value=repr(value))


def _time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadRow(
            N_("created_at {value} is not an ISO 8601 date and time"), value=repr(value)
        ) from None
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
        raise _bad(HEADER_PROBLEMS, error.problem, line=error.line) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BadRow(N_("the header lacks {columns}"), columns=", ".join(missing))
    repeated = [c for i, c in enumerate(header) if c and c in header[:i]]
    if repeated:
        raise BadRow(
            N_("the header names {columns} twice"),
            columns=", ".join(dict.fromkeys(repeated)),
        )
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
                raise _bad(ROW_PROBLEMS, record.problem)
            if len(record.fields) > len(header):
                raise BadRow(N_("more fields than the header has"))
            row = parse_row(dict(zip(header, record.fields, strict=False)), english)
            if row["telegram_id"] in seen:
                raise BadRow(N_("telegram_id repeats line {line}"), line=seen[row["telegram_id"]])
        except BadRow as error:
            report.errors.append((line, error))
            continue
        seen[row["telegram_id"]] = line
        yield row


ROW_PROBLEMS = {
    "unclosed": N_('the row has a quoted field that is never closed (a " is missing)'),
    "too-long": N_("the row has a field longer than {detail} characters"),
    "invalid": N_("the row is not valid CSV: {detail}"),
}
HEADER_PROBLEMS = {
    "unclosed": N_(
        'line {line}: the header has a quoted field that is never closed (a " is missing)'
    ),
    "too-long": N_("line {line}: the header has a field longer than {detail} characters"),
    "invalid": N_("line {line}: the header is not valid CSV: {detail}"),
}


def _bad(messages: dict[str, str], problem: Problem, line: int = 0) -> BadRow:
    return BadRow(messages[problem.kind], line=line, detail=problem.detail)


def _uncell(value: str) -> str:
    """The value a member typed, without the quote the export put before a formula start."""
    return (
        value[1:]
        if value[:1] == "'" and (value[1:2] in FORMULA_START or value[1:2] == "'")
        else value
    )
