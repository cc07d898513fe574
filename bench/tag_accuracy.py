"""How often tag suggestion picks the tags a person would, on the labelled questions.

    .venv/bin/python bench/tag_accuracy.py                 # both parts, per language
    .venv/bin/python bench/tag_accuracy.py --part tuning   # the tuning part only
    .venv/bin/python bench/tag_accuracy.py --failures      # the tuning part's misses

Reads ``tests/data/labelled_questions.csv`` (see ``tests/data/README.md``) and prints, for the
tuning part and the held-out part, per language (km, en, mixed) and in all: top-1 accuracy
(the first suggestion is one of the question's tags), top-3 accuracy (one of its tags is among
the first three), how many questions get a tag pre-selected in /ask and
how many of those get a wrong one. ``--failures`` lists the tuning part's misses; it never
lists held-out ones (looking at them while tuning would make the held-out figure meaningless).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.questions import tagging
from handlers.questions.tagging import seed_tag_terms, suggest_tags
from tests.tagging_accuracy import (
    LANGUAGES,
    PARTS,
    Preselect,
    accuracy,
    judge,
    labelled_questions,
)


def preselection() -> Preselect:
    """What /ask ticks: ``preselected`` where it exists; before it, every suggestion."""
    chosen: Preselect | None = getattr(tagging, "preselected", None)
    return chosen if chosen is not None else (lambda found: [slug for slug, _ in found])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--failures", action="store_true", help="list the tuning part's misses")
    args = parser.parse_args(argv)
    tags = seed_tag_terms()
    preselect = preselection()
    if args.failures:
        for row in labelled_questions("tuning"):
            found = suggest_tags(row.question, tags)
            first, three, ticked = judge(row, found, preselect)
            wrong = [s for s in ticked if s not in row.tags]
            if not first or not three or wrong:
                marks = ("" if first else "1") + ("" if three else "3") + ("P" if wrong else "")
                print(f"{marks:<4}{row.id:<9}{' '.join(row.tags):<32}{found}  {row.question}")
        return 0
    print(
        f"{'part':<10}{'language':<10}{'n':>5}{'top-1':>8}{'top-3':>8}{'pre-sel.':>10}{'wrong':>7}"
    )
    for part in PARTS if args.part == "all" else (args.part,):
        rows = labelled_questions(part)
        for language in (*LANGUAGES, "all"):
            some = [r for r in rows if language in ("all", r.language)]
            a = accuracy(some, tags, preselect)
            print(
                f"{part:<10}{language:<10}{a.count:>5}{a.share(a.top1):>8.0%}{a.share(a.top3):>8.0%}"
                f"{a.share(a.preselected):>10.0%}{a.share(a.wrong_preselected):>7.0%}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
