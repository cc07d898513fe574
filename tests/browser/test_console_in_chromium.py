"""The console in a real headless Chromium: signing in from a link, the overview, the
Khmer console (its texts shaped by the browser with the Khmer font), the member search;
screenshots of the main pages in both languages saved as artefacts."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Page

from tests.browser.conftest import base_url, screenshot, sign_in_from_a_link
from tests.web.test_console import ADMIN, World

SHAPING = """(text) => {
    const width = (s) => {
        const span = document.createElement("span");
        span.textContent = s;
        span.style.whiteSpace = "pre";
        document.querySelector("main").appendChild(span);
        const w = span.getBoundingClientRect().width;
        span.remove();
        return w;
    };
    const apart = Array.from(text).reduce((sum, c) => sum + width(c), 0);
    return {whole: width(text), apart: apart};
}"""


async def seed(world: World) -> None:
    now = world.clock.now()
    rows = [
        {"telegram_id": 11, "full_name": "សុខ ដារា", "role": "student", "province": "kep",
         "language": "km", "skills": ["ai"]},
        {"telegram_id": 12, "full_name": "Chan Vanna", "role": "academic",
         "province": "phnom-penh", "language": "en", "skills": ["data"]},
        {"telegram_id": 13, "full_name": "Dara Chan", "role": "student", "province": "kep",
         "language": "en", "skills": ["ai", "data"]},
    ]  # fmt: skip
    async with world.uow() as uow:
        await uow.members.upsert_many(rows[:2], now - timedelta(days=20))
        await uow.members.upsert_many(rows[2:], now - timedelta(days=2))
        await uow.commit()


async def test_sign_in_overview_and_the_khmer_console(world: World, browser_page: Page) -> None:
    page = browser_page
    await seed(world)
    await sign_in_from_a_link(world, page, ADMIN)
    assert await page.get_by_role("button", name="Sign out").is_visible()  # signed in
    await page.get_by_role("link", name="Overview").click()
    assert page.url == base_url(world) + "/overview"
    assert await page.locator("h1").inner_text() == "Overview"
    assert await page.locator("#members-total").inner_text() == "3"
    assert await page.locator(".chart rect.bar").count() == 12
    await screenshot(page, "overview-en")
    for path, name in (("/audit", "audit-en"), ("/members", "members-en")):
        await page.goto(base_url(world) + path)
        await screenshot(page, name)

    await page.goto(base_url(world) + "/overview")
    await page.get_by_role("button", name="ខ្មែរ").click()
    await page.wait_for_load_state()
    assert await page.locator("html").get_attribute("lang") == "km"
    assert await page.locator("h1").inner_text() == "ទិដ្ឋភាពទូទៅ"
    # the browser shapes Khmer with the Khmer font: a word with subscript consonants and
    # vowels drawn around them is narrower than its characters set side by side
    widths = await page.evaluate(SHAPING, "ស្វែងរកសមាជិក")
    assert widths["whole"] > 0 and widths["whole"] < 0.9 * widths["apart"], widths
    await screenshot(page, "overview-km")
    for path, name in (("/audit", "audit-km"), ("/members", "members-km")):
        await page.goto(base_url(world) + path)
        await screenshot(page, name)
    assert await page.locator("h1").inner_text() == "សមាជិក"


async def test_the_member_search_in_the_browser(world: World, browser_page: Page) -> None:
    page = browser_page
    await seed(world)
    await sign_in_from_a_link(world, page, ADMIN)
    await page.get_by_role("link", name="Members").click()
    await page.get_by_label("Skill").select_option("ai")
    await page.get_by_label("Province").select_option("kep")
    await page.get_by_role("button", name="Search").click()
    await page.wait_for_load_state()
    names = await page.locator("table.members tbody a").all_inner_texts()
    assert sorted(names) == ["Dara Chan", "សុខ ដារា"]
    await page.get_by_label("Name, username or Telegram id").fill("dara c")
    await page.get_by_role("button", name="Search").click()
    await page.wait_for_load_state()
    assert await page.locator("table.members tbody a").all_inner_texts() == ["Dara Chan"]
    await page.get_by_role("link", name="Dara Chan").click()
    assert await page.locator("h1").inner_text() == "Dara Chan"
    await screenshot(page, "member-en")
