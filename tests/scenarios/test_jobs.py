"""Companies register and post jobs; members get alerts, apply, and meet companies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from storage.models import (
    Company,
    ConversationState,
    IntroRequest,
    Job,
    JobAlert,
    JobApplication,
    Member,
)
from tests.scenarios.harness import Scenario, add_member

REP = EmuUser(1301, "Rep", username="rep_smart")
ADMIN = EmuUser(1302, "Admin")
INSTANT = EmuUser(1303, "Instant", username="instant_dev")
DAILY = EmuUser(1304, "ដារ៉ា", language_code="km", username="dara_km")
STRANGER = EmuUser(1305, "Stranger")
NEAR = EmuUser(1306, "Near")
FAR = EmuUser(1307, "Far")
COMPANY = "Smart &lt;Digital&gt; Co"  # as the HTML messages show the name typed
REFUSED = "Only a verified representative of this company can do this."


async def set_member(
    scenario: Scenario, user: EmuUser, skills: list[str] | None = None, **columns: Any
) -> None:
    """Change a member's stored profile (what /profile would do, without the dialogue)."""
    assert scenario.app is not None
    async with scenario.app.unit_of_work() as uow:
        member = await uow.members.get(user.id)
        assert member is not None
        for name, value in columns.items():
            setattr(member, name, value)
        if skills is not None:
            await uow.members.set_skills(member.id, skills)
        await uow.commit()


async def looking_for_work(
    scenario: Scenario, user: EmuUser, frequency: str, skills: list[str], **columns: Any
) -> None:
    await set_member(
        scenario, user, skills, open_to_work=True, alert_frequency=frequency, **columns
    )


async def stored(scenario: Scenario, model: Any) -> list[Any]:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return list(await session.scalars(select(model)))


async def register_company(scenario: Scenario, approve: bool = True) -> None:
    assert scenario.app is not None
    await scenario.say(REP, "/company")
    await scenario.press(REP, "Register a company")
    await scenario.say(REP, "Smart <Digital> Co")
    await scenario.say(REP, "MOC-12345")
    await scenario.say(REP, "Software")
    assert await scenario.say(REP, "not a web site") == [
        "Please send a web address like https://example.com/jobs."
    ]
    await scenario.press(REP, "Skip")
    replies = await scenario.say(REP, "We build apps for Cambodian banks.")
    assert COMPANY in replies[0] and "Website: —" in replies[0]
    await scenario.press(REP, "Send")
    await scenario.app.run_due_work()
    if approve:
        await scenario.press(ADMIN, "Approve")
        await scenario.app.run_due_work()


async def post_job(
    scenario: Scenario,
    title: str = "Backend developer",
    skill: str = "Software development",
    place: str = "Phnom Penh",
) -> list[str]:
    await scenario.say(REP, "/company")
    await scenario.press(REP, "Post a job")
    await scenario.say(REP, title)
    await scenario.say(REP, "Build APIs in Python for mobile banking.")
    await scenario.press(REP, skill)
    await scenario.press(REP, "Next")
    await scenario.press(REP, place)
    await scenario.press(REP, "Full-time")
    await scenario.say(REP, "31/12/2026")
    replies = await scenario.press(REP, "Apply in the bot")
    assert "Preview: this is how members will see the job." in replies[0] and title in replies[0]
    return await scenario.press(REP, "Publish")


async def test_company_to_job_to_alerts_to_application_to_interview(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    scenario.clock.current = scenario.clock.current.replace(day=24, hour=23)  # 06:00 local
    for user in (REP, INSTANT, STRANGER):
        await add_member(scenario, user)
    await add_member(scenario, DAILY, "km")
    await add_member(scenario, ADMIN, staff="admin")
    await looking_for_work(scenario, INSTANT, "instant", ["software-dev"])
    await looking_for_work(scenario, DAILY, "daily", ["software-dev"])

    await register_company(scenario, approve=False)
    request = scenario.last(ADMIN).text or ""
    assert "A company asks to be verified" in request and "Company number 1" in request
    await scenario.say(STRANGER, "/admin")
    assert scenario.last(STRANGER).text == "Only administrators can do this."
    await scenario.press_data(STRANGER, "jb:cok:1")  # the admin's button, forwarded
    assert scenario.toasts()[-1] == "Only administrators can do this."
    assert [c.status for c in await stored(scenario, Company)] == ["pending"]
    await scenario.press(ADMIN, "Approve")
    await scenario.app.run_due_work()
    assert "is verified" in (scenario.last(REP).text or "")

    await scenario.say(REP, "/company")
    await scenario.press(REP, "Post a job")
    await scenario.say(REP, "Backend developer")
    await scenario.say(REP, "Build APIs in Python for mobile banking.")
    await scenario.press(REP, "Next")
    assert scenario.toasts()[-1] == "Choose at least one skill, then press Next."
    await scenario.press(REP, "Software development")
    await scenario.press(REP, "Next")
    await scenario.press(REP, "Phnom Penh")
    await scenario.press(REP, "Full-time")
    assert await scenario.say(REP, "yesterday") == [
        "Please send the deadline as a date, for example 31/12/2026."
    ]
    assert await scenario.say(REP, "24/11/2026") == ["The deadline must be after today."]
    assert await scenario.send(REP, "sticker") == [
        "Please send the deadline as a date, for example 31/12/2026.",
        "Until when can people apply? Send the date, for example 31/12/2026.",
    ]
    await scenario.say(REP, "31/12/2026")
    assert await scenario.say(REP, "no link here") == [
        "Please send a link like https://example.com/jobs, or press Apply in the bot."
    ]
    await scenario.press(REP, "Apply in the bot")
    replies = await scenario.press(REP, "Publish")
    assert replies == ["Job #1 is published. Members whose skills match will be told."]

    await scenario.app.run_due_work()
    alert = scenario.last(INSTANT).text or ""
    assert "A new job matches your skills" in alert and "Backend developer" in alert
    assert COMPANY in alert and "Apply by 31 December 2026" in alert
    assert scenario.emulator.messages(DAILY.id) == []  # the daily digest waits for 08:00

    scenario.clock.advance(hours=2)  # 08:00 local
    await scenario.app.run_due_work()
    digest = scenario.emulator.messages(DAILY.id)
    assert len(digest) == 1
    assert km.gettext("New jobs that match your skills") in (digest[0].text or "")
    assert "Backend developer" in (digest[0].text or "")
    await scenario.app.run_due_work()  # again: nothing twice
    assert len(scenario.emulator.messages(DAILY.id)) == 1

    await scenario.say(DAILY, "/jobs")
    await scenario.press(DAILY, "#១")  # a Khmer member's button
    await scenario.press(DAILY, km.gettext("Apply"))
    preview = scenario.last(DAILY).text or ""
    assert km.gettext("Apply for job #{number}? The company will receive:").format(number=1) in (
        preview
    )
    assert "@dara_km" in preview
    replies = await scenario.press(DAILY, km.gettext("Send my application"))
    assert replies == [
        km.gettext("Your application was sent. You will hear from the company here.")
    ]
    await scenario.app.run_due_work()
    application = scenario.last(REP).text or ""
    assert "A member applies for job #1" in application and "@dara_km" in application

    await scenario.press_data(STRANGER, "jb:iv:1")
    assert scenario.toasts()[-1] == REFUSED
    await scenario.press(REP, "Invite to interview")
    await scenario.app.run_due_work()
    assert km.gettext(
        "Good news: {company} invites you to an interview for job #{number} {title}. They will contact you."
    ).format(company=COMPANY, number=1, title="Backend developer") in (
        scenario.last(DAILY).text or ""
    )
    assert [a.status for a in await stored(scenario, JobApplication)] == ["interview"]
    assert len(await stored(scenario, JobAlert)) == 2  # one job, two members, once each


async def test_an_edited_job_reaches_the_members_its_new_skills_match_in_their_area(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    for user in (REP, NEAR, FAR, INSTANT):
        await add_member(scenario, user)
    await add_member(scenario, ADMIN, staff="admin")
    await looking_for_work(scenario, NEAR, "instant", ["data"], province="siem-reap",
                           jobs_in_province_only=True)  # fmt: skip
    await looking_for_work(scenario, FAR, "instant", ["data"], jobs_in_province_only=True)
    await looking_for_work(scenario, INSTANT, "instant", ["data"], province="kep")
    await register_company(scenario)
    await post_job(scenario, "Analyst", skill="Web", place="Siem Reap")
    await scenario.app.run_due_work()
    assert [scenario.emulator.messages(u.id) for u in (NEAR, FAR, INSTANT)] == [[], [], []]

    await scenario.say(REP, "/company")
    await scenario.press(REP, "Our jobs")
    assert "#1 <b>Analyst</b> · open · applications: 0" in (scenario.last(REP).text or "")
    replies = await scenario.press(REP, "Edit")
    assert "Job #1 as members see it. Change a field, or save." in replies[0]
    await scenario.press(REP, "✏️ Skills")
    await scenario.press(REP, "Data")
    replies = await scenario.press(REP, "Next")
    assert "Web, Data" in replies[0] and "✅ Save changes" in scenario.buttons(REP)
    await scenario.press(REP, "✏️ Title")
    replies = await scenario.say(REP, "Data analyst")
    assert "Data analyst" in replies[0]
    assert await scenario.press(REP, "Save changes") == ["Job #1 is saved."]
    await scenario.app.run_due_work()
    assert "Data analyst" in (scenario.last(NEAR).text or "")  # in Siem Reap, like the job
    assert "Data analyst" in (scenario.last(INSTANT).text or "")  # no area filter
    assert scenario.emulator.messages(FAR.id) == []  # Phnom Penh only
    [job] = await stored(scenario, Job)
    assert (job.title, job.location) == ("Data analyst", "siem-reap")

    await scenario.say(REP, "/company")
    await scenario.press(REP, "Our jobs")
    await scenario.press(REP, "Edit")
    await scenario.press(REP, "✏️ Place")
    await scenario.press(REP, "Remote")
    await scenario.press(REP, "Save changes")
    await scenario.app.run_due_work()
    assert "Data analyst" in (scenario.last(FAR).text or "")  # remote passes every filter
    assert len(scenario.emulator.messages(NEAR.id)) == 1  # never the same job twice

    await scenario.say(REP, "/company")
    await scenario.press(REP, "Our jobs")
    await scenario.press(REP, "Close")
    assert scenario.toasts()[-1] == "Job #1 is closed."
    replies = await scenario.say(INSTANT, "/jobs")
    assert "No open job matches. Try other filters." in replies[0]


async def test_a_job_disappears_at_its_deadline_and_its_old_apply_button_is_refused(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, REP, "km")
    await add_member(scenario, INSTANT)
    await add_member(scenario, ADMIN, staff="admin")
    await scenario.say(REP, "/company")
    await scenario.press(REP, km.gettext("Register a company"))
    for answer in ("ក្រុមហ៊ុន ស្មាត", "MOC-777", "បច្ចេកវិទ្យា", "smart.com.kh/careers", "កម្មវិធីទូរស័ព្ទ"):
        await scenario.say(REP, answer)
    await scenario.press(REP, km.gettext("Send"))
    await scenario.app.run_due_work()
    await scenario.press(ADMIN, "Approve")
    await scenario.say(REP, "/company")
    await scenario.press(REP, km.gettext("Post a job"))
    await scenario.say(REP, "អ្នកសរសេរកម្មវិធី")
    await scenario.say(REP, "បង្កើតកម្មវិធីទូរស័ព្ទ")
    await scenario.press(REP, "កម្មវិធីទូរស័ព្ទ")
    await scenario.press(REP, km.gettext("Next"))
    await scenario.press(REP, "កំពត")
    await scenario.press(REP, km.gettext("Internship"))
    replies = await scenario.say(REP, "ថ្ងៃទី ៣០ ខែ វិច្ឆិកា ឆ្នាំ ២០២៦")
    assert replies[0].startswith(
        km.gettext(
            "How should people apply? Send a link to your application page, or press the button to receive applications here in the bot."
        )
    )
    replies = await scenario.press(REP, km.gettext("Apply in the bot"))
    assert "ថ្ងៃទី៣០ ខែវិច្ឆិកា ឆ្នាំ២០២៦" in replies[0]
    await scenario.press(REP, km.gettext("Publish"))

    await scenario.say(INSTANT, "/jobs")
    await scenario.press(INSTANT, "#1")
    assert "Apply by 30 November 2026" in (scenario.last(INSTANT).text or "")
    scenario.clock.advance(days=5, hours=16)  # 1 December, 01:00 in Phnom Penh
    replies = await scenario.press(INSTANT, "Apply")
    assert scenario.toasts()[-1] == "This job is closed."
    assert replies == []
    replies = await scenario.say(INSTANT, "/jobs")
    assert "Open jobs (0)" in replies[0]
    assert await stored(scenario, JobApplication) == []


async def test_a_representative_invites_a_colleague_who_then_posts_for_the_company(
    scenario: Scenario,
) -> None:
    for user in (REP, INSTANT):
        await add_member(scenario, user)
    await add_member(scenario, ADMIN, staff="admin")
    await register_company(scenario)
    await scenario.say(REP, "/company")
    await scenario.press(REP, "Add a representative")
    assert await scenario.say(REP, "@nobody_here") == [
        "No member has that username or id. Ask them to sign up with /start first, then try again."
    ]
    assert await scenario.say(REP, "@Instant_Dev") == [
        "Invitation sent. They become a representative when they accept."
    ]
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert "You are invited to represent" in (scenario.last(INSTANT).text or "")
    await scenario.press(INSTANT, "Accept")
    replies = await scenario.say(INSTANT, "/company")
    assert "🏢 <b>Smart &lt;Digital&gt; Co</b> · verified" in replies[0]
    scenario.find_button(INSTANT, "Post a job")
    await scenario.press_data(INSTANT, "jb:join:1")  # the invitation's button, again
    assert scenario.toasts()[-1] == "This invitation is no longer valid."


async def test_talent_search_shows_no_contact_until_the_member_accepts(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    for user in (REP, INSTANT, STRANGER, NEAR):
        await add_member(scenario, user)
    await add_member(scenario, ADMIN, staff="admin")
    await set_member(scenario, INSTANT, open_to_work=True, directory_visible=True)
    await set_member(scenario, NEAR, open_to_work=True, directory_visible=False)  # hidden
    await register_company(scenario)
    await scenario.say(REP, "/company")
    await scenario.press(REP, "Find talent")
    await scenario.press(REP, "Web")
    replies = await scenario.press(REP, "Anywhere")
    assert "1 member with Web · Anywhere" in replies[0]
    assert "Instant" in replies[1] and "@instant_dev" not in replies[1]  # no contact yet
    await scenario.press(REP, "Request an introduction")
    await scenario.app.run_due_work()
    assert "would like to talk to you about work" in (scenario.last(INSTANT).text or "")
    await scenario.say(STRANGER, "/help")
    await scenario.press_data(STRANGER, "jb:ia:1")  # someone else's request
    assert scenario.toasts()[-1] == "Only the member this request is for can answer it."
    await scenario.press(INSTANT, "Accept")
    await scenario.app.run_due_work()
    assert "@instant_dev" in (scenario.last(REP).text or "")
    await scenario.press_data(INSTANT, "jb:ia:1")  # a second tap
    assert scenario.toasts()[-1] == "You have already answered."
    assert [i.status for i in await stored(scenario, IntroRequest)] == ["accepted"]


async def test_only_a_verified_representative_can_act_for_a_company(scenario: Scenario) -> None:
    assert scenario.app is not None
    for user in (REP, STRANGER):
        await add_member(scenario, user)
    await add_member(scenario, ADMIN, staff="admin")
    await register_company(scenario, approve=False)
    await scenario.say(REP, "/company")
    assert "Post a job" not in scenario.buttons(REP)  # pending: nothing to do yet
    await scenario.press_data(REP, "jb:post:1")
    assert scenario.toasts()[-1] == REFUSED
    await scenario.press(ADMIN, "Approve")
    await post_job(scenario)

    await scenario.say(STRANGER, "/help")
    for action in ("post", "mine", "talent", "invite"):
        await scenario.press_data(STRANGER, f"jb:{action}:1")
        assert scenario.toasts()[-1] == REFUSED, action
    for action in ("edit", "close"):
        await scenario.press_data(STRANGER, f"jb:{action}:1")
        assert scenario.toasts()[-1] == REFUSED, action
    assert [s.flow for s in await stored(scenario, ConversationState)] == [None]  # REP's
    [job] = await stored(scenario, Job)
    assert job.status == "open"
    members = {m.telegram_id: m for m in await stored(scenario, Member)}
    assert members[STRANGER.id].full_name == "Stranger"  # nothing about them changed


async def test_what_an_application_shares_is_shown_first_and_sent_once(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    for user in (REP, INSTANT):
        await add_member(scenario, user)
    await add_member(scenario, ADMIN, staff="admin")
    await set_member(scenario, INSTANT, phone="+85512345678")
    await register_company(scenario)
    await post_job(scenario)
    await scenario.say(INSTANT, "/jobs")
    await scenario.press(INSTANT, "#1")
    replies = await scenario.press(INSTANT, "Apply")
    assert "Contact: @instant_dev" in replies[0] and "Phone: +85512345678" in replies[0]
    await scenario.press(INSTANT, "Send my application")
    await scenario.app.run_due_work()
    application = scenario.last(REP).text or ""
    assert application.count("@instant_dev") == 1 and application.count("+85512345678") == 1
    await scenario.press(INSTANT, "Apply", scenario.emulator.messages(INSTANT.id)[-3])
    assert scenario.toasts()[-1] == "You have already applied for this job."


async def test_a_colleague_who_declined_can_be_invited_again(scenario: Scenario) -> None:
    assert scenario.app is not None
    for user in (REP, INSTANT):
        await add_member(scenario, user)
    await add_member(scenario, ADMIN, staff="admin")
    await register_company(scenario)
    await scenario.say(REP, "/company")
    await scenario.press(REP, "Add a representative")
    assert await scenario.say(REP, "@rep_smart") == [
        "They already represent Smart &lt;Digital&gt; Co."
    ]
    await scenario.say(REP, "@instant_dev")
    await scenario.app.run_due_work()
    await scenario.press(INSTANT, "Decline")
    await scenario.say(REP, "/company")
    await scenario.press(REP, "Add a representative")
    await scenario.say(REP, "@instant_dev")
    await scenario.app.run_due_work()
    invitations = [m for m in scenario.emulator.messages(INSTANT.id) if "invited" in (m.text or "")]
    assert len(invitations) == 2
    await scenario.press(INSTANT, "Accept")
    assert scenario.toasts()[-1] == "You are now a representative. Send /company to act for it."
