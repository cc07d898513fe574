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
    """Every msgid; a plural message by its singular (the catalog's key for it)."""
    return [str(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog("km") if m.id]


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
    assert not message.fuzzy, "fuzzy translation"
    english = [str(i) for i in message.id] if isinstance(message.id, tuple) else [str(message.id)]
    forms = (
        [str(s) for s in message.string]
        if isinstance(message.string, tuple)
        else [str(message.string or "")]
    )
    if message.pluralizable:  # Khmer has one form, whatever the count
        assert len(forms) == 1, "Khmer plurals have one form (nplurals=1)"
    for translated in forms:
        assert translated, "no Khmer translation"
        assert translated not in english or msgid == "Language / ភាសា", "English copied over"
        for source in english:  # each English form keeps what the Khmer keeps
            assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(source))
            assert TAG.findall(translated) == TAG.findall(source)
            assert sorted(COMMAND.findall(translated)) == sorted(COMMAND.findall(source))


def test_khmer_has_one_plural_form_and_english_two() -> None:
    assert catalog("km").plural_forms == "nplurals=1; plural=0;"
    assert catalog("en").plural_forms == "nplurals=2; plural=(n != 1);"


def test_a_missing_khmer_string_fails_instead_of_falling_back() -> None:
    khmer = Translations(LOCALES, strict=True).for_language("km")
    with pytest.raises(MissingTranslation):
        khmer.gettext("A sentence nobody has translated")
    with pytest.raises(MissingTranslation):
        khmer.ngettext("{count} thing nobody has translated", "{count} things", 1)
    with pytest.raises(MissingTranslation):
        khmer.ngettext("{count} thing nobody has translated", "{count} things", 2)
    assert Translations(LOCALES).for_language("km").gettext("Unknown") == "Unknown"
    lenient = Translations(LOCALES).for_language("km")
    assert lenient.ngettext("{count} thing", "{count} things", 2).format(count=2) == "២ things"
