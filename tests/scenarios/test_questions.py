"""Questions reach experts by tag; answers come back; nothing answered escalates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from storage.models import Answer, Assignment, Member, Question
from tests.scenarios.harness import Scenario, add_member

SOPHEA = EmuUser(901, "សុភា", language_code="km")
EXPERTS = [EmuUser(910 + i, f"Expert {i}", language_code="en") for i in range(5)]
MODERATOR = EmuUser(950, "Moderator", language_code="en")
KHMER_QUESTION = "តើខ្ញុំគួរការពារពាក្យសម្ងាត់ និងគណនីអ៊ីមែលរបស់ក្រុមហ៊ុនពីការលួចចូលយ៉ាងដូចម្តេច?"


async def stored(scenario: Scenario, model: type, **where: object) -> list:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        query: Any = select(model).filter_by(**where)
        return list(await session.scalars(query))


async def ask_khmer_question(scenario: Scenario, km: object) -> None:
    _ = km.gettext  # type: ignore[attr-defined]
    replies = await scenario.say(SOPHEA, "/ask")
    assert replies == [
        _(
            "What is your question? Write it in Khmer, English or both: what you want to do, what you tried and what went wrong."
        )
    ]
    replies = await scenario.say(SOPHEA, KHMER_QUESTION)
    assert any("✅" in b and "សន្តិសុខ" in b for b in scenario.buttons(SOPHEA))  # pre-selected
    replies = await scenario.press(SOPHEA, _("Send my question"))
    assert replies[-1] == km.ngettext(  # type: ignore[attr-defined]
        "Your question #{number} was sent to {count} expert. Their answers will come here; /myquestions shows its status.",
        "Your question #{number} was sent to {count} experts. Their answers will come here; /myquestions shows its status.",
        3,
    ).format(number=1, count=3)


def offers_to(scenario: Scenario, user: EmuUser) -> list[str]:
    return [
        m.text or "" for m in scenario.emulator.messages(user.id) if "Question #" in (m.text or "")
    ]


async def test_a_khmer_question_reaches_three_experts_one_passes_one_answers_and_it_is_accepted(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, SOPHEA, "km")
    for expert in EXPERTS[:4]:
        await add_member(scenario, expert, "en", ("cybersecurity",))

    await ask_khmer_question(scenario, km)
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    offered = [e for e in EXPERTS[:4] if offers_to(scenario, e)]
    assert len(offered) == 3
    first, second, third = offered
    assert KHMER_QUESTION in offers_to(scenario, first)[0]
    assert scenario.buttons(first) == ["✍️ Answer", "↪️ Pass", "⚠️ Report"]

    await scenario.press(first, "Pass")
    assert scenario.toasts()[-1] == "Thank you. We will find someone else for it."
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    fourth = next(e for e in EXPERTS[:4] if e not in offered)
    assert offers_to(scenario, fourth)  # the pass went to the next candidate

    replies = await scenario.press(second, "Answer")
    assert replies[0].startswith("Write your answer to question #1.")
    replies = await scenario.say(
        second, "Use a password manager & <turn on> two-step verification."
    )
    assert replies == ["Thank you, Expert 1! Your answer was sent to the member who asked."]
    await scenario.app.run_due_work()  # type: ignore[union-attr]

    answer_message = scenario.last(SOPHEA)
    assert km.gettext("{author} answered your question #{number}:").format(
        author="Expert 1", number=1
    ) in (answer_message.text or "")
    assert "&lt;turn on&gt;" in (answer_message.text or "")
    assert any(
        "answered by another expert" in t
        for t in [m.text or "" for m in scenario.emulator.messages(third.id)]
    )

    await scenario.press(SOPHEA, km.gettext("Helpful"))
    await scenario.press(SOPHEA, km.gettext("Accept"))
    [question] = await stored(scenario, Question)
    assert question.status == "closed" and question.accepted_answer_id is not None
    [member] = await stored(scenario, Member, telegram_id=second.id)
    assert member.reputation == 12
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert "was accepted: +10 reputation" in (scenario.last(second).text or "")

    replies = await scenario.say(second, "/search password manager")
    assert "#1" in replies[0]
    replies = await scenario.press(second, "📖 #1")
    assert replies[0].startswith("<b>Question #1</b>")
    assert "✅ <b>Expert 1</b>" in replies[1] and "password manager" in replies[1]

    # the asker rereads it from /myquestions; nobody else can through that button
    replies = await scenario.say(SOPHEA, "/myquestions")
    assert f"<b>#១</b> · {km.gettext('Closed')} · " in replies[0]
    assert scenario.buttons(SOPHEA) == ["📖 " + km.gettext("Read #{number}").format(number=1)]
    replies = await scenario.press(SOPHEA, km.gettext("Read #{number}").format(number=1))
    assert km.gettext("Question #{number}").format(number=1) in replies[0]
    assert KHMER_QUESTION in replies[0] and "password manager" in replies[1]
    await scenario.press_data(second, "qa:v:1")
    assert scenario.toasts()[-1] == "Only the member who asked can read it here."


async def test_an_unanswered_question_escalates_twice_and_reaches_a_moderator(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, SOPHEA, "km")
    for expert in EXPERTS:
        await add_member(scenario, expert, "en", ("cybersecurity",))
    await add_member(scenario, MODERATOR, "en", staff="moderator")

    await ask_khmer_question(scenario, km)
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert len([e for e in EXPERTS if offers_to(scenario, e)]) == 3

    scenario.clock.advance(hours=23)
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert len([e for e in EXPERTS if offers_to(scenario, e)]) == 3  # not yet

    scenario.clock.advance(hours=2)
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert len([e for e in EXPERTS if offers_to(scenario, e)]) == 5  # round 2: the next ones
    replies = await scenario.say(SOPHEA, "/myquestions")
    where = km.gettext("with experts, round {round} of {rounds}").format(round=2, rounds=2)
    assert f"<b>#១</b> · {km.gettext('Waiting for answers')} ({where}) · " in replies[0]
    assert not offers_to(scenario, MODERATOR)
    await scenario.app.run_due_work()  # type: ignore[union-attr]  # running again sends nothing twice
    assert len(await stored(scenario, Assignment)) == 5

    scenario.clock.advance(hours=25)
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    [offer] = offers_to(scenario, MODERATOR)
    assert "No expert has answered this question yet. Can you help?" in offer
    [question] = await stored(scenario, Question)
    assert question.round == 3 and question.escalate_at is None
    replies = await scenario.say(SOPHEA, "/myquestions")
    assert f"({km.gettext('with the moderators')})" in replies[0]
    assert "(នៅជាមួយអ្នកសម្របសម្រួល)" in replies[0]
    notices = [m.text for m in scenario.emulator.messages(SOPHEA.id)]
    assert (
        notices.count(
            km.gettext(
                "Your question #{number} has no answer yet, so more people will see it now."
            ).format(number=1)
        )
        == 2
    )

    await scenario.press(MODERATOR, "Answer")
    await scenario.say(MODERATOR, "Change every password and turn on two-step verification.")
    assert len(await stored(scenario, Answer)) == 1


async def test_bad_questions_get_advice_and_a_closed_question_takes_no_answers(
    scenario: Scenario, translations: Translations
) -> None:
    await add_member(scenario, EXPERTS[0], "en", ("web",))
    asker = EXPERTS[4]
    await add_member(scenario, asker, "en")
    await scenario.say(asker, "/ask")
    replies = await scenario.say(asker, "help me please")
    assert replies[0].startswith("Please tell a little more")
    replies = await scenario.say(asker, "word " * 500)
    assert (
        replies[0]
        == "That is too long: a question can have at most 2,000 characters. Please shorten it."
    )
    replies = await scenario.say(asker, "How do I make my website load faster on slow mobile data?")
    # Web and Mobile apps score the same: both offered first, neither ticked.
    assert replies[-1].startswith("Which topics is your question about? The likely ones come")
    assert scenario.buttons(asker)[:3] == ["Web", "Mobile apps", "Data"]
    await scenario.press(asker, "Send my question")
    assert scenario.toasts()[-1] == "Choose at least one topic, then press Send."
    await scenario.press(asker, "Web")
    assert scenario.buttons(asker)[:3] == ["✅ Web", "Mobile apps", "Data"]
    await scenario.press(asker, "Send my question")
    await scenario.app.run_due_work()  # type: ignore[union-attr]

    [assignment] = await stored(scenario, Assignment)
    replies = await scenario.say(asker, "/myquestions")
    assert "<b>#1</b> · Waiting for answers (with experts, round 1 of 2) · answers: 0" in replies[0]
    await scenario.press(asker, "Close #1")
    assert scenario.toasts()[-1] == "Question #1 is closed."
    await scenario.press(EXPERTS[0], "Answer")
    assert scenario.toasts()[-1] == "This question is closed: it needs no more answers."
    assert assignment.status == "offered"


async def test_an_old_answer_button_is_refused_to_someone_no_longer_an_expert(
    scenario: Scenario,
) -> None:
    expert, asker = EXPERTS[0], EXPERTS[4]
    await add_member(scenario, expert, "en", ("web",))
    await add_member(scenario, asker, "en")
    await scenario.say(asker, "/ask")
    await scenario.say(asker, "How do I make my website load faster? The images are huge.")
    await scenario.press(asker, "Send my question")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    await scenario.say(expert, "/deleteme")
    await scenario.press(expert, "Yes, erase my data")
    await scenario.press(expert, "Answer")
    assert scenario.toasts()[-1] == "This question was not sent to you, so you cannot answer it."
    assert await stored(scenario, Answer) == []


async def test_an_answered_question_is_offered_as_similar_before_asking_again(
    scenario: Scenario,
) -> None:
    expert, first, second = EXPERTS[0], EXPERTS[3], EXPERTS[4]
    await add_member(scenario, expert, "en", ("web",))
    await add_member(scenario, first, "en")
    await add_member(scenario, second, "en")
    await scenario.say(first, "/ask")
    await scenario.say(first, "How do I make my website load faster on slow mobile data?")
    await scenario.press(first, "Web")  # Web and Mobile apps tie: neither is ticked
    await scenario.press(first, "Send my question")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    await scenario.press(expert, "Answer")
    await scenario.say(expert, "Compress images and cache static files.")

    await scenario.say(second, "/ask")
    replies = await scenario.say(second, "My website is slow on mobile data, what can I do?")
    assert replies[0].startswith("These answered questions look similar.")
    assert scenario.buttons(second)[0].startswith("📖 #1 How do I make my website")
    replies = await scenario.press(second, "📖 #1")
    assert replies[0].startswith("<b>Question #1</b>") and "Compress images" in replies[1]
    replies = await scenario.press(second, "None of these helps")
    assert replies[0].startswith("Which topics is your question about?")


async def test_an_expert_in_quiet_hours_receives_the_question_when_they_end(
    scenario: Scenario,
) -> None:
    sleeper, asker = EXPERTS[0], EXPERTS[4]
    await add_member(scenario, sleeper, "en", ("web",), quiet=("21:00", "07:00"))
    await add_member(scenario, asker, "en")
    scenario.clock.current = scenario.clock.current.replace(hour=16)  # 23:00 in Phnom Penh
    await scenario.say(asker, "/ask")
    await scenario.say(asker, "How do I make my website load faster? The images are huge.")
    replies = await scenario.press(asker, "Send my question")
    assert "was sent to 1 expert." in replies[-1]
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert offers_to(scenario, sleeper) == []
    scenario.clock.advance(hours=7, minutes=59)  # 06:59
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert offers_to(scenario, sleeper) == []
    scenario.clock.advance(minutes=1)  # 07:00
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert len(offers_to(scenario, sleeper)) == 1
