"""Telegram HTML that must fit a message, measured as Telegram measures it: UTF-16 code
units of the text once the markup is parsed (``shown_length``: a tag counts nothing, ``&lt;``
one). Clipping never breaks a tag, an entity or a grapheme cluster; a long message is split
into several (``split_html``); long lists (digests) are split between their entries."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import regex

from bot.core.i18n import N_, Translator
from bot.core.text import escape
from bot.core.text import telegram_length as units

MESSAGE_MAX = 4096  # Telegram counts UTF-16 units (``units``): ``len`` for Khmer, 2 an emoji
CAPTION_MAX = 1024  # a photo's or a document's caption, counted the same way
CALLBACK_ANSWER_MAX = 200  # the toast or alert answering a button press
_SEPARATOR = "\n\n"
PART_MARK = N_("(part {part} of {total})")
"""Ends each message of a text too long for one, so the reader knows more follows."""


@dataclass(frozen=True)
class DigestEntry:
    """One job as it appears in a digest.

    ``text`` is already-rendered Telegram HTML: member text escaped, and clipped to
    ``ENTRY_MAX`` characters before it was wrapped in tags (or the whole clipped with
    ``clip_html``), so several jobs fit one message and tags stay balanced.
    """

    job_id: int
    text: str


def split_digest(
    header: str, entries: Sequence[DigestEntry], limit: int = MESSAGE_MAX, continued: str = "…"
) -> list[str]:
    """A digest as few messages as Telegram needs: each at most ``limit`` UTF-16 units of
    HTML (``len`` for Khmer; an emoji counts 2). The markup is counted too, so a message is
    never over Telegram's limit on the text it shows.

    ``header`` opens the first message and ``continued`` each following one (an empty
    string for none); entries follow, separated by blank lines, and an entry is never
    split across two messages. An entry too long for a message of its own is clipped to
    fit, on a grapheme boundary with its HTML kept balanced, rather than sent broken or
    dropped. No entries, no messages: an empty digest is not sent.
    """
    for opening in (header, continued):
        if units(opening) + len(_SEPARATOR) + 1 > limit:
            raise ValueError(f"a digest heading of {units(opening)} units leaves no room")
    messages: list[str] = []
    current, has_entry = header, False
    for entry in entries:
        joined = current + _SEPARATOR + entry.text if current else entry.text
        if units(joined) > limit and has_entry:
            messages.append(current)
            current, has_entry = continued, False
            joined = current + _SEPARATOR + entry.text if current else entry.text
        if units(joined) > limit:
            opening = current + _SEPARATOR if current else ""
            joined = opening + clip_html(entry.text, limit - units(opening))
        current, has_entry = joined, True
    if has_entry:
        messages.append(current)
    return messages


# A tag, a character reference or one grapheme cluster: what clipping must not cut into.
_HTML_TOKEN = regex.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z]+);|\X", regex.IGNORECASE)
_TAG = regex.compile(r"<(/?)([a-z][\w-]*)", regex.IGNORECASE)


def _shown(token: str) -> int:
    """What one token of ``_HTML_TOKEN`` adds to the text Telegram shows, in UTF-16 units."""
    if token.startswith("<") and len(token) > 1:
        return 0
    if token.startswith("&") and len(token) > 1:
        return units(html.unescape(token))
    return units(token)


def shown_length(text: str) -> int:
    """The length Telegram limits, of a message sent with HTML parse mode: UTF-16 code units
    of the text after its entities are parsed (tags count nothing, ``&amp;`` one, an emoji
    two). Plain text measures as ``telegram_length``."""
    if "<" not in text and "&" not in text:
        return units(text)
    return sum(_shown(token) for token in _HTML_TOKEN.findall(text))


def fits(text: str, limit: int) -> bool:
    """Whether ``text`` (Telegram HTML) shows in at most ``limit`` units. The markup as
    written is never shorter than what it shows (a tag shows nothing, an entity of four or
    more characters one or two units), so a text whose markup fits needs no parsing: most
    of what the bot sends is measured at C speed, not a token at a time."""
    return units(text) <= limit or shown_length(text) <= limit


def clip_html(text: str, limit: int, ellipsis: str = "…") -> str:
    """Telegram HTML shortened to at most ``limit`` UTF-16 units of markup and text (more
    than Telegram counts, ``shown_length``: room to spare), never cutting a
    grapheme cluster, a tag or an entity, with the tags still open closed after the
    ellipsis: Telegram refuses a whole message whose HTML does not parse."""
    if units(text) <= limit:
        return text
    if limit < units(ellipsis):
        raise ValueError(f"cannot clip to {limit} characters")
    kept: list[str] = []
    size = 0
    open_tags: tuple[str, ...] = ()
    for token in _HTML_TOKEN.findall(text):
        after = _open_tags_after(open_tags, token)
        closing = sum(len(name) + 3 for name in after)
        if size + units(token) + units(ellipsis) + closing > limit:
            break
        kept.append(token)
        size, open_tags = size + units(token), after
    return "".join(kept).rstrip() + ellipsis + "".join(f"</{name}>" for name in reversed(open_tags))


def _open_tags_after(open_tags: tuple[str, ...], token: str) -> tuple[str, ...]:
    tag = _TAG.match(token) if token.startswith("<") else None
    if tag is None:
        return open_tags
    closing, name = tag.group(1), tag.group(2).lower()
    if not closing:
        return (*open_tags, name)
    if name in open_tags:  # close it and anything left open inside it
        return open_tags[: len(open_tags) - 1 - open_tags[::-1].index(name)]
    return open_tags


_WHITESPACE = frozenset({" ", "\n", "\t"})


def _break_priority(tokens: list[str], index: int) -> int:
    """How good a place the whitespace token at ``index`` is to end a message: between
    paragraphs 3, lines 2, words 1; 0 when it is no whitespace."""
    token = tokens[index]
    if token == "\n":
        return 3 if index > 0 and tokens[index - 1] == "\n" else 2
    return 1 if token in _WHITESPACE else 0


def _tokens(text: str, limit: int) -> list[str]:
    """``_HTML_TOKEN`` tokens; a grapheme cluster longer than ``limit`` on its own (a
    thousand combining marks) falls apart into its code points, so that it can be split."""
    tokens: list[str] = []
    for token in _HTML_TOKEN.findall(text):
        tokens.extend(token if _shown(token) > limit else [token])
    return tokens


def _opening_after(opening: tuple[str, ...], token: str) -> tuple[str, ...]:
    """The opening tags (whole, attributes and all) still open after ``token``."""
    names = tuple(_tag_name(tag) for tag in opening)
    after = _open_tags_after(names, token)
    if len(after) > len(names):
        return (*opening, token)
    return opening[: len(after)]


def _tag_name(tag: str) -> str:
    found = _TAG.match(tag)
    return found.group(2).lower() if found else ""


def split_html(text: str, limit: int = MESSAGE_MAX) -> list[str]:
    """Telegram HTML as one or more messages of at most ``limit`` units each as Telegram
    counts them (``shown_length``), in order, together the whole text.

    A message ends between paragraphs if one ends in its second half, else between lines,
    else between words, else between two grapheme clusters; never inside a tag, an entity
    or a cluster (only a cluster longer than a whole message is cut, between code points).
    The tags open where a message ends are closed there and opened again, with their
    attributes, at the start of the next; the whitespace at the cut is dropped."""
    if fits(text, limit):
        return [text]
    if limit < 2:
        raise ValueError(f"cannot split into messages of {limit} units")
    tokens = _tokens(text, limit)
    parts: list[str] = []
    start, opening = 0, cast(tuple[str, ...], ())  # the tags open where a message starts
    while start < len(tokens):
        size, here = 0, opening
        breaks: dict[int, tuple[int, tuple[str, ...]]] = {}  # the latest of each priority
        index = start
        while index < len(tokens) and size + _shown(tokens[index]) <= limit:
            priority = _break_priority(tokens, index)
            if priority and size * 2 >= limit:
                breaks[priority] = (index, here)
            size += _shown(tokens[index])
            here = _opening_after(here, tokens[index])
            index += 1
        cut, open_at_cut = breaks[max(breaks)] if index < len(tokens) and breaks else (index, here)
        end = cut
        while end > start and tokens[end - 1] in _WHITESPACE:
            end -= 1
        body = "".join(tokens[start:end])
        closing = "".join(f"</{_tag_name(tag)}>" for tag in reversed(open_at_cut))
        if shown_length(body):
            parts.append("".join(opening) + body + closing)
        start, opening = cut, open_at_cut
        while start < len(tokens) and tokens[start] in _WHITESPACE:
            start += 1
    return parts


def split_message(text: str, t: Translator, limit: int = MESSAGE_MAX) -> list[str]:
    """A message as one, or when Telegram would refuse it as too long, as several
    (``split_html``), each ending with "(part 2 of 3)" in the reader's language. What a
    member wrote (an answer, a question, a follow-up) is never clipped on its way to its
    reader: it arrives whole, in parts, the heading on the first."""
    if fits(text, limit):
        return [text]

    def mark(part: int, total: int) -> str:
        label = t.gettext(PART_MARK).format(part=t.number(part), total=t.number(total))
        return "\n\n<i>" + escape(label) + "</i>"

    parts = split_html(text, limit - shown_length(mark(9999, 9999)))
    return [part + mark(number, len(parts)) for number, part in enumerate(parts, 1)]


def split_caption(text: str, t: Translator) -> list[str]:
    """The caption of a photo or document, then the messages that follow it: a text longer
    than Telegram's CAPTION_MAX goes with the file as far as a caption takes (ending, as
    any message in parts, with "(part 1 of N)"), the rest after it in messages of up to
    MESSAGE_MAX units. Nothing is clipped."""
    if fits(text, CAPTION_MAX):
        return [text]

    def mark(part: int, total: int) -> str:
        label = t.gettext(PART_MARK).format(part=t.number(part), total=t.number(total))
        return "\n\n<i>" + escape(label) + "</i>"

    room = shown_length(mark(9999, 9999))
    pieces = split_html(text, CAPTION_MAX - room)
    following: list[str] = []
    for piece in pieces[1:]:  # the caption's pieces, joined again into full messages
        joined = following[-1] + "\n" + piece if following else piece
        if following and shown_length(joined) <= MESSAGE_MAX - room:
            following[-1] = joined
        else:
            following.append(piece)
    parts = [pieces[0], *following]
    return [part + mark(number, len(parts)) for number, part in enumerate(parts, 1)]
