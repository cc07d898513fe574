"""The engines' one reading of the Bot API (bot/engines/bot_api.py) over both frameworks:
the same update gives the same event on python-telegram-bot and aiogram, a keyboard goes out
as the same reply_markup on both, and each framework's refusals become the same exception of
the core."""

from __future__ import annotations

import json
import logging
import os
from datetime import timedelta
from typing import Any

import pytest

os.environ.setdefault("PTB_TIMEDELTA", "true")  # as the engine sets it

import aiogram
import aiogram.exceptions as aio_errors
import telegram
import telegram.error as ptb_errors
from aiogram import methods
from telegram.request import BaseRequest, RequestData

from bot.core.events import Event, EventKind, User
from bot.core.keyboards import Button, InlineKeyboard, RemoveKeyboard, ReplyButton, ReplyKeyboard
from bot.core.ports import Rejected, RetryLater, Unreachable
from bot.engines import aiogram as aiogram_engine
from bot.engines import ptb as ptb_engine
from bot.engines.bot_api import Calls, Refusal, neutral, reply_markup, to_event

DARA = {
    "id": 1001,
    "is_bot": False,
    "first_name": "Dara",
    "username": "dara",
    "language_code": "km",
}
SOK = {"id": 1002, "is_bot": False, "first_name": "Sok"}
PRIVATE = {"id": 1001, "type": "private", "first_name": "Dara"}
GROUP = {"id": -100123, "type": "supergroup", "title": "DCC"}
DARA_USER = User(1001, "Dara", "dara", "km")


def message(**fields: Any) -> dict[str, Any]:
    return {"message_id": 5, "date": 1_700_000_000, "chat": PRIVATE, "from": DARA, **fields}


def press(**fields: Any) -> dict[str, Any]:
    return {"id": "q1", "chat_instance": "c1", "from": DARA, "data": "lang:km", **fields}


BOT_MESSAGE = {
    "message_id": 9, "date": 1_700_000_000, "chat": PRIVATE, "text": "Choose",
    "from": {"id": 777, "is_bot": True, "first_name": "DCC Bot"},
    "reply_markup": {"inline_keyboard": [[{"text": "ខ្មែរ", "callback_data": "lang:km"}]]},
}  # fmt: skip

# update → the event both engines must hand the core (None: not for the bot)
UPDATES: dict[str, tuple[dict[str, Any], Event | None]] = {
    "a text": (
        {"update_id": 1, "message": message(text="Dara Sok")},
        Event(1, EventKind.TEXT, DARA_USER, 1001, text="Dara Sok", message_id=5),
    ),
    "a command to the bot by name, with arguments": (
        {"update_id": 2, "message": message(text="/Search@DCCBot  cyber security ")},
        Event(
            2, EventKind.COMMAND, DARA_USER, 1001, text="/Search@DCCBot  cyber security ",
            command="search", args="cyber security", message_id=5,
        ),
    ),
    "a shared contact": (
        {"update_id": 3, "message": message(
            contact={"phone_number": "+85512345678", "first_name": "Dara", "user_id": 1001},
        )},
        Event(
            3, EventKind.CONTACT, DARA_USER, 1001, message_id=5,
            contact_phone="+85512345678", contact_user_id=1001,
        ),
    ),
    "a text forwarded from a member": (
        {"update_id": 4, "message": message(
            text="hello", forward_origin={"type": "user", "date": 1, "sender_user": SOK},
        )},
        Event(
            4, EventKind.TEXT, DARA_USER, 1001, text="hello", message_id=5,
            forwarded=True, forwarded_from=1002,
        ),
    ),
    "a text forwarded from someone who hides their account": (
        {"update_id": 5, "message": message(
            text="hello",
            forward_origin={"type": "hidden_user", "date": 1, "sender_user_name": "Sok"},
        )},
        Event(5, EventKind.TEXT, DARA_USER, 1001, text="hello", message_id=5, forwarded=True),
    ),
    "a sticker": (
        {"update_id": 6, "message": message(sticker={
            "file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512,
            "height": 512, "is_animated": False, "is_video": False,
        })},
        Event(6, EventKind.OTHER, DARA_USER, 1001, message_id=5),
    ),
    "a command in a group": (
        {"update_id": 7, "message": message(chat=GROUP, text="/start")},
        Event(
            7, EventKind.COMMAND, DARA_USER, -100123, chat_is_private=False, text="/start",
            command="start", message_id=5,
        ),
    ),
    "a button pressed on the bot's message": (
        {"update_id": 8, "callback_query": press(message=BOT_MESSAGE)},
        Event(
            8, EventKind.CALLBACK, DARA_USER, 1001, callback_id="q1",
            callback_data="lang:km", message_id=9,
        ),
    ),
    "a button on a message too old to read": (
        {"update_id": 9, "callback_query": press(
            message={"message_id": 3, "date": 0, "chat": GROUP},
        )},
        Event(
            9, EventKind.CALLBACK, DARA_USER, -100123, chat_is_private=False,
            callback_id="q1", callback_data="lang:km", message_id=3,
        ),
    ),
    "a button under an inline message, with no data": (
        {"update_id": 10, "callback_query": press(inline_message_id="i1", data=None)},
        Event(10, EventKind.CALLBACK, DARA_USER, 1001, callback_id="q1"),
    ),
    "an edited message": ({"update_id": 11, "edited_message": message(text="edit")}, None),
    "a message from a channel, with no sender": (
        {"update_id": 12, "message": {**message(text="news"), "from": None}},
        None,
    ),
}  # fmt: skip


def without_nulls(data: Any) -> Any:
    """Telegram leaves out empty fields; the cases above write None for "left out"."""
    if isinstance(data, dict):
        return {key: without_nulls(value) for key, value in data.items() if value is not None}
    return data


def ptb_update(data: dict[str, Any]) -> telegram.Update:
    update = telegram.Update.de_json(without_nulls(data), telegram.Bot("1:token"))
    assert update is not None
    return update


def aiogram_update(data: dict[str, Any]) -> aiogram.types.Update:
    return aiogram.types.Update.model_validate(without_nulls(data))


@pytest.mark.parametrize("name", list(UPDATES))
def test_both_engines_read_an_update_as_the_same_event(name: str) -> None:
    data, expected = UPDATES[name]
    assert to_event(ptb_update(data)) == expected
    assert to_event(aiogram_update(data)) == expected


# -- keyboards --------------------------------------------------------------------------------
KEYBOARDS: list[tuple[Any, dict[str, Any] | None]] = [
    (None, None),
    (
        InlineKeyboard.of([[Button("បាទ/ចាស", "f:t:ok:y"), Button("Site", url="https://dcc.gov.kh")]]),
        {"inline_keyboard": [[
            {"text": "បាទ/ចាស", "callback_data": "f:t:ok:y"},
            {"text": "Site", "url": "https://dcc.gov.kh"},
        ]]},
    ),
    (
        ReplyKeyboard(((ReplyButton("Share my number", request_contact=True),), (ReplyButton("Skip"),))),
        {
            "keyboard": [[{"text": "Share my number", "request_contact": True}], [{"text": "Skip"}]],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        },
    ),
    (RemoveKeyboard(), {"remove_keyboard": True}),
]  # fmt: skip


class CapturedRequest(BaseRequest):
    """python-telegram-bot's HTTP layer, keeping the parameters of each call instead."""

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *_: Any, **__: Any
    ) -> tuple[int, bytes]:
        assert request_data is not None
        self.calls.append(request_data.json_parameters)
        answer = {"message_id": 1, "date": 0, "chat": PRIVATE}
        return 200, json.dumps({"ok": True, "result": answer}).encode()


@pytest.mark.parametrize(("keyboard", "expected"), KEYBOARDS)
async def test_a_keyboard_goes_out_as_the_same_reply_markup_on_both_engines(
    keyboard: Any, expected: dict[str, Any] | None
) -> None:
    assert reply_markup(keyboard) == expected
    # python-telegram-bot sends the JSON as it is given
    request = CapturedRequest()
    bot = telegram.Bot("1:token", request=request)
    await bot.send_message(1, "t", reply_markup=ptb_engine._markup(keyboard))
    sent = request.calls[0].get("reply_markup")
    assert (json.loads(sent) if sent is not None else None) == expected
    # aiogram reads it into its own model of that kind and sends that
    call = methods.SendMessage(chat_id=1, text="t", reply_markup=aiogram_engine._markup(keyboard))
    markup = call.reply_markup
    assert (markup.model_dump(exclude_none=True) if markup is not None else None) == expected


# -- refusals ---------------------------------------------------------------------------------
SEND = methods.SendMessage(chat_id=1, text="x")

# what each framework raises → what the core gets from a send (the same exception: as raised)
REFUSALS: list[tuple[Exception, Exception, type[Exception]]] = [
    (
        ptb_errors.RetryAfter(timedelta(seconds=3)),
        aio_errors.TelegramRetryAfter(SEND, "Too Many Requests: retry after 3", 3),
        RetryLater,
    ),
    (
        ptb_errors.Forbidden("Forbidden: bot was blocked by the user"),
        aio_errors.TelegramForbiddenError(SEND, "Forbidden: bot was blocked by the user"),
        Unreachable,
    ),
    (
        ptb_errors.BadRequest("Chat not found"),
        aio_errors.TelegramBadRequest(SEND, "Bad Request: chat not found"),
        Unreachable,
    ),
    (
        ptb_errors.BadRequest("User is deactivated"),
        aio_errors.TelegramBadRequest(SEND, "Bad Request: user is deactivated"),
        Unreachable,
    ),
    (
        ptb_errors.BadRequest("Can't parse entities: unclosed tag"),
        aio_errors.TelegramBadRequest(SEND, "Bad Request: can't parse entities: unclosed tag"),
        Rejected,
    ),
    (
        ptb_errors.BadRequest("Message is not modified"),
        aio_errors.TelegramBadRequest(SEND, "Bad Request: message is not modified"),
        Exception,  # the framework's own: only an edit knows what it means
    ),
    (
        ptb_errors.TimedOut("Timed out"),
        aio_errors.TelegramNetworkError(SEND, "HTTP Client says - timeout"),
        Exception,  # not a refusal: the caller retries
    ),
]


async def raising(error: Exception) -> None:
    raise error


@pytest.mark.parametrize(("ptb_error", "aiogram_error", "expected"), REFUSALS)
async def test_both_engines_turn_a_refused_send_into_the_same_exception(
    ptb_error: Exception, aiogram_error: Exception, expected: type[Exception]
) -> None:
    for read, error in ((ptb_engine.refusal, ptb_error), (aiogram_engine.refusal, aiogram_error)):
        with pytest.raises(Exception) as raised:
            await Calls(read).make(raising(error))
        if expected is Exception:
            assert raised.value is error
        else:
            assert type(raised.value) is expected and raised.value.__cause__ is error
    with pytest.raises(RetryLater) as flood:
        await Calls(ptb_engine.refusal).make(raising(ptb_errors.RetryAfter(timedelta(seconds=3))))
    assert flood.value.seconds == 3.0


@pytest.mark.parametrize("read", [ptb_engine.refusal, aiogram_engine.refusal])
async def test_an_edit_with_nothing_to_change_does_nothing_and_other_refusals_still_count(
    read: Any,
) -> None:
    bad = ptb_errors.BadRequest if read is ptb_engine.refusal else None

    def bad_request(text: str) -> Exception:
        return bad(text) if bad is not None else aio_errors.TelegramBadRequest(SEND, text)

    calls = Calls(read)
    await calls.edit(raising(bad_request("Bad Request: message is not modified: same")))
    await calls.edit(raising(bad_request("Bad Request: message to edit not found")))
    with pytest.raises(Unreachable):
        await calls.edit(raising(bad_request("Bad Request: chat not found")))
    with pytest.raises(Rejected):
        await calls.edit(raising(bad_request("Bad Request: message is too long")))


def test_only_a_bad_request_or_not_found_is_judged_by_its_text() -> None:
    assert isinstance(neutral(Refusal(400, "Bad Request: chat not found")), Unreachable)
    assert isinstance(neutral(Refusal(404, "Not Found: chat not found")), Unreachable)
    assert isinstance(neutral(Refusal(403, "Forbidden: not modified")), Unreachable)
    assert neutral(Refusal(404, "Not Found: message to edit not found")) is None
    assert neutral(Refusal(409, "Conflict: chat not found")) is None


@pytest.mark.parametrize("read", [ptb_engine.refusal, aiogram_engine.refusal])
async def test_a_button_answer_refused_as_bad_is_only_logged(
    read: Any, caplog: pytest.LogCaptureFixture
) -> None:
    too_old = (
        ptb_errors.BadRequest("Query is too old and response timeout expired")
        if read is ptb_engine.refusal
        else aio_errors.TelegramBadRequest(SEND, "Bad Request: query is too old")
    )
    caplog.set_level(logging.INFO)
    await Calls(read).answer(raising(too_old), "q1")
    assert "callback q1 not answered" in caplog.text
    blocked = (
        ptb_errors.Forbidden("Forbidden: bot was blocked by the user")
        if read is ptb_engine.refusal
        else aio_errors.TelegramForbiddenError(SEND, "Forbidden: bot was blocked by the user")
    )
    with pytest.raises(type(blocked)):  # as before: the framework's own, for the caller's log
        await Calls(read).answer(raising(blocked), "q1")
