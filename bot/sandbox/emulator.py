"""A local Telegram Bot API emulator served over HTTP on 127.0.0.1.

Why: scenario tests and the terminal sandbox must drive the *real* bot framework end to end
(HTTP, JSON, multipart, long polling, API errors) without the internet or a real bot token.
Only the stdlib and aiohttp are imported so the sandbox stays framework-neutral.

All state is plain Python, not thread-safe: touch it only from the event loop running the server.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

JSON = dict[str, Any]
Listener = Callable[[str, JSON, Any], None]

# python-telegram-bot posts every value as a form field, JSON-encoding anything that is not a
# string; these keys tell us which fields to decode back (free text must stay a string).
_JSON_KEYS = frozenset(
    "reply_markup commands scope allowed_updates entities caption_entities"
    " link_preview_options reply_parameters menu_button media".split()
)
_INT_KEYS = frozenset(
    "chat_id message_id offset limit timeout user_id cache_time message_thread_id"
    " max_connections".split()
)
_BOOL_KEYS = frozenset(
    "show_alert drop_pending_updates disable_notification protect_content"
    " disable_web_page_preview allow_sending_without_reply has_spoiler"
    " disable_content_type_detection show_caption_above_media allow_paid_broadcast".split()
)
_HTML_TAGS = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji".split()
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """An error answer of the Bot API, raised inside method handlers."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


MESSAGE_MAX = 4096  # Telegram's limits, in UTF-16 units of the text once parsed
CAPTION_MAX = 1024
CALLBACK_ANSWER_MAX = 200  # the text of answerCallbackQuery (a toast or an alert)


def _utf16_units(text: str) -> int:
    """Telegram's limits count UTF-16 code units of the text once parsed: an emoji is 2."""
    return len(text.encode("utf-16-le")) // 2


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class EmuUser:
    """A simulated human on the other side of a private chat."""

    id: int
    first_name: str
    language_code: str | None = "en"
    username: str | None = None
    last_name: str | None = None


@dataclass
class SentMessage:
    """One message of a chat as tests see it; bot messages are edited in place."""

    message_id: int
    chat_id: int
    text: str | None
    inline_keyboard: list[list[JSON]] = field(default_factory=list)
    reply_keyboard: JSON | None = None
    removes_keyboard: bool = False
    kind: str = "text"  # "text" | "document" | "photo" (user side: also "contact", "sticker")
    document: bytes | None = None
    filename: str | None = None
    parse_mode: str | None = None
    edits: int = 0
    deleted: bool = False
    from_bot: bool = True
    protected: bool = False  # sent with protect_content: no forwarding or saving
    pinned: bool = False


@dataclass
class _Failure:
    method: str
    chat_id: int | None
    error: ApiError
    times: int


@dataclass
class _Pending:
    update: JSON
    replay: bool = False  # injected with an explicit (old) id: deliver once despite the offset
    delivered: bool = False


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class _HtmlCheck(HTMLParser):
    """Rejects what Telegram's HTML parse mode rejects (unknown or unbalanced tags)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.parts: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'Unmatched end tag "</{tag}>"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _plain_text(text: str, parse_mode: str | None) -> str:
    """What Telegram would store as the message text, validating HTML markup on the way."""
    if (parse_mode or "").upper() != "HTML":
        return text
    checker = _HtmlCheck()
    checker.feed(text)
    checker.close()
    if checker.error is None and checker.stack:
        checker.error = f'Can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
    if checker.error:
        raise _bad(f"can't parse entities: {checker.error}")
    return "".join(checker.parts)


class BotApiEmulator:
    """Serves `/bot{token}/{method}` like api.telegram.org and lets tests play the users."""

    _METHODS = (
        "getMe logOut close deleteWebhook getWebhookInfo setWebhook getUpdates sendMessage"
        " editMessageText editMessageCaption editMessageReplyMarkup deleteMessage"
        " answerCallbackQuery sendDocument sendPhoto sendChatAction setMyCommands"
        " getMyCommands deleteMyCommands setChatMenuButton getFile pinChatMessage".split()
    )

    def __init__(
        self,
        token: str = "123456:SANDBOX",
        bot_username: str = "dcc_sandbox_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        first_update_id: int = 1,
    ) -> None:
        """``first_update_id``: start above ids a kept database has already seen."""
        self.token, self.host, self.port = token, host, port
        bot_id = token.split(":", 1)[0]
        self.me: JSON = {
            "id": int(bot_id) if bot_id.isdigit() else 1,
            "is_bot": True,
            "first_name": "DCC Bot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[tuple[str, JSON]] = []
        self.commands: dict[tuple[str, str | None], list[JSON]] = {}
        self.callback_answers: list[JSON] = []
        self.menu_buttons: dict[int | None, JSON] = {}
        self.webhook: JSON = {"url": "", "secret_token": None}
        self.webhook_answers: list[tuple[int | None, int]] = []  # (update id, HTTP status)
        self._deliveries: set[asyncio.Task[None]] = set()
        self.blocked: set[int] = set()
        self.gone: set[int] = set()  # chats that answer 400 "chat not found"
        self.rate_limit: float | None = None  # sends a second before answering 429
        self.paid_rate_limit: float | None = None  # the same for allow_paid_broadcast ones
        self.chat_interval: float | None = None  # seconds between two sends to one chat
        self.retry_after = 1
        self.flood_answers = 0  # how many 429s were answered
        self.chat_flood_answers = 0  # of which for a chat sent to less than a second ago
        self._recent_sends: collections.deque[float] = collections.deque()
        self._recent_paid: collections.deque[float] = collections.deque()
        self._last_in_chat: dict[int, float] = {}
        self.listeners: list[Listener] = []  # called as (method, params, result) after success
        self._users: dict[int, EmuUser] = {}
        self._chats: dict[int, list[SentMessage]] = {}  # known chats, all messages in order
        self._raw: dict[tuple[int, int], JSON] = {}  # Message dicts by (chat_id, message_id)
        self._next_message_id: dict[int, int] = {}
        self._files: dict[str, Upload] = {}
        self.uploads: list[Upload] = []  # files the bot uploaded (not sent again by file_id)
        self._queries: dict[str, bool] = {}  # callback query id -> answered
        self._updates: list[_Pending] = []
        self._next_update_id = first_update_id
        self._poll_generation = 0
        self._failures: list[_Failure] = []
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()  # swapped on every change, so waiters never miss one
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, tuple[str, Callable[[JSON], Awaitable[Any]]]] = {
            name.lower(): (name, getattr(self, f"_api_{_camel_to_snake(name)}"))
            for name in self._METHODS
        }

    # ----------------------------------------------------------------- server lifecycle
    async def start(self) -> None:
        """Bind the HTTP server; with port 0 the OS picks a free port, read back here."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._closing = False
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Release pending long polls first so shutdown never waits for their timeout."""
        self._closing = True
        self._notify()
        for delivery in list(self._deliveries):
            delivery.cancel()
        await asyncio.gather(*self._deliveries, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ----------------------------------------------------------------------- HTTP side
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        entry = self._handlers.get(request.match_info["method"].lower())
        params = await self._read_params(request)
        name = entry[0] if entry else request.match_info["method"]
        self.calls.append((name, params))
        self._notify()
        try:
            if entry is None:
                raise ApiError(404, "Not Found: method not found")
            self._check_injected(name, params)
            result = await entry[1](params)
        except ApiError as err:
            return web.json_response(err.payload(), status=err.code)
        for listener in list(self.listeners):
            listener(name, params, result)
        self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        upload = self._files.get(request.match_info["path"].rsplit("/", 1)[-1])
        if request.match_info["token"] != self.token or upload is None:
            raise web.HTTPNotFound()
        mime_type = upload.mime_type or "application/octet-stream"
        return web.Response(body=upload.data, content_type=mime_type)

    @staticmethod
    async def _read_params(request: web.Request) -> JSON:
        """Merge query, JSON and form bodies into one dict of Python values."""
        raw: JSON = dict(request.query)
        if request.content_type == "application/json" and request.can_read_body:
            raw.update(await request.json())
        elif request.can_read_body:
            raw.update(await request.post())
        params: JSON = {}
        for key, value in raw.items():
            params[key] = value
            if isinstance(value, web.FileField):
                params[key] = Upload(value.file.read(), value.filename, value.content_type)
            elif not isinstance(value, str):
                continue
            elif key in _JSON_KEYS:
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
            elif key in _INT_KEYS:
                with contextlib.suppress(ValueError):
                    params[key] = int(float(value))
            elif key in _BOOL_KEYS:
                params[key] = value.lower() == "true"
        return params

    def _check_injected(self, method: str, params: JSON) -> None:
        chat_id = params.get("chat_id")
        for failure in self._failures:
            if failure.method == method.lower() and failure.chat_id in (None, chat_id):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                raise failure.error
        sending = method.startswith(("send", "edit"))
        blocked = isinstance(chat_id, int) and chat_id in self.blocked
        if blocked and sending:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if isinstance(chat_id, int) and chat_id in self.gone and sending:
            raise ApiError(400, "Bad Request: chat not found")
        if self.rate_limit is not None and method in ("sendMessage", "sendPhoto", "sendDocument"):
            self._check_rate(chat_id, params.get("allow_paid_broadcast") is True)

    def _check_rate(self, chat_id: Any, paid: bool) -> None:
        """Telegram's limits, as it counts them: sends accepted in any rolling second
        (``rate_limit``; with ``allow_paid_broadcast``, ``paid_rate_limit``, counted
        apart), and a chat's sends at least ``chat_interval`` apart; 429 above either."""
        now = time.monotonic()
        if self.chat_interval is not None and isinstance(chat_id, int):
            last = self._last_in_chat.get(chat_id)
            if last is not None and now - last < self.chat_interval:
                self.chat_flood_answers += 1
                self._too_many()
        recent, limit = (
            (self._recent_paid, self.paid_rate_limit) if paid else (self._recent_sends, None)
        )
        limit = limit if paid and limit is not None else self.rate_limit
        while recent and now - recent[0] >= 1.0:
            recent.popleft()
        if limit is not None and len(recent) >= limit:
            self._too_many()
        recent.append(now)
        if isinstance(chat_id, int):
            self._last_in_chat[chat_id] = now

    def _too_many(self) -> None:
        self.flood_answers += 1
        raise ApiError(429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after)

    # ------------------------------------------------------------------ test controls
    def fail_next(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` matching calls fail, to exercise the bot's error paths."""
        error = ApiError(error_code, description, retry_after)
        self._failures.append(_Failure(method.lower(), chat_id, error, times))

    def limit_rate(
        self,
        per_second: float,
        retry_after: int = 1,
        paid_per_second: float = 1000,
        per_chat: float | None = 1.0,
    ) -> None:
        """Answer 429 with ``retry_after`` to sends (messages, photos, documents) above
        ``per_second`` in any rolling second, as Telegram does to a bot that sends too fast;
        sends with ``allow_paid_broadcast`` are counted apart, up to ``paid_per_second``;
        and a send to a chat that had one less than ``per_chat`` seconds ago (None: no
        such limit)."""
        self.rate_limit, self.retry_after = per_second, retry_after
        self.paid_rate_limit, self.chat_interval = paid_per_second, per_chat

    def block(self, user_id: int) -> None:
        """Every send or edit to this chat now answers 403, as for a user who blocked the bot."""
        self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self.blocked.discard(user_id)

    def register(self, user: EmuUser) -> None:
        """Make the chat known without a message, as if the user had talked to the bot before."""
        self._users[user.id] = user
        self._chats.setdefault(user.id, [])

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in this chat, oldest first, deleted ones flagged."""
        return [m for m in self._chats.get(chat_id, []) if m.from_bot]

    def last(self, chat_id: int) -> SentMessage:
        sent = self.messages(chat_id)
        if not sent:
            raise LookupError(f"the bot sent nothing to chat {chat_id}")
        return sent[-1]

    def message_count(self, chat_id: int) -> int:
        return len(self.messages(chat_id))

    def menu_shown(self, chat_id: int, language_code: str | None) -> list[JSON]:
        """The command menu a private chat sees, picked as Telegram does: the chat's own
        menu (for the app's language, then for any), then the default one likewise."""
        language = language_code or None
        for key in (
            (f"chat:{chat_id}", language),
            (f"chat:{chat_id}", None),
            ("all_private_chats", language),
            ("all_private_chats", None),
            ("default", language),
            ("default", None),
        ):
            if key in self.commands:
                return copy.deepcopy(self.commands[key])
        return []

    def bot_messages_since(self, chat_id: int, count_before: int) -> list[SentMessage]:
        return self.messages(chat_id)[count_before:]

    def pending_update_ids(self) -> list[int]:
        return [p.update["update_id"] for p in self._updates]

    async def wait_until(self, predicate: Callable[[], bool], seconds: float = 5.0) -> None:
        """Wait for the bot to reach a state; raises TimeoutError so tests fail, not hang."""
        async with asyncio.timeout(seconds):
            while not predicate():
                event = self._changed
                try:
                    await asyncio.wait_for(event.wait(), 0.05)
                except TimeoutError:
                    pass

    async def changed(self) -> None:
        """Until the next change (a call of the bot, an update of a user): the terminal
        sandbox prints what arrived, without waiting for the person to type."""
        await self._changed.wait()

    # ----------------------------------------------------------------- user side
    def send_text(self, user: EmuUser, text: str) -> int:
        content: JSON = {"text": text}
        if text.startswith("/"):
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return self._user_message(user, "text", content, text)

    def forward(self, user: EmuUser, origin: EmuUser | None, text: str) -> int:
        """``user`` forwards to the bot a message ``origin`` wrote; None: an origin who hides
        their account in forwards (Telegram then gives only a name)."""
        sender: JSON = (
            {"type": "user", "sender_user": self._user_dict(origin), "date": int(time.time())}
            if origin is not None
            else {"type": "hidden_user", "sender_user_name": "Someone", "date": int(time.time())}
        )
        return self._user_message(user, "text", {"text": text, "forward_origin": sender}, text)

    def send_contact(
        self,
        user: EmuUser,
        phone_number: str,
        contact_user_id: int | None = None,
    ) -> int:
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": user.first_name,
            "user_id": user.id if contact_user_id is None else contact_user_id,
        }
        if user.last_name:
            contact["last_name"] = user.last_name
        return self._user_message(user, "contact", {"contact": contact}, None)

    def send_sticker(self, user: EmuUser) -> int:
        file = self._store_file(Upload(b"RIFF\x00\x00\x00\x00WEBP", "sticker.webp", "image/webp"))
        sticker = {
            **file,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return self._user_message(user, "sticker", {"sticker": sticker}, None)

    def hold_file(self, data: bytes, filename: str, mime_type: str | None = None) -> str:
        """A file Telegram holds already (a poster an admin sent the bot once): its file_id,
        for ``dcc-bot broadcast create --photo`` or ``--document``."""
        return str(self._store_file(Upload(data, filename, mime_type))["file_id"])

    def send_photo(
        self,
        user: EmuUser,
        caption: str | None = None,
        media_group_id: str | None = None,
        data: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
        size: int | None = None,
    ) -> int:
        """A photo (a screenshot), with a caption and as one file of an album if given;
        ``size`` claims a file size other than the data's (a large photo without the bytes)."""
        photo = self._photo_sizes(Upload(data, "photo.jpg", "image/jpeg"))
        if size is not None:
            photo[-1]["file_size"] = size
        return self._user_message(
            user, "photo", {"photo": photo, **self._user_caption(caption, media_group_id)}, caption
        )

    def send_document(
        self,
        user: EmuUser,
        data: bytes,
        filename: str,
        mime_type: str | None,
        caption: str | None = None,
        media_group_id: str | None = None,
        size: int | None = None,
    ) -> int:
        """A file sent as a document (a CV, a PDF), as Telegram describes it."""
        document = {
            **self._store_file(Upload(data, filename, mime_type)),
            "file_name": filename,
        }
        if mime_type is not None:
            document["mime_type"] = mime_type
        if size is not None:
            document["file_size"] = size
        return self._user_message(
            user,
            "document",
            {"document": document, **self._user_caption(caption, media_group_id)},
            caption,
        )

    @staticmethod
    def _user_caption(caption: str | None, media_group_id: str | None) -> JSON:
        content: JSON = {}
        if caption:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return content

    def press(
        self,
        user: EmuUser,
        message_id: int,
        callback_data: str,
        chat_id: int | None = None,
    ) -> int:
        """Press an inline button; another user's chat_id models a press on a foreign message."""
        chat = user.id if chat_id is None else chat_id
        raw = self._raw.get((chat, message_id))
        if raw is None or any(m.deleted for m in self._chats[chat] if m.message_id == message_id):
            raise LookupError(f"no message {message_id} in chat {chat}")
        self._users.setdefault(user.id, user)
        query_id = str(4_000_000_000 + next(self._ids))
        self._queries[query_id] = False
        return self._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user_dict(user),
                    "chat_instance": f"ci{chat}",
                    "data": callback_data,
                    "message": copy.deepcopy(raw),
                }
            }
        )

    def inject(self, update: JSON) -> int:
        """Queue a raw update; an explicit update_id is kept so duplicates can be redelivered."""
        update = copy.deepcopy(update)
        message = update.get("message") or {}
        sender: JSON = message.get("from") or {}
        private = sender and message.get("chat", {}).get("id") == sender.get("id")
        if private and sender["id"] not in self._users:
            self.register(
                EmuUser(
                    sender["id"],
                    sender.get("first_name", "User"),
                    sender.get("language_code"),
                    sender.get("username"),
                    sender.get("last_name"),
                )
            )
        return self._enqueue(update, replay="update_id" in update)

    def _user_message(self, user: EmuUser, kind: str, content: JSON, text: str | None) -> int:
        """Writing to the bot again unblocks it, as in the Telegram apps."""
        self.register(user)
        self.blocked.discard(user.id)
        message_id = self._new_message_id(user.id)
        self._chats[user.id].append(
            SentMessage(message_id, user.id, text, kind=kind, from_bot=False)
        )
        self._raw[(user.id, message_id)] = {
            "message_id": message_id,
            "from": self._user_dict(user),
            "chat": self._chat_dict(user.id),
            "date": int(time.time()),
            **content,
        }
        return self._enqueue({"message": copy.deepcopy(self._raw[(user.id, message_id)])})

    def _enqueue(self, update: JSON, replay: bool = False) -> int:
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        if self.webhook["url"]:  # pushed to the bot, as Telegram does once a webhook is set
            delivery = asyncio.create_task(self._deliver(update))
            self._deliveries.add(delivery)
            delivery.add_done_callback(self._deliveries.discard)
        else:
            self._updates.append(_Pending(update, replay=replay))
        self._notify()
        return int(update["update_id"])

    async def _deliver(self, update: JSON) -> None:
        """POST the update to the webhook with its secret; retried a few times on failure."""
        for _attempt in range(5):
            status = await self.post_update(update, self.webhook["secret_token"])
            if status == 200:
                return
            await asyncio.sleep(0.1)

    async def post_update(self, update: JSON, secret: str | None) -> int:
        """POST one update to the webhook with ``secret`` (None: no header); the status, or
        0 when nothing answered. Tests use it to knock with a wrong secret, or twice."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.post(self.webhook["url"], json=update, headers=headers) as response,
            ):
                self.webhook_answers.append((update.get("update_id"), response.status))
                return response.status
        except aiohttp.ClientError:
            self.webhook_answers.append((update.get("update_id"), 0))
            return 0
        finally:
            self._notify()

    # ------------------------------------------------------------------ helpers
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    @staticmethod
    def _user_dict(user: EmuUser) -> JSON:
        data: JSON = {"id": user.id, "is_bot": False, "first_name": user.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(user, key) is not None:
                data[key] = getattr(user, key)
        return data

    def _chat_dict(self, chat_id: int) -> JSON:
        user = self._users[chat_id]
        data: JSON = {"id": chat_id, "type": "private", "first_name": user.first_name}
        for key in ("last_name", "username"):
            if getattr(user, key) is not None:
                data[key] = getattr(user, key)
        return data

    def _chat_id(self, params: JSON) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if not isinstance(chat_id, int) or chat_id not in self._chats:
            raise _bad("chat not found")
        return chat_id

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _find(self, params: JSON, action: str) -> tuple[SentMessage, JSON]:
        if "inline_message_id" in params:
            raise _bad("inline messages are not emulated")
        chat_id = self._chat_id(params)
        for sent in self._chats[chat_id]:
            if sent.message_id == params.get("message_id") and not sent.deleted:
                return sent, self._raw[(chat_id, sent.message_id)]
        raise _bad(f"message to {action} not found")

    def _store_file(self, upload: Upload) -> JSON:
        number = next(self._ids)
        file_id = f"BQACAgIAAx{number:06d}"
        self._files[file_id] = upload
        return {
            "file_id": file_id,
            "file_unique_id": f"AgAD{number:06d}",
            "file_size": len(upload.data),
        }

    def _photo_sizes(self, upload: Upload) -> list[JSON]:
        return [{**self._store_file(upload), "width": w, "height": w} for w in (90, 800)]

    @staticmethod
    def _inline_keyboard(markup: Any) -> list[list[JSON]]:
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return []
        rows: list[list[JSON]] = markup["inline_keyboard"]
        for button in itertools.chain.from_iterable(rows):
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise _bad("BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise _bad("text buttons are unallowed in the inline keyboard")
        return copy.deepcopy(rows)

    def _send(
        self, params: JSON, kind: str, text: str | None, content: JSON, upload: Upload | None = None
    ) -> JSON:
        chat_id = self._chat_id(params)
        markup = params.get("reply_markup")
        keyboard = self._inline_keyboard(markup)
        message_id = self._new_message_id(chat_id)
        sent = SentMessage(
            message_id,
            chat_id,
            text,
            inline_keyboard=keyboard,
            reply_keyboard=markup if isinstance(markup, dict) and "keyboard" in markup else None,
            removes_keyboard=isinstance(markup, dict) and bool(markup.get("remove_keyboard")),
            kind=kind,
            document=upload.data if upload else None,
            filename=upload.filename if upload else None,
            parse_mode=params.get("parse_mode"),
            protected=bool(params.get("protect_content")),
        )
        raw: JSON = {
            "message_id": message_id,
            "from": self.me,
            "chat": self._chat_dict(chat_id),
            "date": int(time.time()),
            **content,
        }
        if sent.protected:
            raw["has_protected_content"] = True
        if keyboard:
            raw["reply_markup"] = {"inline_keyboard": keyboard}
        self._chats[chat_id].append(sent)
        self._raw[(chat_id, message_id)] = raw
        return copy.deepcopy(raw)

    def _file_param(self, params: JSON, key: str) -> Upload:
        value = params.get(key)
        if isinstance(value, str) and value.startswith("attach://"):  # the file in another part
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, Upload):
            self.uploads.append(value)
            return value
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return Upload(b"", value.rsplit("/", 1)[-1], None)
        raise _bad("wrong file identifier/HTTP URL specified")

    def _caption(self, params: JSON) -> tuple[str | None, JSON]:
        caption = params.get("caption")
        if not caption:
            return None, {}
        plain = _plain_text(caption, params.get("parse_mode"))
        if _utf16_units(plain) > CAPTION_MAX:
            raise _bad("message caption is too long")
        return caption, {"caption": plain}

    # ----------------------------------------------------------------- API methods
    async def _api_get_me(self, params: JSON) -> JSON:
        return dict(self.me)

    async def _api_log_out(self, params: JSON) -> bool:
        return True

    async def _api_close(self, params: JSON) -> bool:
        return True

    async def _api_delete_webhook(self, params: JSON) -> bool:
        self.webhook = {"url": "", "secret_token": None}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_set_webhook(self, params: JSON) -> bool:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token")}
        return True

    async def _api_get_webhook_info(self, params: JSON) -> JSON:
        return {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _api_get_updates(self, params: JSON) -> list[JSON]:
        """Long polling; a newer getUpdates ends an older one with 409, like Telegram does."""
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        offset = params.get("offset")
        if isinstance(offset, int) and offset < 0:
            del self._updates[:offset]
        elif isinstance(offset, int):
            self._updates = [
                p
                for p in self._updates
                if p.update["update_id"] >= offset or (p.replay and not p.delivered)
            ]
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + max(float(params.get("timeout") or 0), 0.0)
        while not self._updates and not self._closing:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure "
                    "that only one bot instance is running",
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                break
        batch = self._updates[:limit]
        for pending in batch:
            pending.delivered = True
        return [copy.deepcopy(p.update) for p in batch]

    async def _api_send_message(self, params: JSON) -> JSON:
        text = params.get("text")
        if not text:
            self._chat_id(params)
            raise _bad("message text is empty")
        plain = _plain_text(text, params.get("parse_mode"))
        if _utf16_units(plain) > MESSAGE_MAX:
            raise _bad("message is too long")
        return self._send(params, "text", text, {"text": plain})

    async def _api_send_document(self, params: JSON) -> JSON:
        self._chat_id(params)
        upload = self._file_param(params, "document")
        caption, content = self._caption(params)
        document = {
            **self._store_file(upload),
            "file_name": upload.filename or "document",
            "mime_type": upload.mime_type or "application/octet-stream",
        }
        return self._send(params, "document", caption, {"document": document, **content}, upload)

    async def _api_send_photo(self, params: JSON) -> JSON:
        self._chat_id(params)
        upload = self._file_param(params, "photo")
        caption, content = self._caption(params)
        photo = self._photo_sizes(upload)
        return self._send(params, "photo", caption, {"photo": photo, **content}, upload)

    async def _api_edit_message_text(self, params: JSON) -> JSON:
        sent, raw = self._find(params, "edit")
        text = params.get("text")
        if not text:
            raise _bad("message text is empty")
        if not sent.from_bot:
            raise _bad("message can't be edited")
        if sent.kind != "text":
            raise _bad("there is no text in the message to edit")
        plain = _plain_text(text, params.get("parse_mode"))
        if _utf16_units(plain) > MESSAGE_MAX:
            raise _bad("MESSAGE_TOO_LONG")
        return self._edit(sent, raw, params, text, {"text": plain})

    async def _api_edit_message_caption(self, params: JSON) -> JSON:
        sent, raw = self._find(params, "edit")
        if not sent.from_bot or sent.kind == "text":
            raise _bad("message can't be edited")
        caption, content = self._caption(params)
        return self._edit(sent, raw, params, caption, content, drop="caption")

    async def _api_edit_message_reply_markup(self, params: JSON) -> JSON:
        sent, raw = self._find(params, "edit")
        if not sent.from_bot:
            raise _bad("message can't be edited")
        return self._edit(sent, raw, {**params, "parse_mode": sent.parse_mode}, sent.text, {})

    def _edit(
        self,
        sent: SentMessage,
        raw: JSON,
        params: JSON,
        text: str | None,
        content: JSON,
        drop: str = "",
    ) -> JSON:
        """Telegram drops an inline keyboard the edit does not repeat, and refuses no-op edits."""
        keyboard = self._inline_keyboard(params.get("reply_markup"))
        parse_mode = params.get("parse_mode")
        if (text, keyboard, parse_mode) == (sent.text, sent.inline_keyboard, sent.parse_mode):
            raise ApiError(400, _NOT_MODIFIED)
        sent.text, sent.inline_keyboard, sent.parse_mode = text, keyboard, parse_mode
        sent.edits += 1
        raw.pop(drop, None)
        raw.update(content, edit_date=int(time.time()))
        raw.pop("reply_markup", None)
        if keyboard:
            raw["reply_markup"] = {"inline_keyboard": keyboard}
        return copy.deepcopy(raw)

    async def _api_delete_message(self, params: JSON) -> bool:
        sent, _ = self._find(params, "delete")
        sent.deleted = True
        return True

    async def _api_answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if _utf16_units(str(params.get("text") or "")) > CALLBACK_ANSWER_MAX:
            raise _bad("MESSAGE_TOO_LONG")
        if self._queries.get(query_id, True):
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        self._queries[query_id] = True
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": params.get("text"),
                "show_alert": bool(params.get("show_alert", False)),
                "url": params.get("url"),
            }
        )
        return True

    async def _api_send_chat_action(self, params: JSON) -> bool:
        self._chat_id(params)
        if not params.get("action"):
            raise _bad("action is empty")
        return True

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str | None]:
        """("default", lang), or ("chat:<id>", lang) for one chat's menu."""
        scope = params.get("scope") or {}
        kind = str(scope.get("type", "default"))
        if "chat_id" in scope:
            kind = f"{kind}:{scope['chat_id']}"
        return kind, params.get("language_code") or None

    async def _api_set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("commands is empty")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = copy.deepcopy(commands)
        return True

    async def _api_get_my_commands(self, params: JSON) -> list[JSON]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    async def _api_delete_my_commands(self, params: JSON) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _api_set_chat_menu_button(self, params: JSON) -> bool:
        chat_id = params.get("chat_id")
        self.menu_buttons[chat_id] = params.get("menu_button") or {"type": "default"}
        return True

    async def _api_pin_chat_message(self, params: JSON) -> bool:
        sent, _ = self._find(params, "pin")
        sent.pinned = True
        return True

    async def _api_get_file(self, params: JSON) -> JSON:
        file_id = str(params.get("file_id", ""))
        if file_id not in self._files:
            raise _bad("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"AgAD{file_id[-6:]}",
            "file_size": len(self._files[file_id].data),
            "file_path": f"files/{file_id}",
        }
