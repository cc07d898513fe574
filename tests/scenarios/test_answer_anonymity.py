"""Anonymity is fixed when an answer is given: an expert who shows their name later does
not reveal who wrote their earlier anonymous answers."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from storage.models import Answer, ExpertProfile
from tests.scenarios.harness import Scenario, add_member

SOPHEA = EmuUser(7_600_001, "សុភា", language_code="km")
ASKER = EmuUser(7_600_002, "Asker", language_code="en")
EXPERT = EmuUser(7_600_003, "Visal Namedexpert", language_code="en")
KHMER_QUESTION = "តើខ្ញុំគួរការពារពាក្យសម្ងាត់ និងគណនីអ៊ីមែលរបស់ក្រុមហ៊ុនពីការលួចចូលយ៉ាងដូចម្តេច?"


async def test_answers_given_anonymously_stay_anonymous_after_the_expert_shows_their_name(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, SOPHEA, "km")
    await add_member(scenario, ASKER)
    expert = await add_member(scenario, EXPERT, "en", ("cybersecurity", "web"))
    async with scenario.app.unit_of_work() as uow:
        profile = await uow.session.get(ExpertProfile, expert)
        assert profile is not None
        profile.anonymous = True
        await uow.commit()

    await scenario.say(SOPHEA, "/ask")
    await scenario.say(SOPHEA, KHMER_QUESTION)
    await scenario.press(SOPHEA, km.gettext("Send my question"))
    await scenario.app.run_due_work()
    await scenario.press(EXPERT, "Answer")
    await scenario.say(EXPERT, "Use a password manager and turn on two-step verification.")
    await scenario.app.run_due_work()
    anonymous = km.gettext("an expert")
    delivered = scenario.last(SOPHEA).text or ""
    assert (
        km.gettext("{author} answered your question #{number}:").format(author=anonymous, number=1)
        in delivered
    )

    await scenario.say(EXPERT, "/profile")  # the expert shows their name from now on
    await scenario.press(EXPERT, "Name on answers")
    await scenario.press(EXPERT, "Show my name")
    async with scenario.app.sessionmaker() as session:
        shown = await session.get(ExpertProfile, expert)
        assert shown is not None and shown.anonymous is False

    await scenario.press(SOPHEA, km.gettext("Ask a follow-up"))
    await scenario.say(SOPHEA, "តើកម្មវិធីគ្រប់គ្រងពាក្យសម្ងាត់មួយណាល្អ?")
    await scenario.app.run_due_work()
    await scenario.press(EXPERT, "Reply")
    await scenario.say(EXPERT, "Bitwarden is free and open source.")
    await scenario.app.run_due_work()
    assert km.gettext("{author} replied to your follow-up on question #{number}:").format(
        author=anonymous, number=1
    ) in (scenario.last(SOPHEA).text or "")  # the reply would name the anonymous answer's author

    await scenario.say(ASKER, "/ask")  # a new answer shows the name, as chosen now
    await scenario.say(ASKER, "How do I make my website load faster? The images are huge.")
    await scenario.press(ASKER, "Send my question")
    await scenario.app.run_due_work()
    await scenario.press(EXPERT, "Answer")
    await scenario.say(EXPERT, "Compress your images and cache static files.")
    await scenario.app.run_due_work()
    assert "Visal Namedexpert answered your question #2" in (scenario.last(ASKER).text or "")

    await scenario.say(SOPHEA, "/myquestions")
    replies = await scenario.press(SOPHEA, km.gettext("Read #{number}").format(number=1))
    assert not any("Namedexpert" in reply for reply in replies)
    assert sum(f"<b>{anonymous}</b>" in reply for reply in replies) == 2  # answer and reply
    await scenario.say(ASKER, "/myquestions")
    replies = await scenario.press(ASKER, "Read #2")
    assert any("<b>Visal Namedexpert</b>" in reply for reply in replies)

    async with scenario.app.sessionmaker() as session:
        stored = list(await session.scalars(select(Answer).order_by(Answer.id)))
    assert [a.anonymous for a in stored] == [True, True, False]
