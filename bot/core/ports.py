"""What the core needs from the world, as Protocols; engines and storage satisfy them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.core.events import Event, FileRef
from bot.core.keyboards import InlineKeyboard, Keyboard


class RetryLater(Exception):
    """Telegram asked us to slow down: try again after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Unreachable(Exception):
    """The chat cannot receive messages: the member blocked the bot or the chat is gone."""


class Rejected(Exception):
    """Telegram refused the message itself (bad markup, too long): sending again won't help."""


class Messenger(Protocol):
    """Everything the bot can do on Telegram. Message ids are returned where one is made."""

    async def send_message(
        self,
        chat_id: int,
        text: str,
        keyboard: Keyboard | None = None,
        protect: bool = False,
        paid: bool = False,
    ) -> int:
        """``protect``: Telegram's content protection (no forwarding or saving); ``paid``:
        sent with Telegram's ``allow_paid_broadcast`` (beyond the free 30 a second, up to
        1,000, paid in Telegram Stars: a paid broadcast's messages)."""
        ...

    async def send_file(
        self,
        chat_id: int,
        file: FileRef,
        caption: str | None = None,
        keyboard: Keyboard | None = None,
        protect: bool = False,
        paid: bool = False,
    ) -> int:
        """A photo or document Telegram holds, again by its file_id; ``caption`` in HTML, at
        most CAPTION_MAX units once parsed."""
        ...

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
        """A photo or document (``kind``) uploaded from its bytes, as ``send_file`` sends one
        by file_id: the message id and the file_id Telegram gave the file, to send it again
        by id."""
        ...

    async def pin_message(self, chat_id: int, message_id: int) -> None:
        """Pin a message the bot sent in a private chat (silently)."""
        ...

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboard | None = None
    ) -> None: ...

    async def edit_keyboard(
        self, chat_id: int, message_id: int, keyboard: InlineKeyboard | None
    ) -> None: ...

    async def answer_callback(
        self, callback_id: str, text: str | None = None, alert: bool = False
    ) -> None: ...

    async def send_document(
        self, chat_id: int, filename: str, content: bytes, caption: str | None = None
    ) -> int: ...

    async def send_photo(self, chat_id: int, content: bytes, caption: str | None = None) -> int: ...

    async def set_commands(
        self,
        commands: list[tuple[str, str]],
        language_code: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """The command menu: for a language (all chats) or for one chat."""
        ...

    async def clear_commands(self, chat_id: int) -> None:
        """Remove one chat's own menu: the chat sees its Telegram app language's menu again."""
        ...


EventSink = Callable[[Event], Awaitable[None]]


class Engine(Protocol):
    """A Telegram framework as the app sees it: it turns updates into events for ``sink``
    and carries the bot's messages (``messenger``). One lives in ``bot/engines`` per
    framework; DCC_ENGINE picks one."""

    @property
    def messenger(self) -> Messenger: ...

    def attach(self, sink: EventSink) -> None:
        """Where events go: the core's dispatch (its ``feed``)."""
        ...

    async def start(self, poll_timeout: int = 30) -> None:
        """Connect and take updates by long polling; the framework's error on a bad token."""
        ...

    async def start_webhook(self, url: str, secret: str) -> None:
        """Connect and register ``url``: Telegram then posts the updates to our server."""
        ...

    async def feed(self, data: dict[str, Any]) -> None:
        """One update as Telegram posted it to the webhook; MalformedUpdate, before anything
        is handled, when it cannot be read."""
        ...

    async def stop(self) -> None:
        """Stop taking updates; the ones taken finish and their replies go out."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(slots=True)
class Conversation:
    """Where one user is in a flow. Lives in the database so a restart resumes it.

    ``token`` changes whenever a flow starts, so buttons of an older flow are recognised as
    stale; ``language`` remembers a choice made before the user became a member.
    """

    user_id: int
    flow: str | None = None
    step: str | None = None
    token: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    language: str | None = None

    def state(self) -> dict[str, Any]:
        """What is stored, as it is now: ``data`` itself, not a copy (dispatch compares it
        with the state it loaded, and the session writes it at once)."""
        return {
            "flow": self.flow, "step": self.step, "token": self.token, "data": self.data,
            "language": self.language,
        }  # fmt: skip


def copy_json(value: Any) -> Any:
    """A copy of a JSON value (dicts, lists and scalars), as ``copy.deepcopy`` makes one but
    without its bookkeeping: every update copies the conversation it loaded."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


class UpdateSession(Protocol):
    """The per-update unit of work as dispatch sees it (storage's UnitOfWork satisfies it)."""

    async def claim_update(self, update_id: int, user_id: int) -> bool:
        """Take the user's turn across processes (until commit or rollback), then record
        the update id; False when it was already processed."""
        ...

    async def load_user(self, user_id: int) -> tuple[dict[str, Any] | None, str | None]:
        """The stored conversation (flow, step, token, data, language) or None, and the
        member's own language or None (not signed up)."""
        ...

    async def load_member(self, user_id: int) -> Any:
        """The signed-up member (not erased) with this Telegram id, or None; asked only by
        the handlers that need it (``Context.member``)."""
        ...

    async def save_conversation(self, user_id: int, state: Mapping[str, Any]) -> None: ...

    async def delete_conversation(self, user_id: int) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    async def close(self) -> None: ...
