"""The dispatcher, run against an in-memory session and a messenger that records replies."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.context import Context, flow_callback
from bot.core.dispatch import GROUP_SECONDS, Dispatcher, Router
from bot.core.events import (
    PHOTO,
    Attachment,
    Event,
    EventKind,
    MalformedUpdate,
    User,
    checked,
    parse_command,
)
from bot.core.flow import Flow, Step
from bot.core.i18n import Translations
from bot.core.keyboards import Button, InlineKeyboard
from tests.fakes import RecordingMessenger

DARA = User(1001, "Dara", language_code="en")
ASK_NAME = "What is your name?"
NAME_HINT = "Please type your name in letters."
ASK_CONFIRM = "Is that right?"
CONFIRM_HINT = "Please press Yes."
STALE = "That button is from an older message."
APOLOGY = "Sorry, something went wrong on our side. Please try again."


@dataclass
class FakeStore:
    """What the database holds between updates."""

    seen: set[int] = field(default_factory=set)
    conversations: dict[int, dict[str, Any]] = field(default_factory=dict)
    languages: dict[int, str] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)


class FakeSession:
    """One update's unit of work: writes reach the store on commit and vanish on rollback."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.claimed: set[int] = set()
        self.writes: dict[int, dict[str, Any] | None] = {}

    async def claim_update(self, update_id: int, user_id: int) -> bool:
        if update_id in self.store.seen or update_id in self.claimed:
            return False
        self.claimed.add(update_id)
        return True

    async def load_user(self, user_id: int) -> tuple[dict[str, Any] | None, str | None]:
        return copy.deepcopy(self.store.conversations.get(user_id)), self.store.languages.get(
            user_id
        )

    async def load_member(self, user_id: int) -> str | None:
        """A member is someone with a stored language; the fake member is their name."""
        self.store.calls.append("member")
        return f"member {user_id}" if user_id in self.store.languages else None

    async def save_conversation(self, user_id: int, state: Mapping[str, Any]) -> None:
        self.store.calls.append("save")
        self.writes[user_id] = copy.deepcopy(dict(state))

    async def delete_conversation(self, user_id: int) -> None:
        self.writes[user_id] = None

    async def commit(self) -> None:
        self.store.calls.append("commit")
        self.store.seen |= self.claimed
        for user_id, state in self.writes.items():
            if state is None:
                self.store.conversations.pop(user_id, None)
            else:
                self.store.conversations[user_id] = state

    async def rollback(self) -> None:
        self.store.calls.append("rollback")
        self.claimed.clear()
        self.writes.clear()

    async def close(self) -> None:
        self.store.calls.append("close")


@dataclass
class Bot:
    dispatcher: Dispatcher
    store: FakeStore
    messenger: RecordingMessenger
    pressed: list[str] = field(default_factory=list)
    trace: list[tuple[int, str]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    members: list[str | None] = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)  # /hold waits for it

    async def feed(self, *events: Event) -> None:
        for event in events:
            await self.dispatcher.feed(event)

    def at_step(self, step: str, token: str = "tok123", user: User = DARA) -> None:
        self.store.conversations[user.id] = {
            "flow": "signup", "step": step, "token": token, "data": {}, "language": None,
        }  # fmt: skip


def build_router(bot: Bot) -> Router:
    router = Router("test")

    async def ask_name(ctx: Context[Any, Any]) -> None:
        await ctx.reply(ASK_NAME)

    async def got_name(ctx: Context[Any, Any]) -> None:
        ctx.data["name"] = ctx.event.text
        await ctx.goto("confirm")

    async def ask_confirm(ctx: Context[Any, Any]) -> None:
        await ctx.reply(ASK_CONFIRM, ctx.keyboard([ctx.button("Yes", "yes")]))

    async def confirmed(ctx: Context[Any, Any]) -> None:
        bot.pressed.append(ctx.value)
        ctx.end_flow()

    router.flow(
        Flow(
            "signup",
            {
                "name": Step(ask_name, NAME_HINT, on_text=got_name),
                "confirm": Step(ask_confirm, CONFIRM_HINT, on_button=confirmed),
            },
        )
    )

    @router.command("start")
    async def start(ctx: Context[Any, Any]) -> None:
        await ctx.start_flow("signup", "name")

    @router.command("slow")
    async def slow(ctx: Context[Any, Any]) -> None:
        bot.trace.append((ctx.event.update_id, "in"))
        await asyncio.sleep(0)
        bot.trace.append((ctx.event.update_id, "out"))

    @router.command("hold")
    async def hold(ctx: Context[Any, Any]) -> None:
        await bot.gate.wait()

    @router.command("boom")
    async def boom(ctx: Context[Any, Any]) -> None:
        await ctx.reply("working on it")
        raise RuntimeError("disk on fire")

    @router.command("remember")
    async def remember(ctx: Context[Any, Any]) -> None:
        ctx.data["seen"] = True  # changed in place: dispatch must still notice

    @router.command("whoami")
    async def whoami(ctx: Context[Any, Any]) -> None:
        bot.languages.append(ctx.language)

    @router.command("me")
    async def me(ctx: Context[Any, Any]) -> None:
        bot.members.extend([await ctx.member(), await ctx.member(), ctx.timezone.key])

    return router


@pytest.fixture
def bot(translations: Translations) -> Bot:
    store, messenger = FakeStore(), RecordingMessenger()
    bot = Bot(Dispatcher(lambda: FakeSession(store), messenger, translations), store, messenger)
    bot.dispatcher.include(build_router(bot))
    return bot


def command(update_id: int, name: str, user: User = DARA, private: bool = True) -> Event:
    chat_id = user.id if private else -100123
    return Event(update_id, EventKind.COMMAND, user, chat_id, private, f"/{name}", name)


def text(update_id: int, body: str, user: User = DARA) -> Event:
    return Event(update_id, EventKind.TEXT, user, user.id, text=body)


def press(update_id: int, data: str, chat_id: int = DARA.id, message_id: int = 7) -> Event:
    return Event(
        update_id,
        EventKind.CALLBACK,
        DARA,
        chat_id,
        callback_id=f"cb{update_id}",
        callback_data=data,
        message_id=message_id,
    )


# -- the happy path, and redelivery --------------------------------------------------------
async def test_a_member_types_a_name_and_presses_yes(bot: Bot) -> None:
    await bot.feed(command(1, "start"), text(2, "Dara"))
    token = bot.store.conversations[DARA.id]["token"]
    keyboard = bot.messenger.sent[-1][2]
    assert isinstance(keyboard, InlineKeyboard)
    assert keyboard.buttons()[0].data == flow_callback(token, "confirm", "yes")

    await bot.feed(press(3, flow_callback(token, "confirm", "yes")))
    assert bot.messenger.texts == [ASK_NAME, ASK_CONFIRM]
    assert bot.pressed == ["yes"]
    assert bot.messenger.answers == [("cb3", None, False)]
    assert bot.store.conversations[DARA.id]["flow"] is None


async def test_a_redelivered_update_is_acted_on_once(bot: Bot) -> None:
    await bot.feed(command(1, "start"), command(1, "start"))
    assert bot.messenger.texts == [ASK_NAME]
    assert bot.dispatcher.processed == 2


# -- one user at a time ----------------------------------------------------------------------
async def test_the_conversation_is_written_only_when_the_update_changed_it(bot: Bot) -> None:
    bot.at_step("name")
    await bot.feed(command(1, "whoami"))
    assert "save" not in bot.store.calls
    await bot.feed(command(2, "remember"))
    assert bot.store.calls.count("save") == 1
    assert bot.store.conversations[DARA.id]["data"] == {"seen": True}
    await bot.feed(command(3, "whoami"), command(4, "remember"))  # nothing new either time
    assert bot.store.calls.count("save") == 1


async def test_the_member_is_read_once_by_an_update_that_asks_and_never_by_others(
    bot: Bot,
) -> None:
    """Someone not signed up (the dispatch read found no member's language) is no member
    without a read of their own; a member is read by the update that asks, once."""
    await bot.feed(command(1, "whoami"))
    await bot.feed(command(2, "me"))
    assert "member" not in bot.store.calls
    bot.store.languages[DARA.id] = "km"
    await bot.feed(command(3, "me"))
    assert bot.store.calls.count("member") == 1
    assert bot.members == [None, None, "UTC", "member 1001", "member 1001", "UTC"]


async def test_handlers_see_the_dispatchers_time_zone(translations: Translations) -> None:
    store, messenger = FakeStore(), RecordingMessenger()
    dispatcher = Dispatcher(
        lambda: FakeSession(store), messenger, translations, timezone=ZoneInfo("Asia/Phnom_Penh")
    )
    bot = Bot(dispatcher, store, messenger)
    dispatcher.include(build_router(bot))
    await bot.feed(command(1, "me"))
    assert bot.members == [None, None, "Asia/Phnom_Penh"]


async def test_two_quick_updates_of_one_user_run_one_after_the_other(bot: Bot) -> None:
    await asyncio.gather(
        bot.dispatcher.feed(command(1, "slow")), bot.dispatcher.feed(command(2, "slow"))
    )
    assert bot.trace == [(1, "in"), (1, "out"), (2, "in"), (2, "out")]


async def test_updates_of_different_users_do_not_wait_for_each_other(bot: Bot) -> None:
    sophea = User(2002, "Sophea")
    await asyncio.gather(
        bot.dispatcher.feed(command(1, "slow")), bot.dispatcher.feed(command(2, "slow", sophea))
    )
    assert bot.trace.index((2, "in")) < bot.trace.index((1, "out"))


async def test_with_one_database_turn_users_take_turns_but_replies_do_not_hold_it(
    bot: Bot, translations: Translations
) -> None:
    """SQLite's case: one update in the database at a time; sending needs no turn."""
    sophea, vanna = User(2002, "Sophea"), User(3003, "Vanna")
    gate = asyncio.Event()
    bot.messenger.before_call = lambda _chat: gate.wait()  # a slow Telegram
    bot.dispatcher = Dispatcher(
        lambda: FakeSession(bot.store), bot.messenger, translations, concurrency=1
    )
    bot.dispatcher.include(build_router(bot))
    first = asyncio.create_task(bot.dispatcher.feed(command(1, "start")))
    for _ in range(5):
        await asyncio.sleep(0)  # the first update has committed and waits to send
    assert bot.messenger.texts == []
    async with asyncio.timeout(2):  # were the turn held while sending, this would wait
        await asyncio.gather(
            bot.dispatcher.feed(command(2, "slow", vanna)),
            bot.dispatcher.feed(command(3, "slow", sophea)),
        )
    assert bot.trace == [(2, "in"), (2, "out"), (3, "in"), (3, "out")]
    gate.set()
    await first
    assert bot.messenger.texts == [ASK_NAME]


# -- group commit: the updates waiting for the turn share one transaction -------------------
def grouped(bot: Bot, translations: Translations) -> Dispatcher:
    """SQLite's dispatcher: one database turn, the updates waiting for it handled together."""
    dispatcher = Dispatcher(
        lambda: FakeSession(bot.store), bot.messenger, translations, concurrency=1, group=8
    )
    dispatcher.include(build_router(bot))
    return dispatcher


def with_turns(bot: Bot, translations: Translations) -> Dispatcher:
    """PostgreSQL's dispatcher: eight database turns, groups of up to eight."""
    dispatcher = Dispatcher(
        lambda: FakeSession(bot.store), bot.messenger, translations, concurrency=8, group=8
    )
    dispatcher.include(build_router(bot))
    return dispatcher


async def while_the_turn_is_held(bot: Bot, *events: Event) -> None:
    """Dara's /hold takes the one turn; ``events`` arrive meanwhile and wait for it."""
    holding = asyncio.create_task(bot.dispatcher.feed(command(1, "hold")))
    for _ in range(5):
        await asyncio.sleep(0)
    waiting = [asyncio.create_task(bot.dispatcher.feed(event)) for event in events]
    for _ in range(5):
        await asyncio.sleep(0)
    bot.gate.set()
    await asyncio.gather(holding, *waiting)


@pytest.mark.parametrize("dispatcher", [grouped, with_turns])
async def test_updates_waiting_for_the_turn_are_committed_together(
    bot: Bot, translations: Translations, dispatcher: Callable[[Bot, Translations], Dispatcher]
) -> None:
    """With one turn (SQLite) or eight (PostgreSQL): the updates that come while Dara's
    runs share the next transaction, not a turn each (eight turns would leave a turn free)."""
    sophea, vanna = User(2002, "Sophea"), User(3003, "Vanna")
    bot.dispatcher = dispatcher(bot, translations)
    await while_the_turn_is_held(bot, command(2, "start", sophea), command(3, "start", vanna))
    assert bot.dispatcher.grouped == 1
    assert bot.store.calls == ["commit", "close", "save", "save", "commit", "close"]
    assert set(bot.store.conversations) == {sophea.id, vanna.id}
    assert bot.store.seen == {1, 2, 3}
    assert [(s.chat_id, s.text) for s in bot.messenger.sent] == [
        (sophea.id, ASK_NAME), (vanna.id, ASK_NAME),
    ]  # fmt: skip


async def test_a_group_whose_time_is_up_leaves_the_rest_to_the_next_group(
    bot: Bot, translations: Translations
) -> None:
    """Grouping must not make an update wait for a whole group: once a group has run for
    GROUP_SECONDS it commits, and the waiting updates form the next group."""
    sophea, vanna, mony = User(2002, "Sophea"), User(3003, "Vanna"), User(4004, "Mony")
    bot.dispatcher = grouped(bot, translations)
    moments = iter([0.0, 0.0, GROUP_SECONDS, 5.0, 5.0])  # the first group: time up after two
    bot.dispatcher.timer = lambda: next(moments)
    await while_the_turn_is_held(
        bot, command(2, "start", sophea), command(3, "start", vanna), command(4, "start", mony)
    )
    assert bot.store.calls == [
        "commit", "close",  # Dara's /hold, alone
        "save", "save", "commit", "close",  # Sophea and Vanna: the time was up
        "save", "commit", "close",  # Mony, alone
    ]  # fmt: skip
    assert bot.dispatcher.grouped == 1
    assert [(s.chat_id, s.text) for s in bot.messenger.sent] == [
        (sophea.id, ASK_NAME), (vanna.id, ASK_NAME), (mony.id, ASK_NAME),
    ]  # fmt: skip


async def test_a_failing_update_of_a_group_loses_nothing_of_the_others(
    bot: Bot, translations: Translations
) -> None:
    sophea, vanna = User(2002, "Sophea"), User(3003, "Vanna")
    bot.dispatcher = grouped(bot, translations)
    await while_the_turn_is_held(bot, command(2, "boom", sophea), command(3, "start", vanna))
    # the group is rolled back whole, then each of its updates runs alone
    assert bot.store.calls[2:] == [
        "rollback",
        "close",
        "rollback",
        "close",
        "save",
        "commit",
        "close",
    ]
    assert set(bot.store.conversations) == {vanna.id}
    assert bot.store.seen == {1, 3}  # the failed update is not claimed: Telegram may retry it
    assert sorted((s.chat_id, s.text) for s in bot.messenger.sent) == [
        (sophea.id, APOLOGY),
        (vanna.id, ASK_NAME),
    ]  # fmt: skip  (the failed one's half-done reply never goes out)
    assert bot.dispatcher.processed == 3


async def test_an_album_file_taken_in_a_failed_group_is_taken_again_alone(
    bot: Bot, translations: Translations
) -> None:
    """The first file of an album marks the album taken (in memory, not in the database):
    when its group is rolled back and the file runs again alone, it is taken again, not
    passed over as another file of a taken album."""
    sophea, vanna = User(2002, "Sophea"), User(1500, "Vanna")  # Vanna's update runs first

    async def keep_file(ctx: Context[Any, Any]) -> None:
        ctx.take_album()
        await ctx.reply("file kept")

    bot.dispatcher = Dispatcher(
        lambda: FakeSession(bot.store), bot.messenger, translations, fallback=keep_file,
        concurrency=1,
        group=8,
    )  # fmt: skip
    bot.dispatcher.include(build_router(bot))
    photo = Attachment(PHOTO, "file-1", "unique-1", media_group_id="album-1")
    await while_the_turn_is_held(
        bot,
        Event(2, EventKind.MEDIA, vanna, vanna.id, attachment=photo),
        command(3, "boom", sophea),
    )
    assert sorted((s.chat_id, s.text) for s in bot.messenger.sent) == [
        (vanna.id, "file kept"), (sophea.id, APOLOGY),
    ]  # fmt: skip


async def test_a_group_of_one_update_is_handled_alone(bot: Bot, translations: Translations) -> None:
    bot.dispatcher = grouped(bot, translations)
    await bot.feed(command(1, "start"), text(2, "Dara"))
    assert bot.store.calls == ["save", "commit", "close", "save", "commit", "close"]


async def test_an_update_stuck_in_its_turn_keeps_the_others_waiting_a_groups_time_at_most(
    bot: Bot, translations: Translations
) -> None:
    """Dara's /hold does not end (a slow statement, a turn another process holds): after a
    group's time Sophea's update takes a turn of its own and is answered meanwhile."""
    sophea = User(2002, "Sophea")
    bot.dispatcher = with_turns(bot, translations)
    holding = asyncio.create_task(bot.dispatcher.feed(command(1, "hold")))
    for _ in range(5):
        await asyncio.sleep(0)
    async with asyncio.timeout(20 * GROUP_SECONDS):
        await bot.dispatcher.feed(command(2, "start", sophea))
    assert not holding.done()
    assert [(s.chat_id, s.text) for s in bot.messenger.sent] == [(sophea.id, ASK_NAME)]
    bot.gate.set()
    await holding
    assert bot.dispatcher.grouped == 0


# -- input the current step does not expect ---------------------------------------------------
async def test_an_unknown_command_is_named_and_the_step_asked_again(bot: Bot) -> None:
    bot.at_step("name")
    await bot.feed(command(1, "frobnicate"))
    assert bot.messenger.texts == [
        "I don't know the command /frobnicate. Send /help to see what I can do.",
        ASK_NAME,
    ]
    assert bot.store.conversations[DARA.id]["step"] == "name"


async def test_an_unknown_command_is_html_escaped_and_in_khmer_for_khmer_members(
    bot: Bot,
) -> None:
    bot.store.languages[DARA.id] = "km"
    await bot.feed(command(1, "<b>"))
    assert bot.messenger.texts == [
        "ខ្ញុំមិនស្គាល់ពាក្យបញ្ជា /&lt;b&gt; ទេ។ សូមផ្ញើ /help ដើម្បីមើលអ្វីដែលខ្ញុំអាចធ្វើបាន។"
    ]


@pytest.mark.parametrize(
    "data",
    [
        flow_callback("old999", "confirm", "yes"),  # a button of an earlier sign-up
        "nosuchprefix:1",  # a global button no router knows
    ],
)
async def test_a_stale_button_is_explained_and_the_step_asked_again(bot: Bot, data: str) -> None:
    bot.at_step("confirm")
    await bot.feed(press(1, data, message_id=42))
    assert bot.messenger.answers == [("cb1", STALE, False)]
    assert bot.messenger.edits == [(DARA.id, 42, None, None)]  # its buttons are taken off
    assert bot.messenger.texts == [
        "That button is from an older message. Here is where we are:",
        ASK_CONFIRM,
    ]
    assert bot.pressed == []
    assert bot.store.conversations[DARA.id]["step"] == "confirm"


async def test_a_second_tap_on_a_step_already_left_only_says_it_is_old(bot: Bot) -> None:
    bot.at_step("confirm")
    await bot.feed(press(1, flow_callback("tok123", "name", "yes"), message_id=42))
    assert bot.messenger.answers == [("cb1", STALE, False)]
    assert bot.messenger.edits == [(DARA.id, 42, None, None)]
    assert bot.messenger.texts == []
    assert bot.pressed == []
    assert bot.store.conversations[DARA.id]["step"] == "confirm"


async def test_a_button_pressed_in_someone_elses_chat_is_refused(bot: Bot) -> None:
    bot.at_step("confirm")
    await bot.feed(press(1, flow_callback("tok123", "confirm", "yes"), chat_id=555))
    assert bot.messenger.answers == [
        ("cb1", "This button belongs to someone else's conversation.", True)
    ]
    assert bot.messenger.texts == []
    assert bot.pressed == []
    assert bot.store.conversations[DARA.id]["step"] == "confirm"


@pytest.mark.parametrize(
    ("step", "kind", "expected"),
    [
        ("name", EventKind.OTHER, [NAME_HINT, ASK_NAME]),  # a sticker
        ("name", EventKind.CONTACT, [NAME_HINT, ASK_NAME]),
        ("confirm", EventKind.TEXT, [CONFIRM_HINT, ASK_CONFIRM]),  # typed instead of pressed
    ],
)
async def test_input_the_step_cannot_take_gets_its_hint_then_the_question(
    bot: Bot, step: str, kind: EventKind, expected: list[str]
) -> None:
    bot.at_step(step)
    await bot.feed(Event(1, kind, DARA, DARA.id, text="hello"))
    assert bot.messenger.texts == expected
    assert bot.store.conversations[DARA.id]["step"] == step


# -- failures and other chats -------------------------------------------------------------------
async def test_a_failing_handler_is_rolled_back_and_the_member_told(bot: Bot) -> None:
    await bot.feed(command(1, "boom"))
    assert bot.store.calls == ["rollback", "close"]
    assert bot.messenger.texts == [APOLOGY]  # the half-done reply is never sent
    assert bot.dispatcher.processed == 1
    await bot.feed(command(2, "start"))  # the bot goes on working
    assert bot.messenger.texts[-1] == ASK_NAME


class LostConnection(Exception):
    """What the database's driver raises for a connection the server closed."""


class BrokenSession(FakeSession):
    """A unit of work whose claim or read fails, ``failures`` times in all (any session)."""

    def __init__(self, store: FakeStore, failures: list[BaseException], at: str) -> None:
        super().__init__(store)
        self.failures, self.at = failures, at

    async def claim_update(self, update_id: int, user_id: int) -> bool:
        if self.at == "claim" and self.failures:
            raise self.failures.pop()
        return await super().claim_update(update_id, user_id)

    async def load_user(self, user_id: int) -> tuple[dict[str, Any] | None, str | None]:
        if self.at == "read" and self.failures:
            raise self.failures.pop()
        return await super().load_user(user_id)


def broken_bot(translations: Translations, failures: list[BaseException], at: str) -> Bot:
    store, messenger = FakeStore(), RecordingMessenger()
    dispatcher = Dispatcher(
        lambda: BrokenSession(store, failures, at), messenger, translations,
        dropped=lambda error: isinstance(error, LostConnection),
    )  # fmt: skip
    bot = Bot(dispatcher, store, messenger)
    dispatcher.include(build_router(bot))
    return bot


@pytest.mark.parametrize("at", ["claim", "read"])
async def test_an_update_that_met_a_closed_connection_runs_again_once(
    translations: Translations, at: str
) -> None:
    bot = broken_bot(translations, [LostConnection()], at)
    await bot.feed(command(1, "start"))
    assert bot.messenger.texts == [ASK_NAME]  # answered as if nothing happened, once
    assert bot.store.calls.count("rollback") == 1 and bot.store.seen == {1}
    assert bot.store.conversations[DARA.id]["step"] == "name"


async def test_a_connection_lost_twice_gets_the_apology(translations: Translations) -> None:
    bot = broken_bot(translations, [LostConnection(), LostConnection()], "read")
    await bot.feed(command(1, "start"))
    assert bot.messenger.texts == [APOLOGY]
    assert bot.store.seen == set() and DARA.id not in bot.store.conversations


async def test_a_failure_before_the_conversation_is_read_is_told_in_the_apps_language(
    translations: Translations,
) -> None:
    """The database refused the claim (not a lost connection: no second run): no context
    was made, and the member still hears what happened, in Khmer for a Khmer app."""
    bot = broken_bot(translations, [RuntimeError("the disk is full")], "claim")
    vanna = User(1002, "វណ្ណា", language_code="km")
    await bot.feed(Event(1, EventKind.CALLBACK, vanna, vanna.id, callback_id="cb1",
                         callback_data="x", message_id=7))  # fmt: skip
    assert bot.messenger.texts == ["សូមអភ័យទោស មានបញ្ហាកើតឡើងពីខាងយើង។ សូមព្យាយាមម្ដងទៀត។"]
    assert [answer.callback_id for answer in bot.messenger.answers] == ["cb1"]  # no spinner left
    assert bot.store.calls.count("rollback") == 1


async def test_group_chats_are_ignored(bot: Bot) -> None:
    await bot.feed(command(1, "start", private=False))
    assert bot.messenger.texts == []
    assert bot.store.calls == []
    assert bot.dispatcher.processed == 1


@pytest.mark.parametrize(
    ("member", "conversation", "telegram", "expected"),
    [
        ("km", "en", "en-US", "km"),  # the member's stored choice wins
        ("en", "km", "km", "en"),
        (None, "km", "en", "km"),  # chosen before signing up
        (None, None, "km-KH", "km"),  # Telegram's app language
        (None, None, "en-GB", "en"),
        (None, None, None, "en"),
    ],
)
async def test_the_language_comes_from_member_then_conversation_then_telegram(
    bot: Bot, member: str | None, conversation: str | None, telegram: str | None, expected: str
) -> None:
    if member:
        bot.store.languages[DARA.id] = member
    if conversation:
        bot.store.conversations[DARA.id] = {"language": conversation}
    await bot.feed(command(1, "whoami", User(DARA.id, language_code=telegram)))
    assert bot.languages == [expected]


# -- building blocks ---------------------------------------------------------------------------
def test_two_routers_may_not_claim_the_same_command(translations: Translations) -> None:
    dispatcher = Dispatcher(lambda: FakeSession(FakeStore()), RecordingMessenger(), translations)
    first, second = Router("first"), Router("second")

    async def handler(ctx: Context[Any, Any]) -> None:
        pass

    first.command("help")(handler)
    second.command("help")(handler)
    second.command("about")(handler)
    dispatcher.include(first)
    with pytest.raises(ValueError, match="help"):
        dispatcher.include(second)


def test_callback_data_is_limited_to_64_bytes_not_characters() -> None:
    assert Button("ok", "x" * 64).data == "x" * 64
    assert Button("ក", "ក" * 21).data == "ក" * 21  # 63 bytes
    with pytest.raises(ValueError):
        Button("ក", "ក" * 22)  # 22 characters, but 66 bytes
    with pytest.raises(ValueError):
        Button("x", "x" * 65)


def test_a_command_is_split_from_the_bot_name_and_its_arguments() -> None:
    assert parse_command("/Start@dcc_bot  deep link") == ("start", "deep link")
    assert parse_command("/help") == ("help", "")


@pytest.mark.parametrize("message", ["/", "hello", "", "/@dcc_bot", "a /start"])
def test_text_that_is_not_a_command(message: str) -> None:
    assert parse_command(message) is None


def test_a_command_followed_by_a_new_line() -> None:
    assert parse_command("/help\nplease") == ("help", "please")


def test_an_event_with_the_types_the_handlers_rely_on_is_kept() -> None:
    event = Event(7, EventKind.TEXT, DARA, DARA.id, text="hi", message_id=3)
    assert checked(event) is event


@pytest.mark.parametrize(
    "event",
    [
        Event(True, EventKind.TEXT, DARA, DARA.id),  # a bool is an int to Python, not an id
        Event(2**63, EventKind.TEXT, DARA, DARA.id),
        Event(7, EventKind.TEXT, User("1001", "Dara"), 1001),  # type: ignore[arg-type]
        Event(7, EventKind.TEXT, User(1001, None), 1001),  # type: ignore[arg-type]
        Event(7, EventKind.TEXT, DARA, DARA.id, text=12345),  # type: ignore[arg-type]
        Event(7, EventKind.CALLBACK, DARA, DARA.id, callback_data=["a"]),  # type: ignore[arg-type]
        Event(7, EventKind.TEXT, DARA, DARA.id, message_id="3"),  # type: ignore[arg-type]
    ],
)
def test_an_event_of_wrong_types_is_malformed(event: Event) -> None:
    """python-telegram-bot does not check the types of what it reads: the core does."""
    with pytest.raises(MalformedUpdate):
        checked(event)
