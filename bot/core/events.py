"""The neutral incoming event: what an engine turns a Telegram update into."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    CALLBACK = "callback"
    CONTACT = "contact"
    MEDIA = "media"  # a photo or a document (``Event.attachment``), its caption as the text
    OTHER = "other"  # sticker, photo, voice, …: anything the bot cannot read as text


@dataclass(frozen=True, slots=True)
class User:
    id: int
    first_name: str = ""
    username: str | None = None
    language_code: str | None = None


PHOTO, DOCUMENT = "photo", "document"


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file Telegram already holds, to send again by its ``file_id`` (never downloaded):
    ``kind`` is ``photo`` or ``document``."""

    kind: str
    file_id: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A photo or document a user sent, as Telegram describes it. For a photo the largest
    size is kept (Telegram gives no name or type for photos: ``image/jpeg``, as it encodes
    them). ``media_group_id`` marks one file of an album (each arrives as its own update)."""

    kind: str  # PHOTO or DOCUMENT
    file_id: str
    file_unique_id: str
    size: int | None = None  # bytes, when Telegram tells
    file_name: str | None = None
    mime_type: str | None = None
    media_group_id: str | None = None

    @property
    def ref(self) -> FileRef:
        return FileRef(self.kind, self.file_id)


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
    attachment: Attachment | None = None  # MEDIA: the photo or document; ``text``: its caption
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


class MalformedUpdate(ValueError):
    """An update that cannot be read as Telegram's (wrong types, a missing sender, nesting
    deeper than any real update): skipped and logged, never handled half-way."""

    @classmethod
    def because(cls, error: Exception) -> MalformedUpdate:
        """One line saying what the framework found wrong, short enough for a log."""
        return cls(" ".join(f"{type(error).__name__}: {error}".split())[:300])


def read_update(to_event: Callable[[Any], Event | None], update: Any) -> Event | None:
    """An engine's ``to_event`` for input from outside: MalformedUpdate (never another
    error) when the update cannot be read as the handlers need it."""
    try:
        event = to_event(update)
    except Exception as error:  # a field missing or of a type the framework did not check
        raise MalformedUpdate.because(error) from error
    return checked(event) if event is not None else None


_STRINGS = ("text", "command", "args", "callback_id", "callback_data", "contact_phone")
_OPTIONAL_INTS = ("message_id", "contact_user_id", "forwarded_from")


def _is_int(value: object) -> bool:
    """An integer the database can store (Telegram's ids fit in 64 bits)."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _attachment_problems(attachment: Attachment | None) -> list[str]:
    if attachment is None:
        return []
    fields = (
        ("file_id", isinstance(attachment.file_id, str) and bool(attachment.file_id)),
        ("file_unique_id", isinstance(attachment.file_unique_id, str)),
        ("file_size", attachment.size is None or _is_int(attachment.size)),
        ("file_name", attachment.file_name is None or isinstance(attachment.file_name, str)),
        ("mime_type", attachment.mime_type is None or isinstance(attachment.mime_type, str)),
        (
            "media_group_id",
            attachment.media_group_id is None or isinstance(attachment.media_group_id, str),
        ),
    )
    return [f"{attachment.kind}.{name}" for name, good in fields if not good]


def checked(event: Event) -> Event:
    """``event`` when every field has the type the handlers rely on, else MalformedUpdate.

    python-telegram-bot builds its objects without checking types (a sender id may arrive
    as a string), aiogram checks them itself: this one check makes both engines hand the
    core the same thing."""
    user = event.user
    problems = [
        name
        for name, good in (
            ("update_id", _is_int(event.update_id)),
            ("chat_id", _is_int(event.chat_id)),
            ("from.id", _is_int(user.id)),
            ("from.first_name", isinstance(user.first_name, str)),
            ("from.username", user.username is None or isinstance(user.username, str)),
            (
                "from.language_code",
                user.language_code is None or isinstance(user.language_code, str),
            ),
            *((name, isinstance(getattr(event, name), str)) for name in _STRINGS),
            *(
                (name, getattr(event, name) is None or _is_int(getattr(event, name)))
                for name in _OPTIONAL_INTS
            ),
        )
        if not good
    ]
    problems += _attachment_problems(event.attachment)
    if problems:
        raise MalformedUpdate(f"wrong type of {', '.join(problems)}")
    return event
