"""What the bot says, read as members and administrators read it: an empty /news points to
what exists; an opened job goes back to its page and shows an application already sent; a
phone number typed as text; a button's label typed instead of pressed; a registration number
typed in Khmer digits; who asked, on an approval card."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from storage.models import Company, JobApplication, Member
from tests.scenarios.harness import Scenario, add_member

ADMIN = EmuUser(2201, "Admin Sophal")
REP = EmuUser(2202, "Rep Vanna", username="vanna_rep")
SEEKER = EmuUser(2203, "Seeker Lina", username="lina")
KHMER = EmuUser(2204, "សុភា", language_code="km")


async def stored(scenario: Scenario, model: type, *where: object) -> list:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return list(await session.scalars(select(model).where(*where)))  # type: ignore[arg-type]


async def test_an_empty_news_list_says_what_the_other_lists_hold(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    await add_member(scenario, SEEKER)
    await add_member(scenario, KHMER, "km")
    now = scenario.clock.now()
    async with scenario.app.unit_of_work() as uow:
        for n in range(3):
            await uow.content.add("policy", (None, f"Policy {n}"), (None, None), None, [], now)
        for n in range(2):
            await uow.content.add(
                "event", (None, f"Event {n}"), (None, None), None, [], now,
                event_at=now + timedelta(days=n + 1),
            )  # fmt: skip
        await uow.content.add(  # past: not counted
            "event", (None, "Old"), (None, None), None, [], now, event_at=now - timedelta(days=1)
        )
        await uow.commit()
    assert await scenario.say(SEEKER, "/news") == [
        "No news or announcement has been published yet.\n\nYou will find these instead:\n"
        "• Policies (3) /policies\n• Coming events (2) /events"
    ]
    km = translations.for_language("km")
    [khmer] = await scenario.say(KHMER, "/news")
    assert khmer.startswith(km.gettext("No news or announcement has been published yet."))
    assert km.gettext("Policies ({total})").format(total="៣") + " /policies" in khmer
    assert "/opportunities" not in khmer  # nothing there: not offered
    replies = await scenario.say(SEEKER, "/opportunities")
    assert replies[0].startswith("No open opportunity right now.\n\nYou will find these instead:")


async def jobs_of_a_company(scenario: Scenario, count: int) -> int:
    """A verified company with ``count`` open jobs (apply in the bot); the company's id."""
    assert scenario.app is not None
    rep = await add_member(scenario, REP)
    now = scenario.clock.now()
    async with scenario.app.unit_of_work() as uow:
        company = await uow.jobs.add_company(rep, "Angkor Apps", "MOC-1", "IT", None, "Apps.", now)
        company.status = "verified"
        for n in range(count):
            await uow.jobs.add_job(
                company.id, rep, f"Job {n + 1}", "Write code.", ["web"], "phnom-penh",
                "full-time", date(2026, 12, 31), datetime.fromisoformat("2026-12-31T16:59:59+00:00"),
                None, now + timedelta(seconds=n),
            )  # fmt: skip
        await uow.commit()
        return company.id


async def test_an_opened_job_goes_back_to_its_page_and_is_not_applied_for_twice(
    scenario: Scenario, translations: Translations
) -> None:
    await jobs_of_a_company(scenario, 7)
    await add_member(scenario, SEEKER)
    await scenario.say(SEEKER, "/jobs")
    await scenario.press(SEEKER, "Next »")
    [page_two] = scenario.texts_since(SEEKER, len(scenario.emulator.messages(SEEKER.id)) - 1)
    assert "<b>#2</b>" in page_two and "<b>#7</b>" not in page_two  # newest first: 7…3, 2, 1
    [card] = await scenario.press(SEEKER, "#2")
    assert "Job 2" in card
    assert scenario.buttons(SEEKER)[0] == "📨 Apply"
    assert scenario.buttons(SEEKER)[-1] == "« Back to the list"
    [again] = await scenario.press(SEEKER, "Back to the list")
    assert again == page_two  # the page the job was opened from

    await scenario.press(SEEKER, "#2")
    await scenario.press(SEEKER, "Apply")
    await scenario.press(SEEKER, "Send my application")
    [application] = await stored(scenario, JobApplication)
    await scenario.say(SEEKER, "/jobs")
    await scenario.press(SEEKER, "Next »")
    [card] = await scenario.press(SEEKER, "#2")
    day = translations.for_language("en").date(date(2026, 11, 25))  # the member's date style
    assert card.endswith(f"✅ You applied for this job on {day}.")
    assert application.created_at.date() == date(2026, 11, 25)
    assert "📨 Apply" not in scenario.buttons(SEEKER)
    assert "« Back to the list" in scenario.buttons(SEEKER)
    assert len(await stored(scenario, JobApplication)) == 1


async def test_a_phone_number_typed_as_text_is_checked_and_stored_in_e164(
    scenario: Scenario, translations: Translations
) -> None:
    await add_member(scenario, SEEKER)
    await add_member(scenario, KHMER, "km")
    await scenario.say(SEEKER, "/profile")
    await scenario.press(SEEKER, "✏️ Phone")
    refused = (
        "Please send a phone number, for example 012 345 678 or +855 12 345 678 (a number"
        " abroad with + and its country code), or press Skip."
    )
    for wrong in ("12345", "call me", "+1 23", "012 34"):
        assert await scenario.say(SEEKER, wrong) == [refused]
    [member] = await stored(scenario, Member, Member.telegram_id == SEEKER.id)
    assert member.phone is None
    replies = await scenario.say(SEEKER, "012-345 678")
    assert replies[0] == "Thank you, your phone number +85512345678 is saved."
    assert "<b>Phone:</b> +85512345678" in replies[-1]
    await scenario.press(SEEKER, "Close")
    [member] = await stored(scenario, Member, Member.telegram_id == SEEKER.id)
    assert member.phone == "+85512345678"

    km = translations.for_language("km")
    await scenario.say(KHMER, "/profile")
    await scenario.press(KHMER, "✏️ " + km.gettext("Phone"))
    assert await scenario.say(KHMER, "លេខ") == [km.gettext(refused)]
    await scenario.say(KHMER, "០៩៧ ៥៥៥ ១២៣៤")
    await scenario.press(KHMER, km.gettext("Close"))
    [member] = await stored(scenario, Member, Member.telegram_id == KHMER.id)
    assert member.phone == "+855975551234"


async def test_typing_a_buttons_label_works_like_pressing_it(
    scenario: Scenario, translations: Translations
) -> None:
    await add_member(scenario, SEEKER)
    await add_member(scenario, KHMER, "km")
    await add_member(scenario, ADMIN, staff="admin")
    await scenario.say(SEEKER, "/company")
    await scenario.press(SEEKER, "Register a company")
    await scenario.say(SEEKER, "Skip Labs")  # a name like a label: no button here, kept
    await scenario.say(SEEKER, "MOC-9")
    await scenario.say(SEEKER, "Software")
    replies = await scenario.say(SEEKER, "  skip ")  # the website step's [Skip]
    assert replies == ["In a few sentences, what does the company do?"]
    await scenario.say(SEEKER, "We build apps.")
    await scenario.say(SEEKER, "SEND")
    [company] = await stored(scenario, Company)
    assert (company.name, company.website, company.status) == ("Skip Labs", None, "pending")

    # under a Khmer keyboard the English label works too; a toggle shows what it did
    km = translations.for_language("km")
    await scenario.say(KHMER, "/expert")
    replies = await scenario.say(KHMER, "ទិន្នន័យ")
    assert replies == [scenario.last(KHMER).text]  # the step again, with the topic ticked
    assert any("✅" in b and "ទិន្នន័យ" in b for b in scenario.buttons(KHMER))
    replies = await scenario.say(KHMER, "next")
    assert replies == [
        km.gettext(
            "In a few sentences, what is your experience in these topics? (your work,"
            " studies, certificates, projects)"
        )
    ]

    # a declared button typed (a job's [Apply]) reaches its own handler, with its checks
    await jobs_of_a_company(scenario, 1)
    await scenario.say(SEEKER, "/jobs")
    await scenario.say(SEEKER, "#1")  # the list's button
    replies = await scenario.say(SEEKER, "Apply")
    assert replies[0].startswith("Apply for job #1? The company will receive:")
    await scenario.say(SEEKER, "send my application")
    assert len(await stored(scenario, JobApplication)) == 1
    await scenario.say(SEEKER, "/jobs")
    await scenario.say(SEEKER, "#1")
    assert await scenario.say(SEEKER, "apply") == [  # no Apply any more: not a label
        "Please use the buttons to filter or open a job.",
        scenario.last(SEEKER).text,
    ]
    assert len(await stored(scenario, JobApplication)) == 1


async def test_a_registration_number_in_khmer_digits_is_stored_in_western_digits(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, REP)
    await scenario.say(REP, "/company")
    await scenario.press(REP, "Register a company")
    await scenario.say(REP, "Mekong Soft")
    await scenario.say(REP, "គ.ក ០០១២៣៤៥")
    await scenario.say(REP, "Software")
    await scenario.press(REP, "Skip")
    replies = await scenario.say(REP, "Accounting software.")
    assert "Registration number: គ.ក 0012345" in replies[0]
    await scenario.press(REP, "Send")
    [company] = await stored(scenario, Company)
    assert company.registration_no == "គ.ក 0012345"
    await scenario.app.run_due_work()
    card = scenario.last(ADMIN).text or ""
    assert "Registration number: គ.ក 0012345" in card
    assert f"Asked by Rep Vanna · @vanna_rep · Telegram id {REP.id}" in card


async def test_an_approval_card_says_who_asked_or_that_they_have_left(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    company_id = await jobs_of_a_company(scenario, 0)
    await add_member(scenario, SEEKER)
    async with scenario.app.unit_of_work() as uow:
        company = await uow.jobs.company(company_id)
        assert company is not None
        company.status = "pending"
        await uow.commit()
    await scenario.say(SEEKER, "/expert")
    await scenario.press(SEEKER, "Data")
    await scenario.press(SEEKER, "Next")
    await scenario.say(SEEKER, "Ten years of data work at a bank.")
    await scenario.say(ADMIN, "/admin")
    replies = await scenario.press(ADMIN, "Approvals (2)")
    assert f"Asked by Rep Vanna · @vanna_rep · Telegram id {REP.id}" in replies[1]
    assert f"Asked by Seeker Lina · @lina · Telegram id {SEEKER.id}" in replies[2]

    async with scenario.app.unit_of_work() as uow:  # the member has left, the row stays
        member = await uow.members.get(REP.id)
        assert member is not None
        member.deleted_at, member.telegram_id, member.full_name = scenario.clock.now(), None, None
        await uow.commit()
    await scenario.say(ADMIN, "/admin")
    replies = await scenario.press(ADMIN, "Approvals (2)")
    assert "Asked by a member who has left the community." in replies[1]
    assert "Angkor Apps" in replies[1] and "Rep Vanna" not in replies[1]
