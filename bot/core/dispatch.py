"""Routers per feature and the one dispatcher that runs every update.

Dispatch does the cross-cutting work once, so handlers don't: it drops redelivered updates
(by update id, in the same transaction as the handler's writes), serialises each user's
updates with a lock (both engines hand updates over concurrently, two quick taps must not
overwrite each other; across processes the session's ``claim_update`` takes the user's turn
in the database first thing in the transaction), bounds how many updates use the database at
once (``concurrency``: SQLite has one writer, so there updates take turns), lets the updates
waiting for a turn share one transaction (``group``: bot.core.group_commit), picks the
translator, loads the conversation (and saves it only when the update changed it), and turns
stale buttons, unknown commands and unexpected input into a clear message while the flow
stays put.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from weakref import WeakValueDictionary
from zoneinfo import ZoneInfo

from bot.core import typed
from bot.core.buttons import Buttons
from bot.core.context import Context, parse_flow_callback
from bot.core.events import Event, EventKind
from bot.core.flow import Flow, Handler
from bot.core.group_commit import GroupCommit
from bot.core.i18n import N_, Translations, language_for
from bot.core.ports import (
    Clock,
    Conversation,
    Messenger,
    SystemClock,
    UpdateSession,
    copy_json,
)
from bot.core.replies import DeferredReplies
from bot.core.text import clip, escape

log = logging.getLogger(__name__)

EMPTY_CONVERSATION = Conversation(0).state()  # a user with nothing to keep: no row
# How long a group of updates may run before it commits and leaves the rest to the next one
# (bot.core.group_commit): what grouping adds to an update's wait at most, besides one update.
GROUP_SECONDS = 0.025
MENU_RANK = {None: 0, "moderator": 1, "admin": 2}  # an administrator's menu has it all
APOLOGY = N_("Sorry, something went wrong on our side. Please try again.")


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    handler: Handler
    description: str  # msgid; empty for commands left out of the menu
    staff: str | None = None  # "moderator" or "admin": in the menus of their chats only


@dataclass
class Router:
    """One feature's commands, global buttons and flows."""

    name: str
    commands: dict[str, Command] = field(default_factory=dict)
    callbacks: dict[str, Handler] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)

    def command(
        self, name: str, description: str = "", staff: str | None = None
    ) -> Callable[[Handler], Handler]:
        if staff not in MENU_RANK:
            raise ValueError(f"unknown staff role {staff!r}")

        def register(handler: Handler) -> Handler:
            self.commands[name] = Command(name, handler, description, staff)
            return handler

        return register

    def buttons(self, group: Buttons) -> Buttons:
        """A feature's declared buttons (``bot.core.buttons``), routed by their prefix."""
        self.callbacks[group.prefix] = group.route
        return group

    def flow(self, flow: Flow) -> Flow:
        self.flows[flow.name] = flow
        return flow


SessionFactory = Callable[[], UpdateSession]
Fallback = Callable[[Context[Any, Any]], Awaitable[None]]


class Dispatcher:
    def __init__(
        self,
        session_factory: SessionFactory,
        messenger: Messenger,
        translations: Translations,
        clock: Clock | None = None,
        fallback: Fallback | None = None,
        concurrency: int = 8,
        timezone: ZoneInfo | None = None,
        strict_flows: bool = False,
        group: int = 1,
        dropped: Callable[[Exception], bool] = lambda _error: False,
    ) -> None:
        self.session_factory = session_factory
        self.dropped = dropped  # the database's word for "run it again"
        self.strict_flows = strict_flows  # ctx.goto to an undeclared step raises (tests)
        self.timezone = timezone or ZoneInfo("UTC")  # every handler's ctx.timezone
        self.messenger = messenger
        self.translations = translations
        self.clock = clock or SystemClock()
        self.fallback = fallback
        self.extras: dict[str, Any] = {}  # handed to every handler as ctx.extras
        self.commands: dict[str, Command] = {}
        self.callbacks: dict[str, Handler] = {}
        self.flows: dict[str, Flow] = {}
        self._locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()
        # Updates waiting for one of the ``concurrency`` database turns are handled
        # together, ``group`` at most, in one transaction (bot.core.group_commit).
        self._group: GroupCommit[Event, DeferredReplies | None] = GroupCommit(
            self._handle, self._handle_together, concurrency, group,
            key=lambda e: e.user.id, patience=GROUP_SECONDS,
        )  # fmt: skip
        self.timer = time.perf_counter  # a group's time (GROUP_SECONDS); tests move it
        self._processed = 0
        self._idle = asyncio.Condition()
        # user → the album a handler took its first file from: the album's other files
        # (each its own update, moments later) are passed over quietly
        self._albums: dict[int, str] = {}
        self._twins: typed.LabelTwins | None = None  # built on the first label typed

    def include(self, router: Router) -> None:
        tables: list[tuple[dict[str, Any], dict[str, Any]]] = [
            (self.commands, router.commands),
            (self.callbacks, router.callbacks),
            (self.flows, router.flows),
        ]
        for table, items in tables:
            clash = set(table) & set(items)
            if clash:
                raise ValueError(f"router {router.name!r} registers {sorted(clash)} again")
            table.update(items)

    def menu(self, language: str, staff: str | None = None) -> list[tuple[str, str]]:
        """The command menu in ``language`` for someone with the ``staff`` role (None for a
        member): a moderator's has the moderators' commands too, an administrator's all of
        them (the handlers check the role whatever the menu shows)."""
        t = self.translations.for_language(language)
        return [
            (c.name, t.gettext(c.description))
            for c in self.commands.values()
            if c.description and MENU_RANK[c.staff] <= MENU_RANK[staff]
        ]

    # -- running updates -----------------------------------------------------------------
    @property
    def grouped(self) -> int:
        """How many groups of several updates were committed together (tests, the bench)."""
        return self._group.groups

    @property
    def processed(self) -> int:
        """How many updates have been fully handled (tests and the sandbox wait on it)."""
        return self._processed

    async def wait_processed(self, count: int, seconds: float = 10.0) -> None:
        async with asyncio.timeout(seconds), self._idle:
            await self._idle.wait_for(lambda: self._processed >= count)

    async def feed(self, event: Event) -> None:
        lock = self._locks.get(event.user.id)
        if lock is None:
            lock = self._locks[event.user.id] = asyncio.Lock()
        try:
            async with lock:
                replies = await self._group.submit(event) if event.chat_is_private else None
                if replies is not None:  # sent in order, without holding a database turn
                    await replies.flush()
        finally:
            async with self._idle:
                self._processed += 1
                self._idle.notify_all()

    async def _handle(self, event: Event) -> DeferredReplies | None:
        """Run the update in a transaction of its own; the replies it made, to send once
        committed (None: nothing to send, or the apology for a failure went out). An update
        the database dropped whole (``dropped``: the server restarted, or a deadlock with
        another transaction) runs once more before the member is told it failed."""
        for attempt in (1, 2):
            session = self.session_factory()
            replies = DeferredReplies(self.messenger)
            made: list[Context[Any, Any]] = []
            album = self._albums.get(event.user.id)
            try:
                handled = await self._run(session, event, replies, made)
                await session.commit()
            except Exception as error:
                replies.discard()
                await session.rollback()
                if attempt == 1 and self.dropped(error):
                    log.warning("update %s was dropped by the database; again", event.update_id)
                    self._keep_album(event.user.id, album)
                    continue
                log.exception("update %s failed", event.update_id)
                if made:
                    ctx = made[0]
                    ctx.messenger, ctx.callback_answered = self.messenger, False
                    await self._apologise(ctx)
                else:
                    await self._apologise_unloaded(event)
                return None
            finally:
                await session.close()
            return replies if handled else None
        return None  # not reached: the second attempt returns

    async def _handle_together(
        self, events: Sequence[Event]
    ) -> list[DeferredReplies | None] | None:
        """Run several members' updates one after the other in one transaction, committed
        once (``bot.core.group_commit``); None, with nothing kept, when one failed. Once the
        group has run for ``GROUP_SECONDS`` the rest are left for the next group: the
        results are those of the updates run, in order."""
        session = self.session_factory()
        results: list[DeferredReplies | None] = []
        albums = {e.user.id: self._albums.get(e.user.id) for e in events}  # see take_album
        started = self.timer()
        try:
            for event in events:
                if results and self.timer() - started >= GROUP_SECONDS:
                    break
                replies = DeferredReplies(self.messenger)
                handled = await self._run(session, event, replies, [])
                results.append(replies if handled else None)
            await session.commit()
        except Exception:
            log.info("an update of a group failed", exc_info=True)
            await session.rollback()
            for user_id, album in albums.items():  # the updates run again: as if never run
                self._keep_album(user_id, album)
            return None
        finally:
            await session.close()
        return results

    def _keep_album(self, user_id: int, album: str | None) -> None:
        """Put back the album a member's update found (``take_album``), for a run again."""
        if album is None:
            self._albums.pop(user_id, None)
        else:
            self._albums[user_id] = album

    async def _run(
        self,
        session: UpdateSession,
        event: Event,
        replies: DeferredReplies,
        made: list[Context[Any, Any]],
    ) -> bool:
        """The update's work inside the transaction ``session`` has open: claimed (False
        when it was handled before), routed, its conversation written if it changed. The
        context it made goes in ``made`` (for an apology, should it fail)."""
        if not await session.claim_update(event.update_id, event.user.id):
            log.info("update %s already processed, skipped", event.update_id)
            return False
        state, member_language = await session.load_user(event.user.id)
        stored = state is not None
        conversation = Conversation(event.user.id, **copy_json(state or {}))
        language = (
            member_language or conversation.language or language_for(event.user.language_code)
        )
        ctx: Context[Any, Any] = Context(
            event=event,
            t=self.translations.for_language(language),
            messenger=replies,
            session=session,
            conversation=conversation,
            clock=self.clock,
            flows=self.flows,
            translators=self.translations,
            menu=self.menu,
            extras=self.extras,
            timezone=self.timezone,
            load_member=session.load_member,
            strict_flows=self.strict_flows,
            albums=self._albums,
        )
        if member_language is None:  # not signed up: ``ctx.member()`` needs no read
            ctx.remember_member(None)
        made.append(ctx)
        await self._route(ctx)
        if ctx.conversation_deleted:
            if stored:
                await session.delete_conversation(event.user.id)
        elif conversation.state() != (state or EMPTY_CONVERSATION):  # changed
            await session.save_conversation(event.user.id, conversation.state())
        return True

    async def _apologise(self, ctx: Context[Any, Any]) -> None:
        try:
            await ctx.answer()
            await ctx.reply(ctx._(APOLOGY))
        except Exception:
            log.exception("could not tell user %s about the failure", ctx.user_id)

    async def _apologise_unloaded(self, event: Event) -> None:
        """The update failed before its conversation was read (the database refused the claim
        or the read): the member is told all the same, in their Telegram app's language."""
        t = self.translations.for_language(language_for(event.user.language_code))
        try:
            if event.kind is EventKind.CALLBACK and event.callback_id:
                await self.messenger.answer_callback(event.callback_id)
            await self.messenger.send_message(event.chat_id, t.gettext(APOLOGY))
        except Exception:
            log.exception("could not tell user %s about the failure", event.user.id)

    async def _route(self, ctx: Context[Any, Any]) -> None:
        event = ctx.event
        album = event.attachment.media_group_id if event.attachment is not None else None
        if album is not None and self._albums.get(event.user.id) == album:
            return  # another file of an album whose first was taken (the member was told)
        if event.kind is EventKind.COMMAND:
            command = self.commands.get(event.command)
            if command is None:
                await ctx.reply(
                    ctx._(
                        N_("I don't know the command /{command}. Send /help to see what I can do.")
                    ).format(command=escape(clip(event.command, 32)))
                )
                await ctx.reprompt()
                return
            await command.handler(ctx)
        elif event.kind is EventKind.CALLBACK:
            await self._route_button(ctx)
        elif ctx.step is not None and event.kind is EventKind.TEXT and await self._typed(ctx):
            pass
        elif ctx.step is not None:
            step = ctx.step
            handler = {
                EventKind.TEXT: step.on_text,
                EventKind.CONTACT: step.on_contact,
                EventKind.MEDIA: step.on_media,
            }.get(event.kind)
            if handler is None:
                await ctx.reply(ctx._(step.hint))
                await ctx.reprompt()
            else:
                await handler(ctx)
        elif self.fallback is not None:
            await self.fallback(ctx)
        await ctx.answer()

    async def _typed(self, ctx: Context[Any, Any]) -> bool:
        """A text that is the label of one of the step's buttons (``bot.core.typed``) is
        handled as its press, by the same route; True when it was one. A press that
        replied nothing (a toggle that edits its keyboard in place) asks the step again,
        so the member sees what it did."""
        if self._twins is None:
            self._twins = typed.LabelTwins(self.translations.pairs())
        data = typed.pressed(ctx.conversation, ctx.event.text, self._twins)
        if data is None:
            return False
        ctx.event = replace(
            ctx.event, kind=EventKind.CALLBACK, callback_data=data, callback_id="", message_id=None
        )
        ctx.typed_press, ctx.callback_answered = True, True
        place, replies = (ctx.conversation.token, ctx.conversation.step), ctx.replies
        await self._route_button(ctx)
        if ctx.replies == replies and (ctx.conversation.token, ctx.conversation.step) == place:
            await ctx.reprompt()
        return True

    async def _route_button(self, ctx: Context[Any, Any]) -> None:
        event = ctx.event
        if event.chat_id != event.user.id:  # a button on a message of another chat
            await ctx.answer(ctx._(N_("This button belongs to someone else's conversation.")), True)
            return
        parsed = parse_flow_callback(event.callback_data)
        if parsed is None:
            prefix, _, value = event.callback_data.partition(":")
            handler = self.callbacks.get(prefix)
            if handler is None:
                await self._stale(ctx)
                return
            ctx.value = value
            await handler(ctx)
            return
        token, step_name, value = parsed
        conv = ctx.conversation
        step = ctx.step
        if token != conv.token or step is None or not step.on_button:
            await self._stale(ctx)
            return
        if step_name != conv.step:  # a second tap, or an earlier question of this flow
            await ctx.answer(ctx._(N_("That button is from an older message.")))
            await ctx.clear_buttons()
            return
        ctx.value = value
        await step.on_button(ctx)

    async def _stale(self, ctx: Context[Any, Any]) -> None:
        await ctx.answer(ctx._(N_("That button is from an older message.")))
        await ctx.clear_buttons()
        if ctx.step is not None:
            await ctx.reply(
                ctx._(N_("That button is from an older message. Here is where we are:"))
            )
            await ctx.reprompt()
