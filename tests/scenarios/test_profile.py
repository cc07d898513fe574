"""A member's own data: /profile, /mydata, /deleteme, /language, /help and the menu."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from handlers.profile.cooldown import ERASED_RECENTLY
from storage.models import ConversationState, Member, MemberSkill
from storage.uow import UnitOfWork
from tests.scenarios.harness import Scenario
from tests.scenarios.test_signup import stored_member

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")

DARA = EmuUser(701, "Dara", language_code="en", username="dara")
BOPHA = EmuUser(702, "បុប្ផា", language_code="km")


async def sign_up(scenario: Scenario, user: EmuUser, t: Translations, language: str) -> None:
    _ = t.for_language(language).gettext
    await scenario.say(user, "/start")
    await scenario.press(user, "ខ្មែរ" if language == "km" else "English")
    await scenario.press(user, _("I agree"))
    await scenario.say(user, user.first_name)
    await scenario.press(user, _("Academic / researcher"))
    await scenario.say(user, "Institute of Technology of Cambodia")
    await scenario.press(user, "Battambang" if language == "en" else "បាត់ដំបង")
    await scenario.press(user, "Data" if language == "en" else "ទិន្នន័យ")
    await scenario.press(user, _("Done"))
    await scenario.say(user, "4")
    await scenario.press(user, _("Yes"))
    await scenario.press(user, _("Weekly digest"))
    await scenario.press(user, _("No"))
    await scenario.press(user, _("Skip"))
    await scenario.press(user, _("Confirm"))


async def test_profile_shows_and_edits_every_field(
    scenario: Scenario, translations: Translations
) -> None:
    await sign_up(scenario, DARA, translations, "en")
    replies = await scenario.say(DARA, "/profile")
    assert (
        "<b>Your profile</b>" in replies[0] and "Institute of Technology of Cambodia" in replies[0]
    )
    assert scenario.buttons(DARA)[-1] == "✔️ Close"

    assert await scenario.press(DARA, "✏️ Name") == ["What is your full name?\nNow: Dara"]
    replies = await scenario.say(DARA, "Dara Chan")
    assert replies[0] == "Saved." and "<b>Name:</b> Dara Chan" in replies[1]

    await scenario.press(DARA, "✏️ Skills")
    await scenario.press(DARA, "Blockchain")
    await scenario.press(DARA, "Done")
    await scenario.press(DARA, "✏️ Organisation")
    await scenario.press(DARA, "Skip")
    await scenario.press(DARA, "✏️ Job alerts")
    replies = await scenario.press(DARA, "No")
    assert "<b>Open to job opportunities:</b> No" in replies[-1]
    await scenario.press(DARA, "✏️ Phone")
    await scenario.send(DARA, "contact", phone_number="+85599000000")
    await scenario.press(DARA, "✏️ Experience")
    await scenario.say(DARA, "11")
    replies = await scenario.press(DARA, "Close")
    assert "Your profile is up to date" in replies[0]

    member, skills = await stored_member(scenario, DARA.id)
    assert member is not None
    assert (member.full_name, member.organisation, member.phone) == (
        "Dara Chan",
        None,
        "+85599000000",
    )
    assert (member.open_to_work, member.alert_frequency, member.years_experience) == (
        False,
        "off",
        11,
    )
    assert skills == ["data", "blockchain"]


async def test_someone_elses_phone_number_is_refused(
    scenario: Scenario, translations: Translations
) -> None:
    await sign_up(scenario, DARA, translations, "en")
    await scenario.say(DARA, "/profile")
    await scenario.press(DARA, "✏️ Phone")
    replies = await scenario.send(DARA, "contact", phone_number="+85511111111", contact_user_id=99)
    assert replies == ["Please share your own number with the button, or press Skip."]
    member, _ = await stored_member(scenario, DARA.id)
    assert member is not None and member.phone is None


async def test_mydata_sends_a_json_document(scenario: Scenario, translations: Translations) -> None:
    await sign_up(scenario, DARA, translations, "en")
    await scenario.say(DARA, "/mydata")
    document = scenario.last(DARA)
    assert document.kind == "document" and document.filename == "dcc-my-data.json"
    data = json.loads(document.document or b"")
    assert data["full_name"] == "Dara" and data["skills"] == ["data"]
    assert data["province"] == "battambang" and data["telegram_id"] == DARA.id


async def test_commands_for_members_only_point_strangers_to_start(scenario: Scenario) -> None:
    for command in ("/profile", "/mydata"):
        assert await scenario.say(DARA, command) == [
            "You have not signed up yet. Send /start to join."
        ]
    assert await scenario.say(DARA, "/deleteme") == [
        "There is no profile to erase: nothing about you is stored."
    ]


async def test_deleteme_erases_personal_data_after_confirmation(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await sign_up(scenario, BOPHA, translations, "km")
    member, _ = await stored_member(scenario, BOPHA.id)
    assert member is not None
    member_id = member.id

    await scenario.say(BOPHA, "/deleteme")
    replies = await scenario.press(BOPHA, km.gettext("No, keep it"))
    assert replies == [km.gettext("Nothing was erased.")]
    assert (await stored_member(scenario, BOPHA.id))[0] is not None

    await scenario.say(BOPHA, "/deleteme")
    replies = await scenario.press(BOPHA, km.gettext("Yes, erase my data"))
    assert replies == [
        km.gettext(
            "Your personal data is erased. Thank you for being part of the community. "
            "You can send /start to join again from {time}."
        ).format(time=km.moment(scenario.clock.now().astimezone(PHNOM_PENH) + timedelta(days=1)))
    ]
    assert (await stored_member(scenario, BOPHA.id))[0] is None

    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        row = await session.get(Member, member_id)
        assert row is not None and row.deleted_at is not None
        assert (row.telegram_id, row.full_name, row.organisation, row.phone, row.province) == (
            None,
            None,
            None,
            None,
            None,
        )
        skills = await session.scalar(
            select(func.count()).select_from(MemberSkill).where(MemberSkill.member_id == member_id)
        )
        assert skills == 0
        assert await session.get(ConversationState, BOPHA.id) is None

    replies = await scenario.say(BOPHA, "/start")  # not at once (handlers.profile.cooldown)
    erased = scenario.clock.now().astimezone(PHNOM_PENH)
    assert replies == [
        km.gettext(ERASED_RECENTLY).format(
            erased=km.moment(erased), time=km.moment(erased + timedelta(days=1))
        )
    ]
    scenario.clock.advance(hours=24, minutes=1)
    replies = await scenario.say(BOPHA, "/start")  # a fresh start is possible a day later
    assert km.gettext("Which language do you prefer?") in replies[0]


async def test_language_switch_changes_texts_buttons_and_menu(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await sign_up(scenario, DARA, translations, "en")
    await scenario.say(DARA, "/language")
    replies = await scenario.press(DARA, "ខ្មែរ")
    assert replies == [km.gettext("From now on I will write to you in English.")]
    assert replies[0] != "From now on I will write to you in English."
    member, _ = await stored_member(scenario, DARA.id)
    assert member is not None and member.language == "km"

    replies = await scenario.say(DARA, "/profile")
    assert km.gettext("Your profile") in replies[0]
    assert "✏️ " + km.gettext("Name") in scenario.buttons(DARA)
    menu = scenario.emulator.commands[(f"chat:{DARA.id}", None)]
    assert {"command": "profile", "description": km.gettext("See and edit your profile")} in menu


async def test_language_switch_mid_signup_reasks_in_the_new_language(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await scenario.say(DARA, "/start")
    await scenario.press(DARA, "English")
    await scenario.press(DARA, "I agree")
    await scenario.say(DARA, "/language")
    replies = await scenario.press(DARA, "ខ្មែរ")
    assert replies[-1] == km.gettext("What is your full name?")


async def test_the_command_menu_is_set_for_each_language(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    english = scenario.emulator.commands[("default", None)]
    khmer = scenario.emulator.commands[("default", "km")]
    assert [c["command"] for c in english] == [c["command"] for c in khmer]
    assert {"command": "help", "description": "What this bot can do"} in english
    assert {"command": "help", "description": km.gettext("What this bot can do")} in khmer


async def test_help_lists_the_commands_in_the_members_language(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    replies = await scenario.say(BOPHA, "/help")
    assert "/profile — " + km.gettext("See and edit your profile") in replies[0]
    replies = await scenario.say(DARA, "/help")
    assert "/deleteme — Erase your personal data" in replies[0]


async def test_an_imported_member_without_experience_sees_and_edits_the_profile(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    async with UnitOfWork(scenario.app.sessionmaker) as uow:
        row = {"telegram_id": DARA.id, "full_name": "Imported Person", "role": "student",
               "province": "kep", "skills": []}  # fmt: skip
        await uow.members.upsert_many([row], scenario.clock.now(), columns=tuple(row))
        await uow.commit()
    replies = await scenario.say(DARA, "/profile")
    assert "<b>Years of experience:</b> —" in replies[0] and "<b>Skills:</b> —" in replies[0]
    await scenario.press(DARA, "✏️ Skills")
    await scenario.press(DARA, "Web")
    replies = await scenario.press(DARA, "Done")
    assert "<b>Skills:</b> Web" in replies[-1]


async def test_a_contact_without_a_telegram_account_is_not_taken_as_the_members(
    scenario: Scenario, translations: Translations
) -> None:
    await sign_up(scenario, DARA, translations, "en")
    await scenario.say(DARA, "/profile")
    await scenario.press(DARA, "✏️ Phone")
    scenario.emulator.inject(
        {
            "message": {
                "message_id": 999,
                "date": 1_700_000_000,
                "chat": {"id": DARA.id, "type": "private", "first_name": "Dara"},
                "from": {"id": DARA.id, "is_bot": False, "first_name": "Dara"},
                "contact": {"phone_number": "+85512121212", "first_name": "Someone"},
            }
        }
    )
    scenario.fed += 1
    assert scenario.app is not None
    await scenario.app.dispatcher.wait_processed(scenario.fed)
    assert (
        scenario.last(DARA).text == "Please share your own number with the button, or press Skip."
    )


async def test_the_language_chosen_at_start_sets_the_chats_menu(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await scenario.say(DARA, "/start")
    await scenario.press(DARA, "ខ្មែរ")
    menu = scenario.emulator.commands[(f"chat:{DARA.id}", None)]
    assert {"command": "help", "description": km.gettext("What this bot can do")} in menu


async def test_the_chats_menu_keeps_the_language_picked_when_the_app_changes_its_own(
    scenario: Scenario,
) -> None:
    """Picking the app's own language sets the chat's menu too: without it, a member who
    later switched their Telegram app to Khmer would see a Khmer menu over English texts."""
    await scenario.say(DARA, "/start")
    await scenario.press(DARA, "English")
    menu = scenario.emulator.menu_shown(DARA.id, "km")
    assert {"command": "help", "description": "What this bot can do"} in menu


async def test_a_language_chosen_before_start_is_not_asked_again(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await scenario.say(DARA, "/language")
    await scenario.press(DARA, "ខ្មែរ")
    replies = await scenario.say(DARA, "/start")
    assert len(replies) == 1 and km.gettext("Which language do you prefer?") not in replies[0]
    assert scenario.buttons(DARA) == [km.gettext("I agree"), km.gettext("No, thanks")]


async def forget_after_choosing_english(scenario: Scenario, way: str, t: Translations) -> str:
    """BOPHA's app is in Khmer; she picks English, then the bot forgets her ``way``."""
    if way == "deleteme":
        await sign_up(scenario, BOPHA, t, "km")
        await scenario.say(BOPHA, "/language")
        await scenario.press(BOPHA, "English")
        await scenario.say(BOPHA, "/deleteme")
        return (await scenario.press(BOPHA, "Yes, erase my data"))[0]
    await scenario.say(BOPHA, "/start")
    await scenario.press(BOPHA, "English")
    if way == "declined consent":
        return (await scenario.press(BOPHA, "No, thanks"))[0]
    await scenario.press(BOPHA, "I agree")
    await scenario.say(BOPHA, "/language")
    await scenario.press(BOPHA, "ខ្មែរ")
    await scenario.say(BOPHA, "/language")
    await scenario.press(BOPHA, "English")
    return (await scenario.say(BOPHA, "/cancel"))[0]


@pytest.mark.parametrize("way", ["cancel", "declined consent", "deleteme"])
async def test_once_forgotten_the_menu_and_texts_both_follow_the_telegram_app_language(
    scenario: Scenario, translations: Translations, way: str
) -> None:
    km = translations.for_language("km")
    farewell = await forget_after_choosing_english(scenario, way, translations)
    assert farewell.startswith(("Sign-up cancelled", "Understood", "Your personal data is erased"))
    assert (f"chat:{BOPHA.id}", None) not in scenario.emulator.commands  # the chat's menu is gone
    menu = scenario.emulator.menu_shown(BOPHA.id, BOPHA.language_code)
    assert {"command": "help", "description": km.gettext("What this bot can do")} in menu
    replies = await scenario.say(BOPHA, "/help")
    assert "/help — " + km.gettext("What this bot can do") in replies[0]
