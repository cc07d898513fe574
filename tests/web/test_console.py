"""The web console over HTTP (aiohttp's test client on 127.0.0.1): signing in, sessions,
form tokens, roles, the language, and the overview's figures against the stored rows.

Browser tests (a real headless Chromium: JavaScript-free pages, Khmer shaping, screenshots)
come with the pages that change state.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.core.i18n import Translations
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import AuditEntry, WebSession, WebSignIn
from storage.staff import AUDIT_ACTIONS
from storage.uow import UnitOfWork
from tests.conftest import FakeClock, postgres_database
from web.console import PAGES, Console, console_application
from web.signin import NotStaff, issue_link

PROJECT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-TOKEN"
ADMIN, MODERATOR, MEMBER = 500, 600, 700
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def form_token(client: TestClient) -> str:
    """The form token a browser holds after opening the sign-in page (its form cookie)."""
    await client.get("/signin")
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/")).get("dcc_console_form")
    assert cookie is not None
    return cookie.value


class World:
    def __init__(self, sessionmaker: async_sessionmaker, clock: FakeClock, client: TestClient):
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.client = client

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker, self.clock.now)

    async def link(self, telegram_id: int) -> str:
        async with self.uow() as uow:
            link = await issue_link(uow, telegram_id, self.clock.now(), "http://console.test")
            await uow.commit()
        return link

    async def new_client(self) -> TestClient:
        client = TestClient(TestServer(self.client.app))
        await client.start_server()
        return client

    async def sign_in(self, telegram_id: int, client: TestClient | None = None) -> str:
        """Sign in from a link; the session's form token."""
        client = client or self.client
        link = await self.link(telegram_id)
        target = urlsplit(link)
        page = await client.get(f"{target.path}?{target.query}")
        assert page.status == 200
        form = CSRF.search(await page.text())
        assert form is not None
        token = dict(p.split("=", 1) for p in target.query.split("&"))["token"]
        signed = await client.post(
            "/signin", data={"csrf": form.group(1), "token": token}, allow_redirects=False
        )
        assert signed.status == 303, await signed.text()
        return await self.csrf(client)

    async def csrf(self, client: TestClient | None = None) -> str:
        page = await (client or self.client).get("/audit")
        if page.status != 200:
            page = await (client or self.client).get("/")
        found = CSRF.search(await page.text())
        assert found is not None
        return found.group(1)

    async def count(self, model: type) -> int:
        async with self.uow() as uow:
            return await uow.session.scalar(select(func.count()).select_from(model)) or 0

    @contextlib.contextmanager
    def statements(self) -> Iterator[list[str]]:
        """The SQL the pages send to the database while the block runs."""
        engine, seen = self.sessionmaker.kw["bind"].sync_engine, list[str]()

        def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            seen.append(" ".join(statement.split()))

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", record)


@contextlib.asynccontextmanager
async def open_world(database_url: str) -> AsyncIterator[World]:
    engine = make_engine(database_url)
    await upgrade(engine)
    sessionmaker = make_sessionmaker(engine)
    clock = FakeClock()
    async with UnitOfWork(sessionmaker, clock.now) as uow:
        await uow.tags.sync_seed()
        await uow.staff.grant(ADMIN, "admin", None)
        await uow.staff.grant(MODERATOR, "moderator", None)
        await uow.commit()
    console = Console(
        units_of_work=lambda: UnitOfWork(sessionmaker, clock.now),
        translations=Translations(PROJECT / "locales", strict=True),
        now=clock.now,
        timezone=ZoneInfo("Asia/Phnom_Penh"),
        base_url="http://console.test",
        bot_token=TOKEN,
    )
    client = TestClient(TestServer(console_application(console)))
    await client.start_server()
    try:
        yield World(sessionmaker, clock, client)
    finally:
        await client.close()
        await engine.dispose()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(f"sqlite+aiosqlite:///{tmp_path / 'console.sqlite3'}") as world:
        yield world


@pytest.fixture(params=["sqlite", "postgresql"])
async def both_worlds(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    """The console on SQLite and on PostgreSQL 15: for what a page asks the database."""
    if request.param == "sqlite":
        async with open_world(f"sqlite+aiosqlite:///{tmp_path / 'console.sqlite3'}") as world:
            yield world
        return
    server, name = await postgres_database(request)
    try:
        async with open_world(server.url(name)) as world:
            yield world
    finally:
        await server.drop_database(name)


# -- signing in ----------------------------------------------------------------------------
async def test_a_link_signs_in_once_and_stores_only_hashes(world: World) -> None:
    await world.sign_in(ADMIN)
    assert (await world.client.get("/overview")).status == 200
    async with world.uow() as uow:
        stored = (await uow.session.scalars(select(WebSignIn))).all()
        sessions = (await uow.session.scalars(select(WebSession))).all()
    assert len(stored) == 1 and stored[0].used_at is not None and len(sessions) == 1
    link = await world.link(ADMIN)
    token = link.split("token=")[1]
    assert token not in {s.secret_hash for s in stored}
    # the same link a second time, from another browser: refused, no new session
    other = await world.new_client()
    page = await other.get(urlsplit(link).path + "?" + urlsplit(link).query)
    form = CSRF.search(await page.text())
    assert form is not None
    first = await other.post("/signin", data={"csrf": form.group(1), "token": token})
    assert first.status == 200  # signed in (followed to the overview)
    third = await world.new_client()
    again = await third.post(
        "/signin", data={"csrf": await form_token(third), "token": token}, allow_redirects=False
    )
    assert again.status == 403 and "cannot be used" in await again.text()
    await third.close()
    assert await world.count(WebSession) == 2
    await other.close()


async def test_a_link_expires_after_ten_minutes(world: World) -> None:
    link = await world.link(ADMIN)
    world.clock.advance(minutes=10, seconds=1)
    target = urlsplit(link)
    page = await world.client.get(f"{target.path}?{target.query}")
    assert page.status == 403 and "10 minutes" in await page.text()
    token = target.query.split("token=")[1]
    late = await world.client.post(
        "/signin", data={"csrf": await form_token(world.client), "token": token}
    )
    assert late.status == 403 and await world.count(WebSession) == 0


async def test_a_forged_link_and_no_link_give_no_session(world: World) -> None:
    page = await world.client.get("/signin?token=made-up")
    assert page.status == 403
    form = await form_token(world.client)
    forged = await world.client.post("/signin", data={"csrf": form, "token": "x" * 43})
    assert forged.status == 403
    empty = await world.client.post("/signin", data={"csrf": form})
    assert empty.status == 403 and await world.count(WebSession) == 0
    home = await world.client.get("/overview", allow_redirects=False)
    assert home.status == 303 and home.headers["Location"].startswith("/signin")


async def test_no_link_for_someone_who_is_not_staff(world: World) -> None:
    with pytest.raises(NotStaff):
        await world.link(MEMBER)
    assert await world.count(WebSignIn) == 0


async def test_a_link_of_someone_demoted_before_using_it_gives_no_session(world: World) -> None:
    link = await world.link(MODERATOR)
    async with world.uow() as uow:
        await uow.staff.revoke(MODERATOR, "moderator")
        await uow.commit()
    target = urlsplit(link)
    page = await world.client.get(f"{target.path}?{target.query}")
    form = CSRF.search(await page.text())
    assert form is not None
    token = target.query.split("token=")[1]
    refused = await world.client.post("/signin", data={"csrf": form.group(1), "token": token})
    assert refused.status == 403 and await world.count(WebSession) == 0


def telegram_fields(telegram_id: int, auth_date: int, token: str = TOKEN) -> dict[str, str]:
    fields = {"id": str(telegram_id), "first_name": "Sok", "auth_date": str(auth_date)}
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hashlib.sha256(token.encode()).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return fields


async def test_telegram_login_is_checked_with_the_bot_token_and_its_age(world: World) -> None:
    now = int(world.clock.now().timestamp())
    good = telegram_fields(ADMIN, now - 60)
    signed = await world.client.get("/signin/telegram", params=good)
    assert signed.status == 200 and await world.count(WebSession) == 1
    replayed = await world.client.get("/signin/telegram", params=good)
    assert replayed.status == 403  # one Telegram answer, one session
    forged = dict(telegram_fields(ADMIN, now), id=str(MODERATOR))
    assert (await world.client.get("/signin/telegram", params=forged)).status == 403
    wrong_bot = telegram_fields(ADMIN, now, token="999:OTHER")
    assert (await world.client.get("/signin/telegram", params=wrong_bot)).status == 403
    old = telegram_fields(ADMIN, now - 86400 - 1)
    assert (await world.client.get("/signin/telegram", params=old)).status == 403
    stranger = telegram_fields(MEMBER, now)
    assert (await world.client.get("/signin/telegram", params=stranger)).status == 403
    assert await world.count(WebSession) == 1


# -- sessions ------------------------------------------------------------------------------
async def test_a_demoted_administrator_loses_the_console_at_the_next_click(world: World) -> None:
    await world.sign_in(ADMIN)
    assert (await world.client.get("/audit")).status == 200
    async with world.uow() as uow:
        await uow.staff.revoke(ADMIN, "admin")
        await uow.commit()
    lost = await world.client.get("/audit", allow_redirects=False)
    assert lost.status == 403 and await world.count(WebSession) == 0


async def test_an_administrator_made_moderator_keeps_only_the_moderators_pages(
    world: World,
) -> None:
    await world.sign_in(ADMIN)
    async with world.uow() as uow:
        await uow.staff.grant(ADMIN, "moderator", None)
        await uow.staff.revoke(ADMIN, "admin")
        await uow.commit()
    assert (await world.client.get("/overview")).status == 403


async def test_a_session_ends_after_twelve_hours_idle_and_at_sign_out(world: World) -> None:
    await world.sign_in(ADMIN)
    world.clock.advance(hours=11, minutes=59)
    assert (await world.client.get("/audit")).status == 200  # used: idle time starts again
    world.clock.advance(hours=12, seconds=1)
    gone = await world.client.get("/audit", allow_redirects=False)
    assert gone.status == 303 and gone.headers["Location"] == "/signin?expired=1"
    world.clock.advance(hours=-24)
    csrf = await world.sign_in(ADMIN)
    out = await world.client.post("/signout", data={"csrf": csrf}, allow_redirects=False)
    assert out.status == 303
    assert (await world.client.get("/audit", allow_redirects=False)).status == 303
    assert await world.count(WebSession) == 1  # the idle one; the signed-out one is gone


async def test_every_form_needs_its_token(world: World) -> None:
    csrf = await world.sign_in(ADMIN)
    posts = [p for p in PAGES if p.method == "POST" and p.role != "anyone"]
    assert {p.path for p in posts} >= {"/signout", "/language"}
    for declared in posts:
        for data in ({}, {"csrf": "wrong"}, {"csrf": ""}):
            refused = await world.client.post(
                declared.path, data={**data, "language": "km"}, allow_redirects=False
            )
            assert refused.status == 403, declared.path
    async with world.uow() as uow:
        languages = (await uow.session.scalars(select(WebSession.language))).all()
    assert languages == ["en"] and (await world.client.get("/audit")).status == 200
    # the form shown before signing in: its token must match the browser's form cookie
    other = await world.new_client()
    token = (await world.link(ADMIN)).split("token=")[1]
    no_cookie = await other.post("/signin", data={"csrf": csrf, "token": token})
    assert no_cookie.status == 403 and await world.count(WebSession) == 1
    await other.close()


@pytest.mark.parametrize("role", ["admin", "moderator"])
async def test_each_page_is_open_to_its_roles_only(world: World, role: str) -> None:
    await world.sign_in(ADMIN if role == "admin" else MODERATOR)
    pages = [  # a page of one row (a path with a {number}) is tested with its row by its page
        p for p in PAGES
        if p.method == "GET" and p.role != "anyone" and p.path != "/" and "{" not in p.path
    ]  # fmt: skip
    assert pages
    for declared in pages:
        response = await world.client.get(declared.path, allow_redirects=False)
        allowed = role == "admin" or declared.role == "moderator"
        assert response.status == (200 if allowed else 403), declared.path
    home = await world.client.get("/", allow_redirects=False)
    assert home.status == 303  # to the first page of the role: a moderator's is Reports


async def test_the_language_switch_shows_khmer_and_is_kept(world: World) -> None:
    csrf = await world.sign_in(ADMIN)
    switched = await world.client.post(
        "/language", data={"csrf": csrf, "language": "km", "next": "/overview"},
        allow_redirects=False,
    )  # fmt: skip
    assert switched.status == 303 and switched.headers["Location"] == "/overview"
    page = await (await world.client.get("/overview")).text()
    assert 'lang="km"' in page and "ទិដ្ឋភាពទូទៅ" in page and "Overview</h1>" not in page
    # signed in again later: still Khmer
    other = await world.new_client()
    await world.sign_in(ADMIN, other)
    assert "ទិដ្ឋភាពទូទៅ" in await (await other.get("/overview")).text()
    await other.close()
    offsite = await world.client.post(
        "/language", data={"csrf": csrf, "language": "en", "next": "//evil.example"},
        allow_redirects=False,
    )  # fmt: skip
    assert offsite.headers["Location"] == "/"


# -- pages ---------------------------------------------------------------------------------
async def test_the_overview_shows_the_stored_figures(world: World) -> None:
    now = world.clock.now()
    async with world.uow() as uow:
        rows = [
            {"telegram_id": t, "full_name": f"M{t}", "role": role, "province": "kep",
             "language": lang, "skills": ["ai"]}
            for t, role, lang in ((1, "student", "km"), (2, "student", "en"), (3, "academic", "km"))
        ]  # fmt: skip
        await uow.members.upsert_many(rows[:2], now - timedelta(days=30))
        await uow.members.upsert_many(rows[2:], now - timedelta(hours=1))
        asker = await uow.members.get(1)
        assert asker is not None
        await uow.questions.add_question(asker.id, "q1", "", ["ai"], now, now)
        await uow.commit()
    await world.sign_in(ADMIN)
    page = await (await world.client.get("/overview")).text()

    def figure(name: str) -> str:
        found = re.search(rf'id="{name}">([^<]+)<', page)
        assert found is not None, name
        return found.group(1)

    assert figure("members-total") == "3" and figure("members-new") == "1"
    assert figure("questions-waiting") == "1" and figure("questions-asked") == "1"
    assert figure("questions-answered") == "0" and figure("broadcasts-sent") == "0"
    assert "<svg" in page and page.count('class="bar"') == 12
    assert "ខ្មែរ" in page and "Student" in page


async def test_the_audit_log_filters_and_shows_the_channel(world: World) -> None:
    async with world.uow() as uow:
        for n in range(60):
            await uow.staff.audit(ADMIN, "broadcast-created", {"n": n}, "chat")
        await uow.staff.audit(None, "members-exported", {"members": 3}, "cli")
        await uow.commit()
    await world.sign_in(ADMIN)  # audited too, through the web
    page = await (await world.client.get("/audit")).text()
    assert "62 lines found" in page and "Older" in page and "Command line" in page
    filtered = await (
        await world.client.get("/audit", params={"action": "members-exported"})
    ).text()
    assert "1 line found" in filtered and "the command line" in filtered
    person = await (await world.client.get("/audit", params={"person": str(ADMIN)})).text()
    assert "61 lines found" in person and "Web console" in person
    second = await (
        await world.client.get("/audit", params={"person": str(ADMIN), "page": "2"})
    ).text()
    assert "Newer" in second and "Older" not in second
    none = await (await world.client.get("/audit", params={"to": "2020-01-01"})).text()
    assert "0 lines found" in none
    bad = await world.client.get("/audit", params={"person": "abc", "from": "yesterday"})
    assert bad.status == 200 and "digits only" in await bad.text()
    async with world.uow() as uow:
        web_lines = await uow.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.channel == "web")
        )
    assert web_lines == 1


async def test_the_audit_filter_offers_every_action_without_reading_the_log(
    both_worlds: World,
) -> None:
    """The actions are those the code writes (``AuditAction``), taken yet or not: listing
    those the log holds read every line of it, however long it grew."""
    world = both_worlds
    await world.sign_in(ADMIN)  # the only line: web-signed-in
    with world.statements() as seen:
        page = await (await world.client.get("/audit")).text()
    offered = re.findall(r"<option(?: selected)?>([a-z-]+)</option>", page)
    assert offered == sorted(AUDIT_ACTIONS) and "broadcast-created" in offered
    assert not [s for s in seen if "DISTINCT" in s.upper()]


async def test_two_uses_racing_for_one_link_let_one_in(world: World) -> None:
    """The write itself is conditional: a use that saw the link unused a moment before,
    while another took it, still gets nothing."""
    from storage.web_console import WebConsoleRepository
    from web.secrets import digest

    token = (await world.link(ADMIN)).split("token=")[1]
    now = world.clock.now()
    async with world.uow() as uow:
        assert await WebConsoleRepository(uow.session).use_sign_in(digest(token), now) == ADMIN
        await uow.commit()
    async with world.uow() as uow:
        late = WebConsoleRepository(uow.session)

        async def saw_it_unused(secret_hash: str, now: object) -> int:
            return ADMIN

        late.usable_sign_in = saw_it_unused  # type: ignore[method-assign]
        assert await late.use_sign_in(digest(token), now) is None


# -- the database ------------------------------------------------------------------------
async def test_pages_are_served_across_closed_database_connections(
    request: pytest.FixtureRequest,
) -> None:
    """PostgreSQL restarted under a signed-in administrator: the next page comes, not an
    error (the pool's connections were used a moment ago and are not pinged; the page runs
    again on a fresh connection), and a form posted then does what it says."""
    server, name = await postgres_database(request)
    try:
        async with open_world(server.url(name)) as world:
            csrf = await world.sign_in(ADMIN)
            assert await server.close_connections(name) >= 1
            page = await world.client.get("/overview")
            assert page.status == 200 and "Overview" in await page.text()
            assert await server.close_connections(name) >= 1
            ended = await world.client.post("/signout", data={"csrf": csrf})
            assert ended.status == 200  # followed to the sign-in page
            assert await world.count(WebSession) == 0
            assert (await world.client.get("/overview", allow_redirects=False)).status == 303
    finally:
        await server.drop_database(name)
