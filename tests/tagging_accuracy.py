"""The labelled questions of ``tests/data/labelled_questions.csv`` and how well tag suggestion
does on them: shared by the tagging tests and ``bench/tag_accuracy.py``.

Top-1 is right when the first suggestion is one of the question's tags; top-3 when one of its
tags is among the first three suggestions (what /ask offers first). A wrong pre-selection is a
question where a tag the asker finds already ticked is not one of its tags.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from handlers.questions.tagging import TagTerms, suggest_tags

LABELLED = Path(__file__).parent / "data" / "labelled_questions.csv"
LANGUAGES = ("km", "en", "mixed")
PARTS = ("tuning", "held-out")


@dataclass(frozen=True)
class Labelled:
    id: str
    part: str
    language: str
    tags: tuple[str, ...]
    source: str
    question: str


def labelled_questions(part: str | None = None) -> list[Labelled]:
    """The rows of the file, of one ``part`` or all of them."""
    with LABELLED.open(encoding="utf-8", newline="") as file:
        rows = [
            Labelled(
                r["id"],
                r["part"],
                r["language"],
                tuple(r["tags"].split()),
                r["source"],
                r["question"],
            )
            for r in csv.DictReader(file)
        ]
    return [r for r in rows if part is None or r.part == part]


def part_by_rule(id: str) -> str:
    """The split made before tuning: SHA-256 of the id, 3 in 10 held out; issue rows tuned."""
    if id.startswith("issue-"):
        return "tuning"
    return "held-out" if int(hashlib.sha256(id.encode()).hexdigest()[:8], 16) % 10 < 3 else "tuning"


Preselect = Callable[[Sequence[tuple[str, float]]], list[str]]


@dataclass(frozen=True)
class Accuracy:
    count: int
    top1: int
    top3: int
    preselected: int
    """Questions with at least one tag pre-selected."""
    wrong_preselected: int
    """Questions with a pre-selected tag that is not one of theirs."""

    def share(self, hits: int) -> float:
        return hits / self.count if self.count else 0.0


def judge(
    row: Labelled, suggested: Sequence[tuple[str, float]], preselect: Preselect
) -> tuple[bool, bool, list[str]]:
    """(top-1 right, top-3 right, the pre-selected tags) for one question."""
    slugs = [slug for slug, _ in suggested]
    return (
        bool(slugs) and slugs[0] in row.tags,
        any(slug in row.tags for slug in slugs[:3]),
        preselect(suggested),
    )


def accuracy(rows: Iterable[Labelled], tags: Sequence[TagTerms], preselect: Preselect) -> Accuracy:
    count = top1 = top3 = chosen = wrong = 0
    for row in rows:
        first, three, ticked = judge(row, suggest_tags(row.question, tags), preselect)
        count += 1
        top1 += first
        top3 += three
        chosen += bool(ticked)
        wrong += any(slug not in row.tags for slug in ticked)
    return Accuracy(count, top1, top3, chosen, wrong)
