"""The neutral incoming event: what an engine turns a Telegram update into."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EventKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    CALLBACK = "callback"
    CONTACT = "contact"
    OTHER = "other"  # sticker, photo, voice, …: anything the bot cannot read as text


@dataclass(frozen=True, slots=True)
class User:
    id: int
    first_name: str = ""
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One update from one user, in the bot's own words.

    ``chat_id`` is where replies go; ``message_id`` is the message a callback was pressed on.
    """

    update_id: int
    kind: EventKind
    user: User
    chat_id: int
    chat_is_private: bool = True
    text: str = ""
    command: str = ""  # without the slash and any @botname, lowercased
    args: str = ""
    callback_id: str = ""
    callback_data: str = ""
    message_id: int | None = None
    contact_phone: str = ""
    contact_user_id: int | None = None
    forwarded: bool = False  # the text is a message forwarded from someone
    forwarded_from: int | None = None  # who wrote it, unless they hide it in forwards
    extra: dict[str, str] = field(default_factory=dict)


def parse_command(text: str) -> tuple[str, str] | None:
    """Split '/cmd@bot args' into ('cmd', 'args'); None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return None
    head, *rest = text[1:].split(maxsplit=1)
    name = head.split("@", 1)[0].lower()
    if not name:
        return None
    return name, rest[0].strip() if rest else ""
