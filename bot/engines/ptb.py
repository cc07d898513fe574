"""The python-telegram-bot engine: Telegram updates → neutral events, the Messenger port.

Translate and delegate only: every decision is the core's, and what both engines share
(reading an update, writing a keyboard, judging a refused call) is ``bot_api``'s. This
module only speaks python-telegram-bot.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.core.events import PHOTO, FileRef, MalformedUpdate, read_update
from bot.core.keyboards import InlineKeyboard, Keyboard
from bot.core.ports import EventSink
from bot.engines.bot_api import (
    ALLOWED_UPDATES,
    BAD_REQUEST,
    FLOOD,
    FORBIDDEN,
    Calls,
    Refusal,
    polled_event,
    reply_markup,
    to_event,
)
from bot.engines.ptb_request import AiohttpRequest

# Time periods as timedelta (python-telegram-bot's coming default): its int form warns,
# even from inside RetryAfter's constructor, where a warning turned error loses the 429.
os.environ.setdefault("PTB_TIMEDELTA", "true")

HTML = ParseMode.HTML.value
NO_PREVIEW_JSON = {"is_disabled": True}


def refusal(error: Exception) -> Refusal | None:
    """What Telegram said when it refused a call, in python-telegram-bot's exceptions."""
    if isinstance(error, RetryAfter):
        retry = error.retry_after
        seconds = retry if isinstance(retry, int | float) else retry.total_seconds()
        return Refusal(FLOOD, error.message, float(seconds))
    if isinstance(error, Forbidden):
        return Refusal(FORBIDDEN, error.message)
    if isinstance(error, BadRequest):
        return Refusal(BAD_REQUEST, error.message)
    return None


def _markup(keyboard: Keyboard | None) -> Any:
    """The keyboard as the Bot API's JSON, which python-telegram-bot sends as given (its
    own markup objects would be turned back into the same JSON on every send)."""
    return reply_markup(keyboard)


class PtbMessenger:
    """The Messenger port on a python-telegram-bot ``Bot``; every text is sent as HTML."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.bot = application.bot
        self.api = Calls(refusal)

    async def send_message(
        self,
        chat_id: int,
        text: str,
        keyboard: Keyboard | None = None,
        protect: bool = False,
        paid: bool = False,
    ) -> int:
        message = await self.api.make(
            self._raw(
                "sendMessage", chat_id=chat_id, text=text, parse_mode=HTML,
                reply_markup=_markup(keyboard), link_preview_options=NO_PREVIEW_JSON,
                protect_content=protect or None, allow_paid_broadcast=paid or None,
            )
        )  # fmt: skip
        return int(message["message_id"])

    def _raw(self, endpoint: str, **data: Any) -> Awaitable[Any]:
        """A call whose answer is kept as Telegram's JSON. python-telegram-bot's own method
        would build a ``Message`` from it (every entity and button of the keyboard sent, an
        object each), and of an answer to a message we sent only its id is read: that was a
        third of a call's cost with a keyboard of provinces. ``Bot._post`` is what its
        methods call (python-telegram-bot 20 to 22): the bot's defaults applied, the
        ``None`` values dropped, its errors raised as its methods raise them."""
        return self.bot._post(endpoint, data)

    async def send_file(
        self,
        chat_id: int,
        file: FileRef,
        caption: str | None = None,
        keyboard: Keyboard | None = None,
        protect: bool = False,
        paid: bool = False,
    ) -> int:
        """A photo or document again by its file_id: nothing is downloaded or uploaded."""
        send = self.bot.send_photo if file.kind == PHOTO else self.bot.send_document
        message = await self.api.make(
            send(
                chat_id, file.file_id, caption=caption, parse_mode=ParseMode.HTML,
                reply_markup=_markup(keyboard), protect_content=protect or None,
                allow_paid_broadcast=paid or None,
            )
        )  # fmt: skip
        return int(message.message_id)

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
        """A photo or document uploaded from its bytes; the file_id Telegram gave it."""
        send = self.bot.send_photo if kind == PHOTO else self.bot.send_document
        message = await self.api.make(
            send(
                chat_id, content, filename=filename, caption=caption, parse_mode=ParseMode.HTML,
                reply_markup=_markup(keyboard), protect_content=protect or None,
                allow_paid_broadcast=paid or None,
            )
        )  # fmt: skip
        held = message.photo[-1] if kind == PHOTO else message.document
        return int(message.message_id), str(held.file_id)

    async def pin_message(self, chat_id: int, message_id: int) -> None:
        await self.api.make(
            self.bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        )

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboard | None = None
    ) -> None:
        await self.api.edit(
            self._raw(
                "editMessageText", text=text, chat_id=chat_id, message_id=message_id,
                parse_mode=HTML, reply_markup=_markup(keyboard),
                link_preview_options=NO_PREVIEW_JSON,
            )
        )  # fmt: skip

    async def edit_keyboard(
        self, chat_id: int, message_id: int, keyboard: InlineKeyboard | None
    ) -> None:
        await self.api.edit(
            self._raw(
                "editMessageReplyMarkup",
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=_markup(keyboard),
            )
        )

    async def answer_callback(
        self, callback_id: str, text: str | None = None, alert: bool = False
    ) -> None:
        await self.api.answer(
            self._raw(
                "answerCallbackQuery",
                callback_query_id=callback_id,
                text=text,
                show_alert=alert or None,
            ),
            callback_id,
        )

    async def send_document(
        self, chat_id: int, filename: str, content: bytes, caption: str | None = None
    ) -> int:
        message = await self.api.make(
            self.bot.send_document(
                chat_id, document=content, filename=filename, caption=caption,
                parse_mode=ParseMode.HTML,
            )
        )  # fmt: skip
        return int(message.message_id)

    async def send_photo(self, chat_id: int, content: bytes, caption: str | None = None) -> int:
        message = await self.api.make(
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
        await self.api.make(
            self.bot.set_my_commands(
                [BotCommand(name, description) for name, description in commands],
                scope=scope,
                language_code=language_code,
            )
        )

    async def clear_commands(self, chat_id: int) -> None:
        await self.api.make(self.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id)))


class PtbEngine:
    """Long polling on python-telegram-bot; updates go to ``sink`` concurrently (the core
    keeps each member's in order and bounds the database work)."""

    def __init__(self, token: str, api_url: str) -> None:
        self.application = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api_url}/bot")
            .base_file_url(f"{api_url}/file/bot")
            .request(AiohttpRequest())
            .get_updates_request(AiohttpRequest(connections=1))
            .concurrent_updates(True)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.messenger = PtbMessenger(self.application)
        self._sink: EventSink | None = None

    def attach(self, sink: EventSink) -> None:
        self._sink = sink

    async def _on_update(self, update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
        event = polled_event(update) if isinstance(update, Update) else None
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
