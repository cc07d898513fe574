"""The aiogram 3 engine: Telegram updates → neutral events, the Messenger port.

Translate and delegate only, like the python-telegram-bot engine beside it: every decision
is the core's, and what both engines share (reading an update, writing a keyboard, judging a
refused call) is ``bot_api``'s. aiogram handles updates concurrently (the core's dispatch
locks each conversation). This module only speaks aiogram.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, ClassVar

from aiogram import Bot, Dispatcher, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.methods.base import TelegramMethod
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BufferedInputFile,
    Update,
)

from bot.core.events import PHOTO, FileRef, MalformedUpdate, read_update
from bot.core.keyboards import InlineKeyboard, Keyboard
from bot.core.ports import EventSink
from bot.engines.bot_api import (
    ALLOWED_UPDATES,
    BAD_REQUEST,
    FLOOD,
    FORBIDDEN,
    NOT_FOUND,
    Calls,
    Refusal,
    polled_event,
    reply_markup,
    to_event,
)

HTML = "HTML"
CONCURRENT_UPDATES = 256  # taken at once, as python-telegram-bot's concurrent_updates(True)
STOP_WAIT = 30.0  # seconds the updates being handled get to finish when the bot stops

# aiogram reads each answer as ``Response[<the method's result type>]``, a pydantic generic
# model, and pydantic keeps those in a weak cache only: whenever the collector freed one, the
# next call built it again (milliseconds each, a fifth of a busy bot's time in the profile).
# Held here, the ones this engine calls are built once.
_RESPONSES = (
    methods.Response[Any],  # RawCall's answers
    *(
        methods.Response[method.__returning__]  # type: ignore[name-defined]
        for method in (
            methods.GetUpdates, methods.GetMe, methods.SetWebhook, methods.DeleteWebhook,
            methods.SendMessage, methods.EditMessageText, methods.EditMessageReplyMarkup,
            methods.AnswerCallbackQuery, methods.SendDocument, methods.SendPhoto,
            methods.PinChatMessage,
            methods.SetMyCommands, methods.DeleteMyCommands,
        )
    ),
)  # fmt: skip


class RawCall(TelegramMethod[Any]):
    """A Bot API call made with the parameters as Telegram's JSON and answered as JSON.

    aiogram's own methods validate every parameter into its models (a keyboard of provinces:
    27 button objects, their defaults deep-copied) and turn them back into JSON to send, then
    validate the answer into a ``Message`` again with its keyboard, of which only the id is
    read: two thirds of a call's cost with such a keyboard. The calls an update makes (send,
    edit, answer a press) go this way; aiogram still sends them, with its session, errors
    and middlewares. The parameters are fields pydantic keeps as given (``extra="allow"``)."""

    __returning__: ClassVar[Any] = Any
    __api_method__: ClassVar[str] = ""

    @classmethod
    def to(cls, endpoint: str, **params: Any) -> RawCall:
        call = RAW_CALLS[endpoint].model_construct()
        call.__pydantic_extra__ = {k: v for k, v in params.items() if v is not None}
        return call


class SendMessageRaw(RawCall):
    __api_method__ = "sendMessage"


class EditMessageTextRaw(RawCall):
    __api_method__ = "editMessageText"


class EditMessageReplyMarkupRaw(RawCall):
    __api_method__ = "editMessageReplyMarkup"


class AnswerCallbackQueryRaw(RawCall):
    __api_method__ = "answerCallbackQuery"


RAW_CALLS: dict[str, type[RawCall]] = {
    call.__api_method__: call
    for call in (
        SendMessageRaw,
        EditMessageTextRaw,
        EditMessageReplyMarkupRaw,
        AnswerCallbackQueryRaw,
    )
}
NO_PREVIEW_JSON = {"is_disabled": True}


def refusal(error: Exception) -> Refusal | None:
    """What Telegram said when it refused a call, in aiogram's exceptions."""
    if isinstance(error, TelegramRetryAfter):
        return Refusal(FLOOD, error.message, float(error.retry_after))
    if isinstance(error, TelegramForbiddenError):
        return Refusal(FORBIDDEN, error.message)
    if isinstance(error, TelegramBadRequest):
        return Refusal(BAD_REQUEST, error.message)
    if isinstance(error, TelegramNotFound):
        return Refusal(NOT_FOUND, error.message)
    return None


def _markup(keyboard: Keyboard | None) -> Any:
    """The keyboard as the Bot API's JSON, which aiogram validates into its own models."""
    return reply_markup(keyboard)


class AiogramMessenger:
    """The Messenger port on an aiogram ``Bot``; every text is sent as HTML."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
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
            self.bot(
                RawCall.to(
                    "sendMessage", chat_id=chat_id, text=text, parse_mode=HTML,
                    reply_markup=_markup(keyboard), link_preview_options=NO_PREVIEW_JSON,
                    protect_content=protect or None, allow_paid_broadcast=paid or None,
                )
            )
        )  # fmt: skip
        return int(message["message_id"])

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
                chat_id, file.file_id, caption=caption, parse_mode=HTML,
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
                chat_id, BufferedInputFile(content, filename), caption=caption, parse_mode=HTML,
                reply_markup=_markup(keyboard), protect_content=protect or None,
                allow_paid_broadcast=paid or None,
            )
        )  # fmt: skip
        held = message.photo[-1] if kind == PHOTO and message.photo else message.document
        assert held is not None, "Telegram answered an upload without the file"
        return int(message.message_id), str(held.file_id)

    async def pin_message(self, chat_id: int, message_id: int) -> None:
        await self.api.make(
            self.bot.pin_chat_message(
                chat_id=chat_id, message_id=message_id, disable_notification=True
            )
        )

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboard | None = None
    ) -> None:
        await self.api.edit(
            self.bot(
                RawCall.to(
                    "editMessageText", text=text, chat_id=chat_id, message_id=message_id,
                    parse_mode=HTML, reply_markup=_markup(keyboard),
                    link_preview_options=NO_PREVIEW_JSON,
                )
            )
        )  # fmt: skip

    async def edit_keyboard(
        self, chat_id: int, message_id: int, keyboard: InlineKeyboard | None
    ) -> None:
        await self.api.edit(
            self.bot(
                RawCall.to(
                    "editMessageReplyMarkup",
                    chat_id=chat_id,
                    message_id=message_id,
                    reply_markup=_markup(keyboard),
                )
            )
        )

    async def answer_callback(
        self, callback_id: str, text: str | None = None, alert: bool = False
    ) -> None:
        await self.api.answer(
            self.bot(
                RawCall.to(
                    "answerCallbackQuery",
                    callback_query_id=callback_id,
                    text=text,
                    show_alert=alert or None,
                )
            ),
            callback_id,
        )

    async def send_document(
        self, chat_id: int, filename: str, content: bytes, caption: str | None = None
    ) -> int:
        message = await self.api.make(
            self.bot.send_document(
                chat_id, BufferedInputFile(content, filename), caption=caption, parse_mode=HTML
            )
        )
        return int(message.message_id)

    async def send_photo(self, chat_id: int, content: bytes, caption: str | None = None) -> int:
        message = await self.api.make(
            self.bot.send_photo(
                chat_id, BufferedInputFile(content, "chart.png"), caption=caption, parse_mode=HTML
            )
        )
        return int(message.message_id)

    async def set_commands(
        self,
        commands: list[tuple[str, str]],
        language_code: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        scope = (
            BotCommandScopeChat(chat_id=chat_id)
            if chat_id is not None
            else BotCommandScopeDefault()
        )
        await self.api.make(
            self.bot.set_my_commands(
                [BotCommand(command=name, description=text) for name, text in commands],
                scope=scope,
                language_code=language_code,
            )
        )

    async def clear_commands(self, chat_id: int) -> None:
        await self.api.make(self.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id)))


class AiogramEngine:
    """Long polling (or webhook updates handed in) on aiogram; updates go to ``sink``
    concurrently, as aiogram does."""

    def __init__(self, token: str, api_url: str) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
        self.bot = Bot(token, session=session)
        self.dispatcher = Dispatcher()
        # Every update goes to the core: an outer middleware sees them all, before (and
        # instead of) aiogram's own routing.
        self.dispatcher.update.outer_middleware(self._on_update)
        self.messenger = AiogramMessenger(self.bot)
        self._sink: EventSink | None = None
        self._polling: asyncio.Task[None] | None = None
        self._handling: set[asyncio.Task[Any]] = set()  # updates being handled

    def attach(self, sink: EventSink) -> None:
        self._sink = sink

    async def _on_update(self, _handler: Any, update: Any, _data: dict[str, Any]) -> None:
        event = polled_event(update) if isinstance(update, Update) else None
        if event is not None and self._sink is not None:
            # aiogram does not wait for its update tasks when polling stops; stop() does.
            task = asyncio.current_task()
            assert task is not None
            self._handling.add(task)
            try:
                await self._sink(event)
            finally:
                self._handling.discard(task)

    async def start(self, poll_timeout: int = 30) -> None:
        """Connect (getMe) and start long polling; a TelegramAPIError on a bad token or URL."""
        await self.bot.get_me()
        await self.bot.delete_webhook()
        self._polling = asyncio.create_task(
            self.dispatcher.start_polling(
                self.bot, polling_timeout=poll_timeout, handle_signals=False,
                close_bot_session=False, allowed_updates=ALLOWED_UPDATES,
                tasks_concurrency_limit=CONCURRENT_UPDATES,
            ),
            name="aiogram-polling",
        )  # fmt: skip

    async def start_webhook(self, url: str, secret: str) -> None:
        """Connect and register ``url``: Telegram then posts the updates to our server."""
        await self.bot.get_me()
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def feed(self, data: dict[str, Any]) -> None:
        """One update as Telegram posted it to the webhook; MalformedUpdate, before anything
        is handled, when it cannot be read."""
        try:
            update = Update.model_validate(data, context={"bot": self.bot})
        except Exception as error:  # pydantic's ValidationError, or nesting too deep
            raise MalformedUpdate.because(error) from error
        event = read_update(to_event, update)
        if event is not None and self._sink is not None:
            await self._sink(event)

    async def stop(self) -> None:
        if self._polling is not None:
            with contextlib.suppress(RuntimeError):  # polling had not started yet
                await self.dispatcher.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        if self._handling:  # the updates taken finish, their replies go out
            await asyncio.wait(set(self._handling), timeout=STOP_WAIT)
        await self.bot.session.close()
