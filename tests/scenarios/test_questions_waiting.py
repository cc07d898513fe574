"""Questions nobody can take yet: busy experts, no experts, no staff. They wait honestly and
are offered again on the configured schedule."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.sandbox.emulator import EmuUser
from storage.models import Question
from tests.scenarios.harness import Scenario, add_member
from tests.scenarios.test_questions import offers_to

ASKER = EmuUser(1301, "Asker")
EXPERT = EmuUser(1302, "Expert")
MODERATOR = EmuUser(1303, "Moderator")
QUESTION = "How do I make my website load faster? The images are huge."


async def ask(scenario: Scenario, text: str = QUESTION) -> list[str]:
    await scenario.say(ASKER, "/ask")
    await scenario.say(ASKER, text)
    if any(b.startswith("➡️") for b in scenario.buttons(ASKER)):
        await scenario.press(ASKER, "None of these helps")
    replies = await scenario.press(ASKER, "Send my question")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    return replies


async def questions(scenario: Scenario) -> list[Question]:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return list(await session.scalars(select(Question).order_by(Question.id)))


async def test_with_no_staff_the_question_waits_the_configured_time_for_a_moderator(
    scenario: Scenario,
) -> None:
    scenario.settings = scenario.settings.with_(escalate_after_hours=2.0)
    await scenario.restart()
    await add_member(scenario, ASKER)
    replies = await ask(scenario)  # no expert for web, and nobody on the staff
    assert "it will be offered again later" in replies[-1]
    [question] = await questions(scenario)
    assert question.round == 3
    assert question.escalate_at == question.created_at + timedelta(hours=2)

    await add_member(scenario, MODERATOR, staff="moderator")
    scenario.clock.advance(hours=2)
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    [offer] = offers_to(scenario, MODERATOR)
    assert "No expert has answered this question yet. Can you help?" in offer


async def set_cap(scenario: Scenario, cap: int, available: bool = True) -> None:
    from storage.models import ExpertProfile

    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        profile = await session.scalar(select(ExpertProfile))
        assert profile is not None
        profile.cap, profile.available = cap, available
        await session.commit()


BUSY = (
    "Your question #2 is saved. The experts for these topics are busy right now; it will "
    "reach one as soon as one is free. /myquestions shows its status."
)


async def test_a_question_for_a_busy_expert_reaches_them_once_they_are_free(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ASKER)
    await add_member(scenario, EXPERT, expert_tags=("web",))
    await add_member(scenario, MODERATOR, staff="moderator")
    await set_cap(scenario, 1)
    await ask(scenario)  # question 1 holds the expert's only place
    assert len(offers_to(scenario, EXPERT)) == 1

    replies = await ask(scenario, "Why is my website so slow when many people visit it at once?")
    assert replies[-1] == BUSY
    assert len(offers_to(scenario, EXPERT)) == 1  # no offer yet
    assert offers_to(scenario, MODERATOR) == []  # and not skipped to the moderators
    second = (await questions(scenario))[1]
    assert second.round == 1 and second.escalate_at == second.created_at + timedelta(minutes=10)
    replies = await scenario.say(ASKER, "/myquestions")  # newest first
    assert "<b>#2</b> · Waiting for answers (waiting for someone free to answer it)" in replies[0]
    assert "<b>#1</b> · Waiting for answers (with experts, round 1 of 2)" in replies[0]

    await scenario.press(EXPERT, "Answer", scenario.find_button(EXPERT, "Answer")[0])
    await scenario.say(EXPERT, "Compress images and cache static files.")
    scenario.clock.advance(minutes=9)
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert len(offers_to(scenario, EXPERT)) == 1
    scenario.clock.advance(minutes=1)
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    offers = offers_to(scenario, EXPERT)
    assert len(offers) == 2 and "Question #2" in offers[1]
    second = (await questions(scenario))[1]
    assert second.round == 1
    assert second.escalate_at == scenario.clock.now() + timedelta(hours=24)  # from the offer
    assert offers_to(scenario, MODERATOR) == []
    assert not any("more people will see it" in t for t in scenario.texts_since(ASKER, 0))


async def test_a_question_whose_experts_stay_away_escalates_after_the_usual_time(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ASKER)
    await add_member(scenario, EXPERT, expert_tags=("web",))
    await add_member(scenario, MODERATOR, staff="moderator")
    await set_cap(scenario, 3, available=False)
    replies = await ask(scenario)
    assert "The experts for these topics are busy right now" in replies[-1]
    for _ in range(6):  # an hour of retries: still nobody free
        scenario.clock.advance(minutes=10)
        await scenario.app.run_due_work()  # type: ignore[union-attr]
    [question] = await questions(scenario)
    assert question.round == 1 and offers_to(scenario, MODERATOR) == []

    scenario.clock.advance(hours=23)
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    [offer] = offers_to(scenario, MODERATOR)  # round 2 found nobody: the moderators
    assert "No expert has answered this question yet. Can you help?" in offer
    [question] = await questions(scenario)
    assert question.round == 3 and question.escalate_at is None
    notices = [t for t in scenario.texts_since(ASKER, 0) if "more people will see it" in t]
    assert len(notices) == 1
    assert offers_to(scenario, EXPERT) == []
