"""The console's Members page: for administrators only; search by name, skill, role and
province; a profile with no more than the admin console shows (never the phone); the export
equal to ``dcc-bot members export``'s, audited with the channel web; the import writing what
``dcc-bot members import`` writes, with each skipped line's reason in the reader's language."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import FormData
from sqlalchemy import select

from bot.commands import export_members, import_members
from bot.config import load_settings
from storage.models import AuditEntry, Member
from tests.web.test_console import ADMIN, MODERATOR, World

CSV_HEADER = "telegram_id,full_name,language,role,province,country,skills,open_to_work,created_at\n"
IMPORT = (
    CSV_HEADER
    + "1001,Sok Dara,km,student,phnom-penh,,ai;data,true,2025-01-02T03:04:05+00:00\n"
    + "1002,Bad Role,en,wizard,phnom-penh,,ai,false,\n"
    + '1003,"Chan, Vanna",en,academic,abroad,Japan,web,no,\n'
    + "1004,Nowhere,en,student,atlantis,,ai,false,\n"
    + "1001,Again,en,student,kep,,ai,false,\n"
)


async def seed(world: World) -> None:
    now = world.clock.now()
    rows = [
        {"telegram_id": 11, "full_name": "Sok Dara", "role": "student", "province": "kep",
         "language": "km", "skills": ["ai"], "username": "sokdara"},
        {"telegram_id": 12, "full_name": "Chan Vanna", "role": "academic", "province": "kep",
         "language": "en", "skills": ["data"], "directory_visible": False},
        {"telegram_id": 13, "full_name": "Dara Chan", "role": "student",
         "province": "phnom-penh", "language": "en", "skills": ["ai", "data"]},
        {"telegram_id": 14, "full_name": "Erased Dara", "role": "student", "province": "kep",
         "language": "en", "skills": ["ai"]},
    ]  # fmt: skip
    async with world.uow() as uow:
        await uow.members.upsert_many(rows, now - timedelta(days=3))
        member = await uow.members.get(13)
        erased = await uow.members.get(14)
        assert member is not None and erased is not None
        member.phone = "+855 12 345 678"
        await uow.members.erase(erased, now)
        await uow.commit()


async def test_the_members_pages_are_for_administrators_only(world: World) -> None:
    await seed(world)
    csrf = await world.sign_in(MODERATOR)
    for path in ("/members", "/members/11", "/members/import"):
        assert (await world.client.get(path)).status == 403, path
    export = await world.client.post("/members/export", data={"csrf": csrf})
    assert export.status == 403 and "Sok" not in await export.text()
    async with world.uow() as uow:
        actions = (await uow.session.scalars(select(AuditEntry.action))).all()
    assert "members-exported" not in actions


async def test_an_import_without_its_form_token_writes_nothing(world: World) -> None:
    await world.sign_in(ADMIN)
    for token in ({}, {"csrf": "wrong"}):
        form = FormData(token)
        form.add_field("file", IMPORT.encode(), filename="m.csv", content_type="text/csv")
        refused = await world.client.post("/members/import", data=form)
        assert refused.status == 403
    assert await world.count(Member) == 0


def found(page: str) -> list[str]:
    return re.findall(r'<a href="/members/\d+">([^<]+)</a>', page)


async def test_the_search_filters_by_name_skill_role_and_province(world: World) -> None:
    await seed(world)
    await world.sign_in(ADMIN)

    async def search(**query: str) -> list[str]:
        page = await world.client.get("/members", params=query)
        assert page.status == 200
        return found(await page.text())

    # not in the directory or not: every member not erased; the erased one never
    assert sorted(await search()) == ["Chan Vanna", "Dara Chan", "Sok Dara"]
    assert "3 members found" in await (await world.client.get("/members")).text()
    assert sorted(await search(name="dara")) == ["Dara Chan", "Sok Dara"]
    assert await search(name="@sokd") == ["Sok Dara"]
    assert await search(name="12") == ["Chan Vanna"]
    assert sorted(await search(skill="data")) == ["Chan Vanna", "Dara Chan"]
    assert await search(skill="data", role="student") == ["Dara Chan"]
    assert sorted(await search(province="kep")) == ["Chan Vanna", "Sok Dara"]
    assert await search(name="%") == []  # a wildcard is a character like any other
    assert sorted(await search(role="wizard")) == ["Chan Vanna", "Dara Chan", "Sok Dara"]


async def test_the_search_is_paged(world: World) -> None:
    async with world.uow() as uow:
        rows = [
            {"telegram_id": 100 + n, "full_name": f"Member {n}", "role": "student",
             "province": "kep", "language": "en", "skills": []}
            for n in range(30)
        ]  # fmt: skip
        await uow.members.upsert_many(rows, world.clock.now())
        await uow.commit()
    await world.sign_in(ADMIN)
    first = await (await world.client.get("/members")).text()
    assert len(found(first)) == 25 and "30 members found, page 1." in first
    second = await (await world.client.get("/members", params={"page": "2"})).text()
    assert len(found(second)) == 5 and set(found(first)).isdisjoint(found(second))


async def test_a_profile_shows_what_the_admin_console_shows_and_never_the_phone(
    world: World,
) -> None:
    await seed(world)
    await world.sign_in(ADMIN)
    page = await world.client.get("/members/13")
    text = await page.text()
    assert page.status == 200 and "Dara Chan" in text and "Phnom Penh" in text
    assert "345" not in text and "Phone" not in text
    labels = re.findall(r'<th scope="row">([^<]+)</th>', text)
    assert labels == [
        "Name", "Telegram id", "Telegram username", "Language", "Role", "Organisation",
        "Location", "Skills", "Years of experience", "Open to job opportunities",
        "Job alerts", "Visible in the member directory",
        "Hidden from the directory by the moderators", "Signed up",
    ]  # fmt: skip
    assert (await world.client.get("/members/14")).status == 404  # erased
    assert (await world.client.get("/members/999")).status == 404


@pytest.fixture
def settings_of(world: World, tmp_path: Path) -> object:
    return load_settings(
        {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'console.sqlite3'}"}, dotenv=False
    )


async def test_the_export_is_the_command_lines_and_is_audited_through_the_web(
    world: World, settings_of: object, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed(world)
    csrf = await world.sign_in(ADMIN)
    assert (await world.client.post("/members/export", data={})).status == 403
    export = await world.client.post("/members/export", data={"csrf": csrf})
    assert export.status == 200 and export.content_type == "text/csv"
    assert "attachment" in export.headers["Content-Disposition"]
    body = (await export.read()).decode("utf-8-sig")
    await export_members(settings_of)  # type: ignore[arg-type]
    assert body == capsys.readouterr().out and body.count("\n") == 4  # header + 3 members
    async with world.uow() as uow:
        lines = (
            await uow.session.execute(
                select(AuditEntry.action, AuditEntry.actor_telegram_id, AuditEntry.channel,
                       AuditEntry.detail).where(AuditEntry.action == "members-exported")
            )
        ).all()  # fmt: skip
    assert [tuple(line) for line in lines] == [
        ("members-exported", ADMIN, "web", {"members": 3}),
        ("members-exported", None, "cli", {"members": 3}),
    ]


async def stored(world: World) -> list[tuple[object, ...]]:
    async with world.uow() as uow:
        members = (await uow.session.scalars(select(Member).order_by(Member.telegram_id))).all()
        return [
            (m.telegram_id, m.full_name, m.language, m.role, m.province, m.country,
             m.open_to_work, m.alert_frequency, await uow.members.skills(m.id))
            for m in members
        ]  # fmt: skip


async def test_the_import_writes_what_the_command_line_writes_and_reports_each_line(
    world: World, settings_of: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "members.csv"
    source.write_text(IMPORT, encoding="utf-8")
    assert await import_members(settings_of, source) == 1  # type: ignore[arg-type]
    by_cli = await stored(world)
    cli_errors = capsys.readouterr().err.strip().splitlines()
    async with world.uow() as uow:
        for member in (await uow.session.scalars(select(Member))).all():
            await uow.session.delete(member)
        await uow.commit()

    csrf = await world.sign_in(ADMIN)
    form = FormData({"csrf": csrf})
    form.add_field("file", IMPORT.encode("utf-8-sig"), filename="m.csv", content_type="text/csv")
    page = await world.client.post("/members/import", data=form)
    text = await page.text()
    assert page.status == 200, text
    assert await stored(world) == by_cli and len(by_cli) == 2
    assert "Imported: 2 new members, 0 members updated, 3 rows skipped." in text
    skipped = re.findall(r'<td class="number">(\d+)</td><td>([^<]+)</td>', text)
    assert [f"{source}:{line}: {why}".replace("&#39;", "'") for line, why in skipped] == (
        cli_errors
    )
    async with world.uow() as uow:
        audit = (
            await uow.session.execute(
                select(AuditEntry.action, AuditEntry.channel, AuditEntry.detail)
                .where(AuditEntry.action.like("members-import%"))
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [tuple(a) for a in audit][2:] == [
        ("members-import-started", "web", {"file": "m.csv"}),
        ("members-imported", "web", {"file": "m.csv", "inserted": 2, "updated": 0, "skipped": 3}),
    ]
    # in Khmer: the report and each reason
    await world.client.post("/language", data={"csrf": csrf, "language": "km"})
    form = FormData({"csrf": csrf})
    form.add_field("file", IMPORT.encode(), filename="m.csv", content_type="text/csv")
    khmer = await (await world.client.post("/members/import", data=form)).text()
    reasons = re.findall(r'<td class="number">\d+</td><td>([^<]+)</td>', khmer)
    assert len(reasons) == 3 and all("មិន" in r or "ដដែល" in r for r in reasons)
    assert "បានធ្វើបច្ចុប្បន្នភាព" not in khmer and "ធ្វើបច្ចុប្បន្នភាពសមាជិក ២ នាក់" in khmer  # Khmer digits


async def test_a_bad_file_is_refused_with_a_message_and_writes_nothing(world: World) -> None:
    from web.pages.members import IMPORT_LIMIT

    csrf = await world.sign_in(ADMIN)

    async def send(content: bytes, filename: str = "m.csv") -> tuple[int, str]:
        form = FormData({"csrf": csrf})
        form.add_field("file", content, filename=filename, content_type="text/csv")
        response = await world.client.post("/members/import", data=form)
        return response.status, await response.text()

    large = (CSV_HEADER + "1,A,en,student,kep,,,false,\n" * 50_000).encode()[: IMPORT_LIMIT + 1]
    status, text = await send(large)
    assert status == 400 and "larger than 1 MB" in text
    status, text = await send(b"x" * (3 * 1024 * 1024))
    assert status == 413 and "larger than the console takes" in text
    status, text = await send(b"telegram_id,full_name\n1,Sok\n")
    assert status == 400 and "the header lacks role, province" in text
    status, text = await send(b"\xff\xfe" + "telegram_id".encode("utf-16-le"))
    assert status == 400 and "not UTF-8" in text
    assert await world.count(Member) == 0
    async with world.uow() as uow:
        actions = (await uow.session.scalars(select(AuditEntry.action))).all()
    assert not [a for a in actions if a.startswith("members-import")]
