"""Members sign up through the real bot over HTTP, in English and in Khmer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from storage.models import ConversationState, Member
from storage.uow import UnitOfWork
from tests.scenarios.harness import Scenario

DARA = EmuUser(501, "Dara", language_code="en", username="dara_dev")
SREYNEANG = EmuUser(502, "ស្រីនាង", language_code="km", username="sreyneang")


async def stored_member(scenario: Scenario, telegram_id: int) -> tuple[Member | None, list[str]]:
    assert scenario.app is not None
    async with UnitOfWork(scenario.app.sessionmaker) as uow:
        member = await uow.members.get(telegram_id)
        skills = await uow.members.skills(member.id) if member else []
        return member, skills


async def conversation_step(scenario: Scenario, user_id: int) -> str | None:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        row = await session.scalar(
            select(ConversationState).where(ConversationState.user_id == user_id)
        )
        return row.step if row else None


async def test_english_member_signs_up_through_buttons_and_text(scenario: Scenario) -> None:
    replies = await scenario.say(DARA, "/start")
    assert "Welcome to DCC Bot" in replies[0]
    assert scenario.buttons(DARA) == ["ខ្មែរ", "English"]

    replies = await scenario.press(DARA, "English")
    assert "Before we start: your data" in replies[-1]
    assert scenario.buttons(DARA) == ["I agree", "No, thanks"]

    assert await scenario.press(DARA, "I agree") == ["What is your full name?"]
    assert await scenario.say(DARA, "Dara Sok") == ["What is your role?"]
    assert "Freelancer / self-employed" in scenario.buttons(DARA)

    replies = await scenario.press(DARA, "Private-sector employee")
    assert "Which organisation or school" in replies[0]
    replies = await scenario.say(DARA, "Smart <Axiata> & Co")
    assert "Where do you live?" in replies[0]
    assert len(scenario.buttons(DARA)) == 26  # the capital, 24 provinces and Abroad

    replies = await scenario.press(DARA, "Siem Reap")
    assert "Which are your skills?" in replies[0]
    await scenario.press(DARA, "Cybersecurity")
    await scenario.press(DARA, "Cloud & DevOps")
    assert "✅ Cybersecurity" in scenario.buttons(DARA)  # the keyboard is edited in place
    await scenario.press(DARA, "Cloud & DevOps")  # untick
    assert "Cloud & DevOps" in scenario.buttons(DARA)
    replies = await scenario.press(DARA, "Done")
    assert "How many years of experience" in replies[0]

    replies = await scenario.say(DARA, "7")
    assert "open to job opportunities" in replies[0]
    replies = await scenario.press(DARA, "Yes")
    assert "How often" in replies[0]
    replies = await scenario.press(DARA, "Daily digest")
    assert "member directory" in replies[0]
    replies = await scenario.press(DARA, "Yes")
    assert "share your phone number" in replies[0]
    prompt = scenario.emulator.messages(DARA.id)[-2]
    assert prompt.reply_keyboard is not None
    assert prompt.reply_keyboard["keyboard"][0][0]["request_contact"] is True

    replies = await scenario.send(DARA, "contact", phone_number="+85512000111")
    assert replies[0] == "Thank you, your phone number is saved."
    assert scenario.emulator.messages(DARA.id)[-2].removes_keyboard
    summary = replies[-1]
    assert "<b>Name:</b> Dara Sok" in summary
    assert "Smart &lt;Axiata&gt; &amp; Co" in summary  # member text is escaped
    assert "Siem Reap" in summary and "Cybersecurity" in summary and "Cloud" not in summary
    assert "Yes (Daily digest)" in summary and "+85512000111" in summary
    assert "✏️ Skills" in scenario.buttons(DARA)

    replies = await scenario.press(DARA, "Confirm")
    assert "Welcome to the Digital Community of Cambodia, Dara Sok!" in replies[0]

    member, skills = await stored_member(scenario, DARA.id)
    assert member is not None
    assert (member.full_name, member.role, member.organisation) == (
        "Dara Sok",
        "private-sector",
        "Smart <Axiata> & Co",
    )
    assert (member.province, member.country, member.years_experience) == ("siem-reap", None, 7)
    assert (member.open_to_work, member.alert_frequency) == (True, "daily")
    assert member.directory_visible and member.phone == "+85512000111"
    assert member.language == "en" and member.username == "dara_dev"
    assert member.consent_at == scenario.clock.now()
    assert skills == ["cybersecurity"]
    assert await conversation_step(scenario, DARA.id) is None


async def answer_until_skills(scenario: Scenario, user: EmuUser, t: Translations) -> None:
    _ = t.for_language("km").gettext
    await scenario.say(user, "/start")
    await scenario.press(user, "ខ្មែរ")
    await scenario.press(user, _("I agree"))
    await scenario.say(user, "ស្រីនាង ចាន់")
    await scenario.press(user, _("Student"))
    await scenario.press(user, _("Skip"))
    await scenario.press(user, _("Abroad"))


async def test_khmer_member_resumes_signup_after_restart(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    replies = await scenario.say(SREYNEANG, "/start")
    assert km.gettext("Which language do you prefer?") in replies[0]  # greeted in Khmer

    await scenario.press(SREYNEANG, "ខ្មែរ")
    await scenario.press(SREYNEANG, km.gettext("I agree"))
    assert await scenario.say(SREYNEANG, "ស្រីនាង ចាន់") == [km.gettext("What is your role?")]
    await scenario.press(SREYNEANG, km.gettext("Student"))
    await scenario.press(SREYNEANG, km.gettext("Skip"))
    replies = await scenario.press(SREYNEANG, km.gettext("Abroad"))
    assert replies == [km.gettext("Which country do you live in?")]
    assert await conversation_step(scenario, SREYNEANG.id) == "country"

    await scenario.restart()  # the bot process goes away and comes back

    replies = await scenario.say(SREYNEANG, "ជប៉ុន")  # the answer to the same question
    assert (
        km.gettext("Which are your skills? Tap every one that fits, then press Done.") in replies[0]
    )
    assert "បញ្ញាសិប្បនិម្មិត" in scenario.buttons(SREYNEANG)  # tag names in Khmer
    await scenario.press(SREYNEANG, "បញ្ញាសិប្បនិម្មិត")
    await scenario.press(SREYNEANG, "កុំព្យូទ័រភាសាខ្មែរ")
    await scenario.press(SREYNEANG, km.gettext("Done"))
    await scenario.say(SREYNEANG, "២")  # Khmer digits
    await scenario.press(SREYNEANG, km.gettext("No"))
    await scenario.press(SREYNEANG, km.gettext("No"))

    await scenario.restart()
    replies = await scenario.say(SREYNEANG, "/start")
    assert replies[0] == km.gettext("Welcome back! Let's continue your sign-up where you stopped.")
    assert km.gettext("Prefer not to share it?") in replies

    replies = await scenario.press(SREYNEANG, km.gettext("Skip"))
    summary = replies[-1]
    assert km.gettext("Please check your profile. Tap a field to change it, or confirm.") in summary
    assert km.gettext("Abroad: {country}").format(country="ជប៉ុន") in summary
    await scenario.press(SREYNEANG, km.gettext("Confirm"))

    member, skills = await stored_member(scenario, SREYNEANG.id)
    assert member is not None and member.language == "km"
    assert (member.full_name, member.province, member.country) == ("ស្រីនាង ចាន់", "abroad", "ជប៉ុន")
    assert member.years_experience == 2 and not member.open_to_work
    assert skills == ["ai", "khmer-computing"]


async def test_summary_edit_buttons_change_one_field_and_return(scenario: Scenario) -> None:
    await scenario.say(DARA, "/start")
    await scenario.press(DARA, "English")
    await scenario.press(DARA, "I agree")
    await scenario.say(DARA, "Dara")
    await scenario.press(DARA, "Student")
    await scenario.press(DARA, "Skip")
    await scenario.press(DARA, "Phnom Penh")
    await scenario.press(DARA, "Web")
    await scenario.press(DARA, "Done")
    await scenario.say(DARA, "1")
    await scenario.press(DARA, "No")
    await scenario.press(DARA, "No")
    await scenario.press(DARA, "Skip")

    replies = await scenario.press(DARA, "✏️ Location")
    assert "Where do you live?" in replies[0]
    assert await scenario.press(DARA, "Abroad") == ["Which country do you live in?"]
    replies = await scenario.say(DARA, "Australia")
    assert "Abroad: Australia" in replies[-1] and "✅ Confirm" in scenario.buttons(DARA)

    replies = await scenario.press(DARA, "✏️ Job alerts")
    await scenario.press(DARA, "Yes")
    replies = await scenario.press(DARA, "As they come")
    assert replies == [
        "Which jobs should the alerts bring: jobs from anywhere, or only jobs abroad and"
        " remote jobs?"
    ]
    replies = await scenario.press(DARA, "My area and remote")
    assert "Yes (As they come; jobs abroad and remote jobs only)" in replies[-1]
    assert "jobs in Abroad" not in replies[-1]
    await scenario.press(DARA, "Confirm")
    member, _ = await stored_member(scenario, DARA.id)
    assert member is not None
    assert (member.province, member.country, member.alert_frequency) == (
        "abroad",
        "Australia",
        "instant",
    )
    assert member.jobs_in_province_only


async def test_declining_consent_keeps_nothing(scenario: Scenario) -> None:
    await scenario.say(DARA, "/start")
    await scenario.press(DARA, "English")
    replies = await scenario.press(DARA, "No, thanks")
    assert "nothing about you was kept" in replies[0]
    assert await conversation_step(scenario, DARA.id) is None
    member, _ = await stored_member(scenario, DARA.id)
    assert member is None
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        assert await session.get(ConversationState, DARA.id) is None


@pytest.mark.parametrize("command", ["/cancel"])
async def test_cancel_leaves_signup_and_keeps_nothing(scenario: Scenario, command: str) -> None:
    await scenario.say(DARA, "/start")
    await scenario.press(DARA, "English")
    await scenario.press(DARA, "I agree")
    replies = await scenario.say(DARA, command)
    assert "Sign-up cancelled" in replies[0]
    assert await conversation_step(scenario, DARA.id) is None
    replies = await scenario.say(DARA, "hello")
    assert replies == ["Welcome! Send /start to join the Digital Community of Cambodia."]
