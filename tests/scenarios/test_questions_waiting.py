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
QUESTION = "How do I make my website load faster on slow mobile data?"


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
