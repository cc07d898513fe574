"""The python-telegram-bot engine: Telegram updates → neutral events, the Messenger port.

Translate and delegate only: every decision is the core's. Framework errors become the
core's neutral ``RetryLater`` and ``Unreachable``; "message is not modified" is not an error.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.core.events import (
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

# Time periods as timedelta (python-telegram-bot's coming default): its int form warns,
# even from inside RetryAfter's constructor, where a warning turned error loses the 429.
os.environ.setdefault("PTB_TIMEDELTA", "true")

ALLOWED_UPDATES = ["message", "callback_query"]
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def to_event(update: Update) -> Event | None:
    """The neutral event for an update the bot handles; None for everything else."""
    query = update.callback_query
    if query is not None:
        message = query.message
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
        sender = getattr(origin, "sender_user", None)
        return Event(
            kind=EventKind.TEXT,
            text=message.text,
            forwarded=origin is not None,
            forwarded_from=sender.id if sender is not None else None,
            **base,
        )
    return Event(kind=EventKind.OTHER, **base)


def _user(user: Any) -> User:
    return User(user.id, user.first_name or "", user.username, user.language_code)


def _markup(keyboard: Keyboard | None) -> Any:
    if keyboard is None:
        return None
    if isinstance(keyboard, InlineKeyboard):
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b.text, callback_data=b.data, url=b.url) for b in row]
                for row in keyboard.rows
            ]
        )
    if isinstance(keyboard, ReplyKeyboard):
        return ReplyKeyboardMarkup(
            [
                [KeyboardButton(b.text, request_contact=b.request_contact or None) for b in row]
                for row in keyboard.rows
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    if isinstance(keyboard, RemoveKeyboard):
        return ReplyKeyboardRemove()
    raise TypeError(keyboard)


async def _neutral(call: Awaitable[Any]) -> Any:
    try:
        return await call
    except RetryAfter as error:
        retry = error.retry_after
        raise RetryLater(
            retry if isinstance(retry, int | float) else retry.total_seconds()
        ) from error
    except Forbidden as error:
        raise Unreachable(str(error)) from error
    except BadRequest as error:
        text = error.message.lower()
        if "chat not found" in text or "user is deactivated" in text:
            raise Unreachable(error.message) from error
        if "not modified" in text or "message to edit not found" in text:
            raise  # edits handle these themselves
        raise Rejected(error.message) from error


class PtbMessenger:
    """The Messenger port on a python-telegram-bot ``Bot``; every text is sent as HTML."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.bot = application.bot

    async def send_message(self, chat_id: int, text: str, keyboard: Keyboard | None = None) -> int:
        message = await _neutral(
            self.bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(keyboard),
                link_preview_options=NO_PREVIEW,
            )
        )
        return int(message.message_id)

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboard | None = None
    ) -> None:
        await self._edit(
            self.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(keyboard),
                link_preview_options=NO_PREVIEW,
            )
        )

    async def edit_keyboard(
        self, chat_id: int, message_id: int, keyboard: InlineKeyboard | None
    ) -> None:
        await self._edit(
            self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=_markup(keyboard)
            )
        )

    async def _edit(self, call: Awaitable[Any]) -> None:
        try:
            await _neutral(call)
        except (BadRequest, Rejected) as error:
            text = str(error).lower()
            if "not modified" in text or "message to edit not found" in text:
                return  # already as wanted, or gone: nothing to do
            raise

    async def answer_callback(
        self, callback_id: str, text: str | None = None, alert: bool = False
    ) -> None:
        try:
            await self.bot.answer_callback_query(callback_id, text=text, show_alert=alert)
        except BadRequest as error:  # too old to answer: the member has moved on
            log.info("callback %s not answered: %s", callback_id, error.message)

    async def send_document(
        self, chat_id: int, filename: str, content: bytes, caption: str | None = None
    ) -> int:
        message = await _neutral(
            self.bot.send_document(
                chat_id,
                document=content,
                filename=filename,
                caption=caption,
                parse_mode=ParseMode.HTML,
            )
        )
        return int(message.message_id)

    async def send_photo(self, chat_id: int, content: bytes, caption: str | None = None) -> int:
        message = await _neutral(
            self.bot.send_photo(chat_id, photo=content, caption=caption, parse_mode=ParseMode.HTML)
        )
        return int(message.message_id)

    async def set_commands(
        self,
        commands: list[tuple[str, str]],
        language_code: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        scope = BotCommandScopeChat(chat_id) if chat_id is not None else BotCommandScopeDefault()
        await _neutral(
            self.bot.set_my_commands(
                [BotCommand(name, description) for name, description in commands],
                scope=scope,
                language_code=language_code,
            )
        )

    async def clear_commands(self, chat_id: int) -> None:
        await _neutral(self.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id)))


EventSink = Callable[[Event], Awaitable[None]]


class PtbEngine:
    """Long polling on python-telegram-bot; updates go to ``sink`` concurrently (the core
    keeps each member's in order and bounds the database work)."""

    def __init__(self, token: str, api_url: str) -> None:
        self.application = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api_url}/bot")
            .base_file_url(f"{api_url}/file/bot")
            .concurrent_updates(True)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.messenger = PtbMessenger(self.application)
        self._sink: EventSink | None = None

    def attach(self, sink: EventSink) -> None:
        self._sink = sink

    async def _on_update(self, update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        try:
            event = read_update(to_event, update)
        except MalformedUpdate as error:
            log.warning("update %s skipped, it cannot be read: %s", update.update_id, error)
            return
        if event is not None and self._sink is not None:
            await self._sink(event)

    async def start(self, poll_timeout: int = 30) -> None:
        """Connect (getMe) and start long polling; TelegramError on a bad token or URL."""
        await self.application.initialize()
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            poll_interval=0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
        )

    async def start_webhook(self, url: str, secret: str) -> None:
        """Connect and register ``url``: Telegram then posts the updates to our server."""
        await self.application.initialize()
        await self.application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
        )

    async def feed(self, data: dict[str, Any]) -> None:
        """One update as Telegram posted it to the webhook; MalformedUpdate, before anything
        is handled, when it cannot be read."""
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception as error:  # wrong types, or nesting deeper than Python recurses
            raise MalformedUpdate.because(error) from error
        event = read_update(to_event, update) if update is not None else None
        if event is not None and self._sink is not None:
            await self._sink(event)

    async def stop(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
