"""Neutral keyboards. Buttons carry ids in callback data, never their labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

CALLBACK_DATA_MAX_BYTES = 64


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if self.data is not None and len(self.data.encode()) > CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"callback data over {CALLBACK_DATA_MAX_BYTES} bytes: {self.data!r}")


@dataclass(frozen=True, slots=True)
class InlineKeyboard:
    rows: tuple[tuple[Button, ...], ...]

    @classmethod
    def of(cls, rows: Sequence[Sequence[Button]]) -> InlineKeyboard:
        return cls(tuple(tuple(row) for row in rows if row))

    @classmethod
    def columns(cls, buttons: Sequence[Button], width: int) -> InlineKeyboard:
        """Lay buttons out ``width`` a row: phones show two or three Khmer labels legibly."""
        return cls.of([buttons[i : i + width] for i in range(0, len(buttons), width)])

    def buttons(self) -> list[Button]:
        return [b for row in self.rows for b in row]


@dataclass(frozen=True, slots=True)
class ReplyButton:
    text: str
    request_contact: bool = False


@dataclass(frozen=True, slots=True)
class ReplyKeyboard:
    """The keyboard under the text field: used only for the contact button."""

    rows: tuple[tuple[ReplyButton, ...], ...]


@dataclass(frozen=True, slots=True)
class RemoveKeyboard:
    """Take away a ReplyKeyboard shown earlier."""


Keyboard = InlineKeyboard | ReplyKeyboard | RemoveKeyboard


def keyboard_to_json(keyboard: InlineKeyboard | None) -> dict[str, Any] | None:
    """An inline keyboard as plain JSON, for messages stored in the outbox."""
    if keyboard is None:
        return None
    return {
        "rows": [
            [{k: v for k, v in (("text", b.text), ("data", b.data), ("url", b.url)) if v}
             for b in row]
            for row in keyboard.rows
        ]
    }  # fmt: skip


def keyboard_from_json(data: dict[str, Any] | None) -> InlineKeyboard | None:
    if not data:
        return None
    return InlineKeyboard.of(
        [[Button(b["text"], b.get("data"), b.get("url")) for b in row] for row in data["rows"]]
    )
