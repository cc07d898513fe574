"""What one member may ask of the experts and the staff: each limit refused in the member's
language, and nothing stored or sent beyond it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from handlers.limits import (
    APPLICATION_PENDING,
    COMPANY_PENDING,
    Limit,
    refusal_words,
)
from handlers.questions.answers import NO_FOLLOW_UP
from storage.models import Answer, Assignment, Company, ExpertApplication, Question, Report
from storage.uow import UnitOfWork
from tests.scenarios.harness import Scenario, add_member
from tests.scenarios.test_questions import offers_to

SREYNEANG = EmuUser(1401, "ស្រីនាង", language_code="km")
DARA = EmuUser(1402, "Dara", language_code="en")
ADMIN = EmuUser(1403, "Admin", language_code="en")
MODERATOR = EmuUser(1404, "Moderator", language_code="en")
EXPERTS = [EmuUser(1410 + i, f"Expert {i}", language_code="en") for i in range(3)]
EVERY_TAG = ("software-dev", "web", "mobile", "data", "ai", "cybersecurity", "networking", "cloud")
QUESTIONS = [
    "How do I make my website load faster? The images are huge.",
    "Which cloud provider is best for a small web shop in Cambodia?",
    "How can I protect our office network from ransomware attacks?",
    "What should I learn first to build machine learning models with data?",
]
BUSY = "The experts for these topics are busy right now"


async def count(scenario: Scenario, model: type, *where: Any) -> int:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def ask(
    scenario: Scenario, member: EmuUser, text: str, send: str = "Send my question"
) -> list[str]:
    await scenario.say(member, "/ask")
    await scenario.say(member, text)
    if any(b.startswith("➡️") for b in scenario.buttons(member)):
        await scenario.press(member, "➡️")
    if not any(b.startswith("✅") for b in scenario.buttons(member)):  # none ticked
        await scenario.press(member, scenario.buttons(member)[0])  # the likeliest, first
    replies = await scenario.press(member, send)
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    return replies


async def test_a_member_with_three_questions_waiting_is_told_in_khmer_to_wait_or_close_one(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, SREYNEANG, "km")
    for text in QUESTIONS[:3]:
        await ask(scenario, SREYNEANG, text, km.gettext("Send my question"))
    assert await count(scenario, Question) == 3

    replies = await scenario.say(SREYNEANG, "/ask")
    assert replies == [refusal_words(km, Limit.QUESTIONS_WAITING, 3).format(count=3)]
    assert "សំណួរចំនួន ៣ ដែលកំពុងរង់ចាំចម្លើយដំបូង" in replies[0]
    assert await count(scenario, Question) == 3

    await scenario.say(SREYNEANG, "/myquestions")
    await scenario.press(SREYNEANG, km.gettext("Close #{number}").format(number=1))
    replies = await ask(scenario, SREYNEANG, QUESTIONS[3], km.gettext("Send my question"))
    assert await count(scenario, Question) == 4


async def test_the_daily_number_of_questions_is_refused_until_the_oldest_is_a_day_old(
    scenario: Scenario,
) -> None:
    scenario.settings = scenario.settings.with_(questions_per_day=2)
    await scenario.restart()
    await add_member(scenario, DARA)
    await ask(scenario, DARA, QUESTIONS[0])
    scenario.clock.advance(hours=1)
    await ask(scenario, DARA, QUESTIONS[1])
    await scenario.say(DARA, "/myquestions")
    await scenario.press(DARA, "Close #1")  # closing frees a waiting place, not today's count

    replies = await scenario.say(DARA, "/ask")
    assert replies == [
        "You have asked 2 questions in the last 24 hours, the most allowed. "
        "You can ask the next one from 26 November 2026 09:00."
    ]
    scenario.clock.advance(hours=23)  # the first question is 24 hours old
    await ask(scenario, DARA, QUESTIONS[2])
    assert await count(scenario, Question) == 3


async def test_one_member_cannot_fill_the_experts_and_another_members_question_reaches_them(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, DARA)
    await add_member(scenario, SREYNEANG, "km")
    for expert in EXPERTS:
        await add_member(scenario, expert, expert_tags=EVERY_TAG)  # cap 3 each

    replies = await ask(scenario, DARA, QUESTIONS[0])
    assert "was sent to 3 experts" in replies[-1]
    for text in QUESTIONS[1:3]:  # each expert already holds one of Dara's questions
        replies = await ask(scenario, DARA, text)
        assert BUSY in replies[-1]
    assert all(len(offers_to(scenario, e)) == 1 for e in EXPERTS)

    replies = await ask(scenario, SREYNEANG, QUESTIONS[3], km.gettext("Send my question"))
    assert replies[-1] == km.ngettext(
        "Your question #{number} was sent to {count} expert. Their answers will come here; /myquestions shows its status.",
        "Your question #{number} was sent to {count} experts. Their answers will come here; /myquestions shows its status.",
        3,
    ).format(number=4, count=3)
    assert "#៤" in replies[-1] and " ៣ " in replies[-1]  # Khmer digits on a Khmer screen
    assert all(len(offers_to(scenario, e)) == 2 for e in EXPERTS)
    assert await count(scenario, Assignment, Assignment.question_id == 4) == 3
    assert await count(scenario, Assignment, Assignment.question_id.in_([2, 3])) == 0


async def test_one_expert_application_and_one_company_wait_for_the_admins_at_a_time(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, SREYNEANG, "km")
    await add_member(scenario, ADMIN, staff="admin")

    await scenario.say(SREYNEANG, "/expert")
    await scenario.press(SREYNEANG, "បញ្ញាសិប្បនិម្មិត")
    await scenario.press(SREYNEANG, km.gettext("Next"))
    await scenario.say(SREYNEANG, "ខ្ញុំបង្រៀនការរៀនម៉ាស៊ីនអស់រយៈពេលប្រាំឆ្នាំ។")
    replies = await scenario.say(SREYNEANG, "/expert")
    assert replies == [km.gettext(APPLICATION_PENDING)]
    assert "ពាក្យស្នើសុំធ្វើជាអ្នកជំនាញរបស់អ្នកកំពុងរង់ចាំ" in replies[0]

    await scenario.say(SREYNEANG, "/company")
    await scenario.press(SREYNEANG, km.gettext("Register a company"))
    for answer in ("ក្រុមហ៊ុន ស្មាត", "MOC-777", "បច្ចេកវិទ្យា", "smart.com.kh", "កម្មវិធីទូរស័ព្ទ"):
        await scenario.say(SREYNEANG, answer)
    await scenario.press(SREYNEANG, km.gettext("Send"))
    await scenario.say(SREYNEANG, "/company")
    await scenario.press(SREYNEANG, km.gettext("Register a company"))
    assert scenario.toasts()[-1] == km.gettext(COMPANY_PENDING)

    await scenario.app.run_due_work()  # type: ignore[union-attr]
    to_admin = [m.text or "" for m in scenario.emulator.messages(ADMIN.id)]
    assert sum("Expert application #" in t for t in to_admin) == 1
    assert sum("A company asks to be verified" in t for t in to_admin) == 1
    assert await count(scenario, ExpertApplication) == 1 and await count(scenario, Company) == 1

    application = next(
        m for m in scenario.emulator.messages(ADMIN.id) if "Expert application" in (m.text or "")
    )
    await scenario.press(ADMIN, "Reject", application)  # decided: the member may apply again
    replies = await scenario.say(SREYNEANG, "/expert")
    assert (
        km.gettext("Which topics can you answer questions about? Tap them, then press Next.")
        in replies[-1]
    )


async def test_reports_a_day_are_capped_so_one_member_cannot_flood_the_moderators(
    scenario: Scenario,
) -> None:
    scenario.settings = scenario.settings.with_(reports_per_day=2)
    await scenario.restart()
    asker = await add_member(scenario, SREYNEANG, "km")
    await add_member(scenario, DARA)
    await add_member(scenario, MODERATOR, staff="moderator")
    assert scenario.app is not None
    async with UnitOfWork(scenario.app.sessionmaker, scenario.clock.now) as uow:
        for text in QUESTIONS[:3]:
            now = scenario.clock.now()
            await uow.questions.add_question(asker, text, "", ["web"], now, now)
        await uow.commit()

    await scenario.say(DARA, "/help")
    for number in (1, 2):
        await scenario.press_data(DARA, f"qa:rq:{number}")
        assert scenario.toasts()[-1] == "Thank you. The moderators will look at it."
    await scenario.press_data(DARA, "qa:rq:3")
    assert scenario.toasts()[-1] == (
        "You have sent 2 reports in the last 24 hours, the most allowed. "
        "You can report again from 26 November 2026 09:00."
    )
    assert await count(scenario, Report) == 2
    await scenario.app.run_due_work()
    reported = [m for m in scenario.emulator.messages(MODERATOR.id) if "reported" in (m.text or "")]
    assert len(reported) == 2

    scenario.clock.advance(hours=24)
    await scenario.press_data(DARA, "qa:rq:3")
    assert scenario.toasts()[-1] == "Thank you. The moderators will look at it."


async def test_an_expert_replies_once_and_only_to_a_follow_up_the_asker_asked(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    expert = EXPERTS[0]
    await add_member(scenario, expert, expert_tags=("web",))
    await add_member(scenario, SREYNEANG, "km")
    await ask(scenario, SREYNEANG, QUESTIONS[0], km.gettext("Send my question"))
    await scenario.press(expert, "Answer")
    await scenario.say(expert, "Compress your images and cache static files.")
    await scenario.app.run_due_work()  # type: ignore[union-attr]

    await scenario.press_data(expert, "qa:y:1")  # no follow-up was asked
    assert scenario.toasts()[-1] == "There is no follow-up question on this answer to reply to."
    assert NO_FOLLOW_UP == scenario.toasts()[-1]

    await scenario.press(SREYNEANG, km.gettext("Ask a follow-up"))
    await scenario.say(SREYNEANG, "តើទម្រង់រូបភាពណាល្អបំផុត?")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    await scenario.press(expert, "Reply")
    await scenario.say(expert, "WebP, with JPEG as a fallback.")
    await scenario.press(expert, "Reply")
    assert scenario.toasts()[-1] == "You have already replied to this follow-up."
    await scenario.press_data(expert, "qa:y:2")  # the reply itself
    assert scenario.toasts()[-1] == NO_FOLLOW_UP
    await scenario.app.run_due_work()  # type: ignore[union-attr]

    title = km.gettext("{author} replied to your follow-up on question #{number}:")
    replied = title.format(author="Expert 0", number=1)
    texts = [m.text or "" for m in scenario.emulator.messages(SREYNEANG.id)]
    assert sum(replied in t for t in texts) == 1
    assert await count(scenario, Answer) == 2
    assert await count(scenario, Answer, Answer.reply_to_id == 1) == 1
