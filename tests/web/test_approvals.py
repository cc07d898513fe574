"""The console's Approvals page: expert applications and company registrations decided with
the bot's operations (same rows, same audit line with the channel "web", same notice to the
member), administrators only, the first decision counting."""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.core.i18n import Translations
from handlers.acting import Acting
from handlers.jobs.company_messages import company_decision
from handlers.questions.operations import decide_application, decision_notice
from storage.models import AuditEntry, Company, ExpertApplication, ExpertTag, OutboxMessage
from tests.web import test_console
from tests.web.test_console import ADMIN, MODERATOR, PROJECT, World

world = test_console.world  # the console's fixture: a database, a fake clock, a client
both_worlds = test_console.both_worlds  # the same on SQLite and on PostgreSQL

SOK, DARA = 801, 802


async def waiting(world: World) -> tuple[int, int, int]:
    """Sok (Khmer) applied as an expert; Dara registered a company: their ids."""
    now = world.clock.now()
    async with world.uow() as uow:
        await uow.members.upsert_many(
            [
                {"telegram_id": SOK, "full_name": "<b>Sok</b>", "role": "student",
                 "province": "kep", "language": "km", "skills": ["ai"]},
                {"telegram_id": DARA, "full_name": "Dara", "role": "private-sector",
                 "province": "phnom-penh", "language": "en", "skills": ["web"]},
            ],
            now,
        )  # fmt: skip
        sok, dara = await uow.members.get(SOK), await uow.members.get(DARA)
        assert sok is not None and dara is not None
        application = await uow.questions.add_application(
            sok.id, ["ai"], "I teach <script>AI</script> at RUPP.", now
        )
        company = await uow.jobs.add_company(
            dara.id, "Angkor <Data>", "Co-123", "IT", None, "We build apps.", now
        )
        await uow.commit()
        return application.id, company.id, sok.id


async def rows(world: World, model: type) -> list:
    async with world.uow() as uow:
        return list(await uow.session.scalars(select(model)))


def notice(world_language: str, render: object) -> str:
    t = Translations(PROJECT / "locales").for_language(world_language)
    text, _ = render(t)  # type: ignore[operator]
    return text


async def test_only_administrators_open_approvals_and_decide(world: World) -> None:
    application_id, company_id, _ = await waiting(world)
    csrf = await world.sign_in(MODERATOR)
    assert (await world.client.get("/approvals")).status == 403
    for path, field, value in (
        ("/approvals/application", "application", application_id),
        ("/approvals/company", "company", company_id),
    ):
        refused = await world.client.post(
            path, data={"csrf": csrf, field: str(value), "decision": "approve"}
        )
        assert refused.status == 403
    assert [a.status for a in await rows(world, ExpertApplication)] == ["pending"]
    assert [c.status for c in await rows(world, Company)] == ["pending"]
    assert await rows(world, OutboxMessage) == []


async def test_the_page_shows_who_asked_escaped(world: World) -> None:
    await waiting(world)
    await world.sign_in(ADMIN)
    page = await world.client.get("/approvals")
    html = await page.text()
    assert page.status == 200
    assert "&lt;b&gt;Sok&lt;/b&gt;" in html and "<b>Sok</b>" not in html
    assert "&lt;script&gt;AI&lt;/script&gt;" in html and "<script>" not in html
    assert "Angkor &lt;Data&gt;" in html and "Registration number: Co-123" in html
    assert (
        "Asked by Dara" in html and "Topics: Artificial intelligence" in html and "Student" in html
    )
    assert f"Asked by Dara · Telegram id {DARA}" in html  # as the bot's card says who asked
    assert 'name="csrf"' in html


async def test_approving_an_expert_writes_audits_and_tells_them_as_the_bot_does(
    world: World,
) -> None:
    application_id, _, sok_id = await waiting(world)
    csrf = await world.sign_in(ADMIN)
    without = await world.client.post(
        "/approvals/application", data={"application": str(application_id), "decision": "approve"}
    )
    assert without.status == 403
    assert [a.status for a in await rows(world, ExpertApplication)] == ["pending"]
    done = await world.client.post(
        "/approvals/application",
        data={"csrf": csrf, "application": str(application_id), "decision": "approve"},
        allow_redirects=False,
    )
    assert done.status == 303 and done.headers["Location"] == "/approvals?done=approved"
    [application] = await rows(world, ExpertApplication)
    assert (application.status, application.decided_by) == ("approved", ADMIN)
    assert [(e.member_id, e.tag_id is not None) for e in await rows(world, ExpertTag)] == [
        (sok_id, True)
    ]
    audit = [
        (a.actor_telegram_id, a.action, a.detail, a.channel) for a in await rows(world, AuditEntry)
    ]
    assert (ADMIN, "expert-approved", {"application": application_id}, "web") in audit
    [told] = await rows(world, OutboxMessage)
    assert told.chat_id == SOK and told.dedupe_key == f"application-decided:{application_id}"
    assert told.text == notice("km", partial(decision_notice, approved=True))
    shown = await (await world.client.get("/approvals?done=approved")).text()
    assert "Approved: the member is told." in shown and "No expert application waits" in shown


async def test_the_first_decision_counts_a_second_says_decided_already(world: World) -> None:
    application_id, company_id, _ = await waiting(world)
    csrf = await world.sign_in(ADMIN)
    async with world.uow() as uow:  # decided in the bot meanwhile, by another administrator
        await uow.staff.grant(ADMIN + 1, "admin", None)
        bot = Acting(
            ADMIN + 1, "chat", uow, Translations(PROJECT / "locales"), world.clock.now(),
            ZoneInfo("Asia/Phnom_Penh"),
        )  # fmt: skip
        await decide_application(bot, application_id, approve=False)
        await uow.commit()
    late = await world.client.post(
        "/approvals/application",
        data={"csrf": csrf, "application": str(application_id), "decision": "approve"},
    )
    assert late.status == 400
    assert "Another administrator has already decided on this application." in await late.text()
    [application] = await rows(world, ExpertApplication)
    assert (application.status, application.decided_by) == ("rejected", ADMIN + 1)
    assert len(await rows(world, OutboxMessage)) == 1  # told once, of the first decision
    first = await world.client.post(
        "/approvals/company",
        data={"csrf": csrf, "company": str(company_id), "decision": "reject"},
        allow_redirects=False,
    )
    assert first.status == 303
    second = await world.client.post(
        "/approvals/company",
        data={"csrf": csrf, "company": str(company_id), "decision": "approve"},
    )
    assert second.status == 400
    assert "Another administrator has already decided on this company." in await second.text()
    [company] = await rows(world, Company)
    assert company.status == "rejected"


async def test_verifying_a_company_writes_audits_and_tells_them_as_the_bot_does(
    world: World,
) -> None:
    _, company_id, _ = await waiting(world)
    csrf = await world.sign_in(ADMIN)
    done = await world.client.post(
        "/approvals/company",
        data={"csrf": csrf, "company": str(company_id), "decision": "approve"},
        allow_redirects=False,
    )
    assert done.status == 303
    [company] = await rows(world, Company)
    assert (company.status, company.decided_by) == ("verified", ADMIN)
    audit = [(a.action, a.detail, a.channel) for a in await rows(world, AuditEntry)]
    assert ("company-verified", {"company": company_id}, "web") in audit
    [told] = await rows(world, OutboxMessage)
    assert told.chat_id == DARA and told.dedupe_key == f"company-decided:{company_id}"
    assert told.text == notice("en", partial(company_decision, company=company))


async def test_a_requester_who_left_is_named_so_and_a_bad_form_decides_nothing(
    world: World,
) -> None:
    _, company_id, _ = await waiting(world)
    async with world.uow() as uow:
        dara = await uow.members.get(DARA)
        assert dara is not None
        dara.deleted_at, dara.full_name = world.clock.now(), None
        await uow.commit()
    csrf = await world.sign_in(ADMIN)
    html = await (await world.client.get("/approvals")).text()
    assert "Asked by a member who has left the community." in html
    for data in ({"company": str(company_id)}, {"company": "x", "decision": "approve"}):
        refused = await world.client.post("/approvals/company", data={"csrf": csrf, **data})
        assert refused.status == 400
    [company] = await rows(world, Company)
    assert company.status == "pending"


async def test_the_page_reads_the_requests_members_at_once_however_many_wait(
    both_worlds: World,
) -> None:
    """The members who asked are read in one statement and the applicants' skills in
    another: the statements a page sends do not grow with the requests it lists."""
    world = both_worlds
    await waiting(world)
    await world.sign_in(ADMIN)
    with world.statements() as few:
        assert (await world.client.get("/approvals")).status == 200
    now = world.clock.now()
    async with world.uow() as uow:
        await uow.members.upsert_many(
            [
                {"telegram_id": 900 + n, "full_name": f"Applicant {n}", "role": "student",
                 "province": "kep", "language": "en", "skills": ["ai", "web"]}
                for n in range(4)
            ],
            now,
        )  # fmt: skip
        for n in range(4):
            member = await uow.members.get(900 + n)
            assert member is not None
            await uow.questions.add_application(member.id, ["web"], f"Note {n}", now)
            await uow.jobs.add_company(member.id, f"Firm {n}", f"R-{n}", "IT", None, "Apps.", now)
        await uow.commit()
    with world.statements() as many:
        html = await (await world.client.get("/approvals")).text()
    assert len(many) == len(few), many
    assert all(f"Applicant {n}" in html and f"Firm {n}" in html for n in range(4))
    assert html.count("Web, Artificial intelligence") == 4  # their skills, in the tags' order
    assert "Asked by Applicant 3 · Telegram id 903" in html
