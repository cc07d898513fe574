"""Browser tests: the console served on 127.0.0.1 (a free port, a real server: the web
tests' ``world``) and driven by a real headless Chromium from the distribution's packages
(``.ci/run`` installs ``chromium`` and ``fonts-khmeros``), through Playwright's client
(``playwright install`` is never run: nothing is downloaded). Where Chromium is absent
the tests are skipped with a message, except under CI=true, where they fail.

Screenshots of the pages go to ``tests/browser/artifacts/`` (not committed).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page

from tests.web.test_console import World, world  # noqa: F401 - the console under test

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = (
            "Chromium is not installed: the browser tests are skipped"
            " (as root: apt-get install chromium fonts-khmeros)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message.replace("are skipped", "cannot run under CI"))
        pytest.skip(message)
    return found


@pytest.fixture
async def browser_page() -> AsyncIterator[Page]:
    """A Chromium tab, 1280×900, that has seen nothing yet (ask for ``world`` too: the
    console it opens)."""
    executable = chromium_path()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        try:
            yield page
        finally:
            await browser.close()


def base_url(console: World) -> str:
    """Where the console under test listens: 127.0.0.1 and a free port."""
    return str(console.client.make_url("/")).rstrip("/")


async def sign_in_from_a_link(console: World, page: Page, telegram_id: int) -> None:
    """Open a sign-in link as the bot sends it and press Sign in, as staff do."""
    link = urlsplit(await console.link(telegram_id))
    await page.goto(f"{base_url(console)}{link.path}?{link.query}")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state()


async def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path
