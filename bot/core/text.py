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
# In a longer text (a question, an answer, a description) the same characters go, tab and
# line breaks excepted, with two exceptions that writing needs: a single zero-width space,
# non-joiner or joiner *between two visible characters* stays (Khmer typists separate words
# with U+200B, and ZWJ/ZWNJ shape Khmer and join emoji such as 👩‍💻), and the invisible tag
# letters of a flag emoji (🏴 + tags + cancel tag) stay. Runs of them, or one at an edge or
# beside a space, go: they only hide things. The bidi marks and overrides always go.
_VISIBLE = r"[^\s\p{Cc}\p{Cf}\p{Cs}]"
_NOT_IN_A_TEXT = regex.compile(
    r"(?P<keep>\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F"
    rf"|(?<={_VISIBLE})[\u200b-\u200d](?={_VISIBLE}))"
    r"|[^\P{Cc}\n\t]|[\p{Cf}\p{Cs}]"
)
_LINE_BREAKS = "\v\f\x1c\x1d\x1e\x85"  # controls that end a line: they become newlines
CODE_POINTS_PER_CHARACTER = 2
"""A field limited to N characters (grapheme clusters, what a member counts) also holds at
most twice N code points: Khmer averages under two a cluster, but a cluster can carry any
number of combining marks, and five "characters" of a thousand marks each would otherwise
pass a 5-character limit and fill a list view."""
UNITS_PER_CLIPPED_CHARACTER = 3
"""``clip(text, n)`` shows at most ``n`` clusters and at most three times ``n`` UTF-16 units:
real Khmer (under two units a cluster) and emoji (two) never reach it, a cluster of
combining marks does."""


def escape(text: str) -> str:
    """Make user-supplied text safe inside an HTML-parse-mode message."""
    return html.escape(text, quote=False)


def graphemes(text: str) -> list[str]:
    return list(regex.findall(r"\X", text))


def grapheme_length(text: str) -> int:
    return len(graphemes(text))


def too_long(text: str, limit: int) -> bool:
    """Whether member input is over a limit of ``limit`` characters: more grapheme clusters
    than that, or more than ``CODE_POINTS_PER_CHARACTER`` times as many code points. Every
    field limited in characters is checked with this, never with ``grapheme_length`` alone."""
    return len(text) > CODE_POINTS_PER_CHARACTER * limit or grapheme_length(text) > limit


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten to at most ``limit`` grapheme clusters, never splitting one, and to at most
    ``UNITS_PER_CLIPPED_CHARACTER`` times ``limit`` UTF-16 units (``telegram_length``) all
    told: a line of a list clipped to 80 characters takes at most 240 units of the message
    whatever its clusters carry (a thousand combining marks, long emoji sequences)."""
    clusters = graphemes(text)
    if len(clusters) > limit:
        text = "".join(clusters[: max(limit - 1, 0)]) + ellipsis
    return clip_units(text, UNITS_PER_CLIPPED_CHARACTER * limit, ellipsis)


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
    """Free text of several lines (a question, an answer, a follow-up, a description): NFC,
    line breaks kept (``\\r\\n`` and ``\\r`` become ``\\n``), NUL and the other control
    characters but tab removed, every format character removed (the bidi marks, embeddings,
    overrides and isolates, BOM, word joiner, soft hyphen…) except a single zero-width
    space, non-joiner or joiner between two visible characters and a flag emoji's tag
    letters (see ``_NOT_IN_A_TEXT``), no whitespace at either end."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_IN_A_TEXT.sub(_text_replacement, text).strip()


def _text_replacement(match: regex.Match[str]) -> str:
    if match.group("keep"):
        return match.group()
    return "\n" if match.group() in _LINE_BREAKS else ""


def western_digits(text: str) -> str:
    return text.translate(_KHMER_DIGITS)


def has_letters(text: str) -> bool:
    """True when the text holds a letter of any script (Khmer letters included)."""
    return regex.search(r"\p{L}", text) is not None
