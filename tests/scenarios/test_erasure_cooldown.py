"""The day after /deleteme: the same Telegram account signs up again only 24 hours after
erasing (handlers.profile.cooldown), refused at /start and at Confirm with the times in the
member's language; another account is not held back; the row keeps a hash, not the id."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.core.i18n import Translations, Translator
from bot.sandbox.emulator import EmuUser
from handlers.profile.cooldown import EXTRAS_KEY, erased_key
from storage.models import Member
from tests.scenarios.harness import Scenario
from tests.scenarios.test_profile import sign_up
from tests.scenarios.test_signup import stored_member

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
BOPHA = EmuUser(7_900_001, "បុប្ផា", language_code="km")
DARA = EmuUser(7_900_002, "Dara", language_code="en")
SOKHA = EmuUser(7_900_003, "Sokha", language_code="en")
REFUSAL = (
    "You erased your data on {erased}. To keep the community safe from abuse, you can sign up"
    " again from {time}."
)


def refusal(t: Translator, erased: datetime) -> str:
    local = erased.astimezone(PHNOM_PENH)
    return t.gettext(REFUSAL).format(
        erased=t.moment(local), time=t.moment(local + timedelta(hours=24))
    )


async def erase(scenario: Scenario, user: EmuUser, t: Translator) -> datetime:
    await scenario.say(user, "/deleteme")
    await scenario.press(user, t.gettext("Yes, erase my data"))
    return scenario.clock.now()


async def erased_rows(scenario: Scenario) -> list[Member]:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return list(await session.scalars(select(Member).where(Member.deleted_at.is_not(None))))


async def test_in_khmer_signing_up_again_waits_a_day_after_erasing(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await sign_up(scenario, BOPHA, translations, "km")
    erased = await erase(scenario, BOPHA, km)

    scenario.clock.advance(minutes=1)
    assert await scenario.say(BOPHA, "/start") == [refusal(km, erased)]
    assert "ថ្ងៃទី២៦ ខែវិច្ឆិកា ឆ្នាំ២០២៦ ម៉ោង ០៩:០០" in refusal(km, erased)
    scenario.clock.advance(hours=23, minutes=58)  # a minute before the day is over
    assert await scenario.say(BOPHA, "/start") == [refusal(km, erased)]
    assert (await stored_member(scenario, BOPHA.id))[0] is None

    scenario.clock.advance(minutes=2)  # 24 hours and a minute after the erasure
    await sign_up(scenario, BOPHA, translations, "km")
    member, _skills = await stored_member(scenario, BOPHA.id)
    assert member is not None and member.full_name == BOPHA.first_name


async def test_in_english_only_the_erased_account_waits_and_the_row_keeps_a_hash(
    scenario: Scenario, translations: Translations
) -> None:
    en = translations.for_language("en")
    await sign_up(scenario, DARA, translations, "en")
    erased = await erase(scenario, DARA, en)
    assert scenario.last(DARA).text == (
        "Your personal data is erased. Thank you for being part of the community. You can"
        " send /start to join again from 26 November 2026 09:00."
    )

    [row] = await erased_rows(scenario)
    assert scenario.app is not None
    key = scenario.app.dispatcher.extras[EXTRAS_KEY]
    assert row.erased_key == erased_key(key, DARA.id)
    assert row.erased_key is not None and len(row.erased_key) == 64
    assert str(DARA.id) not in row.erased_key and row.telegram_id is None
    assert row.erased_key != erased_key(key, SOKHA.id)

    scenario.clock.advance(hours=2)
    replies = await scenario.say(DARA, "/start")
    assert replies == [
        "You erased your data on 25 November 2026 09:00. To keep the community safe from"
        " abuse, you can sign up again from 26 November 2026 09:00."
    ]
    assert refusal(en, erased) == replies[0]
    await sign_up(scenario, SOKHA, translations, "en")  # another account: not held back
    assert (await stored_member(scenario, SOKHA.id))[0] is not None

    scenario.clock.advance(hours=22, minutes=1)
    await sign_up(scenario, DARA, translations, "en")
    assert (await stored_member(scenario, DARA.id))[0] is not None


async def test_confirm_is_refused_when_the_account_was_erased_meanwhile(
    scenario: Scenario, translations: Translations
) -> None:
    """An erasure committed between /start and Confirm (another process, another chat):
    the INSERT itself refuses, and the answers wait on the summary until the day is over."""
    en = translations.for_language("en")
    assert scenario.app is not None
    await sign_up(scenario, SOKHA, translations, "en")  # the summary's Confirm is at the end
    erased = await erase(scenario, SOKHA, en)  # now the same account starts again …
    async with scenario.app.sessionmaker() as session:
        row = await session.scalar(select(Member).where(Member.deleted_at.is_not(None)))
        assert row is not None
        row.erased_key = None  # … with /start let through: only Confirm's own check is left
        await session.commit()
    await scenario.say(SOKHA, "/start")
    async with scenario.app.sessionmaker() as session:
        row = await session.scalar(select(Member).where(Member.deleted_at.is_not(None)))
        assert row is not None
        row.erased_key = erased_key(scenario.app.dispatcher.extras[EXTRAS_KEY], SOKHA.id)
        await session.commit()
    await _answer_every_question(scenario, SOKHA, en)

    replies = await scenario.press(SOKHA, "Confirm")
    assert replies == [refusal(en, erased)]
    assert (await stored_member(scenario, SOKHA.id))[0] is None
    scenario.clock.advance(hours=24, minutes=1)
    replies = await scenario.press(SOKHA, "Confirm")  # the summary is still there
    assert replies[0].startswith("Welcome to the Digital Community of Cambodia, Sokha!")
    assert (await stored_member(scenario, SOKHA.id))[0] is not None


async def _answer_every_question(scenario: Scenario, user: EmuUser, t: Translator) -> None:
    """The sign-up after /start, up to the summary (as tests.scenarios.test_profile.sign_up)."""
    await scenario.press(user, "English")
    await scenario.press(user, t.gettext("I agree"))
    await scenario.say(user, user.first_name)
    await scenario.press(user, t.gettext("Academic / researcher"))
    await scenario.say(user, "Institute of Technology of Cambodia")
    await scenario.press(user, "Battambang")
    await scenario.press(user, "Data")
    await scenario.press(user, t.gettext("Done"))
    await scenario.say(user, "4")
    await scenario.press(user, t.gettext("Yes"))
    await scenario.press(user, t.gettext("Weekly digest"))
    await scenario.press(user, t.gettext("No"))
    await scenario.press(user, t.gettext("Skip"))
