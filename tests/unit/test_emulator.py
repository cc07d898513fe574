"""The Bot API emulator must look like Telegram to a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox.emulator import BotApiEmulator, EmuUser

ALICE = EmuUser(id=1001, first_name="Alice", language_code="km", username="alice")
BOB = EmuUser(id=1002, first_name="Bob")
AGAIN = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]])


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"Welcome {context.args}", reply_markup=AGAIN)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text, reply_markup=AGAIN)


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    await query.answer(f"pressed {query.data} by {query.from_user.first_name}")
    await query.edit_message_text("Done")


async def _contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.contact is not None
    contact = update.message.contact
    await update.message.reply_text(f"contact {contact.phone_number} of {contact.user_id}")


async def _sticker(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.sticker is not None
    await update.message.reply_text(f"sticker {update.message.sticker.type}")


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(f"{emu.url}/bot")
        .base_file_url(f"{emu.url}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    application.add_handler(CallbackQueryHandler(_pressed))
    application.add_handler(MessageHandler(filters.CONTACT, _contact))
    application.add_handler(MessageHandler(filters.Sticker.ALL, _sticker))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        yield application
        await application.updater.stop()
        await application.stop()


async def test_conversation_round_trip(emu: BotApiEmulator, app: Application) -> None:
    emu.send_text(ALICE, "hello <there>")
    await emu.wait_until(lambda: emu.message_count(ALICE.id) == 1)
    echo = emu.last(ALICE.id)
    assert echo.text == "hello <there>"
    assert echo.inline_keyboard == [[{"text": "Again", "callback_data": "again"}]]
    assert echo.from_bot and echo.kind == "text"

    emu.send_text(ALICE, "/start deep")
    await emu.wait_until(lambda: emu.message_count(ALICE.id) == 2)
    assert emu.last(ALICE.id).text == "Welcome ['deep']"

    emu.press(BOB, echo.message_id, "again", chat_id=ALICE.id)
    await emu.wait_until(lambda: emu.messages(ALICE.id)[0].edits == 1)
    assert emu.callback_answers[-1]["text"] == "pressed again by Bob"
    assert emu.callback_answers[-1]["show_alert"] is False
    edited = emu.messages(ALICE.id)[0]
    assert edited.text == "Done" and edited.inline_keyboard == []

    emu.send_contact(ALICE, "+85512345678")
    emu.send_sticker(ALICE)
    await emu.wait_until(lambda: emu.message_count(ALICE.id) == 4)
    texts = [m.text for m in emu.bot_messages_since(ALICE.id, 2)]
    assert texts == ["contact +85512345678 of 1001", "sticker regular"]
    await emu.wait_until(lambda: not emu.pending_update_ids())

    polls = [params for name, params in emu.calls if name == "getUpdates"]
    assert polls[0] == {"timeout": 1, "offset": 0}  # form fields, decoded back to ints
    # A redelivered update id (e.g. after a crash before confirming) reaches the bot again.
    replayed = emu.inject(
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": ALICE.id, "type": "private"},
                "from": {"id": ALICE.id, "is_bot": False, "first_name": "Alice"},
                "text": "dup",
            },
        }
    )
    assert replayed == 1
    await emu.wait_until(lambda: emu.last(ALICE.id).text == "dup")
    await emu.wait_until(lambda: not emu.pending_update_ids())

    methods = [name for name, _ in emu.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    assert "getUpdates" in methods


async def test_bot_side_methods(
    emu: BotApiEmulator,
    app: Application,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # opt in to timedelta retry_after, no deprecation
    bot = app.bot
    emu.register(ALICE)

    sent = await bot.send_document(
        ALICE.id,
        document=b"a,b\n1,2\n",
        filename="report.csv",
        caption="<b>Report</b>",
        parse_mode="HTML",
    )
    assert sent.document is not None and sent.document.file_name == "report.csv"
    assert sent.caption == "Report"
    stored = emu.last(ALICE.id)
    assert (stored.kind, stored.document, stored.filename) == (
        "document",
        b"a,b\n1,2\n",
        "report.csv",
    )
    assert stored.text == "<b>Report</b>" and stored.parse_mode == "HTML"
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"a,b\n1,2\n"

    photo = await bot.send_photo(ALICE.id, photo=b"\x89PNG fake")
    assert photo.photo and emu.last(ALICE.id).kind == "photo"

    await bot.set_my_commands([("start", "ចាប់ផ្តើម")], language_code="km")
    assert emu.commands[("default", "km")] == [{"command": "start", "description": "ចាប់ផ្តើម"}]
    assert [c.command for c in await bot.get_my_commands(language_code="km")] == ["start"]

    message = await bot.send_message(ALICE.id, "same", reply_markup=AGAIN)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("same", ALICE.id, message.message_id, reply_markup=AGAIN)
    with pytest.raises(BadRequest, match="not found"):
        await bot.edit_message_text("x", ALICE.id, 999)
    with pytest.raises(BadRequest, match=r"[Cc]hat not found"):
        await bot.send_message(424242, "nobody")
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(ALICE.id, "1 <x> 2", parse_mode="HTML")

    emu.fail_next(
        "sendMessage",
        chat_id=ALICE.id,
        error_code=429,
        description="Too Many Requests: retry after 3",
        retry_after=3,
    )
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(ALICE.id, "throttled")
    assert retry.value.retry_after == timedelta(seconds=3)
    await bot.send_message(ALICE.id, "fine again")

    emu.block(ALICE.id)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(ALICE.id, "anyone?")
    assert emu.last(ALICE.id).text == "fine again"

    assert await bot.delete_message(ALICE.id, message.message_id)
    assert next(m for m in emu.messages(ALICE.id) if m.message_id == message.message_id).deleted


async def test_http_protocol_without_a_framework(emu: BotApiEmulator) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emu.url}/bot999:WRONG/getMe") as resp:
            assert resp.status == 401 and (await resp.json())["description"] == "Unauthorized"
        base = f"{emu.url}/bot{emu.token}"
        async with http.get(f"{base}/noSuchMethod") as resp:
            assert resp.status == 404 and not (await resp.json())["ok"]
        async with http.get(f"{base}/GETME") as resp:
            assert (await resp.json())["result"]["id"] == 123456

        first = emu.send_text(BOB, "one")
        async with http.post(f"{base}/getUpdates", data={"timeout": "0"}) as resp:
            assert [u["update_id"] for u in (await resp.json())["result"]] == [first]
        confirm = {"offset": first + 1, "timeout": 0.2}
        async with http.post(f"{base}/getUpdates", json=confirm) as resp:
            assert (await resp.json())["result"] == []
        assert emu.pending_update_ids() == []

        duplicate = emu.inject(
            {
                "update_id": first,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": BOB.id, "type": "private"},
                    "from": {"id": BOB.id, "is_bot": False, "first_name": "Bob"},
                    "text": "one",
                },
            }
        )
        async with http.post(f"{base}/getUpdates", data={"offset": str(first + 1)}) as resp:
            assert [u["update_id"] for u in (await resp.json())["result"]] == [duplicate]
        async with http.get(f"{base}/getWebhookInfo") as resp:
            assert (await resp.json())["result"]["pending_update_count"] == 1
        async with http.post(f"{base}/getUpdates", data={"offset": str(first + 1)}) as resp:
            assert (await resp.json())["result"] == []


async def test_long_polls_end_on_conflict_and_on_stop() -> None:
    emu = BotApiEmulator()
    await emu.start()
    base = f"{emu.url}/bot{emu.token}"
    async with aiohttp.ClientSession() as http:

        async def poll() -> tuple[int, dict[str, object]]:
            async with http.post(f"{base}/getUpdates", data={"timeout": "30"}) as resp:
                return resp.status, await resp.json()

        first = asyncio.create_task(poll())
        await emu.wait_until(lambda: len(emu.calls) == 1)
        second = asyncio.create_task(poll())
        status, body = await asyncio.wait_for(first, 2)
        assert status == 409 and "terminated by other getUpdates" in str(body["description"])
        await emu.wait_until(lambda: len(emu.calls) == 2)
        await asyncio.wait_for(emu.stop(), 2)
        assert await asyncio.wait_for(second, 2) == (200, {"ok": True, "result": []})
