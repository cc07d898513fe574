"""The terminal sandbox as a person uses it: buttons of earlier messages, edits, what arrives
while nobody types, long pastes, --admin, /as and the log file."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot.config import Settings
from bot.sandbox.terminal import Sandbox, interactive, log_file, open_sandbox, run_sandbox
from tests.conftest import FakeClock

ME = 1001


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The sandbox runs on its own SQLite file, whatever the bot's database."""
    return f"sqlite+aiosqlite:///{tmp_path / 'dcc.sqlite3'}"


@pytest.fixture
async def sandbox(settings: Settings, clock: FakeClock) -> AsyncIterator[Sandbox]:
    async with open_sandbox(
        settings, ME, "en", io.StringIO(), settings.database_url, clock=clock, scheduler=False
    ) as sandbox:
        sandbox.echo = True  # what is typed is in the transcript, as with --script
        yield sandbox


def shown(sandbox: Sandbox) -> str:
    out = sandbox.out
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def label(text: str, after: str, button: str) -> str:
    """The label ([b2]) of ``button`` on the first message shown after ``after``."""
    rest = text[text.rindex(after) :]
    found = re.search(r"\[([a-z]+\d+)\] " + re.escape(button), rest)
    assert found, f"no {button!r} after {after!r}"
    return found.group(1)


async def sign_me_up(sandbox: Sandbox) -> None:
    async with sandbox.app.unit_of_work() as uow:
        row = {
            "telegram_id": ME, "full_name": "Sok Dara", "language": "en", "role": "student",
            "province": "phnom-penh", "country": None, "skills": ["web"],
            "open_to_work": False, "alert_frequency": "off", "directory_visible": False,
            "username": "user1001", "organisation": None, "years_experience": 1,
        }  # fmt: skip
        await uow.members.upsert_many([row], sandbox.app.clock.now())
        await uow.commit()


async def test_a_button_of_an_earlier_message_can_be_pressed(sandbox: Sandbox) -> None:
    await sandbox.say("/as 9002")  # a demo member, signed up
    for line in ("/community", "#1", "#1", "#1"):
        await sandbox.say(line)
    text = shown(sandbox)
    assert "Page 1 of 1." in text  # the last message, after the five cards
    connect = label(text, "ស្រីនាង ហេង · Student", "🤝 Connect")
    await sandbox.say(connect)  # the third card's, not the last message's
    assert "Add a short note for ស្រីនាង ហេង" in shown(sandbox)


async def test_an_edited_message_is_shown_with_its_new_text(sandbox: Sandbox) -> None:
    await sandbox.say("/as 9005")  # a demo member who reads English
    await sandbox.say("/ask")
    await sandbox.say("How do I protect our company email accounts from phishing attacks?")
    text = shown(sandbox)
    web = label(text, "Which topics is your question about?", "Web")
    await sandbox.say(web)
    text = shown(sandbox)
    assert "bot> (edited) Which topics is your question about?" in text
    assert f"[{web}] ✅ Web" in text
    assert "(buttons updated)" not in text


async def test_a_notice_arrives_while_nobody_types(sandbox: Sandbox) -> None:
    with create_pipe_input() as keys:
        task = __import__("asyncio").create_task(
            interactive(sandbox, input=keys, output=DummyOutput())
        )
        keys.send_text("/as 9003\r")
        await sandbox.emulator.wait_until(lambda: "(you are now ស្រីនាង ហេង" in shown(sandbox))
        assert "A member would like" not in shown(sandbox)
        assert "សមាជិកម្នាក់ចង់ភ្ជាប់ទំនាក់ទំនងជាមួយអ្នក" not in shown(sandbox)
        await sandbox.app.run_due_work()  # the outbox sends the waiting request's message
        await sandbox.emulator.wait_until(
            lambda: "សមាជិកម្នាក់ចង់ភ្ជាប់ទំនាក់ទំនងជាមួយអ្នក" in shown(sandbox)
        )  # printed without a key pressed
        keys.send_text("\x04")  # Ctrl-D leaves
        await task


async def test_a_paste_longer_than_a_terminal_line_is_read_whole(sandbox: Sandbox) -> None:
    long = "ក" * 2000 + " " + "x" * 4000  # 10,000 bytes of UTF-8, past canonical mode's 4,096
    with create_pipe_input() as keys:
        task = __import__("asyncio").create_task(
            interactive(sandbox, input=keys, output=DummyOutput())
        )
        keys.send_text(long + "\r")
        keys.send_text("\x1b[200~first line\nsecond line\x1b[201~\r")  # a bracketed paste
        keys.send_text("\x04")
        await task
    typed = [m.text for m in sandbox.emulator._chats[ME] if not m.from_bot]
    assert typed == [long, "first line\nsecond line"]


async def test_admin_makes_the_sandbox_person_an_administrator(
    settings: Settings, clock: FakeClock
) -> None:
    async with open_sandbox(
        settings, ME, "en", io.StringIO(), settings.database_url, admin=True, clock=clock,
        scheduler=False,
    ) as sandbox:  # fmt: skip
        await sign_me_up(sandbox)
        await sandbox.say("/admin")
        assert "Approvals" in shown(sandbox)
        async with sandbox.app.unit_of_work() as uow:
            audit = await uow.staff.recent_audit(10)
        assert [(a.action, a.actor_telegram_id, a.channel) for a in audit] == [
            ("grant-admin", None, "cli")
        ]


async def test_without_admin_the_admin_menu_is_refused(sandbox: Sandbox) -> None:
    await sign_me_up(sandbox)
    await sandbox.say("/admin")
    assert "Approvals" not in shown(sandbox)


async def test_as_plays_the_expert_who_answers_my_question(sandbox: Sandbox) -> None:
    await sign_me_up(sandbox)
    await sandbox.say("/as")
    assert re.search(r"9002  Dara Kim — private sector; expert \(cloud", shown(sandbox))
    assert "a connection request waits for their answer" in shown(sandbox)
    await sandbox.say("/ask")
    await sandbox.say("How do I protect our company email accounts from phishing attacks?")
    text = shown(sandbox)
    if "Similar questions" in text[text.rindex("you> How do I") :]:
        await sandbox.say("#" + str(len(sandbox.person.choices(sandbox.person.by_label[
            label(text, "you> How do I", "Continue")[:-1]]))))  # fmt: skip
    await sandbox.say(label(shown(sandbox), "Which topics", "📨 Send my question"))
    await sandbox.app.run_due_work()  # routed to the experts
    sandbox.show_new()
    assert "Dara Kim (9002) has 1 new message: /as 9002 to read" in shown(sandbox)
    await sandbox.say("/as 9002")
    text = shown(sandbox)
    assert "How do I protect our company email accounts" in text[text.rindex("/as 9002") :]
    await sandbox.say(label(text, "/as 9002", "✍️ Answer"))
    await sandbox.say("Turn on two-step verification and train staff to check links.")
    await sandbox.app.run_due_work()  # the answer goes to the asker
    sandbox.show_new()
    assert "Sandbox (1001) has 1 new message: /as me to read" in shown(sandbox)
    await sandbox.say("/as me")
    text = shown(sandbox)
    assert "Turn on two-step verification" in text[text.rindex("/as me") :]


async def test_the_log_goes_to_the_named_file_not_the_terminal(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "script.txt"
    script.write_text("/help\n", encoding="utf-8")
    out = io.StringIO()
    await run_sandbox(settings, ME, "en", script, out, settings.database_url)
    log = log_file(settings.database_url)
    assert log.parent == tmp_path and log.name == "dcc.log"
    assert "DCC Bot is running against" in log.read_text(encoding="utf-8")
    printed = capsys.readouterr()
    assert "DCC Bot is running" not in out.getvalue() + printed.out + printed.err
    assert "/ask" in out.getvalue()
