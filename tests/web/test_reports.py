"""The console's Reports page: reported questions, answers and profiles, and the hidden
members, decided with the bot's operations (same rows, audit line with the channel "web",
same notice), for moderators and administrators; a moderator never decides about
themselves."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.i18n import Translations
from handlers.community.operations import hidden_notice, hide_undone_notice
from storage.models import AuditEntry, Member, OutboxMessage, ProfileReport, Question, Report
from tests.web import test_console
from tests.web.test_console import ADMIN, MODERATOR, PROJECT, World

world = test_console.world  # the console's fixture: a database, a fake clock, a client

SOK, DARA = 801, 802


async def members(world: World) -> dict[int, int]:
    """Sok (Khmer), Dara and the moderator as members: Telegram id → member id."""
    now = world.clock.now()
    async with world.uow() as uow:
        await uow.members.upsert_many(
            [
                {"telegram_id": t, "full_name": name, "role": "student", "province": "kep",
                 "language": lang, "skills": ["ai"], "directory_visible": True}
                for t, name, lang in ((SOK, "Sok <i>", "km"), (DARA, "Dara", "en"),
                                      (MODERATOR, "Mod", "en"))
            ],
            now,
        )  # fmt: skip
        ids = {}
        for telegram_id in (SOK, DARA, MODERATOR):
            member = await uow.members.get(telegram_id)
            assert member is not None
            ids[telegram_id] = member.id
        await uow.commit()
    return ids


async def question_reported(world: World, asker: int, reporter: int) -> tuple[int, int]:
    now = world.clock.now()
    async with world.uow() as uow:
        question = await uow.questions.add_question(
            asker, "How do I <script>x</script> deploy?", "", ["ai"], now, now
        )
        report = await uow.questions.add_report(reporter, "question", question.id, now)
        await uow.commit()
        return question.id, report.id


async def profile_reported(world: World, member: int, reporter: int) -> int:
    async with world.uow() as uow:
        report = await uow.community.add_report(reporter, member, "Spam <b>", world.clock.now())
        await uow.commit()
        return report.id


async def rows(world: World, model: type) -> list:
    async with world.uow() as uow:
        return list(await uow.session.scalars(select(model)))


async def audit(world: World) -> list[tuple]:
    return [
        (a.actor_telegram_id, a.action, a.detail, a.channel) for a in await rows(world, AuditEntry)
    ]


def notice(language: str, render: object) -> str:
    text, _ = render(Translations(PROJECT / "locales").for_language(language))  # type: ignore[operator]
    return text


async def test_moderators_and_administrators_see_the_reports_escaped(world: World) -> None:
    ids = await members(world)
    await question_reported(world, ids[SOK], ids[DARA])
    await profile_reported(world, ids[SOK], ids[DARA])
    for person in (MODERATOR, ADMIN):
        client = await world.new_client()
        await world.sign_in(person, client)
        home = await client.get("/", allow_redirects=False)
        if person == MODERATOR:
            assert home.headers["Location"] == "/reports"  # the moderators' home
        page = await client.get("/reports")
        html = await page.text()
        assert page.status == 200
        assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
        assert "Reason: Spam &lt;b&gt;" in html and "Sok &lt;i&gt;" in html
        assert "A member reported a question:" in html and "Hide from the directory" in html
        await client.close()


async def test_hiding_a_question_writes_and_audits_as_the_bot_does(world: World) -> None:
    ids = await members(world)
    question_id, report_id = await question_reported(world, ids[SOK], ids[DARA])
    csrf = await world.sign_in(MODERATOR)
    without = await world.client.post(
        "/reports/item", data={"report": str(report_id), "decision": "hide"}
    )
    assert without.status == 403 and [r.status for r in await rows(world, Report)] == ["open"]
    for decision in ("", "delete"):
        unclear = await world.client.post(
            "/reports/item", data={"csrf": csrf, "report": str(report_id), "decision": decision}
        )
        assert unclear.status == 400 and "Choose Hide or Keep." in await unclear.text()
    assert [r.status for r in await rows(world, Report)] == ["open"]
    done = await world.client.post(
        "/reports/item", data={"csrf": csrf, "report": str(report_id), "decision": "hide"},
        allow_redirects=False,
    )  # fmt: skip
    assert done.status == 303 and done.headers["Location"] == "/reports?done=hidden"
    [report] = await rows(world, Report)
    assert (report.status, report.resolved_by) == ("hidden", MODERATOR)
    [question] = await rows(world, Question)
    assert question.id == question_id and question.hidden and question.status == "closed"
    assert (MODERATOR, "report-hidden", {"report": report_id}, "web") in await audit(world)
    again = await world.client.post(
        "/reports/item", data={"csrf": csrf, "report": str(report_id), "decision": "keep"}
    )
    assert again.status == 400
    assert "Another moderator has already handled this report." in await again.text()
    assert (await rows(world, Report))[0].status == "hidden"


async def test_hiding_a_profile_and_undoing_it_tell_the_member_as_the_bot_does(
    world: World,
) -> None:
    ids = await members(world)
    report_id = await profile_reported(world, ids[SOK], ids[DARA])
    csrf = await world.sign_in(MODERATOR)
    done = await world.client.post(
        "/reports/profile", data={"csrf": csrf, "report": str(report_id), "decision": "hide"},
        allow_redirects=False,
    )  # fmt: skip
    assert done.status == 303
    [report] = await rows(world, ProfileReport)
    assert (report.status, report.resolved_by) == ("hidden", MODERATOR)
    sok = next(m for m in await rows(world, Member) if m.telegram_id == SOK)
    assert not sok.directory_visible
    hidden_line = (MODERATOR, "member-hidden", {"member": ids[SOK], "reports": [report_id]}, "web")
    assert hidden_line in await audit(world)
    [told] = await rows(world, OutboxMessage)
    assert told.chat_id == SOK and told.text == notice("km", hidden_notice)
    late = await world.client.post(
        "/reports/profile", data={"csrf": csrf, "report": str(report_id), "decision": "keep"}
    )
    assert late.status == 400 and "already handled" in await late.text()
    page = await (await world.client.get("/reports")).text()
    assert "Undo the hide" in page and f'name="member" value="{ids[SOK]}"' in page
    undone = await world.client.post(
        "/reports/undo-hide", data={"csrf": csrf, "member": str(ids[SOK])}, allow_redirects=False
    )
    assert undone.status == 303
    assert (await rows(world, ProfileReport))[0].status == "restored"
    undo_line = (
        MODERATOR,
        "member-hide-undone",
        {"member": ids[SOK], "reports": [report_id]},
        "web",
    )
    assert undo_line in await audit(world)
    told_again = [o.text for o in await rows(world, OutboxMessage) if o.chat_id == SOK]
    assert told_again == [notice("km", hidden_notice), notice("km", hide_undone_notice)]
    twice = await world.client.post(
        "/reports/undo-hide", data={"csrf": csrf, "member": str(ids[SOK])}
    )
    assert twice.status == 400 and "not hidden any more" in await twice.text()


async def test_keeping_a_profile_changes_only_the_report(world: World) -> None:
    ids = await members(world)
    report_id = await profile_reported(world, ids[SOK], ids[DARA])
    csrf = await world.sign_in(ADMIN)
    done = await world.client.post(
        "/reports/profile", data={"csrf": csrf, "report": str(report_id), "decision": "keep"},
        allow_redirects=False,
    )  # fmt: skip
    assert done.status == 303
    assert (await rows(world, ProfileReport))[0].status == "kept"
    assert (ADMIN, "member-report-kept", {"report": report_id}, "web") in await audit(world)
    assert await rows(world, OutboxMessage) == []


async def test_a_moderator_never_decides_a_report_about_themselves(world: World) -> None:
    ids = await members(world)
    _, item_report = await question_reported(world, ids[MODERATOR], ids[DARA])
    profile_report = await profile_reported(world, ids[MODERATOR], ids[DARA])
    csrf = await world.sign_in(MODERATOR)
    for path, report_id in (("/reports/item", item_report), ("/reports/profile", profile_report)):
        refused = await world.client.post(
            path, data={"csrf": csrf, "report": str(report_id), "decision": "hide"}
        )
        assert refused.status == 400, path
        assert "This report is about you: another moderator will decide it." in await refused.text()
    assert [r.status for r in await rows(world, Report)] == ["open"]
    assert [r.status for r in await rows(world, ProfileReport)] == ["open"]
    assert [a for a in await audit(world) if a[3] == "web" and a[1] != "web-signed-in"] == []
    bad = await world.client.post("/reports/item", data={"csrf": csrf, "report": str(item_report)})
    assert bad.status == 400 and [r.status for r in await rows(world, Report)] == ["open"]
