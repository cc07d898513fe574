"""Members who signed up through the bot leave by CSV export and come back by CSV import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot import commands
from bot.config import Settings
from bot.core.i18n import Translations, Translator
from bot.sandbox.emulator import EmuUser
from storage.db import make_engine, make_sessionmaker
from storage.uow import UnitOfWork
from tests.scenarios.harness import Scenario

SOPHEA = EmuUser(1501, "សុភា", language_code="km", username="sophea_km")
JOHN = EmuUser(1502, "John", language_code="en", username="john_dev")

WELCOME = (
    "Welcome to the Digital Community of Cambodia, {name}! Your profile is saved.\n\n"
    "Send /help to see what you can do, or /profile to change your profile."
)
FIELDS = (
    "telegram_id", "username", "full_name", "language", "role", "organisation", "province",
    "country", "years_experience", "open_to_work", "alert_frequency", "directory_visible",
    "created_at",
)  # fmt: skip


async def sign_up_in_khmer(scenario: Scenario, km: Translator) -> None:
    _ = km.gettext
    await scenario.say(SOPHEA, "/start")
    await scenario.press(SOPHEA, "ខ្មែរ")
    await scenario.press(SOPHEA, _("I agree"))
    await scenario.say(SOPHEA, "សុភា  ចាន់\u200b")
    await scenario.press(SOPHEA, _("Civil servant"))
    await scenario.say(SOPHEA, "ក្រសួងប្រៃសណីយ៍និងទូរគមនាគមន៍")
    await scenario.press(SOPHEA, _("Abroad"))
    await scenario.say(SOPHEA, "ជប៉ុន")
    await scenario.press(SOPHEA, "បញ្ញាសិប្បនិម្មិត")
    await scenario.press(SOPHEA, "កុំព្យូទ័រភាសាខ្មែរ")
    await scenario.press(SOPHEA, _("Done"))
    await scenario.say(SOPHEA, "១២")
    await scenario.press(SOPHEA, _("Yes"))
    await scenario.press(SOPHEA, _("Daily digest"))
    await scenario.press(SOPHEA, _("Yes"))
    await scenario.press(SOPHEA, _("Skip"))
    replies = await scenario.press(SOPHEA, _("Confirm"))
    assert replies[0] == _(WELCOME).format(name="សុភា ចាន់")


async def sign_up_in_english(scenario: Scenario) -> None:
    await scenario.say(JOHN, "/start")
    await scenario.press(JOHN, "English")
    await scenario.press(JOHN, "I agree")
    await scenario.say(JOHN, 'John "JJ" Smith, Jr')
    await scenario.press(JOHN, "Private-sector employee")
    await scenario.say(JOHN, "=Smart, Axiata & Co")  # a spreadsheet would run it as a formula
    await scenario.press(JOHN, "Siem Reap")
    await scenario.press(JOHN, "Cybersecurity")
    await scenario.press(JOHN, "Web")
    await scenario.press(JOHN, "Done")
    await scenario.say(JOHN, "0")
    await scenario.press(JOHN, "No")
    await scenario.press(JOHN, "No")
    await scenario.send(JOHN, "contact", phone_number="+85512000111")
    replies = await scenario.press(JOHN, "Confirm")
    assert replies[0] == WELCOME.format(name='John "JJ" Smith, Jr')


async def members(database_url: str) -> dict[int, dict[str, Any]]:
    """Every member's exported fields, skills and phone, by Telegram id."""
    engine = make_engine(database_url)
    try:
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            found: dict[int, dict[str, Any]] = {}
            async for member, skills in uow.members.export_rows():
                assert member.telegram_id is not None
                found[member.telegram_id] = {f: getattr(member, f) for f in FIELDS} | {
                    "skills": skills,
                    "phone": member.phone,
                }
            return found
    finally:
        await engine.dispose()


async def export(settings: Settings, capsys: pytest.CaptureFixture[str]) -> bytes:
    assert await commands.export_members(settings) == 0
    return capsys.readouterr().out.encode()


async def test_members_signed_up_in_khmer_and_english_survive_export_and_import(
    scenario: Scenario,
    translations: Translations,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await sign_up_in_khmer(scenario, translations.for_language("km"))
    scenario.clock.advance(minutes=5)
    await sign_up_in_english(scenario)
    signed_up = await members(scenario.settings.database_url)
    assert signed_up[SOPHEA.id] | {"created_at": None} == {
        "telegram_id": SOPHEA.id, "username": "sophea_km", "full_name": "សុភា ចាន់",
        "language": "km", "role": "civil-servant",
        "organisation": "ក្រសួងប្រៃសណីយ៍និងទូរគមនាគមន៍", "province": "abroad",
        "country": "ជប៉ុន", "years_experience": 12, "open_to_work": True,
        "alert_frequency": "daily", "directory_visible": True, "created_at": None,
        "skills": ["ai", "khmer-computing"], "phone": None,
    }  # fmt: skip
    assert signed_up[JOHN.id] | {"created_at": None} == {
        "telegram_id": JOHN.id, "username": "john_dev", "full_name": 'John "JJ" Smith, Jr',
        "language": "en", "role": "private-sector", "organisation": "=Smart, Axiata & Co",
        "province": "siem-reap", "country": None, "years_experience": 0,
        "open_to_work": False, "alert_frequency": "off", "directory_visible": False,
        "created_at": None, "skills": ["web", "cybersecurity"], "phone": "+85512000111",
    }  # fmt: skip

    first = await export(scenario.settings, capsys)
    assert "'=Smart, Axiata & Co" in first.decode()  # neutralised for spreadsheets
    exported = tmp_path / "members.csv"
    exported.write_bytes(first)

    fresh = scenario.settings.with_(database_url=f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    assert await commands.db_upgrade(fresh) == 0
    assert await commands.import_members(fresh, exported) == 0
    assert "Imported 2 new members, updated 0 members; 0 rows skipped." in capsys.readouterr().out

    assert await export(fresh, capsys) == first  # byte for byte
    imported = await members(fresh.database_url)
    for telegram_id, member in signed_up.items():  # everything but the phone, never exported
        assert imported[telegram_id] == member | {"phone": None}
    assert imported[SOPHEA.id]["created_at"] < imported[JOHN.id]["created_at"]
