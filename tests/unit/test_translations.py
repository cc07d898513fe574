"""Every message a member can see has a real Khmer translation with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.core.i18n import MissingTranslation, Translations

PROJECT = Path(__file__).resolve().parents[2]
LOCALES = PROJECT / "locales"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")
COMMAND = re.compile(r"(?<![\w/])/[a-z]+")


def catalog(language: str) -> Catalog:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def messages() -> list[str]:
    return [str(m.id) for m in catalog("km") if m.id]


def test_the_catalogs_hold_every_message_in_the_source(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "--no-location", "-o", str(pot), "."],
        cwd=PROJECT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as source:
        in_source = {m.id for m in read_po(source) if m.id}
    for language in ("km", "en"):
        in_catalog = {m.id for m in catalog(language) if m.id}
        assert in_source - in_catalog == set(), f"run pybabel update: {language} lacks these"
        assert in_catalog - in_source == set(), f"obsolete messages in {language}"


@pytest.mark.parametrize("msgid", messages())
def test_khmer_translation_is_complete_and_keeps_placeholders(msgid: str) -> None:
    message = catalog("km")[msgid]
    assert message.string, "no Khmer translation"
    assert not message.fuzzy, "fuzzy translation"
    assert message.string != msgid or msgid == "Language / ភាសា", "English copied over"
    translated = str(message.string)
    assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(msgid))
    assert TAG.findall(translated) == TAG.findall(msgid)
    assert sorted(COMMAND.findall(translated)) == sorted(COMMAND.findall(msgid))


def test_a_missing_khmer_string_fails_instead_of_falling_back() -> None:
    khmer = Translations(LOCALES, strict=True).for_language("km")
    with pytest.raises(MissingTranslation):
        khmer.gettext("A sentence nobody has translated")
    assert Translations(LOCALES).for_language("km").gettext("Unknown") == "Unknown"


def test_dates_and_numbers_follow_the_members_locale() -> None:
    from datetime import date

    translations = Translations(LOCALES)
    assert translations.for_language("km").date(date(2026, 11, 24)) == "24 វិច្ឆិកា 2026"
    assert translations.for_language("en").date(date(2026, 11, 24)) == "November 24, 2026"
    assert translations.for_language("km").number(1234567) == "1,234,567"
