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
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))


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
    """One line of member input: NFC, invisible characters and runs of spaces removed."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return " ".join(text.split())


def western_digits(text: str) -> str:
    return text.translate(_KHMER_DIGITS)


def has_letters(text: str) -> bool:
    """True when the text holds a letter of any script (Khmer letters included)."""
    return regex.search(r"\p{L}", text) is not None
