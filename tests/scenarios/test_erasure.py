"""/deleteme settles what the member leaves behind: their questions close, the offers made
to them are withdrawn and their questions move on, a company request of theirs is dropped,
and no outbox message names them or goes to their chat."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from storage.models import (
    Assignment,
    Company,
    ExpertApplication,
    Member,
    OutboxMessage,
    Question,
    ReputationGrant,
)
from tests.scenarios.harness import Scenario, add_member

SOPHEA = EmuUser(7_700_001, "សុភា ចាន់", language_code="km", username="sophea_chan")
EXPERTS = [EmuUser(7_700_010 + i, f"Expert Number{i}", language_code="en") for i in range(3)]
LONE = EmuUser(7_700_020, "Lone Webexpert", language_code="en", username="lone_web")
ASKER = EmuUser(7_700_030, "Asker Person", language_code="en")
MODERATOR = EmuUser(7_700_040, "Moderator", language_code="en")
ADMIN = EmuUser(7_700_050, "Admin", language_code="en")
FOUNDER = EmuUser(7_700_060, "Founder Leaving", language_code="en", username="founder_x")
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
KHMER_QUESTION = "តើខ្ញុំគួរការពារពាក្យសម្ងាត់ និងគណនីអ៊ីមែលរបស់ក្រុមហ៊ុនពីការលួចចូលយ៉ាងដូចម្តេច?"
WEB_QUESTION = "How do I make my website load faster? The images are huge."


async def rows(scenario: Scenario, model: type, *where: Any) -> list[Any]:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return list(await session.scalars(select(model).where(*where)))


async def naming(scenario: Scenario, *words: str) -> list[str]:
    """Outbox rows whose text holds any of ``words`` (a name, a username)."""
    return [m.text for m in await rows(scenario, OutboxMessage) if any(w in m.text for w in words)]


async def erase(scenario: Scenario, user: EmuUser, yes: str = "Yes, erase my data") -> None:
    await scenario.say(user, "/deleteme")
    await scenario.press(user, yes)


async def test_a_khmer_askers_open_questions_close_and_their_offers_are_withdrawn(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, SOPHEA, "km")
    for expert in EXPERTS:
        await add_member(scenario, expert, "en", ("cybersecurity",))
    await scenario.say(SOPHEA, "/ask")
    await scenario.say(SOPHEA, KHMER_QUESTION)
    await scenario.press(SOPHEA, km.gettext("Send my question"))
    await scenario.app.run_due_work()
    assert all(scenario.find_button(e, "Answer") for e in EXPERTS)
    await scenario.press(EXPERTS[0], "Answer")  # one starts writing, the others wait

    await erase(scenario, SOPHEA, km.gettext("Yes, erase my data"))
    assert scenario.last(SOPHEA).text == km.gettext(
        "Your personal data is erased. Thank you for being part of the community. You can send /start to join again from {time}."
    ).format(time=km.moment(scenario.clock.now().astimezone(PHNOM_PENH) + timedelta(days=1)))

    [question] = await rows(scenario, Question)
    assert (question.status, question.escalate_at) == ("closed", None)
    assert question.closed_at is not None
    assert {a.status for a in await rows(scenario, Assignment)} == {"withdrawn"}
    await scenario.press(EXPERTS[1], "Answer")
    assert scenario.toasts()[-1] == "This question is closed: it needs no more answers."
    replies = await scenario.say(EXPERTS[0], "Use a password manager and turn on 2FA.")
    assert replies == ["This question is closed: it needs no more answers."]
    assert await rows(scenario, OutboxMessage, OutboxMessage.chat_id == SOPHEA.id) == []
    assert await naming(scenario, "សុភា", "sophea_chan") == []
    scenario.clock.advance(hours=48)
    await scenario.app.run_due_work()  # nothing escalates: nobody would read an answer
    assert [m.text for m in scenario.emulator.messages(MODERATOR.id)] == []


async def test_an_erased_experts_offers_are_withdrawn_and_the_question_moves_on(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, LONE, "en", ("web",))
    await add_member(scenario, ASKER)
    await add_member(scenario, MODERATOR, staff="moderator")
    await scenario.say(ASKER, "/ask")  # a first question, answered with the expert's name
    await scenario.say(ASKER, "Which web server should a small ministry site use today?")
    await scenario.press(ASKER, "Web")  # Web and Cloud tie: neither is ticked
    await scenario.press(ASKER, "Send my question")
    await scenario.app.run_due_work()
    await scenario.press(LONE, "Answer")
    await scenario.say(LONE, "Nginx in front of your app server works well.")
    await scenario.app.run_due_work()
    assert "Lone Webexpert answered your question #1" in (scenario.last(ASKER).text or "")
    await scenario.say(ASKER, "/ask")  # a second, offered to the lone expert only
    await scenario.say(ASKER, WEB_QUESTION)
    await scenario.press(ASKER, "Send my question")
    await scenario.app.run_due_work()
    assert "Question #2" in (scenario.last(LONE).text or "")

    await erase(scenario, LONE)
    [offer] = await rows(scenario, Assignment, Assignment.question_id == 2)
    assert offer.status == "withdrawn"
    assert await naming(scenario, "Lone Webexpert", "lone_web") == []
    assert await rows(scenario, OutboxMessage, OutboxMessage.chat_id == LONE.id) == []
    await scenario.app.run_due_work()  # no open offer left: the next round starts at once
    assert "No expert has answered this question yet" in (scenario.last(MODERATOR).text or "")
    assert "Your question #2 has no answer yet" in (scenario.last(ASKER).text or "")
    before = len(scenario.emulator.messages(LONE.id))
    await scenario.press_data(LONE, f"qa:a:{offer.id}")
    assert scenario.toasts()[-1] == "This question was not sent to you, so you cannot answer it."
    assert len(scenario.emulator.messages(LONE.id)) == before


async def test_a_company_request_and_an_expert_application_of_an_erased_member_are_dropped(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, FOUNDER)
    await scenario.say(FOUNDER, "/company")
    await scenario.press(FOUNDER, "Register a company")
    for answer in ("Leaving Labs", "MOC-77", "software"):
        await scenario.say(FOUNDER, answer)
    await scenario.press(FOUNDER, "Skip")
    await scenario.say(FOUNDER, "We build apps for farmers.")
    await scenario.press(FOUNDER, "Send")
    await scenario.say(FOUNDER, "/expert")
    await scenario.press(FOUNDER, "Data")
    await scenario.press(FOUNDER, "Next")
    await scenario.say(FOUNDER, "Ten years of data work at a bank.")
    await scenario.app.run_due_work()
    assert "A company asks to be verified" in "".join(
        m.text or "" for m in scenario.emulator.messages(ADMIN.id)
    )

    await erase(scenario, FOUNDER)
    assert await rows(scenario, Company) == []
    assert await rows(scenario, OutboxMessage, OutboxMessage.dedupe_key.like("company:%")) == []
    assert await rows(scenario, OutboxMessage, OutboxMessage.dedupe_key.like("application:%")) == []
    assert await naming(scenario, "Founder Leaving", "founder_x") == []
    toasts = scenario.toasts()
    await scenario.press_data(ADMIN, "jb:cok:1")
    assert scenario.toasts()[-1] == (
        "This company request was withdrawn: the member who sent it erased their data."
    )
    assert await rows(scenario, Company) == []  # no verified company with nobody behind it
    [application] = await rows(scenario, ExpertApplication)
    await scenario.press_data(ADMIN, f"qa:ok:{application.id}")
    assert scenario.toasts()[-1] == "This application was withdrawn: the member erased their data."
    assert application.status == "withdrawn"
    assert len(scenario.toasts()) == len(toasts) + 2


async def test_an_introduction_a_representative_asked_for_is_withdrawn_when_they_erase(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    rep = await add_member(scenario, FOUNDER)
    talent = await add_member(scenario, ASKER)
    now = scenario.clock.now()
    async with scenario.app.unit_of_work() as uow:
        company = await uow.jobs.add_company(rep, "Stay Co", "MOC-5", "IT", None, "Apps.", now)
        company.status = "verified"
        intro = await uow.jobs.request_intro(company.id, rep, talent, now)
        assert intro is not None
        await uow.commit()
    await erase(scenario, FOUNDER)
    await scenario.say(ASKER, "/help")
    await scenario.press_data(ASKER, f"jb:ia:{intro.id}")
    assert scenario.toasts()[-1] == "This request is no longer valid."
    assert [c.status for c in await rows(scenario, Company)] == ["verified"]  # the company's


async def test_helpful_and_accept_on_an_erased_experts_answer_give_nobody_points(
    scenario: Scenario,
) -> None:
    expert_id = await add_member(scenario, LONE, expert_tags=("web",))
    await add_member(scenario, ASKER)
    await scenario.say(ASKER, "/ask")
    await scenario.say(ASKER, WEB_QUESTION)
    if any(b.startswith("➡️") for b in scenario.buttons(ASKER)):
        await scenario.press(ASKER, "➡️")
    await scenario.press(ASKER, "Send my question")
    assert scenario.app is not None
    await scenario.app.run_due_work()
    await scenario.press(LONE, "Answer")
    await scenario.say(LONE, "Compress your images and cache static files.")
    await scenario.app.run_due_work()
    await erase(scenario, LONE)

    await scenario.press(ASKER, "👍 Helpful")
    assert (
        scenario.emulator.callback_answers[-1]["text"]
        == "Thank you! The expert has left the community."
    )
    await scenario.press(ASKER, "✅ Accept")  # the question still closes
    erased = (await rows(scenario, Member, Member.id == expert_id))[0]
    assert erased.deleted_at is not None and erased.reputation == 0
    assert await rows(scenario, ReputationGrant, ReputationGrant.member_id == expert_id) == []
    assert [q.status for q in await rows(scenario, Question)] == ["closed"]
