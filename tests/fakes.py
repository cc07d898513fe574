"""The test double of the core's Messenger port: Telegram as a list of what the bot did.

Dispatch, the outbox and any operation that messages people run against it in
microseconds, without the emulator; a test reads back what was sent, edited and answered,
scripts a refusal per chat (``failures``) or makes every call wait (``before_call``: a
slow or gated Telegram)."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from bot.core.events import FileRef
from bot.core.keyboards import InlineKeyboard, Keyboard
from bot.core.ports import Messenger


class Sent(NamedTuple):
    chat_id: int
    text: str
    keyboard: Keyboard | None = None
    at: float = 0.0  # the messenger's ``now()`` when it was sent
    file: FileRef | None = None  # a photo or document sent by file_id; ``text`` its caption
    protect: bool = False
    paid: bool = False  # sent with allow_paid_broadcast


class Edit(NamedTuple):
    chat_id: int
    message_id: int
    text: str | None  # None: only the keyboard was changed
    keyboard: InlineKeyboard | None


class Answer(NamedTuple):
    callback_id: str
    text: str | None
    alert: bool


class Document(NamedTuple):
    chat_id: int
    filename: str  # a photo's is ""
    content: bytes
    caption: str | None


class Menu(NamedTuple):
    commands: list[tuple[str, str]]
    language_code: str | None
    chat_id: int | None


class RecordingMessenger:
    """Records every call; message ids count up from 1.

    Calls addressed to a chat (sends and edits) first await ``before_call(chat_id)`` if
    set, counted in ``in_flight`` meanwhile, then raise the next of ``failures[chat_id]``
    if any is left."""

    def __init__(
        self,
        now: Callable[[], float] = lambda: 0.0,
        before_call: Callable[[int], Awaitable[object]] | None = None,
    ) -> None:
        self.now = now
        self.before_call = before_call
        self.failures: dict[int, list[Exception]] = {}
        self.sent: list[Sent] = []
        self.edits: list[Edit] = []
        self.answers: list[Answer] = []
        self.documents: list[Document] = []
        self.menus: list[Menu] = []
        self.cleared_menus: list[int] = []
        self.pins: list[tuple[int, int]] = []
        self.uploads: list[tuple[int, str, bytes]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._ids = itertools.count(1)

    @property
    def texts(self) -> list[str]:
        return [sent.text for sent in self.sent]

    def to(self, chat_id: int) -> list[str]:
        """The texts sent to one chat, in order."""
        return [sent.text for sent in self.sent if sent.chat_id == chat_id]

    async def _call(self, chat_id: int) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.before_call is not None:
                await self.before_call(chat_id)
        finally:
            self.in_flight -= 1
        planned = self.failures.get(chat_id)
        if planned:
            raise planned.pop(0)

    async def send_message(
        self,
        chat_id: int,
        text: str,
        keyboard: Keyboard | None = None,
        protect: bool = False,
        paid: bool = False,
    ) -> int:
        await self._call(chat_id)
        self.sent.append(Sent(chat_id, text, keyboard, self.now(), None, protect, paid))
        return next(self._ids)

    async def send_file(
        self,
        chat_id: int,
        file: FileRef,
        caption: str | None = None,
        keyboard: Keyboard | None = None,
        protect: bool = False,
        paid: bool = False,
    ) -> int:
        await self._call(chat_id)
        self.sent.append(Sent(chat_id, caption or "", keyboard, self.now(), file, protect, paid))
        return next(self._ids)

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
        """Recorded as a send of the file by the file_id it is given (``uploaded-N``)."""
        await self._call(chat_id)
        self.uploads.append((chat_id, filename, content))
        file = FileRef(kind, f"uploaded-{len(self.uploads)}")
        self.sent.append(Sent(chat_id, caption or "", keyboard, self.now(), file, protect, paid))
        return next(self._ids), file.file_id

    async def pin_message(self, chat_id: int, message_id: int) -> None:
        await self._call(chat_id)
        self.pins.append((chat_id, message_id))

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboard | None = None
    ) -> None:
        await self._call(chat_id)
        self.edits.append(Edit(chat_id, message_id, text, keyboard))

    async def edit_keyboard(
        self, chat_id: int, message_id: int, keyboard: InlineKeyboard | None
    ) -> None:
        await self._call(chat_id)
        self.edits.append(Edit(chat_id, message_id, None, keyboard))

    async def answer_callback(
        self, callback_id: str, text: str | None = None, alert: bool = False
    ) -> None:
        self.answers.append(Answer(callback_id, text, alert))

    async def send_document(
        self, chat_id: int, filename: str, content: bytes, caption: str | None = None
    ) -> int:
        await self._call(chat_id)
        self.documents.append(Document(chat_id, filename, content, caption))
        return next(self._ids)

    async def send_photo(self, chat_id: int, content: bytes, caption: str | None = None) -> int:
        return await self.send_document(chat_id, "", content, caption)

    async def set_commands(
        self,
        commands: list[tuple[str, str]],
        language_code: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        self.menus.append(Menu(commands, language_code, chat_id))

    async def clear_commands(self, chat_id: int) -> None:
        self.cleared_menus.append(chat_id)


_: type[Messenger] = RecordingMessenger  # mypy checks it is one
