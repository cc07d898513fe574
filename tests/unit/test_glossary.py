"""The glossary (`locales/GLOSSARY.md`) is what the catalog, the tag names and the demo data say.

Each row gives a Khmer term and the spellings to avoid; none of those may appear in a Khmer
msgstr, a seed tag's or province's Khmer name, or the demonstration data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import demo
from storage.seed.provinces import PROVINCES
from storage.seed.tags import TAGS
from tests.unit.test_catalog_khmer import ROWS, subscript_faults

PROJECT = Path(__file__).resolve().parents[2]
GLOSSARY = PROJECT / "locales" / "GLOSSARY.md"
KHMER = re.compile("[\u1780-\u17ff]")
# The product's key words and the ministry's terms the issue names: each needs a row.
REQUIRED = (
    "cybersecurity", "start-ups", "blocked the bot", "request an introduction", "quiet hours",
    "statistics", "digital government", "member", "expert", "question", "answer", "job",
    "company", "broadcast", "competition", "digest", "topic (a tag)", "profile",
    "member directory", "connect, a connection", "report (a question, an answer, a profile)",
    "moderator", "administrator", "event", "policy", "news",
    "subscriptions (/subscriptions: what a member receives)", "web console",
)  # fmt: skip


def glossary_rows(text: str) -> list[dict[str, str]]:
    """The rows of the "Terms" table: English, Khmer, the spellings to avoid, the source."""
    section = text.split("## Terms", 1)[1]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or cells[0] in ("English", "---"):
            continue
        english, khmer, avoid, source = cells
        rows.append({"english": english, "khmer": khmer, "avoid": avoid, "source": source})
    return rows


TERMS = glossary_rows(GLOSSARY.read_text(encoding="utf-8"))


def avoided(row: dict[str, str]) -> list[str]:
    return [] if row["avoid"] == "—" else [s.strip() for s in row["avoid"].split(",")]


def demo_texts() -> list[str]:
    """Every Khmer string of the demonstration data."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str) and KHMER.search(value):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for name in ("DEMO_MEMBERS", "DEMO_COMPANY", "DEMO_JOBS", "DEMO_CONTENT"):
        walk(getattr(demo, name))
    return found


def shown_texts() -> dict[str, str]:
    """Where each Khmer text a member can see comes from, by a name that finds it."""
    texts = {f"msgid {msgid!r}": khmer for msgid, _english, khmer in ROWS}
    texts.update({f"tag {tag.slug}": tag.name_km for tag in TAGS})
    texts.update({f"province {p.slug}": p.name_km for p in PROVINCES})
    texts.update({f"demo text {i}": text for i, text in enumerate(demo_texts())})
    return texts


def test_the_glossary_has_the_terms_the_ministry_and_the_product_use() -> None:
    english = {row["english"] for row in TERMS}
    assert [term for term in REQUIRED if term not in english] == []
    for row in TERMS:
        assert KHMER.search(row["khmer"]), row
        assert row["source"], row
        assert not subscript_faults(row["khmer"]), row


def test_the_avoided_spellings_appear_nowhere() -> None:
    found = {
        where: [spelling for row in TERMS for spelling in avoided(row) if spelling in text]
        for where, text in shown_texts().items()
    }
    assert {where: spellings for where, spellings in found.items() if spellings} == {}


def test_each_glossary_term_is_in_use() -> None:
    everything = "\n".join(shown_texts().values())
    terms = [re.sub(r"\s*\(.*?\)", "", row["khmer"]) for row in TERMS]
    unused = [term for term in terms for part in term.split(",") if part.strip() not in everything]
    assert unused == []


def test_the_demo_data_speaks_khmer_to_a_khmer_reader() -> None:
    """Every demo item has its Khmer title and summary: none falls back to English."""
    for item in demo.DEMO_CONTENT:
        assert all(
            text and KHMER.search(text) for text in (item["titles"][0], item["summaries"][0])
        )


@pytest.mark.parametrize("where", ["tag", "province", "demo"])
def test_names_and_demo_data_spell_each_subscript_one_way(where: str) -> None:
    texts = {k: v for k, v in shown_texts().items() if k.startswith(where)}
    assert texts
    assert {k: subscript_faults(v) for k, v in texts.items() if subscript_faults(v)} == {}


def test_the_glossary_table_is_read_as_written() -> None:
    rows = glossary_rows("## Terms\n| English | Khmer | Avoid | Source |\n|---|---|---|---|\n"
                         "| quiet hours | ម៉ោងមិនរំខាន | ម៉ោងស្ងាត់, ម៉ោងសម្រាក | house choice |\n")  # fmt: skip
    assert rows == [
        {"english": "quiet hours", "khmer": "ម៉ោងមិនរំខាន", "avoid": "ម៉ោងស្ងាត់, ម៉ោងសម្រាក",
         "source": "house choice"},
    ]  # fmt: skip
    assert avoided(rows[0]) == ["ម៉ោងស្ងាត់", "ម៉ោងសម្រាក"]
