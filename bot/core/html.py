"""Telegram HTML that must fit a message: clipping without breaking tags, and long lists
(digests) split between their entries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from bot.core.text import telegram_length as units

MESSAGE_MAX = 4096  # Telegram counts UTF-16 units (``units``): ``len`` for Khmer, 2 an emoji
_SEPARATOR = "\n\n"


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


def clip_html(text: str, limit: int, ellipsis: str = "…") -> str:
    """Telegram HTML shortened to at most ``limit`` UTF-16 units, never cutting a
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
