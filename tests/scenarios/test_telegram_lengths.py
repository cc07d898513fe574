"""Telegram's real limits, end to end: what a member wrote and Telegram accepted from them
reaches its reader whole; a combining-mark title cannot break a list; invisible controls
never reach another member. The emulator refuses any message over 4,096 UTF-16 units after
entity parsing, as Telegram does, so a message too long anywhere fails these scenarios."""

from __future__ import annotations

import html

from sqlalchemy import select

from bot.core.html import MESSAGE_MAX, shown_length
from bot.core.i18n import Translations
from bot.core.text import telegram_length
from bot.sandbox.emulator import EmuUser
from storage.models import Answer, Job, OutboxMessage, Question
from storage.outbox import FAILED
from tests.scenarios.harness import Scenario, add_member
from tests.scenarios.test_jobs import ADMIN, REP, post_job, register_company

ASKER = EmuUser(1501, "សុភា", language_code="km")
EXPERT = EmuUser(1502, "Dara", language_code="en")
READER = EmuUser(1503, "Reader", language_code="en")
QUESTION = "How should our small company protect staff passwords and email accounts from attacks?"
RLO = "\u202e"
# 3,400 characters (code points) as the expert typed them, 680 of them emoji: Telegram
# counts 4,080 units, under its 4,096, so it took the message; with its heading the answer
# no longer fits one message to the asker.
SENTENCE = "2FA 🔐🔑, backups 💾📀. "
ANSWER = (SENTENCE * 170).strip()


async def ask(scenario: Scenario, km: object, text: str) -> None:
    _ = km.gettext  # type: ignore[attr-defined]
    await scenario.say(ASKER, "/ask")
    await scenario.say(ASKER, text)
    if any(_("None of these helps: continue") in b for b in scenario.buttons(ASKER)):
        await scenario.press(ASKER, _("None of these helps: continue"))
    if not any("✅" in b for b in scenario.buttons(ASKER)):
        await scenario.press(ASKER, "Cybersecurity")
    await scenario.press(ASKER, _("Send my question"))
    assert scenario.app is not None
    await scenario.app.run_due_work()


async def stored(scenario: Scenario, model: type) -> list:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return list(await session.scalars(select(model)))


def shown(texts: list[str]) -> str:
    """What the member reads, entities parsed."""
    return "".join(html.unescape(text) for text in texts)


async def test_a_long_answer_with_emoji_reaches_the_asker_whole_in_parts(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    assert len(ANSWER) == 3399 and telegram_length(ANSWER) == 4079
    await add_member(scenario, ASKER, "km")
    await add_member(scenario, EXPERT, "en", ("cybersecurity",))
    await ask(scenario, km, QUESTION)
    await scenario.press(EXPERT, "Answer")
    replies = await scenario.say(EXPERT, ANSWER)
    assert replies == ["Thank you, Dara! Your answer was sent to the member who asked."]
    before = scenario.emulator.message_count(ASKER.id)
    assert scenario.app is not None
    await scenario.app.run_due_work()

    parts = [m.text or "" for m in scenario.emulator.messages(ASKER.id)[before:]]
    heading = km.gettext("{author} answered your question #{number}:").format(
        author="Dara", number=1
    )
    assert len(parts) == 2 and heading in parts[0]
    assert all(shown_length(part) <= MESSAGE_MAX for part in parts)
    for number, part in enumerate(parts, 1):  # each marked, in the asker's language
        assert part.endswith(
            "<i>" + km.gettext("(part {part} of {total})").format(part=number, total=2) + "</i>"
        )
    words = ANSWER.split()
    assert shown(parts).count("🔐") == ANSWER.count("🔐")  # every sentence arrived
    assert words[0] in shown(parts[:1]) and words[-1] in shown(parts[1:])
    assert scenario.emulator.messages(ASKER.id)[before].inline_keyboard == []
    assert scenario.buttons(ASKER) == [  # the answer's buttons under its last part
        "👍 " + km.gettext("Helpful"), "✅ " + km.gettext("Accept"),
        "❓ " + km.gettext("Ask a follow-up"), "⚠️ " + km.gettext("Report"),
    ]  # fmt: skip
    assert [m for m in await stored(scenario, OutboxMessage) if m.status == FAILED] == []
    [answer] = await stored(scenario, Answer)
    assert answer.text == ANSWER

    # the asker's follow-up of the same length reaches the expert whole too
    await scenario.press(ASKER, km.gettext("Ask a follow-up"))
    await scenario.say(ASKER, ANSWER)
    before = scenario.emulator.message_count(EXPERT.id)
    await scenario.app.run_due_work()
    parts = [m.text or "" for m in scenario.emulator.messages(EXPERT.id)[before:]]
    assert len(parts) == 2 and shown(parts).count("💾") == ANSWER.count("💾")
    assert scenario.buttons(EXPERT) == ["✍️ Reply"]


async def test_an_answer_longer_than_telegram_takes_in_one_message_is_refused_with_the_limit(
    scenario: Scenario, translations: Translations
) -> None:
    await add_member(scenario, ASKER, "km")
    await add_member(scenario, EXPERT, "en", ("cybersecurity",))
    await ask(scenario, translations.for_language("km"), QUESTION)
    await scenario.press(EXPERT, "Answer")
    replies = await scenario.say(EXPERT, "💬" * 2049)  # 4,098 units: Telegram's apps split it
    assert replies[0].startswith("That is too long: an answer can have at most 4,096 characters.")
    assert await stored(scenario, Answer) == []


async def test_a_right_to_left_override_never_reaches_the_expert_or_the_asker(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, ASKER, "km")
    await add_member(scenario, EXPERT, "en", ("cybersecurity",))
    await ask(
        scenario, km, f"How should our small company {RLO}protect staff passwords\u200b\u200b?"
    )
    offer = scenario.last(EXPERT).text or ""
    assert "protect staff passwords?" in offer and RLO not in offer and "\u200b" not in offer
    [question] = await stored(scenario, Question)
    assert RLO not in question.text

    await scenario.press(EXPERT, "Answer")
    await scenario.say(EXPERT, f"Use a manager{RLO} 👩\u200d💻\x00 and 2FA.")
    assert scenario.app is not None
    await scenario.app.run_due_work()
    received = scenario.last(ASKER).text or ""
    assert "Use a manager 👩\u200d💻 and 2FA." in received  # the emoji's joiner stays
    await scenario.press(ASKER, km.gettext("Ask a follow-up"))
    await scenario.say(ASKER, f"{RLO}Which manager?")
    await scenario.app.run_due_work()
    assert "Which manager?" in (scenario.last(EXPERT).text or "")
    assert RLO not in (scenario.last(EXPERT).text or "")


BOMB = ("a" + "\u0301" * 1000) * 5  # five "characters" of a thousand combining marks each


async def test_a_job_title_of_combining_marks_is_refused_and_cannot_break_the_job_list(
    scenario: Scenario,
) -> None:
    for user, staff in ((REP, None), (ADMIN, "admin"), (READER, None)):
        await add_member(scenario, user, "en", staff=staff)
    await register_company(scenario)
    await scenario.say(REP, "/company")
    await scenario.press(REP, "Post a job")
    assert await scenario.say(REP, BOMB) == ["Please send 1 to 120 characters."]
    await scenario.say(REP, "/cancel")
    await post_job(scenario)

    if "postgresql" in scenario.settings.database_url:
        return  # its title column (200) refuses such titles outright; SQLite keeps them
    assert scenario.app is not None
    async with scenario.app.unit_of_work() as uow:  # as the bot before the code-point cap kept
        [job] = list(await uow.session.scalars(select(Job)))
        for _ in range(4):
            copy = {c.key: getattr(job, c.key) for c in Job.__table__.columns if c.key != "id"}
            uow.session.add(Job(**copy))
        job.title = BOMB
        await uow.session.flush()
        for other in await uow.session.scalars(select(Job)):
            other.title = BOMB
        await uow.commit()
    replies = await scenario.say(READER, "/jobs")
    assert len(replies) == 1 and shown_length(replies[0]) < 2000
    assert all(f"#{number}" in replies[0] for number in range(1, 6))


async def test_a_name_of_combining_marks_is_refused(scenario: Scenario) -> None:
    await add_member(scenario, READER, "en")
    await scenario.say(READER, "/profile")
    await scenario.press(READER, "Name")
    replies = await scenario.say(READER, BOMB)
    assert replies[0] == "That is too long: please send at most 100 characters."
