"""Text rules that hold for Khmer as well as English.

Khmer is counted in grapheme clusters (a consonant with its subscripts and vowels), never
code points: cutting a string by ``len`` can leave a dangling subscript. Khmer digits are
accepted wherever a member types a number.
"""

from __future__ import annotations

import html
import unicodedata

import regex

_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
# Control (Cc), format (Cf) and lone surrogate (Cs) characters: NUL cannot be stored in
# PostgreSQL text, the bidi overrides turn a name around on screen, and the zero-width
# characters (ZWSP, ZWNJ, ZWJ, BOM) only make equal names differ.
_NOT_IN_A_LINE = regex.compile(r"[\p{Cc}\p{Cf}\p{Cs}]")
# In a longer text: the controls but tab and newline, lone surrogates, and the bidi
# embeddings, overrides and isolates; ZWJ (emoji), ZWNJ and ZWSP stay, they can matter there.
_NOT_IN_A_TEXT = regex.compile(r"[^\P{Cc}\n\t]|[\p{Cs}\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = "\v\f\x1c\x1d\x1e\x85"  # controls that end a line: they become newlines


def escape(text: str) -> str:
    """Make user-supplied text safe inside an HTML-parse-mode message."""
    return html.escape(text, quote=False)


def graphemes(text: str) -> list[str]:
    return list(regex.findall(r"\X", text))


def grapheme_length(text: str) -> int:
    return len(graphemes(text))


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten to at most ``limit`` grapheme clusters, never splitting one."""
    clusters = graphemes(text)
    if len(clusters) <= limit:
        return text
    return "".join(clusters[: max(limit - 1, 0)]) + ellipsis


def telegram_length(text: str) -> int:
    """The length Telegram limits (4,096 a message): UTF-16 code units. That is ``len`` for
    Khmer and other text of the Basic Multilingual Plane; an emoji such as 💬 counts 2."""
    return len(text.encode("utf-16-le")) // 2


def clip_units(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten to at most ``limit`` UTF-16 code units (``telegram_length``), the ellipsis
    included, never splitting a grapheme cluster. ``clip`` counts clusters instead, which
    reads right but can be three or more code points a cluster in Khmer."""
    if telegram_length(text) <= limit:
        return text
    room = limit - telegram_length(ellipsis)
    if room < 0:
        return ""
    kept: list[str] = []
    for cluster in graphemes(text):
        room -= telegram_length(cluster)
        if room < 0:
            break
        kept.append(cluster)
    return "".join(kept) + ellipsis


def clean_line(text: str) -> str:
    """One line of member input (a name, a title): NFC; every control and format character
    (NUL, bidi overrides, zero-width ones) removed; any whitespace, line breaks included,
    becomes one space; no space at either end."""
    words = unicodedata.normalize("NFC", text).split()
    return " ".join(filter(None, (_NOT_IN_A_LINE.sub("", word) for word in words)))


def clean_text(text: str) -> str:
    """Free text of several lines (a question, an answer, a description): NFC, line breaks
    kept (``\\r\\n`` and ``\\r`` become ``\\n``), NUL and the other control characters but
    tab removed, the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
    removed, no whitespace at either end."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_IN_A_TEXT.sub(_text_replacement, text).strip()


def _text_replacement(match: regex.Match[str]) -> str:
    return "\n" if match.group() in _LINE_BREAKS else ""


def western_digits(text: str) -> str:
    return text.translate(_KHMER_DIGITS)


def has_letters(text: str) -> bool:
    """True when the text holds a letter of any script (Khmer letters included)."""
    return regex.search(r"\p{L}", text) is not None
