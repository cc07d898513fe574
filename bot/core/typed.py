"""Typing a button's label works like pressing it.

A member in a step that shows inline buttons may type a label instead of tapping it ("skip",
"Done", "បោះបង់", "cancel" under a Khmer keyboard). The buttons a step shows are remembered
with the conversation (``remember``, from ``Context.reply``): each label's key, that is
the label folded (case, spaces, punctuation and emoji left out, Khmer digits as Western
ones), with the button's callback data. A text whose key is one label's key, or the key of
the same message in the other language (``LabelTwins``: from the catalogs), is routed by
dispatch as that button's press, through the same handler and its permission checks.

Only the buttons of the current step of the current flow count (another step or flow forgets
them), and a key shared by two buttons with different data matches neither.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from typing import Any

import regex

from bot.core.keyboards import InlineKeyboard
from bot.core.text import western_digits

KEY = "_typed"  # in the conversation's data: {"at": "token:step", "labels": {key: data}}
# letters, their marks (Khmer vowels and subscripts) and digits; not the emoji's variation
# selectors and keycaps, which are marks too ("➡️" is an arrow and U+FE0F)
_NOT_KEPT = regex.compile(r"[^\p{L}\p{M}\p{N}]+|[\p{Me}\uFE00-\uFE0F]+")
LABEL_MAX = 60  # messages longer than this are no button labels: not indexed


def label_key(text: str) -> str:
    """``"✅ Create"``, ``"create"`` and ``" CREATE "`` have one key: ``"create"``."""
    folded = unicodedata.normalize("NFC", western_digits(text)).casefold()
    return _NOT_KEPT.sub("", folded)


# The labels of the bot's own buttons: the same few hundred come back in every reply, so each
# is folded once (a member's typed texts go through ``label_key`` itself, never kept).
_button_key = functools.lru_cache(maxsize=4096)(label_key)


def _place(conversation: Any) -> str:
    return f"{conversation.token}:{conversation.step}"


def remember(conversation: Any, keyboard: InlineKeyboard) -> None:
    """Keep the labels of a keyboard the current step shows (with those it showed before)."""
    if conversation.flow is None or conversation.step is None:
        return
    data = conversation.data
    kept = data.get(KEY)
    labels: dict[str, str | None] = (
        dict(kept["labels"]) if kept and kept.get("at") == _place(conversation) else {}
    )
    for button in keyboard.buttons():
        key = _button_key(button.text)
        if not key or button.data is None:
            continue
        labels[key] = button.data if labels.get(key, button.data) == button.data else None
    data[KEY] = {"at": _place(conversation), "labels": labels}


def pressed(conversation: Any, text: str, twins: LabelTwins) -> str | None:
    """The callback data of the button of the current step whose label ``text`` is, or None."""
    kept = conversation.data.get(KEY)
    if not kept or kept.get("at") != _place(conversation):
        return None
    labels: dict[str, str | None] = kept["labels"]
    key = label_key(text)
    if not key:
        return None
    found = {labels[k] for k in (key, *twins.of(key)) if k in labels}
    return found.pop() if len(found) == 1 else None


class LabelTwins:
    """Each short message's key with the keys of its translations (``Create`` ↔ ``បង្កើត``),
    so a label typed in either language matches the button shown in one."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._twins: dict[str, set[str]] = {}
        for source, translated in pairs:
            if len(source) > LABEL_MAX:
                continue
            a, b = label_key(source), label_key(translated)
            if a and b and a != b:
                self._twins.setdefault(a, set()).add(b)
                self._twins.setdefault(b, set()).add(a)

    def of(self, key: str) -> set[str]:
        return self._twins.get(key, set())
