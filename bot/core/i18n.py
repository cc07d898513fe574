"""Gettext translations compiled from the .po catalogs at start-up, and Babel formatting.

Catalogs live in ``locales/<lang>/LC_MESSAGES/messages.po``; they are compiled in memory when
loaded (no .mo files to keep in step). English is the source language. A Khmer string that
is missing is logged and shown in English in production; with ``strict=True`` (the tests)
it raises, so a missing translation fails the tests instead of falling back silently.
"""

from __future__ import annotations

import gettext
import io
import logging
from datetime import date, datetime, timedelta
from pathlib import Path

from babel.dates import format_date, format_datetime, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("km", "en")
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"

log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return message


def language_for(code: str | None) -> str:
    """Telegram's language_code → our language: Khmer for km*, English otherwise."""
    return "km" if (code or "").lower().startswith("km") else "en"


class MissingTranslation(KeyError):
    pass


class Translator:
    def __init__(
        self, language: str, catalog: gettext.NullTranslations, strict: bool = False
    ) -> None:
        self.language = language
        self._catalog = catalog
        self._strict = strict and language != DEFAULT_LANGUAGE

    def gettext(self, message: str) -> str:
        translated = self._catalog.gettext(message)
        if translated == message and self.language != DEFAULT_LANGUAGE and message:
            if self._strict:
                raise MissingTranslation(f"no {self.language} translation for {message!r}")
            log.warning("missing %s translation: %r", self.language, message)
        return translated

    def date(self, value: date | datetime, format: str = "long") -> str:
        return format_date(value, format=format, locale=self.language)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.language)

    def moment(self, value: datetime) -> str:
        """A date and a 24-hour time, in the time zone ``value`` carries."""
        return format_datetime(value, "d MMMM y HH:mm", tzinfo=value.tzinfo, locale=self.language)

    def duration(self, seconds: float) -> str:
        """About how long: "3 minutes", "2 ម៉ោង"."""
        return format_timedelta(timedelta(seconds=seconds), threshold=1.1, locale=self.language)


class Translations:
    """All languages' catalogs, loaded once; ``for_language`` hands out translators."""

    def __init__(self, locales_dir: Path, strict: bool = False) -> None:
        self._catalogs = {lang: _load(locales_dir, lang) for lang in LANGUAGES}
        self._strict = strict

    def for_language(self, language: str) -> Translator:
        if language not in self._catalogs:
            language = DEFAULT_LANGUAGE
        return Translator(language, self._catalogs[language], self._strict)

    def pairs(self) -> list[tuple[str, str]]:
        """Every (message, its translation) of the languages other than the source: what
        ``bot.core.typed`` matches a label typed in either language with."""
        return [
            (source, translated)
            for catalog in self._catalogs.values()
            for source, translated in getattr(catalog, "_catalog", {}).items()
            if isinstance(source, str) and source and translated
        ]


def _load(locales_dir: Path, language: str) -> gettext.NullTranslations:
    po_path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        if language == DEFAULT_LANGUAGE:
            return gettext.NullTranslations()
        raise FileNotFoundError(po_path)
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
