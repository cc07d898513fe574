"""What happens to offers, caps and notices as questions move on, close or get hidden."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.emulator import EmuUser
from storage.models import Member, Report
from tests.scenarios.harness import Scenario, add_member
from tests.scenarios.test_questions import offers_to

ASKER = EmuUser(1201, "Asker")
EXPERT = EmuUser(1202, "Expert")
SLEEPER = EmuUser(1203, "Sleeper")
MODERATOR = EmuUser(1204, "Moderator")
QUESTION = "How do I make my website load faster on slow mobile data?"


async def ask(scenario: Scenario, text: str = QUESTION, asker: EmuUser = ASKER) -> None:
    await scenario.say(asker, "/ask")
    await scenario.say(asker, text)
    if any(b.startswith("➡️") for b in scenario.buttons(asker)):
        await scenario.press(asker, "None of these helps")
    if not any(b.startswith("✅") for b in scenario.buttons(asker)):  # none ticked
        await scenario.press(asker, scenario.buttons(asker)[0])  # the likeliest, first
    await scenario.press(asker, "Send my question")
    await scenario.app.run_due_work()  # type: ignore[union-attr]


async def test_an_ignored_offer_stops_counting_against_the_cap_once_escalated(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ASKER)
    await add_member(scenario, EXPERT, expert_tags=("web",))
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:  # a cap of one open question
        from storage.models import ExpertProfile

        profile = await session.scalar(select(ExpertProfile))
        assert profile is not None
        profile.cap = 1
        await session.commit()
    await ask(scenario)
    assert len(offers_to(scenario, EXPERT)) == 1
    scenario.clock.advance(hours=25)
    await scenario.app.run_due_work()
    await ask(scenario, "Why is my website so slow when many people visit it at once?")
    assert len(offers_to(scenario, EXPERT)) == 2


async def test_a_closed_question_never_reaches_an_expert_waiting_for_morning(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ASKER)
    await add_member(scenario, EXPERT, expert_tags=("web",))
    await add_member(scenario, SLEEPER, expert_tags=("web",), quiet=("21:00", "07:00"))
    scenario.clock.current = scenario.clock.current.replace(hour=16)  # 23:00 in Phnom Penh
    await ask(scenario)  # the awake expert gets it now, the sleeper at 07:00
    assert len(offers_to(scenario, EXPERT)) == 1 and offers_to(scenario, SLEEPER) == []
    await scenario.press(EXPERT, "Answer")
    await scenario.say(EXPERT, "Compress images and cache static files.")
    assert scenario.app is not None
    await scenario.app.run_due_work()
    assert scenario.emulator.messages(SLEEPER.id) == []  # no "answered elsewhere" at night
    await scenario.press(ASKER, "Accept")
    scenario.clock.advance(hours=9)
    await scenario.app.run_due_work()
    assert offers_to(scenario, SLEEPER) == []


async def test_a_moderator_who_has_not_signed_up_still_hears_of_the_question(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ASKER)
    scenario.emulator.register(MODERATOR)
    assert scenario.app is not None
    async with scenario.app.unit_of_work() as uow:
        await uow.staff.grant(MODERATOR.id, "moderator", granted_by=None)
        await uow.commit()
    await ask(scenario)
    [notice] = [m.text or "" for m in scenario.emulator.messages(MODERATOR.id)]
    assert QUESTION in notice and "Sign up with /start to answer questions." in notice


async def test_an_expert_who_unblocks_the_bot_gets_questions_again(scenario: Scenario) -> None:
    await add_member(scenario, ASKER)
    await add_member(scenario, EXPERT, expert_tags=("web",))
    scenario.emulator.block(EXPERT.id)
    await ask(scenario)
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == EXPERT.id))
        assert member is not None and member.unreachable
    await scenario.say(EXPERT, "/help")  # writing to the bot again unblocks it
    # another member's question: the first one still holds the expert's place for ASKER
    await add_member(scenario, SLEEPER)
    await ask(scenario, "Why is my website so slow when many people visit it at once?", SLEEPER)
    assert len(offers_to(scenario, EXPERT)) == 1


async def test_a_pass_with_nobody_left_goes_to_the_moderators_at_once(scenario: Scenario) -> None:
    await add_member(scenario, ASKER)
    await add_member(scenario, EXPERT, expert_tags=("web",))
    await add_member(scenario, MODERATOR, staff="moderator")
    await ask(scenario)
    await scenario.press(EXPERT, "Pass")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert len(offers_to(scenario, MODERATOR)) == 1


async def test_a_hidden_answer_no_longer_leads_search_to_its_question(scenario: Scenario) -> None:
    await add_member(scenario, ASKER)
    await add_member(scenario, EXPERT, expert_tags=("web",))
    await add_member(scenario, MODERATOR, staff="moderator")
    await ask(scenario)
    await scenario.press(EXPERT, "Answer")
    await scenario.say(EXPERT, "Buy cheapviagra at my casino.")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert "#1" in (await scenario.say(ASKER, "/search cheapviagra"))[0]
    await scenario.press(ASKER, "Report")
    await scenario.press(ASKER, "Report")  # twice: one report
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert (
        scenario.toasts()[-1] == "You have already reported this; the moderators will look at it."
    )
    await scenario.press(MODERATOR, "Hide it")
    replies = await scenario.say(ASKER, "/search cheapviagra")
    assert replies[0].startswith("Nothing answered or published matches")
    async with scenario.app.sessionmaker() as session:  # type: ignore[union-attr]
        assert len(list(await session.scalars(select(Report)))) == 1
    await scenario.press(ASKER, "Accept")
    assert scenario.toasts()[-1] == "This answer is no longer available."


async def test_an_answered_question_is_not_offered_to_an_expert_waiting_for_morning(
    scenario: Scenario,
) -> None:
    from storage.models import Assignment, ExpertProfile

    await add_member(scenario, ASKER)
    await add_member(scenario, EXPERT, expert_tags=("web",))
    sleeper_id = await add_member(scenario, SLEEPER, expert_tags=("web",), quiet=("21:00", "07:00"))
    scenario.clock.current = scenario.clock.current.replace(hour=16)  # 23:00 in Phnom Penh
    await ask(scenario)
    await scenario.press(EXPERT, "Answer")
    await scenario.say(EXPERT, "Compress images and cache static files.")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert "Compress images" in (scenario.last(ASKER).text or "")  # answered, not accepted

    scenario.clock.advance(hours=9)  # 08:00: the sleeper is awake
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert scenario.emulator.messages(SLEEPER.id) == []  # no "Can you answer it?", no notice
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        assignment = await session.scalar(
            select(Assignment).where(Assignment.member_id == sleeper_id)
        )
        profile = await session.get(ExpertProfile, sleeper_id)
        assert assignment is not None and assignment.status == "withdrawn"
        assert profile is not None and profile.offered == 0  # an offer never made


async def test_a_follow_up_on_a_question_closed_meanwhile_is_refused(scenario: Scenario) -> None:
    from storage.models import Answer

    await add_member(scenario, ASKER)
    await add_member(scenario, EXPERT, expert_tags=("web",))
    await ask(scenario)
    await scenario.press(EXPERT, "Answer")
    await scenario.say(EXPERT, "Compress images and cache static files.")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    replies = await scenario.press(ASKER, "Ask a follow-up")
    assert replies == ["Write your follow-up question to the same expert, in one message."]
    await scenario.press(ASKER, "Accept")  # closes the question before the follow-up is typed
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    seen_by_expert = len(scenario.emulator.messages(EXPERT.id))

    replies = await scenario.say(ASKER, "Which image format is best for photos?")
    assert replies == [
        "Question #1 is closed, so your follow-up was not sent. "
        "You can ask a new question with /ask."
    ]
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert len(scenario.emulator.messages(EXPERT.id)) == seen_by_expert
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        answer = await session.scalar(select(Answer))
        assert answer is not None and answer.follow_up is None
    replies = await scenario.say(ASKER, "/help")  # the flow has ended
    assert "closed" not in replies[0]


KHMER_CLUSTER = "ស្ត្រី"  # one grapheme cluster of six code points


async def test_a_long_khmer_follow_up_and_reply_still_show_in_search(scenario: Scenario) -> None:
    await add_member(scenario, ASKER)
    await add_member(scenario, EXPERT, expert_tags=("web",))
    await ask(scenario)
    await scenario.press(EXPERT, "Answer")
    await scenario.say(EXPERT, "Compress images and cache static files.")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    await scenario.press(ASKER, "Ask a follow-up")
    follow_up = KHMER_CLUSTER * 583  # 3,498 code points, 583 clusters
    assert (await scenario.say(ASKER, follow_up)) == ["Your follow-up was sent to the expert."]
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    await scenario.press(EXPERT, "Reply")
    reply = "ក" * 3500
    await scenario.say(EXPERT, reply)

    await scenario.say(ASKER, "/search website faster")
    replies = await scenario.press(ASKER, "📖 #1")
    assert len(replies) == 3  # the question, the answer, the follow-up with its reply
    assert reply in replies[2] and len(replies[2]) <= 4096
    shown = replies[2].split("</i>")[0].removeprefix("❓ <i>")
    assert shown.endswith("…") and follow_up.startswith(shown.removesuffix("…"))
    assert not shown.removesuffix("…").endswith("\u17d2")  # no dangling subscript


READER = EmuUser(1205, "Reader")


async def test_questions_and_answers_read_through_search_or_similar_can_be_reported(
    scenario: Scenario,
) -> None:
    from storage.models import Answer

    await add_member(scenario, ASKER)
    await add_member(scenario, EXPERT, expert_tags=("web",))
    await add_member(scenario, MODERATOR, staff="moderator")
    await add_member(scenario, READER)
    await ask(scenario)
    await scenario.press(EXPERT, "Answer")
    await scenario.say(EXPERT, "Compress images and cache static files.")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    await scenario.press(ASKER, "Ask a follow-up")
    await scenario.say(ASKER, "Which image format is best?")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    await scenario.press(EXPERT, "Reply")
    await scenario.say(EXPERT, "WebP, with JPEG for old browsers.")
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        answer, reply = list(await session.scalars(select(Answer).order_by(Answer.id)))

    await scenario.say(READER, "/search website faster")
    before = scenario.emulator.message_count(READER.id)
    await scenario.press(READER, "📖 #1")
    thread = scenario.emulator.bot_messages_since(READER.id, before)
    assert [[b["callback_data"] for row in m.inline_keyboard for b in row] for m in thread] == [
        ["qa:rq:1"],
        [f"qa:ra:{answer.id}"],
        [f"qa:ra:{reply.id}"],
    ]
    assert all(b["text"] == "⚠️ Report" for m in thread for row in m.inline_keyboard for b in row)
    await scenario.press(READER, "Report", thread[2])
    assert scenario.toasts()[-1] == "Thank you. The moderators will look at it."
    await scenario.app.run_due_work()
    assert "WebP, with JPEG" in (scenario.last(MODERATOR).text or "")
    async with scenario.app.sessionmaker() as session:
        [report] = list(await session.scalars(select(Report)))
        assert (report.target, report.target_id) == ("answer", reply.id)

    await scenario.say(READER, "/ask")  # the same thread, offered as a similar question
    await scenario.say(READER, "My website is slow on mobile data, what can I do?")
    before = scenario.emulator.message_count(READER.id)
    await scenario.press(READER, "📖 #1")
    similar = scenario.emulator.bot_messages_since(READER.id, before)
    assert [b["callback_data"] for b in similar[0].inline_keyboard[0]] == ["qa:rq:1"]
    await scenario.press(READER, "Report", similar[0])
    assert scenario.toasts()[-1] == "Thank you. The moderators will look at it."
