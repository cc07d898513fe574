"""Replies held back until the update's transaction has committed.

A reply sent before the commit can outlive a crash that loses the state change (the member
sees the next question, the bot restarts at the previous one, and Telegram will not deliver
the update again). So dispatch commits first and sends after: a crash in between costs the
member a reply, never their answer; the next message they send gets the current question.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core.events import FileRef
from bot.core.keyboards import InlineKeyboard, Keyboard
from bot.core.ports import Messenger, RetryLater

log = logging.getLogger(__name__)

PENDING_MESSAGE_ID = 0  # what send_* return before the message exists
MAX_REPLY_WAIT = 30.0  # seconds; a member waiting longer has gone anyway


class DeferredReplies:
    """A Messenger that queues every call and performs them in order on ``flush``."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger
        self._calls: list[Callable[[], Awaitable[Any]]] = []

    async def flush(self) -> None:
        """Send in order; after a flood-control answer wait as told (up to a limit) once."""
        calls, self._calls = self._calls, []
        for call in calls:
            try:
                try:
                    await call()
                except RetryLater as flood:
                    await asyncio.sleep(min(flood.seconds, MAX_REPLY_WAIT))
                    await call()
            except Exception:
                log.exception("a reply could not be sent")

    def discard(self) -> None:
        self._calls.clear()

    async def send_message(
        self,
        chat_id: int,
        text: str,
        keyboard: Keyboard | None = None,
        protect: bool = False,
        paid: bool = False,
    ) -> int:
        self._calls.append(
            lambda: self.messenger.send_message(chat_id, text, keyboard, protect, paid)
        )
        return PENDING_MESSAGE_ID

    async def send_file(
        self,
        chat_id: int,
        file: FileRef,
        caption: str | None = None,
        keyboard: Keyboard | None = None,
        protect: bool = False,
        paid: bool = False,
    ) -> int:
        self._calls.append(
            lambda: self.messenger.send_file(chat_id, file, caption, keyboard, protect, paid)
        )
        return PENDING_MESSAGE_ID

    async def upload_file(
        self,
        chat_id: int,
        kind: str,
        content: bytes,
        filename: str,
        caption: str | None = None,
        keyboard: Keyboard | None = None,
        protect: bool = False,
        paid: bool = False,
    ) -> tuple[int, str]:
        self._calls.append(
            lambda: self.messenger.upload_file(
                chat_id, kind, content, filename, caption, keyboard, protect, paid
            )
        )
        return PENDING_MESSAGE_ID, ""

    async def pin_message(self, chat_id: int, message_id: int) -> None:
        self._calls.append(lambda: self.messenger.pin_message(chat_id, message_id))

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboard | None = None
    ) -> None:
        self._calls.append(lambda: self.messenger.edit_message(chat_id, message_id, text, keyboard))

    async def edit_keyboard(
        self, chat_id: int, message_id: int, keyboard: InlineKeyboard | None
    ) -> None:
        self._calls.append(lambda: self.messenger.edit_keyboard(chat_id, message_id, keyboard))

    async def answer_callback(
        self, callback_id: str, text: str | None = None, alert: bool = False
    ) -> None:
        self._calls.append(lambda: self.messenger.answer_callback(callback_id, text, alert))

    async def send_document(
        self, chat_id: int, filename: str, content: bytes, caption: str | None = None
    ) -> int:
        self._calls.append(
            lambda: self.messenger.send_document(chat_id, filename, content, caption)
        )
        return PENDING_MESSAGE_ID

    async def send_photo(self, chat_id: int, content: bytes, caption: str | None = None) -> int:
        self._calls.append(lambda: self.messenger.send_photo(chat_id, content, caption))
        return PENDING_MESSAGE_ID

    async def set_commands(
        self,
        commands: list[tuple[str, str]],
        language_code: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        self._calls.append(lambda: self.messenger.set_commands(commands, language_code, chat_id))

    async def clear_commands(self, chat_id: int) -> None:
        self._calls.append(lambda: self.messenger.clear_commands(chat_id))
