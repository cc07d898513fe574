"""The console's Broadcasts pages over HTTP: only administrators; every form needs its
token; a broadcast composed on the page is the same row and audit line (channel web) as the
one /broadcast writes; cancel, stop, the live count against storage's, the CSV of the
recipients not reached (audited, administrators only), Duplicate, and a preview that shows
what members wrote as text, never as markup."""

# ruff: noqa: F811 - the console tests' ``world`` fixture, imported, is every test's argument
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from handlers.acting import Acting
from handlers.broadcast import operations
from handlers.broadcast.delivery import expand
from handlers.dates import parse_moment
from storage.broadcasts import Audience
from storage.models import AuditEntry, Broadcast, OutboxMessage
from tests.web.test_console import ADMIN, MODERATOR, PAGES, World, world  # noqa: F401
from web.console import CONSOLE, Console
from web.telegram_html import safe_html

KM = "សិក្ខាសាលាសន្តិសុខអ៊ីនធឺណិត <ថ្ងៃសុក្រ>"
EN = "Cybersecurity workshop on <Friday> & bring a laptop"
MEMBERS = [  # telegram id, language, role, province, skills
    (11, "km", "student", "kep", ["ai"]),
    (12, "en", "student", "siem-reap", ["web"]),
    (13, "km", "academic", "kep", ["web"]),
    (14, "km", "other", "phnom-penh", ["ai", "web"]),
    (15, "en", "academic", "abroad", []),
]


async def add_members(world: World) -> None:
    async with world.uow() as uow:
        rows = [
            {"telegram_id": t, "full_name": f"Member {t}", "language": lang, "role": role,
             "province": province, "skills": skills}
            for t, lang, role, province, skills in MEMBERS
        ]  # fmt: skip
        rows[0]["full_name"] = "=HYPERLINK(1)"  # a name that starts like a formula
        await uow.members.upsert_many(rows, world.clock.now() - timedelta(days=3))
        await uow.commit()


def form(csrf: str, action: str, **values: Any) -> dict[str, Any]:
    base = {"csrf": csrf, "km": KM, "en": EN, "link": "mptc.gov.kh/workshop", "action": action}
    return {**base, **values}


async def broadcasts(world: World) -> list[Broadcast]:
    async with world.uow() as uow:
        return list(await uow.session.scalars(select(Broadcast).order_by(Broadcast.id)))


async def audit(world: World, action: str) -> list[AuditEntry]:
    async with world.uow() as uow:
        return list(
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


async def start_sending(world: World, broadcast_id: int) -> None:
    """What the delivery job does first: start it and write its audience to the outbox."""
    async with world.uow() as uow:
        await uow.broadcasts.start_due(world.clock.now())
        await uow.commit()
    await expand(world.uow, console(world).translations, broadcast_id, world.clock.now)


def console(world: World) -> Console:
    app = world.client.app
    assert app is not None
    return app[CONSOLE]


# -- roles and forms -------------------------------------------------------------------------
async def test_the_broadcast_pages_are_for_administrators_only(world: World) -> None:
    await add_members(world)
    csrf = await world.sign_in(ADMIN)
    created = await world.client.post("/broadcasts/new", data=form(csrf, "send"))
    assert created.status == 200  # followed to its page
    number = (await broadcasts(world))[0].id
    paths = [
        "/broadcasts", "/broadcasts/new", f"/broadcasts/new?from={number}", "/broadcasts/count",
        "/broadcasts/progress", f"/broadcasts/{number}", f"/broadcasts/{number}/unreached.csv",
    ]  # fmt: skip
    for path in paths:
        assert (await world.client.get(path)).status == 200, path
    moderator = await world.new_client()
    mod_csrf = await world.sign_in(MODERATOR, moderator)
    for path in paths:
        assert (await moderator.get(path, allow_redirects=False)).status == 403, path
    for path in ("/broadcasts/new", "/broadcasts/preview", "/broadcasts/cancel"):
        refused = await moderator.post(path, data=form(mod_csrf, "send", number=str(number)))
        assert refused.status == 403, path
    await moderator.close()
    assert len(await broadcasts(world)) == 1
    assert await audit(world, "broadcast-unreached-exported") != []  # the admin's download only
    assert len(await audit(world, "broadcast-unreached-exported")) == 1


async def test_every_broadcast_form_needs_its_token(world: World) -> None:
    await add_members(world)
    csrf = await world.sign_in(ADMIN)
    world.clock.advance(minutes=1)
    at = (world.clock.now() + timedelta(days=1)).astimezone(UTC)
    later = form(csrf, "schedule", send_at=at.strftime("%Y-%m-%dT%H:%M"))
    assert (await world.client.post("/broadcasts/new", data=later)).status == 200
    number = (await broadcasts(world))[0].id
    posts = [p.path for p in PAGES if p.method == "POST" and p.path.startswith("/broadcasts")]
    assert set(posts) == {
        "/broadcasts/new", "/broadcasts/preview", "/broadcasts/stop", "/broadcasts/cancel",
    }  # fmt: skip
    for path in posts:
        for token in ({}, {"csrf": "wrong"}):
            data = {**form("", "send", number=str(number)), **token}
            if not token:
                del data["csrf"]
            refused = await world.client.post(path, data=data, allow_redirects=False)
            assert refused.status == 403, path
    rows = await broadcasts(world)
    assert [(b.id, b.status) for b in rows] == [(number, "scheduled")]
    assert len(await audit(world, "broadcast-created")) == 1


# -- creating: the same as /broadcast --------------------------------------------------------
def row_of(broadcast: Broadcast) -> dict[str, Any]:
    columns = {c.name: getattr(broadcast, c.key) for c in Broadcast.__table__.columns}
    return {k: v for k, v in columns.items() if k not in ("id",)}


async def test_a_broadcast_from_the_page_is_the_one_broadcast_writes(world: World) -> None:
    await add_members(world)
    csrf = await world.sign_in(ADMIN)
    audience = {"role": ["student", "academic"], "province": "kep", "tag": "web"}
    sent = await world.client.post(
        "/broadcasts/new", data=form(csrf, "send", **audience), allow_redirects=False
    )
    assert sent.status == 303
    cambodia = "2026-11-26T18:00"  # 11:00 UTC
    scheduled = await world.client.post(
        "/broadcasts/new", data=form(csrf, "schedule", send_at=cambodia), allow_redirects=False
    )
    assert scheduled.status == 303
    web_now, web_later = await broadcasts(world)
    assert sent.headers["Location"] == f"/broadcasts/{web_now.id}"
    assert web_later.send_at.replace(tzinfo=UTC) == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    # what /broadcast's flow calls with the same answers (compose.create)
    async with world.uow() as uow:
        bot = console(world)
        chat = Acting(ADMIN, "chat", uow, bot.translations, world.clock.now(), bot.timezone)
        kep_students = Audience(("student", "academic"), ("kep",), ("web",))
        await operations.create(chat, KM, EN, "mptc.gov.kh/workshop", kep_students)
        typed = parse_moment("26/11/2026 18:00", world.clock.now(), bot.timezone)
        await operations.create(chat, KM, EN, "mptc.gov.kh/workshop", Audience(), typed)
        await uow.commit()
    _, _, chat_now, chat_later = await broadcasts(world)
    assert row_of(web_now) == row_of(chat_now) and row_of(web_later) == row_of(chat_later)
    assert web_now.audience["roles"] == ["student", "academic"]
    lines = await audit(world, "broadcast-created")
    assert [line.channel for line in lines] == ["web", "web", "chat", "chat"]
    for web_line, chat_line in zip(lines[:2], lines[2:], strict=True):
        assert web_line.actor_telegram_id == chat_line.actor_telegram_id == ADMIN
        assert {**web_line.detail, "broadcast": 0} == {**chat_line.detail, "broadcast": 0}


async def test_a_refused_broadcast_keeps_what_was_typed(world: World) -> None:
    csrf = await world.sign_in(ADMIN)
    too_long = "ក" * 3501
    refused = await world.client.post(
        "/broadcasts/new", data=form(csrf, "send", km=too_long, province="kep")
    )
    page = await refused.text()
    assert refused.status == 400 and "Please send 1 to 3500 characters." in page
    assert too_long in page and 'value="kep" checked' in page and "too long" in page
    past = await world.client.post(
        "/broadcasts/new", data=form(csrf, "schedule", send_at="2020-01-01T09:00")
    )
    assert past.status == 400 and 'value="2020-01-01T09:00"' in await past.text()
    no_time = await world.client.post("/broadcasts/new", data=form(csrf, "schedule"))
    assert no_time.status == 400 and "Cambodia time" in await no_time.text()
    unknown = await world.client.post(
        "/broadcasts/new", data=form(csrf, "send", province="atlantis")
    )
    assert unknown.status == 400 and "Unknown audience: province:atlantis." in await unknown.text()
    assert await broadcasts(world) == [] and await audit(world, "broadcast-created") == []


# -- cancel, stop, progress ----------------------------------------------------------------------
async def test_a_scheduled_broadcast_is_cancelled_from_the_list(world: World) -> None:
    await add_members(world)
    csrf = await world.sign_in(ADMIN)
    await world.client.post(
        "/broadcasts/new", data=form(csrf, "schedule", send_at="2026-12-25T18:00")
    )
    (broadcast,) = await broadcasts(world)
    listed = await (await world.client.get("/broadcasts")).text()
    assert 'action="/broadcasts/cancel"' in listed and "scheduled" in listed
    cancelled = await world.client.post(
        "/broadcasts/cancel", data={"csrf": csrf, "number": str(broadcast.id)},
        allow_redirects=False,
    )  # fmt: skip
    assert cancelled.status == 303 and cancelled.headers["Location"] == "/broadcasts"
    assert [b.status for b in await broadcasts(world)] == ["cancelled"]
    (line,) = await audit(world, "broadcast-cancelled")
    assert line.channel == "web" and line.detail == {"broadcast": broadcast.id}
    again = await world.client.post(
        "/broadcasts/cancel", data={"csrf": csrf, "number": str(broadcast.id), "back": "report"}
    )
    assert again.status == 400 and "cancelled already" in await again.text()
    assert len(await audit(world, "broadcast-cancelled")) == 1


async def test_a_broadcast_being_sent_is_stopped_and_its_progress_shown(world: World) -> None:
    await add_members(world)
    csrf = await world.sign_in(ADMIN)
    await world.client.post("/broadcasts/new", data=form(csrf, "send"))
    (broadcast,) = await broadcasts(world)
    await start_sending(world, broadcast.id)
    async with world.uow() as uow:
        rows = list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        await uow.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == rows[0].id).values(status="sent")
        )
        await uow.commit()
    progress = await (await world.client.get("/broadcasts/progress")).json()
    (row,) = progress["broadcasts"]
    assert (row["status"], row["total"], row["sent"], row["left"]) == ("sending", "5", "1", "4")
    page = await (await world.client.get(f"/broadcasts/{broadcast.id}")).text()
    assert "is being sent" in page and 'action="/broadcasts/stop"' in page
    stopped = await world.client.post(
        "/broadcasts/stop", data={"csrf": csrf, "number": str(broadcast.id), "back": "report"},
        allow_redirects=False,
    )  # fmt: skip
    assert stopped.headers["Location"] == f"/broadcasts/{broadcast.id}"
    assert [b.status for b in await broadcasts(world)] == ["stopped"]
    (line,) = await audit(world, "broadcast-stopped")
    assert line.channel == "web"
    async with world.uow() as uow:
        statuses = sorted(
            (await uow.session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.broadcast_id == broadcast.id)
            )).all()
        )  # fmt: skip
        report = await uow.session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.like("broadcast-report:%"))
        )
    assert statuses == ["sent"] + ["stopped"] * 4
    assert report is not None and report.chat_id == ADMIN and "was stopped" in report.text
    page = await (await world.client.get(f"/broadcasts/{broadcast.id}")).text()
    assert "was stopped" in page and "Not sent: 4" in page
    again = await world.client.post(
        "/broadcasts/stop", data={"csrf": csrf, "number": str(broadcast.id)}
    )
    assert again.status == 400 and "no longer being sent" in await again.text()


# -- the count ---------------------------------------------------------------------------------
async def test_the_count_is_storages_count(world: World) -> None:
    await add_members(world)
    await world.sign_in(ADMIN)
    queries: list[tuple[list[tuple[str, str]], Audience]] = [
        ([], Audience()),
        ([("role", "student")], Audience(roles=("student",))),
        ([("province", "kep"), ("province", "abroad")], Audience(provinces=("kep", "abroad"))),
        ([("tag", "web"), ("role", "academic")], Audience(("academic",), (), ("web",))),
        ([("experts", "1")], Audience(experts=True)),
    ]
    for query, audience in queries:
        answer = await world.client.get("/broadcasts/count", params=query)
        data = await answer.json()
        async with world.uow() as uow:
            counts = await uow.broadcasts.count_by_language(audience)
        assert data["total"] == sum(counts.values()), query
        assert (data["km"], data["en"]) == (counts.get("km", 0), counts.get("en", 0))
        assert f"Recipients: {data['total']} " in data["text"]
    assert (await (await world.client.get("/broadcasts/count")).json())["total"] == 5
    bad = await world.client.get("/broadcasts/count", params={"tag": "knitting"})
    assert bad.status == 400 and "Unknown audience" in (await bad.json())["error"]
    # without the script: Preview and count shows it on the page
    page = await world.client.post(
        "/broadcasts/new", data=form(await world.csrf(), "preview", role="student")
    )
    assert page.status == 200 and "Recipients: 2 (1 reading Khmer, 1 reading English)" in (
        await page.text()
    )
    assert await broadcasts(world) == []


# -- the recipients not reached --------------------------------------------------------------
async def test_the_recipients_not_reached_as_csv(world: World) -> None:
    await add_members(world)
    csrf = await world.sign_in(ADMIN)
    await world.client.post("/broadcasts/new", data=form(csrf, "send"))
    (broadcast,) = await broadcasts(world)
    await start_sending(world, broadcast.id)
    outcome = {11: "unreachable", 12: "failed", 13: "sent", 14: "sent", 15: "unreachable"}
    async with world.uow() as uow:
        for chat, status in outcome.items():
            await uow.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.chat_id == chat, OutboxMessage.broadcast_id == broadcast.id)
                .values(status=status)
            )
        await uow.commit()
    page = await (await world.client.get(f"/broadcasts/{broadcast.id}")).text()
    assert "Recipients not reached (CSV, 3)" in page
    download = await world.client.get(f"/broadcasts/{broadcast.id}/unreached.csv")
    assert download.status == 200 and download.content_type == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    body = (await download.read()).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body))) == [
        ["telegram_id", "full_name", "reason"],
        ["11", "'=HYPERLINK(1)", "blocked"],
        ["12", "Member 12", "failed"],
        ["15", "Member 15", "blocked"],
    ]
    (line,) = await audit(world, "broadcast-unreached-exported")
    assert (line.actor_telegram_id, line.channel) == (ADMIN, "web")
    assert line.detail == {"broadcast": broadcast.id, "recipients": 3}
    missing = await world.client.get("/broadcasts/999/unreached.csv")
    assert missing.status == 404
    assert len(await audit(world, "broadcast-unreached-exported")) == 1


# -- duplicate and preview ---------------------------------------------------------------------
async def test_duplicate_fills_a_new_draft(world: World) -> None:
    await add_members(world)
    csrf = await world.sign_in(ADMIN)
    await world.client.post(
        "/broadcasts/new", data=form(csrf, "send", role="student", tag=["ai", "web"], experts="1")
    )
    (broadcast,) = await broadcasts(world)
    page = await (await world.client.get(f"/broadcasts/new?from={broadcast.id}")).text()
    assert f">{KM.replace('<', '&lt;').replace('>', '&gt;')}</textarea>" in page
    assert ">Cybersecurity workshop on &lt;Friday&gt; &amp; bring a laptop</textarea>" in page
    assert 'value="https://mptc.gov.kh/workshop"' in page
    checked = re.findall(r'name="(\w+)" value="([\w-]+)" checked', page)
    assert sorted(checked) == [("experts", "1"), ("role", "student"), ("tag", "ai"), ("tag", "web")]
    assert 'name="send_at" value=""' in page and len(await broadcasts(world)) == 1
    unknown = await world.client.get("/broadcasts/new?from=999")
    assert unknown.status == 404 and "There is no broadcast #999." in await unknown.text()


async def test_the_preview_shows_what_members_wrote_as_text(world: World) -> None:
    await add_members(world)
    csrf = await world.sign_in(ADMIN)
    typed = '<script>alert(1)</script><b onclick="x()">bold?</b> 🎉'
    shown = await world.client.post(
        "/broadcasts/preview", data=form(csrf, "", km=typed, link="javascript:alert(1)")
    )
    html = await shown.text()
    assert shown.status == 200
    assert "<script" not in html and "<b onclick" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b onclick=" in html
    assert "<b>Digital Community of Cambodia</b>" in html  # the bot's own markup is kept
    assert "Please send a web address" in html and 'href="javascript' not in html
    # the length as Telegram counts it: the emoji counts 2
    assert f"{len(typed) + 1} of 3,500 characters" in html
    page = await (
        await world.client.post("/broadcasts/new", data=form(csrf, "preview", km=typed))
    ).text()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page


def test_telegram_html_keeps_only_telegrams_formatting() -> None:
    given = (
        "<b>b</b><strong>s</strong><i>i</i><u>u</u><s>x</s><code>c</code><pre>p</pre>"
        '<a href="https://e.kh/?a=1&amp;b=2">ok</a><a href="javascript:alert(1)">no</a>'
        "<img src=x onerror=alert(1)><div style='x'>d</div>&lt;i&gt; <b>open"
    )
    assert str(safe_html(given)) == (
        "<b>b</b><b>s</b><i>i</i><u>u</u><s>x</s><code>c</code><pre>p</pre>"
        '<a href="https://e.kh/?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">'
        "ok</a><a>no</a>&lt;img src=x onerror=alert(1)&gt;&lt;div style=&#x27;x&#x27;&gt;d"
        "&lt;/div&gt;&lt;i&gt; <b>open</b>"
    )


async def test_the_broadcast_pages_in_khmer(world: World) -> None:
    await add_members(world)
    csrf = await world.sign_in(ADMIN)
    await world.client.post("/broadcasts/new", data=form(csrf, "send"))
    (broadcast,) = await broadcasts(world)
    await start_sending(world, broadcast.id)
    await world.client.post("/language", data={"csrf": csrf, "language": "km", "next": "/"})
    for path in ("/broadcasts", "/broadcasts/new", f"/broadcasts/{broadcast.id}"):
        page = await world.client.get(path)
        assert page.status == 200, path
        assert 'lang="km"' in await page.text()
    listed = await (await world.client.get("/broadcasts")).text()
    assert "ការផ្សាយ" in listed and "ចម្លង" in listed  # Broadcasts, Duplicate
    count = await (await world.client.get("/broadcasts/count")).json()
    assert count["text"].startswith("អ្នកទទួល៖ ៥")  # Khmer digits on a Khmer page
    number = str(broadcast.id).translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    assert f'<a href="/broadcasts/{broadcast.id}">{number}</a>' in listed  # the link stays
    assert "ថ្ងៃទី" in listed and "ឆ្នាំ២០២៦ ម៉ោង " in listed  # the date, the Khmer way


# -- the category ----------------------------------------------------------------------------
async def test_a_broadcast_with_a_category_leaves_out_who_switched_it_off(world: World) -> None:
    await add_members(world)
    async with world.uow() as uow:
        for telegram_id in (11, 12):  # one reads Khmer, one English
            member = await uow.members.get(telegram_id)
            assert member is not None
            await uow.content.switch_category(member.id, "events", on=False)
        await uow.commit()
    csrf = await world.sign_in(ADMIN)
    page = await (await world.client.get("/broadcasts/new")).text()
    assert '<select id="category" name="category"' in page
    assert '<option value="official" selected>Official announcements</option>' in page
    count = await (
        await world.client.get("/broadcasts/count", params={"category": "events"})
    ).json()
    assert (count["total"], count["km"], count["en"]) == (3, 2, 1)
    preview = await world.client.post(
        "/broadcasts/new", data=form(csrf, "preview", category="events")
    )
    text = await preview.text()
    assert "Recipients: 3 (2 reading Khmer, 1 reading English)" in text
    assert '<option value="events" selected>Events</option>' in text
    unknown = await world.client.post("/broadcasts/new", data=form(csrf, "send", category="gossip"))
    assert unknown.status == 400 and "Unknown category: gossip." in await unknown.text()
    assert await broadcasts(world) == []

    sent = await world.client.post(
        "/broadcasts/new", data=form(csrf, "send", category="events"), allow_redirects=False
    )
    assert sent.status == 303
    (broadcast,) = await broadcasts(world)
    assert broadcast.category == "events"
    (line,) = await audit(world, "broadcast-created")
    assert line.detail["category"] == "events" and line.channel == "web"
    await start_sending(world, broadcast.id)
    async with world.uow() as uow:
        chats = set(
            await uow.session.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.broadcast_id == broadcast.id)
            )
        )
        await uow.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.broadcast_id == broadcast.id)
            .values(status="sent")
        )
        await uow.commit()
    assert chats == {13, 14, 15}
    await world.client.get("/broadcasts/progress")
    async with world.uow() as uow:
        stored = await uow.broadcasts.get(broadcast.id)
        assert stored is not None
        stored.status = "done"
        await uow.commit()
    page = await (await world.client.get(f"/broadcasts/{broadcast.id}")).text()
    assert "Left out by their choice (Events switched off): 2" in page  # the report
    assert re.search(r'Left out by their choice</th><td class="number" id="left_out">2<', page)
    duplicate = await (await world.client.get(f"/broadcasts/new?from={broadcast.id}")).text()
    assert '<option value="events" selected>Events</option>' in duplicate
