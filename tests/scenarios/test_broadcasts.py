"""Ministry broadcasts: composed in the bot, delivered once to every reachable member in
their language, followed by the admin in one message; stopped, scheduled, refused."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from scheduler.jobs import run_job
from storage.models import Broadcast, Member, OutboxMessage
from tests.scenarios.harness import Scenario, add_member

ADMIN = EmuUser(1401, "Admin")
MEMBER = EmuUser(1402, "Member")
KM_TEXT = "សូមអញ្ជើញចូលរួមសិក្ខាសាលាស្ដីពីសន្តិសុខអ៊ីនធឺណិត <ថ្ងៃសុក្រ>"
EN_TEXT = "Join the cybersecurity workshop on <Friday> & bring a laptop."
FIRST_ID = 50_000


async def add_members(scenario: Scenario, count: int, **columns: Any) -> list[tuple[int, str]]:
    """``count`` members (every third reads English), known to the emulator."""
    assert scenario.app is not None
    rows = [
        {
            "telegram_id": FIRST_ID + n, "full_name": f"Member {n}",
            "language": "en" if n % 3 == 0 else "km", "role": "student" if n % 2 else "other",
            "province": "siem-reap" if n % 5 == 0 else "phnom-penh", "skills": ["web"],
            **columns,
        }
        for n in range(count)
    ]  # fmt: skip
    async with scenario.app.unit_of_work() as uow:
        await uow.members.upsert_many(rows, scenario.clock.now())
        await uow.commit()
    for row in rows:
        scenario.emulator.register(EmuUser(row["telegram_id"], row["full_name"]))
    return [(row["telegram_id"], row["language"]) for row in rows]


async def compose(
    scenario: Scenario, *audience: str, same: bool = False, category: str = "Official"
) -> list[str]:
    await scenario.say(ADMIN, "/broadcast")
    await scenario.say(ADMIN, KM_TEXT)
    if same:
        await scenario.press(ADMIN, "Same text for both")
    else:
        await scenario.say(ADMIN, EN_TEXT)
    assert await scenario.say(ADMIN, "not a link") == [
        "Please send a web address like https://example.com/jobs."
    ]
    await scenario.say(ADMIN, "mptc.gov.kh/workshop")
    await scenario.press(ADMIN, "No file")
    replies = await scenario.press(ADMIN, category)
    for label in audience:
        replies = await scenario.press(ADMIN, label)
    return replies


async def deliver(scenario: Scenario, seconds: float = 20) -> None:
    """Run the bot's jobs and the sender until the broadcasts are done (the clock moves
    three seconds a round, so the progress message is edited as it would be)."""
    assert scenario.app is not None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await scenario.app.run_due_work()
        async with scenario.app.sessionmaker() as session:
            busy = await session.scalar(
                select(func.count()).select_from(Broadcast).where(Broadcast.status == "sending")
            )
        if not busy:
            return
        scenario.clock.advance(seconds=3)
        if scenario.app.outbox.paused():
            await scenario.app.outbox.sleep(0.2)
    raise AssertionError("the broadcast did not finish")


def broadcasts_to(scenario: Scenario, chat_id: int) -> list[str]:
    return [
        m.text or ""
        for m in scenario.emulator.messages(chat_id)
        if "សហគមន៍ឌីជីថលកម្ពុជា" in (m.text or "") or "Digital Community" in (m.text or "")
    ]


async def test_a_300_member_broadcast_reaches_each_reachable_member_once_in_their_language(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    members = await add_members(scenario, 300)
    blocked = [chat for chat, _ in members[::37]]  # 9 members blocked the bot
    gone = [members[5][0]]  # one deleted their account
    for chat in blocked:
        scenario.emulator.block(chat)
    scenario.emulator.gone.update(gone)

    replies = await compose(scenario)
    assert "Now: All members\nRecipients: 301" in replies[0]  # the admin is a member too
    replies = await scenario.press(ADMIN, "Next")
    assert replies[0] == "As 200 members reading ខ្មែរ will see it:"
    assert replies[1].startswith("📢 <b>សហគមន៍ឌីជីថលកម្ពុជា</b>\n\n")
    assert "&lt;ថ្ងៃសុក្រ&gt;" in replies[1]  # the admin's text is escaped
    assert replies[2] == "As 101 members reading English will see it:"
    assert replies[3] == (
        "📢 <b>Digital Community of Cambodia</b>\n\n"
        "Join the cybersecurity workshop on &lt;Friday&gt; &amp; bring a laptop."
    )
    preview = scenario.emulator.messages(ADMIN.id)[-2]  # the English one
    assert preview.inline_keyboard[0][0]["url"] == "https://mptc.gov.kh/workshop"
    assert replies[4] == "Category: Official announcements\n\nSend it to 301 members?"
    assert await scenario.press(ADMIN, "Send now") == [
        "Broadcast #1 is on its way. Its progress follows here."
    ]
    scenario.emulator.fail_next(  # Telegram's flood control, twice
        "sendMessage", error_code=429, description="Too Many Requests: retry after 1",
        retry_after=1, times=2,
    )  # fmt: skip

    await deliver(scenario)
    km = translations.for_language("km")
    reached = 0
    for chat, language in members:
        got = broadcasts_to(scenario, chat)
        if chat in blocked or chat in gone:
            assert got == []
            continue
        assert len(got) == 1, chat  # exactly once
        assert ("&lt;ថ្ងៃសុក្រ&gt;" if language == "km" else "&lt;Friday&gt;") in got[0]
        reached += 1
    assert reached == 290
    assert scenario.app.outbox.flood_waits >= 1  # flood control was met and honoured

    progress = [
        m for m in scenario.emulator.messages(ADMIN.id) if (m.text or "").startswith(("📤", "✅"))
    ]
    assert len(progress) == 2  # one progress message edited in place, and the report
    assert progress[0].edits >= 1 and progress[0].inline_keyboard == []
    report = (
        "✅ <b>Broadcast #1 is delivered.</b>\nDelivered: 291\nBlocked the bot: 10\n"
        "Failed after retries: 0"
    )
    assert progress[0].text == progress[1].text == report
    async with scenario.app.sessionmaker() as session:
        unreachable = set(
            await session.scalars(select(Member.telegram_id).where(Member.unreachable.is_(True)))
        )
        assert unreachable == {*blocked, *gone}
        broadcast = await session.get(Broadcast, 1)
        assert broadcast is not None and broadcast.status == "done" and broadcast.total == 301
        # kept once it is done: its rows are not counted again at every look
        assert broadcast.final_counts == {"sent": 291, "unreachable": 10}

    await deliver(scenario)  # again: nothing twice
    assert sum(len(broadcasts_to(scenario, chat)) for chat, _ in members) == 290
    del km


async def test_a_broadcast_goes_only_to_the_audience_chosen(scenario: Scenario) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    members = await add_members(scenario, 30)
    replies = await compose(
        scenario, "By role", "Student", "Done", "By province", "Siem Reap", "Done", same=True
    )
    assert "Now: Student · Siem Reap\nRecipients: 3" in replies[0]
    await scenario.press(ADMIN, "Next")
    await scenario.press(ADMIN, "Send now")
    await deliver(scenario)
    got = {chat for chat, _ in members if broadcasts_to(scenario, chat)}
    assert got == {FIRST_ID + n for n in range(30) if n % 2 and n % 5 == 0}  # 5, 15, 25


async def test_a_scheduled_broadcast_waits_for_its_time(scenario: Scenario) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    members = await add_members(scenario, 3)
    await compose(scenario, same=True)
    await scenario.press(ADMIN, "Next")
    await scenario.press(ADMIN, "Schedule")
    assert await scenario.say(ADMIN, "25/11/2026 08:00") == [
        "That moment has passed. Please send a date and time still to come."
    ]  # the clock says 09:00 on the 25th in Phnom Penh
    assert await scenario.say(ADMIN, "26/11/2026 18:30") == [
        "Broadcast #1 is scheduled for 26 November 2026 18:30."
    ]
    await scenario.app.run_due_work()
    assert all(broadcasts_to(scenario, chat) == [] for chat, _ in members)
    scenario.clock.advance(hours=33, minutes=30)  # 18:30 on the 26th
    await deliver(scenario)
    assert all(len(broadcasts_to(scenario, chat)) == 1 for chat, _ in members)


async def test_stop_halts_what_is_not_yet_sent(scenario: Scenario) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, MEMBER)
    members = await add_members(scenario, 40)
    await compose(scenario, same=True)
    await scenario.press(ADMIN, "Next")
    await scenario.press(ADMIN, "Send now")
    await run_job(
        "broadcasts", scenario.app.job_runtime
    )  # the audience is queued, nothing sent yet
    assert "Broadcast #1 is being sent" in (scenario.last(ADMIN).text or "")
    await scenario.app.outbox.drain(limit=10)
    await scenario.press_data(MEMBER, "bc:stop:1")  # not an admin
    assert scenario.toasts()[-1] == "Only administrators can do this."
    await scenario.press(ADMIN, "Stop")
    assert scenario.toasts()[-1] == "Stopped: nothing more is sent."
    await deliver(scenario)
    chats = [MEMBER.id, *(chat for chat, _ in members)]  # and the admin: 42 recipients
    to_admin = len(broadcasts_to(scenario, ADMIN.id)) - 2  # less the two previews
    assert sum(len(broadcasts_to(scenario, chat)) for chat in chats) + to_admin == 10
    progress = next(m for m in scenario.emulator.messages(ADMIN.id) if "✅" in (m.text or ""))
    assert progress.text == (
        "✅ <b>Broadcast #1 was stopped.</b>\nDelivered: 10\nBlocked the bot: 0\n"
        "Failed after retries: 0\nNot sent: 32"
    )
    async with scenario.app.sessionmaker() as session:
        statuses = dict(
            (
                await session.execute(
                    select(OutboxMessage.status, func.count())
                    .where(OutboxMessage.broadcast_id == 1)
                    .group_by(OutboxMessage.status)
                )
            ).all()
        )
    assert statuses == {"sent": 10, "stopped": 32}


async def test_only_administrators_can_broadcast(scenario: Scenario) -> None:
    await add_member(scenario, MEMBER)
    assert await scenario.say(MEMBER, "/broadcast") == ["Only administrators can do this."]
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0


async def test_a_member_who_blocked_the_bot_and_writes_again_is_reachable_again(
    scenario: Scenario,
) -> None:
    await add_member(scenario, MEMBER, language="km")
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == MEMBER.id))
        assert member is not None
        member.unreachable = True
        await session.commit()
    replies = await scenario.say(MEMBER, "/help")
    assert replies and "/profile" in replies[0]
    async with scenario.app.sessionmaker() as session:
        assert (
            await session.scalar(select(Member.unreachable).where(Member.telegram_id == MEMBER.id))
            is False
        )


async def test_an_admin_cancels_a_scheduled_broadcast_from_the_console(scenario: Scenario) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    members = await add_members(scenario, 3)
    await compose(scenario, same=True)
    await scenario.press(ADMIN, "Next")
    await scenario.press(ADMIN, "Schedule")
    await scenario.say(ADMIN, "26/11/2026 18:30")
    await scenario.say(ADMIN, "/admin")
    replies = await scenario.press(ADMIN, "Broadcasts")
    assert "#1 · scheduled" in replies[0]
    await scenario.press(ADMIN, "Cancel #1")
    assert scenario.toasts()[-1] == "Cancelled: nothing was sent."
    scenario.clock.advance(days=2)
    await deliver(scenario)
    assert all(broadcasts_to(scenario, chat) == [] for chat, _ in members)
