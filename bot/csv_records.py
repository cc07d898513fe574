"""Operators' CSV files read record by record, each with the line it starts on.

A record that is not valid CSV (a quote never closed, text after a closing quote, a field
longer than the csv module's limit of 131,072 characters) is one bad record at its own
line, not the end of the import: the reader carries on with the next line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TextIO

if TYPE_CHECKING:
    from _csv import Reader


@dataclass(frozen=True)
class Problem:
    """Why a record is not valid CSV: ``kind``, and ``detail`` (the field limit, or the csv
    module's own words). ``str()`` completes "the row …" in English; a reader that reports
    in other languages words each kind itself."""

    kind: Literal["unclosed", "too-long", "invalid"]
    detail: str = ""

    def __str__(self) -> str:
        if self.kind == "unclosed":
            return 'has a quoted field that is never closed (a " is missing)'
        if self.kind == "too-long":
            return f"has a field longer than {self.detail} characters"
        return f"is not valid CSV: {self.detail}"


class BadCsv(ValueError):
    """The header line itself cannot be read."""

    def __init__(self, line: int, problem: Problem) -> None:
        self.line = line
        self.problem = problem
        super().__init__(f"line {line}: the header {problem}")


@dataclass(frozen=True)
class Record:
    line: int  # where the record starts; a quoted field may go on over several lines
    fields: list[str] = field(default_factory=list)
    problem: Problem | None = None  # why the record is not valid CSV


def read_csv(source: TextIO) -> tuple[list[str], Iterator[Record]]:
    """The header's names (trimmed, lowercased) and the records after it, blank lines
    left out. ``source`` is opened with ``newline=""``, as the csv module asks."""
    reader = csv.reader(source, strict=True)
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise BadCsv(reader.line_num, _problem(error)) from None
    return [name.strip().lower() for name in header], _records(reader)


def _records(reader: Reader) -> Iterator[Record]:
    while True:
        start = reader.line_num + 1  # the lines read so far, header and blank lines included
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Record(start, problem=_problem(error))
            continue
        if fields:
            yield Record(start, fields)


def _problem(error: csv.Error) -> Problem:
    message = str(error)
    if message == "unexpected end of data":
        return Problem("unclosed")
    limit = re.fullmatch(r"field larger than field limit \((\d+)\)", message)
    if limit:
        return Problem("too-long", f"{int(limit[1]):,}")
    return Problem("invalid", message)
