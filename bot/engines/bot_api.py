"""What both engines share: Telegram's Bot API read and written once, in its own terms.

python-telegram-bot and aiogram model the same Bot API with the same field names (``from``
spelled ``from_user``), so one reading of an update serves both; keyboards are written as
the Bot API's ``reply_markup`` JSON, which both frameworks send as given (aiogram validates
it into its own models first); a refused call is judged from what both frameworks tell of
it (the HTTP status, Telegram's description, ``retry_after``), each engine only reading
those from its own exception types. This module imports neither framework.

Reading the frameworks' objects, not their JSON, is deliberate: python-telegram-bot turns an
update back into JSON in 50-220 µs (a pressed message with a keyboard), reading it costs 3.
Writing keyboards as JSON is the fast way for the same reason: python-telegram-bot would
otherwise build its markup objects and turn them back into JSON on every send (300 µs for
a keyboard of 24 buttons).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.core.events import (
    DOCUMENT,
    PHOTO,
    Attachment,
    Event,
    EventKind,
    MalformedUpdate,
    User,
    parse_command,
    read_update,
)
from bot.core.keyboards import InlineKeyboard, Keyboard, RemoveKeyboard, ReplyKeyboard
from bot.core.ports import Rejected, RetryLater, Unreachable

log = logging.getLogger(__name__)

T = TypeVar("T")

ALLOWED_UPDATES = ["message", "callback_query"]  # what the bot asks Telegram for


# -- updates → events --------------------------------------------------------------------
def to_event(update: Any) -> Event | None:
    """The neutral event for an update the bot handles; None for everything else.

    ``update`` is either framework's Update object: only Bot API fields are read."""
    query = update.callback_query
    if query is not None:
        message = query.message  # None when pressed under an inline message
        chat = message.chat if message is not None else None
        return Event(
            update_id=update.update_id,
            kind=EventKind.CALLBACK,
            user=_user(query.from_user),
            chat_id=chat.id if chat is not None else query.from_user.id,
            chat_is_private=chat is None or chat.type == "private",
            callback_id=query.id,
            callback_data=query.data or "",
            message_id=message.message_id if message is not None else None,
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    base: dict[str, Any] = {
        "update_id": update.update_id,
        "user": _user(message.from_user),
        "chat_id": message.chat.id,
        "chat_is_private": message.chat.type == "private",
        "message_id": message.message_id,
    }
    if message.contact is not None:
        return Event(
            kind=EventKind.CONTACT,
            contact_phone=message.contact.phone_number,
            contact_user_id=message.contact.user_id,
            **base,
        )
    if message.text is not None:
        command = parse_command(message.text)
        if command is not None:
            return Event(
                kind=EventKind.COMMAND,
                text=message.text,
                command=command[0],
                args=command[1],
                **base,
            )
        origin = message.forward_origin
        sender = getattr(origin, "sender_user", None)  # only a forward from a visible user
        return Event(
            kind=EventKind.TEXT,
            text=message.text,
            forwarded=origin is not None,
            forwarded_from=sender.id if sender is not None else None,
            **base,
        )
    attachment = _attachment(message)
    if attachment is not None:
        return Event(
            kind=EventKind.MEDIA, text=message.caption or "", attachment=attachment, **base
        )
    return Event(kind=EventKind.OTHER, **base)


def _attachment(message: Any) -> Attachment | None:
    """The photo (its largest size) or the document of a message; None for anything else."""
    album = message.media_group_id
    if message.photo:
        largest = message.photo[-1]
        return Attachment(
            PHOTO, largest.file_id, largest.file_unique_id, largest.file_size,
            None, "image/jpeg", album,
        )  # fmt: skip
    document = message.document
    if document is not None:
        return Attachment(
            DOCUMENT, document.file_id, document.file_unique_id, document.file_size,
            document.file_name, document.mime_type, album,
        )  # fmt: skip
    return None


def _user(user: Any) -> User:
    return User(user.id, user.first_name or "", user.username, user.language_code)


def polled_event(update: Any) -> Event | None:
    """The event of an update taken by long polling; a malformed one is logged and skipped
    (None), as the webhook does with its own."""
    try:
        return read_update(to_event, update)
    except MalformedUpdate as error:
        log.warning("update %s skipped, it cannot be read: %s", update.update_id, error)
        return None


# -- keyboards → reply_markup -------------------------------------------------------------
def reply_markup(keyboard: Keyboard | None) -> dict[str, Any] | None:
    """``keyboard`` as the Bot API's ``reply_markup`` JSON."""
    if keyboard is None:
        return None
    if isinstance(keyboard, InlineKeyboard):
        return {"inline_keyboard": [[_inline(b.text, b.data, b.url) for b in row]
                                    for row in keyboard.rows]}  # fmt: skip
    if isinstance(keyboard, ReplyKeyboard):
        return {
            "keyboard": [
                [{"text": b.text, "request_contact": True} if b.request_contact
                 else {"text": b.text} for b in row]
                for row in keyboard.rows
            ],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        }  # fmt: skip
    if isinstance(keyboard, RemoveKeyboard):
        return {"remove_keyboard": True}
    raise TypeError(keyboard)


def _inline(text: str, data: str | None, url: str | None) -> dict[str, str]:
    button = {"text": text}
    if data is not None:
        button["callback_data"] = data
    if url is not None:
        button["url"] = url
    return button


# -- refusals → the core's exceptions -----------------------------------------------------
BAD_REQUEST, FORBIDDEN, NOT_FOUND, FLOOD = 400, 403, 404, 429


@dataclass(frozen=True, slots=True)
class Refusal:
    """A Bot API call Telegram refused, as both frameworks tell it: the HTTP status, the
    description, and for flood control (429) the seconds to wait."""

    status: int
    description: str
    retry_after: float = 0.0

    def says(self, *phrases: str) -> bool:
        text = self.description.lower()
        return any(phrase in text for phrase in phrases)


def neutral(refusal: Refusal) -> Exception | None:
    """The core's exception for a refused call; None when the caller gets the framework's
    own: "nothing to edit" (edits handle it themselves) and statuses the core has no word
    for."""
    if refusal.status == FLOOD:
        return RetryLater(refusal.retry_after)
    if refusal.status == FORBIDDEN:
        return Unreachable(refusal.description)
    if refusal.status not in (BAD_REQUEST, NOT_FOUND):
        return None
    if refusal.says("chat not found", "user is deactivated"):
        return Unreachable(refusal.description)
    if refusal.says("not modified", "message to edit not found"):
        return None
    return Rejected(refusal.description)


ReadRefusal = Callable[[Exception], Refusal | None]


class Calls:
    """Bot API calls with Telegram's refusals turned into the core's exceptions.

    ``read`` is the engine's: the Refusal its framework's exception tells of, or None for
    anything else (a network error, a timeout), which the caller gets unchanged."""

    def __init__(self, read: ReadRefusal) -> None:
        self.read = read

    async def make(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except Exception as error:
            refusal = self.read(error)
            replacement = neutral(refusal) if refusal is not None else None
            if replacement is None:
                raise
            raise replacement from error

    async def edit(self, call: Awaitable[Any]) -> None:
        """An edit; one refused as having nothing to change (the message is already as
        wanted, or gone) has nothing to do."""
        try:
            await self.make(call)
        except Exception as error:
            refusal = self.read(error)
            if refusal is None or refusal.status != BAD_REQUEST:
                raise
            if not refusal.says("not modified", "message to edit not found"):
                raise

    async def answer(self, call: Awaitable[Any], callback_id: str) -> None:
        """The answer to a button press; one refused as a bad request (too old to answer:
        the member has moved on) is only logged. Other errors reach the caller as they are."""
        try:
            await call
        except Exception as error:
            refusal = self.read(error)
            if refusal is None or refusal.status != BAD_REQUEST:
                raise
            log.info("callback %s not answered: %s", callback_id, refusal.description)
