"""What members type is stored without NUL, bidi overrides and other invisible controls."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.emulator import EmuUser
from storage.models import Company
from tests.scenarios.harness import Scenario, add_member

VANNA = EmuUser(1401, "Vanna")
REP = EmuUser(1402, "Rep")


async def test_a_name_typed_with_an_rtl_override_and_a_nul_is_stored_clean(
    scenario: Scenario,
) -> None:
    await scenario.say(VANNA, "/start")
    await scenario.press(VANNA, "English")
    await scenario.press(VANNA, "I agree")
    assert await scenario.say(VANNA, "\u202eVanna\x00 Chan\u202c") == ["What is your role?"]
    assert scenario.app is not None
    async with scenario.app.unit_of_work() as uow:
        conversation, _ = await uow.load_user(VANNA.id)
    assert conversation is not None
    assert conversation["data"]["profile"]["name"] == "Vanna Chan"


async def test_a_company_description_keeps_its_lines_but_loses_nul_and_bidi_controls(
    scenario: Scenario,
) -> None:
    await add_member(scenario, REP)
    await scenario.say(REP, "/company")
    await scenario.press(REP, "Register a company")
    await scenario.say(REP, "Smart\u202e Co")
    await scenario.say(REP, "MOC-1")
    await scenario.say(REP, "Software")
    await scenario.press(REP, "Skip")
    await scenario.say(REP, "We build\x00 apps.\n\u2066For banks.\u2069")
    await scenario.press(REP, "Send")
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        company = await session.scalar(select(Company))
        assert company is not None
        assert (company.name, company.about) == ("Smart Co", "We build apps.\nFor banks.")
