"""The console and the bot together, in a real headless Chromium: the real bot (ptb) runs
against the Bot API emulator and the console is served from the same database, as
``dcc-bot run`` does with DCC_WEB_LISTEN set. A broadcast composed, counted, scheduled and
cancelled in the browser; an expert application made in the bot and approved in the
browser, the member told in the bot in their language; the Khmer console; screenshots of the
main pages in both languages (``tests/browser/artifacts/``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from playwright.async_api import Dialog, Page, expect
from sqlalchemy import select

from bot.config import Settings
from bot.demo import seed_demo_content
from bot.sandbox.emulator import BotApiEmulator, EmuUser
from handlers.acting import Acting
from handlers.content.operations import add_feed
from storage.broadcasts import CANCELLED
from storage.models import AuditEntry, Broadcast, ExpertProfile
from storage.uow import UnitOfWork
from tests.browser.conftest import screenshot
from tests.conftest import FakeClock
from tests.scenarios.harness import Scenario, add_member
from web.console import console_application
from web.server import console_for
from web.signin import issue_link

ADMIN = EmuUser(2001, "Admin", language_code="en")
APPLICANT = EmuUser(2002, "Sokha", language_code="km")
MEMBERS = [
    {"telegram_id": 2011, "full_name": "សុខ ដារា", "role": "student", "province": "kep",
     "language": "km", "skills": ["ai"]},
    {"telegram_id": 2012, "full_name": "Chan Vanna", "role": "academic",
     "province": "phnom-penh", "language": "en", "skills": ["data"]},
    {"telegram_id": 2013, "full_name": "Dara Chan", "role": "student", "province": "kep",
     "language": "en", "skills": ["ai", "data"]},
]  # fmt: skip


@dataclass
class Served:
    """The running bot (its emulator) and the console's address."""

    scenario: Scenario
    url: str

    def uow(self) -> UnitOfWork:
        assert self.scenario.app is not None
        return self.scenario.app.unit_of_work()

    async def sign_in(self, page: Page, telegram_id: int) -> None:
        """Open a sign-in link as the bot sends it and press Sign in, as staff do."""
        async with self.uow() as uow:
            link = urlsplit(await issue_link(uow, telegram_id, uow.now(), self.url))
            await uow.commit()
        await page.goto(f"{self.url}{link.path}?{link.query}")
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    async def audit(self, action: str) -> list[AuditEntry]:
        async with self.uow() as uow:
            found = await uow.session.scalars(select(AuditEntry).where(AuditEntry.action == action))
            return list(found)


@pytest.fixture
async def served(settings: Settings, clock: FakeClock) -> AsyncIterator[Served]:
    """The bot on ptb and SQLite, with an administrator and three members, and the console
    on 127.0.0.1 (a free port) reading and writing the bot's database."""
    async with BotApiEmulator() as emulator:
        scenario = Scenario(emulator, settings.with_(engine="ptb"), clock)
        await scenario.start()
        app = scenario.app
        assert app is not None
        runner = web.AppRunner(
            console_application(
                console_for(app.settings, app.unit_of_work, app.dispatcher.translations, clock.now)
            ),
            access_log=None,
        )
        try:
            await add_member(scenario, ADMIN, staff="admin")
            async with app.unit_of_work() as uow:
                await uow.members.upsert_many(MEMBERS, clock.now())
                await uow.commit()
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            host, port = runner.addresses[0][:2]
            yield Served(scenario, f"http://{host}:{port}")
        finally:
            await runner.cleanup()
            await scenario.stop()


async def apply_as_expert(scenario: Scenario, user: EmuUser, note: str) -> None:
    """/expert in the bot in Khmer: two topics, Next, the experience."""
    assert scenario.app is not None
    t = scenario.app.dispatcher.translations.for_language("km")
    await scenario.say(user, "/expert")
    await scenario.press(user, "បញ្ញាសិប្បនិម្មិត")  # Artificial intelligence
    await scenario.press(user, t.gettext("Next"))
    replies = await scenario.say(user, note)
    assert replies and replies[0].startswith("សូមអរគុណ"), replies  # "Thank you! …" in Khmer


# -- a broadcast -----------------------------------------------------------------------------
async def test_a_broadcast_composed_counted_scheduled_and_cancelled(
    served: Served, browser_page: Page
) -> None:
    page = browser_page
    await served.sign_in(page, ADMIN.id)
    await page.get_by_role("link", name="Broadcasts").click()
    await page.get_by_role("link", name="New broadcast").click()
    await expect(page.locator("h1")).to_have_text("New broadcast")

    await page.get_by_label("Text in Khmer").fill("សិក្ខាសាលា AI នៅខេត្តកែប ថ្ងៃសៅរ៍នេះ")
    await page.get_by_label("Text in English").fill("AI workshop in <Kep> this Saturday")
    previews = page.locator("#previews")
    await expect(previews).to_contain_text("AI workshop in <Kep> this Saturday")  # escaped
    await expect(previews).to_contain_text("សិក្ខាសាលា AI នៅខេត្តកែប")
    reach = page.locator("#reach")
    await expect(reach).to_have_text("Recipients: 4 (1 reading Khmer, 3 reading English)")

    # the province chosen, the script asks for the count: the page is not reloaded
    address = page.url
    await page.get_by_text("By province").click()
    async with page.expect_response(re.compile(r"/broadcasts/count\?(.*&)?province=kep(&.*)?$")):
        await page.get_by_label("Kep", exact=True).check()
    await expect(reach).to_have_text("Recipients: 2 (1 reading Khmer, 1 reading English)")
    assert page.url == address
    await screenshot(page, "broadcast-compose-en")

    # tomorrow at 10:00 in Cambodia (03:00 UTC), with the datetime-local picker
    await page.locator("input[name=send_at]").fill("2026-11-26T10:00")
    await page.get_by_role("button", name="Schedule").click()
    await page.get_by_role("link", name="Broadcasts").click()
    row = page.locator("#broadcast-list tbody tr").first
    await expect(row).to_have_attribute("data-status", "scheduled")
    await expect(row).to_contain_text("scheduled")  # the bot's word for it
    await expect(row).to_contain_text("10:00")
    await expect(row).to_contain_text("AI workshop")
    await screenshot(page, "broadcasts-en")

    await row.get_by_role("button", name="Cancel").click()
    await expect(row).to_have_attribute("data-status", "cancelled")
    async with served.uow() as uow:
        (stored,) = (await uow.session.scalars(select(Broadcast))).all()
    assert stored.status == CANCELLED and stored.created_by == ADMIN.id
    assert stored.send_at.replace(tzinfo=UTC) == datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    assert stored.audience["provinces"] == ["kep"]
    assert (stored.text_en, stored.link_url) == ("AI workshop in <Kep> this Saturday", None)
    for action in ("broadcast-created", "broadcast-cancelled"):
        (line,) = await served.audit(action)
        assert (line.actor_telegram_id, line.channel) == (ADMIN.id, "web"), action


async def test_a_paid_broadcast_shows_its_estimate_and_asks_with_it_before_sending(
    served: Served, browser_page: Page
) -> None:
    page = browser_page
    await served.sign_in(page, ADMIN.id)
    await page.goto(served.url + "/broadcasts/new")
    await page.get_by_label("Text in Khmer").fill("ការព្រមានអំពីទឹកជំនន់")
    await page.get_by_label("Text in English").fill("Flood warning")
    estimate = page.locator("#paid-estimate")
    await expect(estimate).to_have_text(
        "Paid (fast): about 0.4 Stars, about 1 second instead of 1 second"
    )
    await page.get_by_text("By province").click()
    await page.get_by_label("Kep", exact=True).check()  # the script counts again
    await expect(estimate).to_contain_text("about 0.2 Stars")
    await page.get_by_label("Paid (fast)").check()
    asked: list[str] = []

    async def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await dialog.accept()

    page.on("dialog", answer)
    await page.get_by_role("button", name="Send now").click()
    await expect(page.locator("#paid")).to_have_text("Yes")
    kep = "Paid (fast): about 0.2 Stars, about 1 second instead of 1 second"  # two members
    assert asked == [f"Send this broadcast now?\n{kep}"]
    async with served.uow() as uow:
        (stored,) = (await uow.session.scalars(select(Broadcast))).all()
    assert stored.paid and stored.audience["provinces"] == ["kep"]


# -- an expert application ---------------------------------------------------------------------
async def test_an_expert_approved_in_the_browser_is_told_in_the_bot_in_khmer(
    served: Served, browser_page: Page
) -> None:
    page = browser_page
    scenario = served.scenario
    assert scenario.app is not None
    await add_member(scenario, APPLICANT, language="km")
    await apply_as_expert(scenario, APPLICANT, "ខ្ញុំបានបង្កើតគំរូ AI នៅធនាគារអស់រយៈពេលប្រាំឆ្នាំ។")

    await served.sign_in(page, ADMIN.id)
    await page.get_by_role("link", name="Approvals").click()
    card = page.locator("article.card", has_text="Expert application #1")
    await expect(card).to_contain_text("ខ្ញុំបានបង្កើតគំរូ AI នៅធនាគារ")
    await card.get_by_role("button", name="Approve").click()
    await expect(page.get_by_role("status")).to_be_visible()
    await expect(page.locator("article.card")).to_have_count(0)

    before = scenario.emulator.message_count(APPLICANT.id)
    await scenario.app.run_due_work()  # the bot's outbox sender
    told = scenario.texts_since(APPLICANT, before)
    km = scenario.app.dispatcher.translations.for_language("km")
    approved = km.gettext(
        "Your expert application was approved! Questions in your topics will come to you"
        " here. You can set your availability and quiet hours in /profile."
    )
    assert approved.startswith("ពាក្យស្នើសុំ") and any(approved in text for text in told), told
    async with served.uow() as uow:
        assert await uow.session.scalar(select(ExpertProfile)) is not None
    (line,) = await served.audit("expert-approved")
    assert (line.actor_telegram_id, line.channel) == (ADMIN.id, "web")


# -- the Khmer console -------------------------------------------------------------------------
async def test_the_console_in_khmer(served: Served, browser_page: Page) -> None:
    page = browser_page
    await served.sign_in(page, ADMIN.id)
    await page.goto(served.url + "/overview")
    await page.get_by_role("button", name="ខ្មែរ").click()
    await expect(page.locator("html")).to_have_attribute("lang", "km")
    await expect(page.locator("h1")).to_have_text("ទិដ្ឋភាពទូទៅ")
    nav = page.get_by_role("navigation", name="ទំព័រ")
    await nav.get_by_role("link", name="ការផ្សាយ").click()
    await expect(page.locator("h1")).to_have_text("ការផ្សាយ")
    await expect(page.get_by_role("link", name="ការផ្សាយថ្មី")).to_be_visible()
    await nav.get_by_role("link", name="ការអនុម័ត").click()
    await expect(page.locator("h1")).to_have_text("ការអនុម័ត")
    await expect(page.get_by_role("heading", name="ពាក្យស្នើសុំធ្វើជាអ្នកជំនាញ")).to_be_visible()
    # the choice is kept: the next page opened is Khmer too
    await page.goto(served.url + "/members")
    await expect(page.locator("h1")).to_have_text("សមាជិក")


# -- screenshots -------------------------------------------------------------------------------
PAGES = (
    ("/overview", "overview"), ("/broadcasts", "broadcasts"), ("/approvals", "approvals"),
    ("/reports", "reports"), ("/content", "content"), ("/content/feeds", "feeds"),
    ("/competitions", "competitions"), ("/members", "members"), ("/audit", "audit"),
)  # fmt: skip


async def test_screenshots_of_the_main_pages_in_both_languages(
    served: Served, browser_page: Page
) -> None:
    page = browser_page
    scenario = served.scenario
    assert scenario.app is not None
    app = scenario.app
    await add_member(scenario, APPLICANT, language="km")
    await apply_as_expert(scenario, APPLICANT, "ខ្ញុំបានបង្កើតគំរូ AI នៅធនាគារអស់រយៈពេលប្រាំឆ្នាំ។")
    async with served.uow() as uow:
        await seed_demo_content(uow, uow.now(), app.settings.tz)
        acting = Acting(
            ADMIN.id, "chat", uow, app.dispatcher.translations, uow.now(), app.settings.tz
        )
        await add_feed(acting, "https://mptc.gov.kh/feed.xml", "news", "km")
        await uow.commit()
    await served.sign_in(page, ADMIN.id)
    for language in ("en", "km"):
        await page.goto(served.url + "/overview")
        await page.locator(f"button[name=language][value={language}]").click()
        await expect(page.locator("html")).to_have_attribute("lang", language)
        for path, name in PAGES:
            await page.goto(served.url + path)
            await screenshot(page, f"{name}-{language}")
        await page.goto(served.url + "/broadcasts/new")
        await page.locator("#text-km").fill("សិក្ខាសាលា AI នៅខេត្តកែប ថ្ងៃសៅរ៍នេះ។")
        await page.locator("#text-en").fill("AI workshop in Kep this Saturday.")
        await page.locator("#link").fill("https://mptc.gov.kh/events")
        await expect(page.locator("#previews")).to_contain_text("AI workshop in Kep")
        await expect(page.locator("#previews a").first).to_have_attribute(
            "href", "https://mptc.gov.kh/events"
        )
        await screenshot(page, f"broadcast-compose-{language}")
