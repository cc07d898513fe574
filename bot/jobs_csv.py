"""A company's job list as CSV (``dcc-bot jobs import FILE.csv --company ID``).

Columns: title, description, tags (slugs joined by ";"), location (a province slug,
``remote`` or ``abroad``), type (full-time, part-time, internship, contract), deadline (a
future date: 2026-12-31, 31/12/2026, …) and optionally apply_url (empty: apply in the bot).
Each row is checked with the rules of the bot's own job form; a bad row is reported with
its line number and skipped. The good rows are published by the operation
``handlers.jobs.operations.import_jobs``, for the CLI as for the web console.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TextIO

from bot.core.i18n import Translations
from bot.core.text import clean_line, clean_text, telegram_length, too_long
from bot.csv_records import BadCsv, read_csv
from handlers.invalid import Invalid
from handlers.jobs.operations import JobRow
from handlers.jobs.posting import DESCRIPTION_MAX, TITLE_MAX
from handlers.jobs.rules import JOB_TYPES, is_job_location, parse_deadline
from handlers.links import parse_web_address
from storage.seed.tags import SLUGS

REQUIRED = ("title", "description", "tags", "location", "type", "deadline")


class BadJobRow(ValueError):
    pass


def parse_job(raw: dict[str, str | None], today: date, english: Translations) -> JobRow:
    row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
    for column in REQUIRED:
        if not row.get(column):
            raise BadJobRow(f"{column} is empty")
    title, description = clean_line(row["title"]), clean_text(row["description"])
    if not title or not description:
        raise BadJobRow(f"{'title' if not title else 'description'} has no visible text")
    if too_long(title, TITLE_MAX):
        raise BadJobRow(f"title is longer than {TITLE_MAX} characters")
    if telegram_length(description) > DESCRIPTION_MAX:
        raise BadJobRow(f"description is longer than {DESCRIPTION_MAX} characters")
    tags = [s.strip() for s in row["tags"].split(";") if s.strip()]
    unknown = [s for s in tags if s not in SLUGS]
    if not tags or unknown:
        raise BadJobRow(f"unknown tag {unknown[0]!r}" if unknown else "tags is empty")
    if not is_job_location(row["location"]):
        raise BadJobRow(f"location {row['location']!r} is not a province slug, remote or abroad")
    if row["type"] not in JOB_TYPES:
        raise BadJobRow(f"type {row['type']!r} is not one of {', '.join(JOB_TYPES)}")
    try:
        deadline = parse_deadline(row["deadline"], today)
    except Invalid as error:
        message = english.for_language("en").gettext(error.message).format(**error.params)
        raise BadJobRow(f"deadline {row['deadline']!r}: {message}") from None
    url = row.get("apply_url") or None
    if url is not None:
        try:
            url = parse_web_address(url)
        except Invalid:
            raise BadJobRow(f"apply_url {url!r} is not a web address (https://…)") from None
    return {
        "title": title, "description": description, "tags": tags,
        "location": row["location"], "type": row["type"], "deadline": deadline, "apply_url": url,
    }  # fmt: skip


def read_jobs(
    source: TextIO, today: date, english: Translations, errors: list[tuple[int, str]]
) -> Iterator[JobRow]:
    """Valid jobs in file order; each bad row goes into ``errors`` with the line it starts on."""
    try:
        header, records = read_csv(source)
    except BadCsv as error:
        raise BadJobRow(str(error)) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BadJobRow(f"the header lacks {', '.join(missing)}")
    for record in records:
        try:
            if record.problem:
                raise BadJobRow(f"the row {record.problem}")
            if len(record.fields) > len(header):  # a stray comma: the columns would shift
                raise BadJobRow(
                    f"the row has {len(record.fields)} fields, the header {len(header)}"
                )
            yield parse_job(dict(zip(header, record.fields, strict=False)), today, english)
        except BadJobRow as error:
            errors.append((record.line, str(error)))
