"""The admin console: the menu, /stats with its chart, /export, roles, the audit log; and a
plain member refused on every admin command and every admin button."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from storage.models import AuditEntry, ContentItem, StaffRole
from tests.scenarios.harness import Scenario, add_member

ADMIN = EmuUser(1601, "Admin")
MEMBER = EmuUser(1602, "Member")
KHMER = EmuUser(1603, 'សុខ, "ដារ៉ា"', language_code="km", username="sok_dara")
HIDDEN = EmuUser(1604, "Hidden")

ADMIN_COMMANDS = ("/admin", "/stats", "/export", "/broadcast", "/post")
ADMIN_BUTTONS = (
    "ad:pending", "ad:reports", "ad:bc", "ad:newbc", "ad:content", "ad:post", "ad:hide:1",
    "ad:roles", "ad:grant", "ad:rv:a:1601", "ad:stats", "ad:export", "ad:audit", "ad:comp",
    "bc:stop:1", "jb:cok:1", "qa:hide:1", "wc:link",
)  # fmt: skip


async def test_a_plain_member_is_refused_every_admin_command_and_button(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, MEMBER)
    async with scenario.app.unit_of_work() as uow:
        await uow.content.add("news", (None, "Item"), (None, None), None, [], scenario.clock.now())
        await uow.commit()
    for command in ADMIN_COMMANDS:
        assert await scenario.say(MEMBER, command) == ["Only administrators can do this."], command
    for data in ADMIN_BUTTONS:
        replies = await scenario.press_data(MEMBER, data)
        assert replies == [], data
        assert scenario.toasts()[-1] in (
            "Only administrators can do this.",
            "Only moderators can do this.",
        ), data
    async with scenario.app.sessionmaker() as session:
        # no press wrote an audit line (the setup grants through storage, which writes none)
        assert list(await session.scalars(select(AuditEntry))) == []
        [item] = list(await session.scalars(select(ContentItem)))
        assert not item.hidden
        roles = list(await session.scalars(select(StaffRole)))
        assert [(r.telegram_id, r.role) for r in roles] == [(ADMIN.id, "admin")]
    assert all(m.kind == "text" for m in scenario.emulator.messages(MEMBER.id))  # no file


async def test_stats_sends_the_figures_and_a_png_chart(scenario: Scenario) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, KHMER, "km")
    await add_member(scenario, MEMBER)
    replies = await scenario.say(ADMIN, "/stats")
    figures = replies[0]
    assert "📊 <b>DCC Bot in figures</b>" in figures and "Members: 3" in figures
    assert "By role: Private-sector employee 3" in figures
    assert "By province: Phnom Penh 3" in figures and "Top skills: Web 3" in figures
    assert "Median time to the first answer: —" in figures
    photo = scenario.emulator.messages(ADMIN.id)[-1]
    assert photo.kind == "photo"
    assert photo.text == "Sign-ups and questions a week, the last 12 weeks."
    data = photo.document or b""
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"


async def test_export_sends_every_member_as_csv_that_spreadsheets_read(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, KHMER, "km")
    await scenario.say(ADMIN, "/export")
    document = scenario.emulator.last(ADMIN.id)
    assert document.kind == "document" and (document.filename or "").endswith(".csv")
    assert document.text == (
        "2 members. Keep this file safe: it holds personal data. Edited, it imports back in "
        "the web console: Members, then Import CSV."
    )
    raw = document.document or b""
    assert raw.startswith("\ufeff".encode())  # a byte order mark for spreadsheets
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["full_name"] for r in rows] == ["Admin", 'សុខ, "ដារ៉ា"']
    assert rows[1]["language"] == "km" and rows[1]["username"] == "sok_dara"


async def test_an_admin_grants_and_revokes_roles_and_the_audit_log_shows_it(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, KHMER, "km")
    await scenario.say(ADMIN, "/admin")
    await scenario.press(ADMIN, "Roles")
    assert "Administrator: Admin (1601)" in (scenario.last(ADMIN).text or "")
    await scenario.press(ADMIN, "Grant a role")
    before = scenario.emulator.message_count(ADMIN.id)
    scenario.emulator.forward(ADMIN, None, "a message from someone hidden")
    await scenario._settle()
    assert scenario.texts_since(ADMIN, before) == [
        "That person hides their account in forwarded messages. Please send their Telegram id instead."
    ]
    before = scenario.emulator.message_count(ADMIN.id)
    scenario.emulator.forward(ADMIN, KHMER, "សួស្ដី")
    await scenario._settle()
    assert scenario.texts_since(ADMIN, before) == ['Which role for សុខ, "ដារ៉ា"?']
    replies = await scenario.press(ADMIN, "Moderator")
    assert replies[0] == "Done: the role is granted."
    assert 'Moderator: សុខ, "ដារ៉ា" (1603)' in replies[1]
    await scenario.app.run_due_work()
    km = translations.for_language("km")
    assert scenario.last(KHMER).text == km.gettext(
        "You are now a moderator of DCC Bot: reports on questions, answers and profiles will"
        " reach you here, and /reports lists those waiting and the members hidden from the"
        " directory."
    )

    await scenario.press(ADMIN, "Revoke Administrator 1601")
    assert scenario.toasts()[-1] == "You cannot take away your own administrator role."
    await scenario.press(ADMIN, "Grant a role")
    assert await scenario.say(ADMIN, "12abc") == [
        "Please forward a message from the person, or send digits only."
    ]
    await scenario.say(ADMIN, "៧៧៧")  # Khmer digits: someone not signed up yet
    await scenario.press(ADMIN, "Administrator")
    await scenario.press(ADMIN, "Revoke Moderator 1603")
    assert scenario.toasts()[-1] == "Done: the role is revoked."
    async with scenario.app.sessionmaker() as session:
        roles = {(r.telegram_id, r.role) for r in await session.scalars(select(StaffRole))}
    assert roles == {(ADMIN.id, "admin"), (777, "admin")}

    async with scenario.app.unit_of_work() as uow:  # one line through the web console
        await uow.staff.audit(ADMIN.id, "content-hidden", {"item": 5}, "web")
        await uow.commit()
    await scenario.say(ADMIN, "/admin")
    replies = await scenario.press(ADMIN, "Audit log")
    log = replies[0]
    assert f"{ADMIN.id} (Web console) · <code>content-hidden</code> item=5" in log
    assert f"{ADMIN.id} · <code>grant-moderator</code> telegram_id=1603" in log
    assert "<code>grant-admin</code> telegram_id=777" in log
    assert "<code>revoke-moderator</code> telegram_id=1603" in log


async def test_the_menu_counts_what_waits_and_lists_broadcasts_and_content(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    async with scenario.app.unit_of_work() as uow:
        await uow.content.add(
            "news", (None, "Hackathon <2026>"), (None, None), None, [], scenario.clock.now()
        )
        await uow.commit()
    replies = await scenario.say(ADMIN, "/admin")
    assert replies == ["🛠 <b>Administration</b>"]
    assert "⏳ Approvals (0)" in scenario.buttons(ADMIN)
    replies = await scenario.press(ADMIN, "Content")
    assert "#1 Hackathon &lt;2026&gt;" in replies[0]
    await scenario.press(ADMIN, "Hide #1")
    assert scenario.toasts()[-1] == "Hidden."
    assert await scenario.say(ADMIN, "/news") == ["No news or announcement has been published yet."]
    await scenario.say(ADMIN, "/admin")
    replies = await scenario.press(ADMIN, "Broadcasts")
    assert "No broadcast yet." in replies[0]
    replies = await scenario.press(ADMIN, "New broadcast")
    assert replies == ["Write the broadcast in Khmer: the text members reading Khmer get."]


@pytest.mark.parametrize("weeks_ago", [0, 3, 11])
async def test_the_chart_counts_members_in_their_week(scenario: Scenario, weeks_ago: int) -> None:
    from datetime import timedelta

    from handlers.admin.figures import per_week, week_starts

    assert scenario.app is not None
    tz = scenario.app.settings.tz
    weeks = week_starts(scenario.clock.now(), tz)
    joined = [scenario.clock.now() - timedelta(weeks=weeks_ago)]
    counts = per_week(joined, weeks, tz)
    assert sum(counts) == 1 and counts[-1 - weeks_ago] == 1


async def test_staff_commands_are_in_their_menus_only(scenario: Scenario) -> None:
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, KHMER, "km")
    default = [c["command"] for c in scenario.emulator.menu_shown(MEMBER.id, "en")]
    assert "help" in default and "admin" not in default and "broadcast" not in default
    await scenario.say(ADMIN, "/admin")
    await scenario.press(ADMIN, "Roles")
    await scenario.press(ADMIN, "Grant a role")
    await scenario.say(ADMIN, str(KHMER.id))
    await scenario.press(ADMIN, "Administrator")
    theirs = [c["command"] for c in scenario.emulator.menu_shown(KHMER.id, "km")]
    assert {"admin", "stats", "export", "broadcast", "post"} <= set(theirs)
    await scenario.say(ADMIN, "/admin")
    await scenario.press(ADMIN, "Roles")
    await scenario.press(ADMIN, "Grant a role")
    await scenario.say(ADMIN, str(KHMER.id))
    await scenario.press(ADMIN, "Moderator")
    theirs = [c["command"] for c in scenario.emulator.menu_shown(KHMER.id, "km")]
    assert "reports" in theirs and "admin" in theirs  # an administrator's menu has it all
    await scenario.press(ADMIN, f"Revoke Administrator {KHMER.id}")
    theirs = [c["command"] for c in scenario.emulator.menu_shown(KHMER.id, "km")]
    assert "reports" in theirs and "help" in theirs  # still a moderator
    assert not {"admin", "stats", "export", "broadcast", "post"} & set(theirs)
    assert "reports" not in default
    await scenario.press(ADMIN, f"Revoke Moderator {KHMER.id}")
    theirs = [c["command"] for c in scenario.emulator.menu_shown(KHMER.id, "km")]
    assert "reports" not in theirs and "admin" not in theirs


async def test_a_forged_button_with_a_huge_number_finds_nothing_and_breaks_nothing(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ADMIN, staff="admin")
    huge = "9" * 30
    for data in (f"ct:rsvp:{huge}", f"bc:stop:{huge}", f"jb:apply:{huge}", f"qa:a:{huge}",
                 f"ad:hide:{huge}", f"jb:cok:{huge}", f"qa:rq:{huge}", f"cp:sc:{huge}:5",
                 f"ad:rv:m:{huge}", f"cp:open:{huge}", f"cm:ok:{huge}"):  # fmt: skip
        await scenario.say(ADMIN, "/help")
        replies = await scenario.press_data(ADMIN, data)
        assert "Sorry, something went wrong" not in " ".join(replies), data
        assert "Sorry" not in scenario.toasts()[-1], data


async def test_the_console_shows_profile_reports_and_competitions_with_their_rankings(
    scenario: Scenario,
) -> None:
    from datetime import timedelta

    from storage.models import Member

    assert scenario.app is not None
    admin = await add_member(scenario, ADMIN, staff="admin")
    member = await add_member(scenario, MEMBER)
    now = scenario.clock.now()
    async with scenario.app.unit_of_work() as uow:
        reported = await uow.members.by_id(member)
        assert reported is not None
        reported.directory_visible = True
        await uow.community.add_report(admin, member, "spam <links>", now)
        await uow.competitions.add(
            ("ការប្រកួត", "Hackathon"), ("ច្បាប់", "Rules"), ("កុំព្យូទ័រ", "Laptops"), now - timedelta(days=1),
            1, ["ai"], [admin], [], admin, now - timedelta(days=10),
        )  # fmt: skip
        await uow.commit()
    await scenario.say(ADMIN, "/admin")
    assert "⚠️ Reports (1)" in scenario.buttons(ADMIN)
    replies = await scenario.press(ADMIN, "Reports (1)")
    assert "A member reported this profile:" in replies[0] and "spam &lt;links&gt;" in replies[0]
    await scenario.press(ADMIN, "Hide from the directory")
    async with scenario.app.sessionmaker() as session:
        stored = await session.get(Member, member)
        assert stored is not None and not stored.directory_visible
    await scenario.say(ADMIN, "/admin")
    replies = await scenario.press(ADMIN, "Competitions")
    assert "#1</b> Hackathon" in replies[0]
    replies = await scenario.press(ADMIN, "Ranking #1")
    assert replies  # the competition's ranking, for the admin


async def test_the_web_console_button_sends_a_link_that_signs_in_once(
    scenario: Scenario,
) -> None:
    """/admin → Web console: a single-use link to DCC_WEB_URL (here the default address);
    the console lets its browser in once."""
    import re
    from urllib.parse import urlsplit

    from aiohttp.test_utils import TestClient, TestServer

    from handlers.admin.web_console import EXTRAS_KEY
    from web.console import console_application
    from web.server import console_for

    app = scenario.app
    assert app is not None
    await add_member(scenario, ADMIN, staff="admin")
    await scenario.say(ADMIN, "/admin")
    [sent] = await scenario.press(ADMIN, "Web console")
    found = re.search(r"http://127\.0\.0\.1:8090/signin\?token=([\w-]+)", sent)
    assert found is not None, sent
    assert "It works once, within 10 minutes." in sent
    assert scenario.last(ADMIN).inline_keyboard == []  # Telegram takes no button to 127.0.0.1
    console = console_for(
        app.settings, app.unit_of_work, app.dispatcher.translations, scenario.clock.now
    )
    browser = TestClient(TestServer(console_application(console)))
    await browser.start_server()
    try:
        link = urlsplit(found.group(0))
        page = await browser.get(f"{link.path}?{link.query}")
        form = re.search(r'name="csrf" value="([^"]+)"', await page.text())
        assert page.status == 200 and form is not None
        data = {"csrf": form.group(1), "token": found.group(1)}
        signed = await browser.post("/signin", data=data, allow_redirects=False)
        assert signed.status == 303
        assert (await browser.get("/approvals")).status == 200
        again = await browser.post("/signin", data=data, allow_redirects=False)
        assert again.status == 403
    finally:
        await browser.close()
    app.dispatcher.extras[EXTRAS_KEY] = "https://console.example.org"
    await scenario.press(ADMIN, "Web console")
    [[button]] = scenario.last(ADMIN).inline_keyboard
    assert button["text"] == "🖥 Open the web console"
    assert button["url"].startswith("https://console.example.org/signin?token=")
    # a moderator finds it under /reports (a member pressing it: the first test)
    await add_member(scenario, HIDDEN, staff="moderator")
    await scenario.say(HIDDEN, "/reports")
    [offered] = await scenario.press(HIDDEN, "Web console")
    assert "/signin?token=" in offered
