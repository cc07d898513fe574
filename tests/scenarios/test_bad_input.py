"""Bad input at each step gets a clear message in the member's language; the flow stays."""

from __future__ import annotations

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from tests.scenarios.harness import Scenario
from tests.scenarios.test_signup import conversation_step

DARA = EmuUser(601, "Dara", language_code="en")
VANNA = EmuUser(602, "វណ្ណា", language_code="km")
OTHER = EmuUser(603, "Other", language_code="en")


async def reach_name_step(
    scenario: Scenario, user: EmuUser, language_label: str, agree: str
) -> None:
    await scenario.say(user, "/start")
    await scenario.press(user, language_label)
    await scenario.press(user, agree)


async def test_bad_names_are_refused_and_the_question_stays(scenario: Scenario) -> None:
    await reach_name_step(scenario, DARA, "English", "I agree")

    replies = await scenario.say(DARA, "x" * 5000)
    assert replies == ["That is too long: please send at most 100 characters."]
    replies = await scenario.say(DARA, "   ")
    assert replies == ["Please type your full name."]
    replies = await scenario.say(DARA, "12345")
    assert replies == ["A name needs letters. Please type your full name."]
    replies = await scenario.send(DARA, "sticker")
    assert replies == ["Please type your full name.", "What is your full name?"]
    replies = await scenario.send(DARA, "photo")
    assert replies[0] == "Please type your full name."
    replies = await scenario.say(DARA, "/frobnicate")
    assert replies == [
        "I don't know the command /frobnicate. Send /help to see what I can do.",
        "What is your full name?",
    ]
    assert await conversation_step(scenario, DARA.id) == "name"
    assert await scenario.say(DARA, "Dara") == ["What is your role?"]


async def test_typing_where_a_button_is_expected_asks_for_the_button(scenario: Scenario) -> None:
    await reach_name_step(scenario, DARA, "English", "I agree")
    await scenario.say(DARA, "Dara")
    replies = await scenario.say(DARA, "I am a student")
    assert replies == ["Please choose your role with one of the buttons.", "What is your role?"]
    assert "Student" in scenario.buttons(DARA)
    assert await conversation_step(scenario, DARA.id) == "role"


async def test_khmer_member_gets_errors_in_khmer(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await reach_name_step(scenario, VANNA, "ខ្មែរ", km.gettext("I agree"))
    replies = await scenario.say(VANNA, "ក" * 300)
    assert replies == [
        km.gettext("That is too long: please send at most {limit} characters.").format(limit=100)
    ]
    assert replies[0] != "That is too long: please send at most 100 characters."
    await scenario.say(VANNA, "វណ្ណា")
    await scenario.press(VANNA, km.gettext("Civil servant"))
    await scenario.press(VANNA, km.gettext("Skip"))
    await scenario.press(VANNA, "ភ្នំពេញ")
    replies = await scenario.press(VANNA, km.gettext("Done"))
    assert scenario.toasts()[-1] == km.gettext("Choose at least one skill, then press Done.")
    assert await conversation_step(scenario, VANNA.id) == "skills"
    await scenario.press(VANNA, "ទិន្នន័យ")
    await scenario.press(VANNA, km.gettext("Done"))
    replies = await scenario.say(VANNA, "ច្រើនឆ្នាំ")
    assert replies == [
        km.gettext("Please send a number of years from 0 to {max}, for example 3.").format(max=60)
    ]
    replies = await scenario.say(VANNA, "៩៩")
    assert len(replies) == 1 and await conversation_step(scenario, VANNA.id) == "years"
    await scenario.say(VANNA, "១២")
    assert await conversation_step(scenario, VANNA.id) == "open"


async def press_raw(scenario: Scenario, user: EmuUser, message_id: int, data: str) -> list[str]:
    """Press a button whose message no longer shows it (an old copy, a quick second tap)."""
    before = scenario.emulator.message_count(user.id)
    scenario.emulator.press(user, message_id, data)
    scenario.fed += 1
    assert scenario.app is not None
    await scenario.app.dispatcher.wait_processed(scenario.fed)
    return scenario.texts_since(user, before)


async def test_a_second_tap_on_an_answered_question_changes_nothing(scenario: Scenario) -> None:
    await reach_name_step(scenario, DARA, "English", "I agree")
    await scenario.say(DARA, "Dara")
    role_message, student = scenario.find_button(DARA, "Student")
    await scenario.press(DARA, "Student")
    assert await press_raw(scenario, DARA, role_message.message_id, student) == []
    assert scenario.toasts()[-1] == "That button is from an older message."
    assert await conversation_step(scenario, DARA.id) == "org"


async def test_a_button_of_an_abandoned_flow_shows_where_we_are(scenario: Scenario) -> None:
    await scenario.say(DARA, "/start")
    first, english = scenario.find_button(DARA, "English")
    await scenario.say(DARA, "/cancel")
    await scenario.say(DARA, "/start")
    replies = await press_raw(scenario, DARA, first.message_id, english)
    assert scenario.toasts()[-1] == "That button is from an older message."
    assert replies[0] == "That button is from an older message. Here is where we are:"
    assert "Which language do you prefer?" in replies[1]
    assert await conversation_step(scenario, DARA.id) == "language"


async def test_a_button_from_someone_elses_chat_is_refused(scenario: Scenario) -> None:
    await reach_name_step(scenario, DARA, "English", "I agree")
    await scenario.say(DARA, "Dara")
    message, data = scenario.find_button(DARA, "Student")
    scenario.emulator.press(OTHER, message.message_id, data, chat_id=DARA.id)
    scenario.fed += 1
    assert scenario.app is not None
    await scenario.app.dispatcher.wait_processed(scenario.fed)
    assert scenario.toasts()[-1] == "This button belongs to someone else's conversation."
    assert await conversation_step(scenario, DARA.id) == "role"
    assert await conversation_step(scenario, OTHER.id) is None


async def test_a_redelivered_update_acts_once(scenario: Scenario) -> None:
    await reach_name_step(scenario, DARA, "English", "I agree")
    update = {
        "update_id": 900_001,
        "message": {
            "message_id": 77,
            "date": 1_700_000_000,
            "chat": {"id": DARA.id, "type": "private", "first_name": "Dara"},
            "from": {"id": DARA.id, "is_bot": False, "first_name": "Dara", "language_code": "en"},
            "text": "Dara Sok",
        },
    }
    before = scenario.emulator.message_count(DARA.id)
    scenario.emulator.inject(update)
    scenario.emulator.inject(update)
    scenario.fed += 2
    assert scenario.app is not None
    await scenario.app.dispatcher.wait_processed(scenario.fed)
    assert scenario.texts_since(DARA, before) == ["What is your role?"]
    assert await conversation_step(scenario, DARA.id) == "role"


async def test_no_command_but_cancel_loses_a_half_done_sign_up(scenario: Scenario) -> None:
    await reach_name_step(scenario, DARA, "English", "I agree")
    await scenario.say(DARA, "Dara")
    assert scenario.app is not None
    for command in sorted(scenario.app.dispatcher.commands):
        if command in ("cancel", "deleteme"):  # these leave the sign-up on purpose
            continue
        await scenario.say(DARA, f"/{command} web")
        assert await conversation_step(scenario, DARA.id) == "role", command
    replies = await scenario.say(DARA, "/search password")
    assert replies == ["Please finish signing up first.", "What is your role?"]
    await scenario.press(DARA, "Student")
    await scenario.press(DARA, "Skip")
    replies = await scenario.press(DARA, "Phnom Penh")
    assert replies == ["Which are your skills? Tap every one that fits, then press Done."]
