"""Gettext translations compiled from the .po catalogs at start-up, and Babel formatting.

Catalogs live in ``locales/<lang>/LC_MESSAGES/messages.po``; they are compiled in memory when
loaded (no .mo files to keep in step). English is the source language. A Khmer string that
is missing is logged and shown in English in production; with ``strict=True`` (the tests)
it raises, so a missing translation fails the tests instead of falling back silently.

Numbers, dates and plurals are written here, in one place, the way each language writes them:
Khmer screens in Khmer digits (០១២៣៤៥៦៧៨៩, which Babel cannot produce: it formats, then the
digits are translated) and Khmer dates ("ថ្ងៃទី១២ ខែធ្នូ ឆ្នាំ២០២៦ ម៉ោង ០៩:០០"); English
dates day first, as Cambodia writes them ("5 December 2026"); a count's noun through
``ngettext`` (km has one plural form, English two).
"""

from __future__ import annotations

import gettext
import io
import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

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


KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")

# Babel's named date formats give "December 5, 2026" in English and "5 ធ្នូ 2026" in Khmer:
# these are the ways the ministry writes a date. Other patterns go to Babel as given.
_DATE_PATTERNS = {
    "en": {
        "full": "EEEE d MMMM y",
        "long": "d MMMM y",
        "medium": "d MMM y",
        "short": "dd/MM/y",
    },
    "km": {
        "full": "'ថ្ងៃ'EEEE 'ទី'd 'ខែ'MMMM 'ឆ្នាំ'y",
        "long": "'ថ្ងៃទី'd 'ខែ'MMMM 'ឆ្នាំ'y",
        "medium": "'ថ្ងៃទី'd 'ខែ'MMMM 'ឆ្នាំ'y",
        "short": "dd/MM/y",
        "MMMM y": "'ខែ'MMMM 'ឆ្នាំ'y",
    },
}
_MOMENT_PATTERNS = {
    "en": "d MMMM y HH:mm",
    "km": "'ថ្ងៃទី'd 'ខែ'MMMM 'ឆ្នាំ'y 'ម៉ោង' HH:mm",
}


class Message(str):
    """A translated message whose placeholders write numbers in the reader's digits.

    ``Translator.gettext`` and ``ngettext`` return one for a language with digits of its
    own (Khmer), so that ``ctx._("… {count} …").format(count=n)`` reads "… ៣ …" on a Khmer
    screen without every call site formatting its numbers: an ``int``, ``float`` or
    ``Decimal`` argument (never a ``bool``) is written as ``str()`` writes it, in Khmer
    digits. A number that must stay typable as it is (a /command's argument, a date in the
    format to type back, an id in a link or in button data) is passed as a ``str``, which is
    left alone; so is every text, a member's typed digits included. Formatting gives a
    plain ``str``; so does anything else done to the message (``+``, ``escape``).
    """

    translator: Translator

    def format(self, *args: Any, **kwargs: Any) -> str:
        shown = self.translator.shown
        return str.format(
            self, *(shown(a) for a in args), **{k: shown(v) for k, v in kwargs.items()}
        )

    def format_map(self, mapping: Any) -> str:
        return self.format(**mapping)


class Translator:
    def __init__(
        self, language: str, catalog: gettext.NullTranslations, strict: bool = False
    ) -> None:
        self.language = language
        self._catalog = catalog
        self._strict = strict and language != DEFAULT_LANGUAGE
        self._digits = KHMER_DIGITS if language == "km" else None

    def gettext(self, message: str) -> str:
        translated = self._catalog.gettext(message)
        if translated == message and self.language != DEFAULT_LANGUAGE and message:
            self._missing(message)
        return self._message(translated)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of a message for ``n`` of something: "{count} member" for 1 and
        "{count} members" otherwise in English, Khmer's one form whatever ``n``. Format
        the count into it (``.format(count=n)``): it is written in the reader's digits."""
        translated = self._catalog.ngettext(singular, plural, n)
        if translated in (singular, plural) and self.language != DEFAULT_LANGUAGE:
            self._missing(singular)
        return self._message(translated)

    def _missing(self, message: str) -> None:
        if self._strict:
            raise MissingTranslation(f"no {self.language} translation for {message!r}")
        log.warning("missing %s translation: %r", self.language, message)

    def _message(self, text: str) -> str:
        if self._digits is None:
            return text
        message = Message(text)
        message.translator = self
        return message

    def digits(self, text: str) -> str:
        """``text``'s Western digits in the reader's digits (Khmer digits on a Khmer screen):
        for a number written by code, such as "1/3"; never for a member's own text."""
        return text if self._digits is None else text.translate(self._digits)

    def shown(self, value: object) -> object:
        """A placeholder's value as a Khmer screen shows it (see ``Message``)."""
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return self.digits(str(value))
        return value

    def date(self, value: date | datetime, format: str = "long") -> str:
        """A date: "5 December 2026", "ថ្ងៃទី៥ ខែធ្នូ ឆ្នាំ២០២៦" (``format`` "long");
        "medium", "short", "full", or a Babel pattern such as "MMMM y" or "d MMM"."""
        pattern = _DATE_PATTERNS.get(self.language, {}).get(format, format)
        return self.digits(format_date(value, format=pattern, locale=self.language))

    def number(self, value: float | Decimal) -> str:
        """A number grouped as the language groups it: "1,234,567", "១,២៣៤,៥៦៧"."""
        return self.digits(format_decimal(value, locale=self.language))

    def moment(self, value: datetime) -> str:
        """A date and a 24-hour time, in the time zone ``value`` carries:
        "5 December 2026 09:00", "ថ្ងៃទី៥ ខែធ្នូ ឆ្នាំ២០២៦ ម៉ោង ០៩:០០"."""
        pattern = _MOMENT_PATTERNS.get(self.language, _MOMENT_PATTERNS["en"])
        moment = format_datetime(value, pattern, tzinfo=value.tzinfo, locale=self.language)
        return self.digits(moment)

    def duration(self, seconds: float) -> str:
        """About how long: "3 minutes", "២ ម៉ោង"."""
        duration = timedelta(seconds=seconds)
        return self.digits(format_timedelta(duration, threshold=1.1, locale=self.language))

    def span(self, seconds: float) -> str:
        """How long, in words, an hour or more keeping its minutes: "2 minutes", "1 hour 23
        minutes" ("1 hour" for 83 minutes would hide a fifth of the wait)."""
        if seconds < 3600:
            return self.duration(seconds)
        hours, minutes = divmod(round(seconds / 60), 60)
        shown = format_timedelta(timedelta(hours=hours), threshold=1, locale=self.language)
        if minutes:
            later = format_timedelta(timedelta(minutes=minutes), threshold=1, locale=self.language)
            shown += " " + later
        return self.digits(shown)


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
    for message in list(catalog):
        if message.id and message.pluralizable and not any(message.string or ()):
            del catalog[message.id]  # English's own plurals: no empty forms in the .mo
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
