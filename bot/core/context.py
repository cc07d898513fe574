"""What a handler receives: the event, the member's translator, the session, the reply port,
the community's time zone and the signed-up member who sent the update."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.core import typed
from bot.core.buttons import FLOW_PREFIX, ROW
from bot.core.events import Event, EventKind, FileRef
from bot.core.html import CALLBACK_ANSWER_MAX, split_caption, split_message
from bot.core.i18n import Translator
from bot.core.keyboards import Button, InlineKeyboard, Keyboard
from bot.core.ports import Clock, Conversation, Messenger
from bot.core.text import clip_units

if TYPE_CHECKING:
    from bot.core.flow import Flow, Step

log = logging.getLogger(__name__)
ALBUMS_KEPT = 10_000  # users whose last album is remembered (in memory, see take_album)

S = TypeVar("S")
M = TypeVar("M")


def row_id(text: str) -> int:
    """``text`` as a row id (a positive 32-bit number), else 0, which no row has: a forged or
    garbled button never reaches the database with a number it cannot hold, and finds
    nothing."""
    return ROW.read(text) or 0


def flow_callback(token: str, step: str, value: str) -> str:
    return f"{FLOW_PREFIX}:{token}:{step}:{value}"


def parse_flow_callback(data: str) -> tuple[str, str, str] | None:
    parts = data.split(":", 3)
    if len(parts) != 4 or parts[0] != FLOW_PREFIX:
        return None
    return parts[1], parts[2], parts[3]


async def _no_member(_user_id: int) -> None:
    return None


@dataclass
class Context(Generic[S, M]):
    """One update being handled. ``session`` is the unit of work the composition root gave;
    ``M`` is what the session's ``load_member`` returns for a signed-up member."""

    event: Event
    t: Translator
    messenger: Messenger
    session: S
    conversation: Conversation
    clock: Clock
    flows: dict[str, Flow]
    translators: Any  # bot.core.i18n.Translations: for switching language mid-update
    value: str = ""  # the value of the flow button pressed
    callback_answered: bool = False
    conversation_deleted: bool = False
    menu: Callable[[str, str | None], list[tuple[str, str]]] = field(
        default=lambda _language, _staff=None: []
    )
    extras: dict[str, Any] = field(default_factory=dict)  # features' settings, by feature
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))  # dates shown, typed
    load_member: Callable[[int], Awaitable[M | None]] = _no_member
    strict_flows: bool = False  # tests: a step a flow does not declare raises
    albums: dict[int, str] = field(default_factory=dict)  # the dispatcher's, see take_album
    typed_press: bool = False  # a label typed as text, routed as its button (bot.core.typed)
    replies: int = 0  # messages this update has replied with so far
    _member: M | None = field(default=None, init=False, repr=False)
    _member_loaded: bool = field(default=False, init=False, repr=False)

    @property
    def user_id(self) -> int:
        return self.event.user.id

    @property
    def language(self) -> str:
        return self.t.language

    def _(self, message: str) -> str:
        return self.t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The message's form for ``n`` of something (see ``Translator.ngettext``)."""
        return self.t.ngettext(singular, plural, n)

    async def member(self) -> M | None:
        """The signed-up member who sent this update, None for someone not signed up (or who
        erased their data). Read on first use and kept for the update: an update that never
        asks costs no query."""
        if not self._member_loaded:
            self._member, self._member_loaded = await self.load_member(self.user_id), True
        return self._member

    def remember_member(self, member: M | None) -> None:
        """This update signed the user up (or erased them): ``member()`` answers so from now."""
        self._member, self._member_loaded = member, True

    # -- replies -------------------------------------------------------------------------
    async def reply(self, text: str, keyboard: Keyboard | None = None) -> None:
        """Send HTML ``text`` to the member once the update has committed (escape their input).
        A text longer than Telegram takes goes as several messages (``split_message``), the
        keyboard under the last."""
        self._remember(keyboard)
        self.replies += 1
        parts = split_message(text, self.t)
        for part in parts[:-1]:
            await self.messenger.send_message(self.event.chat_id, part, None)
        await self.messenger.send_message(self.event.chat_id, parts[-1], keyboard)

    async def reply_file(
        self, file: FileRef, caption: str = "", keyboard: Keyboard | None = None
    ) -> None:
        """Send a photo or document by its file_id with an HTML caption, once the update
        has committed; what a caption cannot hold follows as messages of its own."""
        self._remember(keyboard)
        self.replies += 1
        parts = split_caption(caption, self.t) if caption else [""]
        keys = keyboard if len(parts) == 1 else None
        await self.messenger.send_file(self.event.chat_id, file, parts[0] or None, keys)
        for number, part in enumerate(parts[1:], 2):
            last = keyboard if number == len(parts) else None
            await self.messenger.send_message(self.event.chat_id, part, last)

    def _remember(self, keyboard: Keyboard | None) -> None:
        """The step's buttons, so that typing a label works like pressing it."""
        if isinstance(keyboard, InlineKeyboard):
            typed.remember(self.conversation, keyboard)

    def take_album(self) -> bool:
        """This update's file is the first taken of an album: the album's other files are
        passed over (dispatch skips them). True when the file was one of an album."""
        attachment = self.event.attachment
        if attachment is None or attachment.media_group_id is None:
            return False
        if len(self.albums) > ALBUMS_KEPT:
            self.albums.clear()
        self.albums[self.user_id] = attachment.media_group_id
        return True

    async def answer(self, text: str | None = None, alert: bool = False) -> None:
        """Answer the button press (once); Telegram shows a spinner until we do. The text
        (a toast, or an alert) is clipped to the 200 units Telegram takes. For a label typed
        instead of a press there is nothing to answer: the text comes as a message."""
        if self.typed_press:
            if text:
                await self.reply(text)
            return
        if self.event.kind is EventKind.CALLBACK and not self.callback_answered:
            self.callback_answered = True
            shown = clip_units(text, CALLBACK_ANSWER_MAX) if text else text
            await self.messenger.answer_callback(self.event.callback_id, shown, alert)

    async def clear_buttons(self) -> None:
        """Take the buttons off the message that was pressed, so it cannot be pressed again."""
        if self.event.kind is EventKind.CALLBACK and self.event.message_id is not None:
            await self.messenger.edit_keyboard(self.event.chat_id, self.event.message_id, None)

    def use_language(self, language: str) -> None:
        self.t = self.translators.for_language(language)

    # -- flows ---------------------------------------------------------------------------
    @property
    def step(self) -> Step | None:
        conv = self.conversation
        if conv.flow is None or conv.step is None or conv.flow not in self.flows:
            return None
        return self.flows[conv.flow].steps.get(conv.step)

    @property
    def data(self) -> dict[str, Any]:
        return self.conversation.data

    def button(self, label: str, value: str, step: str | None = None) -> Button:
        """A button of the current flow: pressing it later than this step is recognised."""
        conv = self.conversation
        return Button(label, flow_callback(conv.token, step or conv.step or "", value))

    def keyboard(self, buttons: list[Button], width: int = 2) -> InlineKeyboard:
        return InlineKeyboard.columns(buttons, width)

    async def start_flow(self, flow: str, step: str, data: dict[str, Any] | None = None) -> None:
        """Start ``flow`` at ``step``, one of the flow's declared ``entry`` steps."""
        if flow in self.flows and step not in self.flows[flow].entry:
            self._undeclared(f"flow {flow!r} does not start at {step!r}")
        conv = self.conversation
        conv.flow, conv.token, conv.data = flow, secrets.token_urlsafe(4)[:6], dict(data or {})
        conv.step = None  # a new flow: goto checks nothing against the old one's step
        self.conversation_deleted = False
        await self.goto(step)

    async def goto(self, step: str) -> None:
        """Go to ``step``, one of the current step's declared ``next`` steps."""
        conv = self.conversation
        if conv.flow is None or step not in self.flows[conv.flow].steps:
            raise KeyError(f"no step {step!r} in flow {conv.flow!r}")
        current = self.step
        if current is not None and step not in current.next:
            self._undeclared(f"flow {conv.flow!r}: step {conv.step!r} does not go to {step!r}")
        conv.step = step
        await self.flows[conv.flow].steps[step].prompt(self)

    def _undeclared(self, message: str) -> None:
        """An edge the flow's table does not declare: the tests fail on it; a member in
        production is never stopped by a table that missed one (it is logged, and goes on)."""
        if self.strict_flows:
            raise KeyError(message)
        log.warning("undeclared flow edge: %s", message)

    async def reprompt(self) -> None:
        step = self.step
        if step is not None:
            await step.prompt(self)

    def end_flow(self) -> None:
        conv = self.conversation
        conv.flow, conv.step, conv.token, conv.data = None, None, "", {}

    async def forget_user(self) -> None:
        """Delete the conversation row at the end of this update (nothing kept).

        The rule for the language: forgetting a user forgets the language they chose too
        (nothing about them is kept, not even that), and removes the chat's own command
        menu with it. From the next update on, texts and the command menu both follow the
        Telegram app's language again (the per-language menus set at start-up), so they
        never disagree. This update's own replies keep the language the user was reading.
        """
        self.end_flow()
        self.conversation.language = None
        self.conversation_deleted = True
        await self.messenger.clear_commands(self.event.chat_id)
