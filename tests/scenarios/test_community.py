"""The member network: members find each other in /community, ask to connect, exchange
Telegram handles on accept; the daily limit, blocks and reports."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.sandbox.emulator import EmuUser, SentMessage
from storage.models import (
    AuditEntry,
    ConnectionRequest,
    Member,
    MemberBlock,
    OutboxMessage,
    ProfileReport,
)
from tests.scenarios.harness import Scenario, add_member, plain_buttons

DARA = EmuUser(1401, "Dara <Dev>", username="dara_dev")
SREY = EmuUser(1402, "ស្រីនាង", language_code="km")  # no username: a tg://user link
KEO = EmuUser(1403, "Keo", username="keo_k")
MOD = EmuUser(1404, "Moderator")
STRANGER = EmuUser(1405, "Stranger")
ADMIN = EmuUser(1406, "Admin")
NEWCOMER = EmuUser(1407, "Newcomer")
OWN_REQUEST_ONLY = "Only the member this request is for can answer it."


async def set_member(scenario: Scenario, user: EmuUser, **columns: Any) -> None:
    assert scenario.app is not None
    async with scenario.app.unit_of_work() as uow:
        member = await uow.members.get(user.id)
        assert member is not None
        for name, value in columns.items():
            setattr(member, name, value)
        await uow.commit()


async def stored(scenario: Scenario, model: Any) -> list[Any]:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return list(await session.scalars(select(model)))


async def in_directory(
    scenario: Scenario, user: EmuUser, language: str = "en", **columns: Any
) -> int:
    member_id = await add_member(scenario, user, language)
    await set_member(scenario, user, directory_visible=True, **columns)
    return member_id


async def search_everyone(scenario: Scenario, user: EmuUser, khmer: bool = False) -> list[str]:
    await scenario.say(user, "/community")
    await scenario.press(user, "គ្រប់ជំនាញ" if khmer else "Any skill")
    await scenario.press(user, "គ្រប់ទីកន្លែង" if khmer else "Anywhere")
    return await scenario.press(user, "គ្រប់តួនាទី" if khmer else "Any role")


def cards(scenario: Scenario, user: EmuUser, connect: str = "Connect") -> list[SentMessage]:
    """The cards the member was shown, oldest first (the messages with [Connect])."""
    return [
        m for m in scenario.emulator.messages(user.id)
        if any(connect in label for label in plain_buttons(m))
    ]  # fmt: skip


def card_of(scenario: Scenario, user: EmuUser, name: str, connect: str = "Connect") -> SentMessage:
    """The newest card showing ``name``."""
    return next(m for m in reversed(cards(scenario, user, connect)) if name in (m.text or ""))


async def test_a_request_sent_in_english_is_accepted_in_khmer_and_both_get_the_handle(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await in_directory(scenario, DARA, phone="+85511111111", organisation="Mekong <Apps>")
    await in_directory(
        scenario, SREY, "km", organisation="ក្រសួងប្រៃសណីយ៍", phone="+85522222222", province="siem-reap"
    )
    await add_member(scenario, STRANGER)

    replies = await search_everyone(scenario, DARA)
    assert replies[0] == "<b>1 member found · Any skill · Anywhere · Any role</b>"
    card = replies[1]
    assert "ស្រីនាង" in card and "ក្រសួងប្រៃសណីយ៍" in card and "Siem Reap" in card and "Web" in card
    assert "+855" not in card and "tg://" not in card and "@" not in card  # never a contact

    await scenario.press(DARA, "Connect")
    assert "Add a short note for ស្រីនាង" in (scenario.last(DARA).text or "")
    replies = await scenario.send(DARA, "sticker")  # bad input: what to send, then the question
    assert replies[0] == "Please send your note as text, or press Skip."
    assert replies[1].startswith("Add a short note for ស្រីនាង")
    replies = await scenario.say(DARA, "x" * 301)
    assert replies[0] == "That is too long: please send at most 300 characters."
    assert "Add a short note" in replies[1]
    replies = await scenario.say(DARA, "Hello! I build <b>apps</b> in Siem Reap.")
    assert replies == [
        "📨 Request sent to ស្រីនាង. If they accept, you will both receive each other's"
        " Telegram contact here.\nRequests left for the next 24 hours: 9 of 10."
    ]

    await scenario.app.run_due_work()
    request = scenario.last(SREY)
    text = request.text or ""
    assert text.startswith("🤝 <b>សមាជិកម្នាក់ចង់ភ្ជាប់ទំនាក់ទំនងជាមួយអ្នក៖</b>")
    assert "Dara &lt;Dev&gt;" in text and "Mekong &lt;Apps&gt;" in text and "ភ្នំពេញ" in text
    assert "💬 Hello! I build &lt;b&gt;apps&lt;/b&gt; in Siem Reap." in text
    assert "dara_dev" not in text and "+855" not in text  # the sender's contact waits too
    assert plain_buttons(request) == ["✅ ទទួលយក", "បដិសេធ", "🚫 ទប់ស្កាត់", "⚠️ រាយការណ៍"]

    await scenario.say(STRANGER, "/help")
    for action in ("a", "d", "b", "r"):  # someone else's request, forged or forwarded
        await scenario.press_data(STRANGER, f"cm:{action}:1")
        assert scenario.toasts()[-1] == OWN_REQUEST_ONLY, action
    [waiting] = await stored(scenario, ConnectionRequest)
    assert waiting.status == "pending"
    assert await stored(scenario, MemberBlock) == [] and await stored(scenario, ProfileReport) == []

    replies = await scenario.press(SREY, "ទទួលយក")
    assert replies == ["🤝 ឥឡូវនេះ អ្នកបានភ្ជាប់ទំនាក់ទំនងជាមួយ Dara &lt;Dev&gt; ហើយ៖ @dara_dev"]
    await scenario.app.run_due_work()
    assert scenario.last(DARA).text == (
        f'🤝 ស្រីនាង accepted your request to connect: <a href="tg://user?id={SREY.id}">ស្រីនាង</a>'
    )
    await scenario.press_data(SREY, "cm:a:1")  # a second tap
    assert scenario.toasts()[-1] == "អ្នកបានឆ្លើយរួចហើយ។"
    replies = await scenario.press(DARA, "Connect", card_of(scenario, DARA, "ស្រីនាង"))
    assert replies == ["You are already connected with this member."]
    [request_row] = await stored(scenario, ConnectionRequest)
    assert (request_row.status, request_row.pending_pair) == ("accepted", None)


async def test_a_request_nobody_answers_lapses_after_30_days_and_may_be_sent_again(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await in_directory(scenario, DARA)
    await in_directory(scenario, SREY, "km")
    await search_everyone(scenario, DARA)
    await scenario.press(DARA, "Connect")
    await scenario.press(DARA, "Skip")
    await scenario.app.run_due_work()
    first = scenario.last(SREY)
    scenario.clock.advance(days=29)
    replies = await scenario.press(DARA, "Connect", card_of(scenario, DARA, "ស្រីនាង"))
    assert replies == ["You have already asked this member; they have not answered yet."]

    scenario.clock.advance(days=1)
    await search_everyone(scenario, DARA)
    await scenario.press(DARA, "Connect", card_of(scenario, DARA, "ស្រីនាង"))
    replies = await scenario.press(DARA, "Skip")
    assert replies[0].startswith("📨 Request sent to ស្រីនាង.")
    old, new = await stored(scenario, ConnectionRequest)
    assert (old.status, old.pending_pair, new.status) == ("expired", None, "pending")

    await scenario.app.run_due_work()
    await scenario.press(SREY, "ទទួលយក", first)  # the lapsed one
    assert scenario.toasts()[-1] == "សំណើនេះលែងមានសុពលភាពទៀតហើយ។"
    await scenario.press(SREY, "ទទួលយក")  # the new one
    assert [r.status for r in await stored(scenario, ConnectionRequest)] == ["expired", "accepted"]


async def test_filters_show_only_matching_visible_members_and_cards_never_show_contacts(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, DARA)
    await in_directory(scenario, SREY, "km", role="student", province="siem-reap")
    await in_directory(scenario, KEO, role="student", province="siem-reap", phone="+85533333333")
    await in_directory(scenario, STRANGER, role="student", province="kampot")
    await in_directory(scenario, MOD, role="academic", province="siem-reap")
    await add_member(scenario, ADMIN)  # not in the directory
    await set_member(scenario, SREY, unreachable=True)  # blocked the bot: not listed
    async with scenario.app.unit_of_work() as uow:
        for user, skills in ((KEO, ["ai", "web"]), (STRANGER, ["web"]), (MOD, ["web"])):
            member = await uow.members.get(user.id)
            assert member is not None
            await uow.members.set_skills(member.id, skills)
        await uow.commit()

    assert await scenario.say(NEWCOMER, "/community") == [
        "You have not signed up yet. Send /start to join."
    ]
    await scenario.say(DARA, "/community")
    await scenario.press(DARA, "Web")
    await scenario.press(DARA, "Siem Reap")
    replies = await scenario.press(DARA, "Student")
    assert replies[0] == "<b>1 member found · Web · Siem Reap · Student</b>"
    assert replies[1] == (
        "👤 <b>Keo</b> · Student\n🏷 Web, Artificial intelligence\n📍 Siem Reap"
    )  # name, role, skills, place: no username, no phone
    assert replies[2] == "Page 1 of 1."
    await scenario.press(DARA, "New search")
    await scenario.press(DARA, "Any skill")
    await scenario.press(DARA, "Anywhere")
    replies = await scenario.press(DARA, "Any role")
    assert replies[0] == "<b>3 members found · Any skill · Anywhere · Any role</b>"
    shown = "\n".join(replies[1:4])
    assert "Keo" in shown and "Stranger" in shown and "Moderator" in shown
    for contact in ("keo_k", "+855", "tg://", "@"):
        assert contact not in shown
    await scenario.press(DARA, "New search")
    await scenario.press(DARA, "Blockchain")
    await scenario.press(DARA, "Anywhere")
    replies = await scenario.press(DARA, "Any role")
    assert replies == [
        "<b>0 members found · Blockchain · Anywhere · Any role</b>",
        "No member matches these filters yet. Try a new search.",
    ]


async def test_the_eleventh_request_in_24_hours_is_refused_until_the_oldest_is_a_day_old(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, DARA)
    others = [EmuUser(1500 + i, f"Member {i:02}") for i in range(11)]
    for user in others:
        await in_directory(scenario, user)
    replies = await search_everyone(scenario, DARA)
    assert replies[0].startswith("<b>11 members found")
    assert len(replies) == 7 and replies[-1] == "Page 1 of 3."
    pressed: set[int] = set()
    while len(pressed) < 10:
        fresh = [m for m in cards(scenario, DARA) if m.message_id not in pressed]
        if not fresh:
            await scenario.press(DARA, "Next")
            continue
        await scenario.press(DARA, "Connect", fresh[0])
        pressed.add(fresh[0].message_id)
        replies = await scenario.press(DARA, "Skip")
        assert replies[0].startswith("📨 Request sent"), replies
    assert replies[0].endswith("Requests left for the next 24 hours: 0 of 10.")
    await scenario.press(DARA, "Next")
    [eleventh] = [m for m in cards(scenario, DARA) if m.message_id not in pressed]
    replies = await scenario.press(DARA, "Connect", eleventh)
    assert replies == [
        "You have sent 10 requests in the last 24 hours, the most allowed."
        " You can send the next one from 26 November 2026 09:00."
    ]
    scenario.clock.advance(hours=23, minutes=59)
    assert (await scenario.press(DARA, "Connect", eleventh))[0].startswith("You have sent 10")
    scenario.clock.advance(minutes=1)
    replies = await scenario.press(DARA, "Connect", eleventh)
    assert replies[0].startswith("Add a short note for Member 10")
    assert len(await stored(scenario, ConnectionRequest)) == 10


async def test_a_blocked_member_cannot_send_requests_and_hears_only_a_polite_no(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    dara = await in_directory(scenario, DARA)
    await in_directory(scenario, SREY, "km")
    await in_directory(scenario, KEO)
    await add_member(scenario, STRANGER)
    await search_everyone(scenario, DARA)
    for name in ("Keo", "ស្រីនាង"):
        await scenario.press(DARA, "Connect", card_of(scenario, DARA, name))
        await scenario.press(DARA, "Skip")
    await scenario.app.run_due_work()
    await scenario.press(KEO, "Decline")
    assert scenario.toasts()[-1] == "Declined. They are told politely, without a reason."
    assert plain_buttons(scenario.last(KEO)) == ["🚫 Block", "⚠️ Report"]
    await scenario.press(SREY, "ទប់ស្កាត់")
    assert plain_buttons(scenario.last(SREY)) == ["⚠️ រាយការណ៍"]
    await scenario.app.run_due_work()
    declined, blocked = scenario.texts_since(DARA, scenario.emulator.message_count(DARA.id) - 2)
    assert declined == (
        "Keo cannot connect at the moment. Thank you for reaching out, and good luck!"
    )
    assert blocked == declined.replace("Keo", "ស្រីនាង")  # a block reads like a decline

    replies = await scenario.press(DARA, "Connect", card_of(scenario, DARA, "ស្រីនាង"))
    assert replies == [
        "This member declined your last request. You can ask again from 25 December 2026."
    ]
    assert replies == [
        (await scenario.press(DARA, "Connect", card_of(scenario, DARA, "Keo")))[0]
    ]  # the same words as after Keo's decline
    scenario.clock.advance(days=31)
    replies = await scenario.press(DARA, "Connect", card_of(scenario, DARA, "ស្រីនាង"))
    assert replies == ["This member is not taking requests at the moment."]
    assert (await scenario.press(DARA, "Connect", card_of(scenario, DARA, "Keo")))[0].startswith(
        "Add a short note for Keo"
    )
    replies = await search_everyone(scenario, DARA)
    assert replies[0].startswith("<b>1 member found") and "Keo" in replies[1]
    assert not any("block" in text.lower() for text in scenario.texts_since(DARA, 0))

    await scenario.say(STRANGER, "/help")
    await scenario.press_data(STRANGER, f"cm:ub:{dara}")  # someone else's unblock button
    assert scenario.toasts()[-1] == "This member is not blocked."
    assert len(await stored(scenario, MemberBlock)) == 1
    await scenario.say(SREY, "/community")
    await scenario.press(SREY, "សមាជិកដែលបានទប់ស្កាត់ (១)")
    assert plain_buttons(scenario.last(SREY)) == ["ឈប់ទប់ស្កាត់ Dara <Dev>"]
    await scenario.press(SREY, "ឈប់ទប់ស្កាត់")
    assert scenario.toasts()[-1] == "បានឈប់ទប់ស្កាត់។ សមាជិកនោះអាចផ្ញើសំណើមកអ្នកវិញបានហើយ។"
    assert await stored(scenario, MemberBlock) == []
    replies = await search_everyone(scenario, DARA)
    assert replies[0].startswith("<b>2 members found")
    replies = await scenario.press(DARA, "Connect", card_of(scenario, DARA, "ស្រីនាង"))
    assert replies[0].startswith("Add a short note for ស្រីនាង")


async def test_a_reported_profile_is_hidden_by_a_moderator_and_a_plain_member_is_refused(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await in_directory(scenario, DARA)
    srey = await in_directory(scenario, SREY, "km")
    await add_member(scenario, MOD, staff="moderator")
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, STRANGER)
    await search_everyone(scenario, DARA)
    await scenario.press(DARA, "Report", card_of(scenario, DARA, "ស្រីនាង"))
    assert "Why are you reporting ស្រីនាង?" in (scenario.last(DARA).text or "")
    replies = await scenario.say(DARA, "Fake profile <script>")
    assert replies == ["Thank you. The moderators will look at it."]
    await scenario.press(DARA, "Report", card_of(scenario, DARA, "ស្រីនាង"))
    assert scenario.toasts()[-1] == (
        "You have already reported this member; the moderators will look at it."
    )

    await scenario.app.run_due_work()
    for staff in (MOD, ADMIN):
        report = scenario.last(staff)
        text = report.text or ""
        assert text.startswith("⚠️ <b>A member reported this profile:</b>")
        assert "ស្រីនាង" in text and "Reason: Fake profile &lt;script&gt;" in text
        assert "Dara" not in text and "dara" not in text  # who reported stays unknown
        assert plain_buttons(report) == ["🙈 Hide from the directory", "👌 Keep"]

    await scenario.say(STRANGER, "/help")
    for action in ("hide", "keep"):
        await scenario.press_data(STRANGER, f"cm:{action}:1")
        assert scenario.toasts()[-1] == "Only moderators can do this.", action
    [open_report] = await stored(scenario, ProfileReport)
    assert open_report.status == "open"
    await scenario.press(MOD, "Hide from the directory")
    assert scenario.toasts()[-1] == "Hidden from the directory."
    await scenario.press(ADMIN, "Keep")
    assert scenario.toasts()[-1] == "Another moderator has already handled this report."
    members = {m.id: m for m in await stored(scenario, Member)}
    assert members[srey].directory_visible is False
    [report_row] = await stored(scenario, ProfileReport)
    assert (report_row.status, report_row.resolved_by) == ("hidden", MOD.id)
    audit = [(a.action, a.detail) for a in await stored(scenario, AuditEntry)]
    assert ("member-hidden", {"member": srey, "reports": [1]}) in audit
    replies = await search_everyone(scenario, DARA)
    assert replies[0].startswith("<b>0 members found")
    assert not any("Dara" in text for text in scenario.texts_since(SREY, 0))  # nobody told


async def srey_reported_with_a_moderator(scenario: Scenario) -> int:
    """Dara and Srey in the directory, MOD a moderator, Dara's report on Srey sent; Srey's id."""
    await in_directory(scenario, DARA)
    srey = await in_directory(scenario, SREY, "km")
    await add_member(scenario, MOD, staff="moderator")
    await dara_reports_srey(scenario)
    return srey


async def dara_reports_srey(scenario: Scenario) -> None:
    """Dara reports Srey's card; the moderators have the report."""
    assert scenario.app is not None
    await search_everyone(scenario, DARA)
    await scenario.press(DARA, "Report", card_of(scenario, DARA, "ស្រីនាង"))
    await scenario.say(DARA, "Fake profile")
    await scenario.app.run_due_work()


HIDDEN_NOTICE_KM = (
    "អ្នកសម្របសម្រួលបានលាក់ប្រវត្តិរូបរបស់អ្នកពីបញ្ជីឈ្មោះសមាជិក បន្ទាប់ពីមានការរាយការណ៍៖ "
    "សមាជិកផ្សេងទៀតលែងរកឃើញអ្នកនៅទីនោះទៀតហើយ។ អ្វីៗផ្សេងទៀតនៅក្នុងបូតនៅតែដំណើរការដូចមុន។"
)
HIDDEN_STAYS_KM = (
    "អ្នកសម្របសម្រួលបានលាក់ប្រវត្តិរូបរបស់អ្នកពីបញ្ជីឈ្មោះសមាជិក បន្ទាប់ពីមានការរាយការណ៍ ដូច្នេះវានៅតែលាក់ដដែល។"
)


async def test_a_member_hidden_by_a_moderator_cannot_show_themselves_again(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    srey = await srey_reported_with_a_moderator(scenario)
    await scenario.say(SREY, "/profile")  # the card opened before the decision
    await scenario.press(MOD, "Hide from the directory")
    await scenario.app.run_due_work()
    assert scenario.last(SREY).text == HIDDEN_NOTICE_KM  # told, in their language

    await scenario.press(SREY, "✏️ ឈ្មោះ")  # saving another field keeps the decision
    assert await scenario.say(SREY, "Srey Neang")
    assert [m.directory_visible for m in await stored(scenario, Member) if m.id == srey] == [False]
    await scenario.press(SREY, "✏️ បញ្ជីឈ្មោះសមាជិក")
    replies = await scenario.press(SREY, "បាទ/ចាស")
    assert replies[0] == HIDDEN_STAYS_KM
    assert "<b>បង្ហាញក្នុងបញ្ជីឈ្មោះសមាជិក៖</b> ទេ" in "\n".join(replies)
    assert [m.directory_visible for m in await stored(scenario, Member) if m.id == srey] == [False]
    replies = await search_everyone(scenario, DARA)
    assert replies[0].startswith("<b>0 members found")
    await scenario.app.run_due_work()  # told once
    told = [m.text for m in scenario.emulator.messages(SREY.id) if m.text == HIDDEN_NOTICE_KM]
    assert len(told) == 1


async def test_a_moderator_who_is_not_an_admin_finds_reports_in_slash_reports(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    srey = await srey_reported_with_a_moderator(scenario)
    assert await scenario.say(DARA, "/reports") == ["Only moderators can do this."]
    assert await scenario.say(MOD, "/admin") == ["Only administrators can do this."]
    replies = await scenario.say(MOD, "/reports")
    assert replies[0].startswith("⚠️ <b>A member reported this profile:</b>")
    await scenario.press(MOD, "Hide from the directory")
    replies = await scenario.say(MOD, "/reports")
    assert replies[0] == "No report waits for a decision."
    assert replies[1].startswith("🙈 <b>Hidden from the directory by the moderators:</b>")
    await scenario.press(MOD, "Undo the hide")
    assert scenario.toasts()[-1] == "Hide undone: the member may show their profile again."
    [report] = await stored(scenario, ProfileReport)
    assert (report.member_id, report.status) == (srey, "restored")


async def test_a_moderator_does_not_decide_a_report_about_themselves(scenario: Scenario) -> None:
    assert scenario.app is not None
    await in_directory(scenario, DARA)
    await add_member(scenario, MOD, staff="moderator")
    await set_member(scenario, MOD, directory_visible=True)
    await add_member(scenario, ADMIN, staff="admin")
    await search_everyone(scenario, DARA)
    await scenario.press(DARA, "Report", card_of(scenario, DARA, "Moderator"))
    await scenario.say(DARA, "Not a real moderator")
    await scenario.app.run_due_work()
    await scenario.press(MOD, "Hide from the directory")
    assert scenario.toasts()[-1] == "This report is about you: another moderator will decide it."
    [report] = await stored(scenario, ProfileReport)
    assert report.status == "open"
    await scenario.press(ADMIN, "Keep")
    [report] = await stored(scenario, ProfileReport)
    assert report.status == "kept"


async def test_a_moderator_undoes_a_hide_and_the_member_chooses_again(scenario: Scenario) -> None:
    assert scenario.app is not None
    await in_directory(scenario, DARA)
    srey = await in_directory(scenario, SREY, "km")
    keo = await in_directory(scenario, KEO)
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, STRANGER)
    await dara_reports_srey(scenario)
    await scenario.press(ADMIN, "Hide from the directory")

    async with scenario.app.unit_of_work() as uow:  # `dcc-bot members import` does not undo it
        rows = [
            {"telegram_id": user.id, "full_name": name, "language": "km", "role": "student",
             "province": "phnom-penh", "skills": ["web"], "directory_visible": True}
            for user, name in ((SREY, "ស្រីនាង"), (KEO, "Keo"))
        ]  # fmt: skip
        await uow.members.upsert_many(rows, scenario.clock.now())
        await uow.commit()
    visible = {m.id: m.directory_visible for m in await stored(scenario, Member)}
    assert (visible[srey], visible[keo]) == (False, True)

    await scenario.say(ADMIN, "/admin")
    replies = await scenario.press(ADMIN, "Reports")
    assert replies[0] == "No report waits for a decision."
    assert replies[1].startswith("🙈 <b>Hidden from the directory by the moderators:</b>")
    assert "ស្រីនាង" in replies[1]
    listed = scenario.last(ADMIN)
    assert plain_buttons(listed) == ["↩️ Undo the hide"]

    await scenario.say(STRANGER, "/help")
    await scenario.press_data(STRANGER, f"cm:show:{srey}")
    assert scenario.toasts()[-1] == "Only moderators can do this."
    [report] = await stored(scenario, ProfileReport)
    assert report.status == "hidden"

    await scenario.press(ADMIN, "Undo the hide", listed)
    assert scenario.toasts()[-1] == "Hide undone: the member may show their profile again."
    assert scenario.last(ADMIN).inline_keyboard == []
    [report] = await stored(scenario, ProfileReport)
    assert report.status == "restored"
    audit = [(a.action, a.detail) for a in await stored(scenario, AuditEntry)]
    assert ("member-hide-undone", {"member": srey, "reports": [1]}) in audit
    await scenario.press_data(ADMIN, f"cm:show:{srey}")  # an old button, pressed again
    assert scenario.toasts()[-1] == "This member is not hidden any more."
    await scenario.app.run_due_work()
    assert scenario.last(SREY).text == (
        "អ្នកសម្របសម្រួលបានពិនិត្យប្រវត្តិរូបរបស់អ្នកម្ដងទៀត៖ "
        "អ្នកអាចបង្ហាញវាក្នុងបញ្ជីឈ្មោះសមាជិកម្ដងទៀតបាន (/profile រួចចុច «បញ្ជីឈ្មោះសមាជិក»)។"
    )
    visible = {m.id: m.directory_visible for m in await stored(scenario, Member)}
    assert visible[srey] is False  # nobody is put into the directory by someone else

    await scenario.say(SREY, "/profile")
    await scenario.press(SREY, "✏️ បញ្ជីឈ្មោះសមាជិក")
    replies = await scenario.press(SREY, "បាទ/ចាស")
    assert "<b>បង្ហាញក្នុងបញ្ជីឈ្មោះសមាជិក៖</b> បាទ/ចាស" in "\n".join(replies)
    replies = await search_everyone(scenario, DARA)
    assert replies[0].startswith("<b>2 members found")


async def test_a_member_reports_the_sender_of_a_request_from_the_request(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await in_directory(scenario, DARA)
    await in_directory(scenario, KEO)
    await add_member(scenario, MOD, staff="moderator")
    await search_everyone(scenario, DARA)
    await scenario.press(DARA, "Connect")
    await scenario.press(DARA, "Skip")
    await scenario.app.run_due_work()
    await scenario.press(KEO, "Report")
    assert "Why are you reporting Dara &lt;Dev&gt;?" in (scenario.last(KEO).text or "")
    replies = await scenario.press(KEO, "Send without a reason")
    assert replies == ["Thank you. The moderators will look at it."]
    await scenario.app.run_due_work()
    assert "No reason given." in (scenario.last(MOD).text or "")
    assert "Dara &lt;Dev&gt;" in (scenario.last(MOD).text or "")
    await scenario.press(KEO, "Decline")  # the request can still be answered
    [request] = await stored(scenario, ConnectionRequest)
    assert request.status == "declined"


async def test_mydata_holds_the_network_without_other_members_and_deleteme_erases_it(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    dara = await in_directory(scenario, DARA)
    await in_directory(scenario, SREY, "km")
    await in_directory(scenario, KEO)
    await add_member(scenario, MOD, staff="moderator")
    await search_everyone(scenario, DARA)
    await scenario.press(DARA, "Connect", card_of(scenario, DARA, "ស្រីនាង"))
    await scenario.say(DARA, "Let's talk about Khmer NLP")
    await scenario.press(DARA, "Report", card_of(scenario, DARA, "Keo"))
    await scenario.say(DARA, "Looks like a fake profile")
    await search_everyone(scenario, KEO)
    await scenario.press(KEO, "Connect", card_of(scenario, KEO, "Dara"))
    await scenario.say(KEO, "Keo's own note")
    await search_everyone(scenario, SREY, khmer=True)
    await scenario.press(SREY, "រាយការណ៍", card_of(scenario, SREY, "Dara", "ភ្ជាប់ទំនាក់ទំនង"))
    await scenario.say(SREY, "ស្រីនាង's reason")
    await scenario.app.run_due_work()
    await scenario.press(DARA, "Block")  # Keo's request to Dara

    await scenario.say(DARA, "/mydata")
    data = json.loads((scenario.last(DARA).document or b"").decode())
    assert [(r["note"], r["status"]) for r in data["connection_requests_i_sent"]] == [
        ("Let's talk about Khmer NLP", "pending")
    ]
    assert [r["status"] for r in data["connection_requests_to_me"]] == ["declined"]
    assert len(data["members_i_blocked"]) == 1
    assert [(r["reason"], r["status"]) for r in data["profiles_i_reported"]] == [
        ("Looks like a fake profile", "open")
    ]
    raw = json.dumps(data, ensure_ascii=False)
    for someone_else in ("ស្រីនាង", "Keo", str(SREY.id), str(KEO.id)):
        assert someone_else not in raw  # whom Dara asked, blocked, reported; who reported her

    await scenario.say(DARA, "/deleteme")
    await scenario.press(DARA, "Yes, erase my data")
    assert [
        r
        for r in await stored(scenario, ConnectionRequest)
        if dara in (r.sender_id, r.recipient_id)
    ] == []
    assert await stored(scenario, MemberBlock) == []
    reports = await stored(scenario, ProfileReport)
    assert [(r.reporter_id == dara, r.reason) for r in reports] == [(True, "")]  # hers, emptied
    keys = [m.dedupe_key or "" for m in await stored(scenario, OutboxMessage)]
    assert not [k for k in keys if k.startswith(("connect", "member-report"))], keys
