"""Members become experts through the admins; experts tune how questions reach them;
askers follow up; moderators hide what was reported."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from handlers.acting import Acting
from handlers.questions.operations import remove_expert
from storage.models import Answer, Assignment, AuditEntry, ExpertProfile, Question
from tests.scenarios.harness import Scenario, add_member

APPLICANT = EmuUser(1101, "Rithy", language_code="en")
ADMIN = EmuUser(1102, "Admin", language_code="en")
OTHER_ADMIN = EmuUser(1103, "Admin Two", language_code="en")
ASKER = EmuUser(1104, "Asker", language_code="en")


async def one(scenario: Scenario, model: type) -> object:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return await session.scalar(select(model))


async def test_an_application_is_approved_by_an_admin_and_a_plain_member_cannot_decide(
    scenario: Scenario,
) -> None:
    await add_member(scenario, APPLICANT)
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, OTHER_ADMIN, staff="admin")
    await add_member(scenario, ASKER)

    await scenario.say(APPLICANT, "/expert")
    await scenario.press(APPLICANT, "Artificial intelligence")
    await scenario.press(APPLICANT, "Data")
    await scenario.press(APPLICANT, "Next")
    replies = await scenario.say(APPLICANT, "short")
    assert replies == ["Please describe your experience in 10 to 500 characters."]
    replies = await scenario.say(APPLICANT, "Five years building <ML> models at a bank.")
    assert replies[0].startswith("Thank you! Your application was sent")
    await scenario.app.run_due_work()  # type: ignore[union-attr]

    application = scenario.last(ADMIN)
    assert "Expert application #1" in (application.text or "")
    assert "Five years building &lt;ML&gt; models" in (application.text or "")

    message, approve = scenario.find_button(ADMIN, "Approve")
    scenario.emulator.register(ASKER)
    before = len(scenario.toasts())
    scenario.emulator.inject(
        {
            "callback_query": {
                "id": "plain-1", "from": {"id": ASKER.id, "is_bot": False, "first_name": "A"},
                "chat_instance": "x", "data": approve,
                "message": {"message_id": message.message_id, "date": 0,
                            "chat": {"id": ASKER.id, "type": "private"}},
            }
        }
    )  # fmt: skip
    scenario.fed += 1
    await scenario.app.dispatcher.wait_processed(scenario.fed)  # type: ignore[union-attr]
    assert await one(scenario, ExpertProfile) is None  # the plain member's press did nothing
    assert len(scenario.toasts()) == before  # (the emulator refuses an unknown query's answer)

    await scenario.press(ADMIN, "Approve")
    assert scenario.toasts()[-1] == "Done: the member is told."
    await scenario.press(OTHER_ADMIN, "Reject")
    assert scenario.toasts()[-1] == "Another administrator has already decided on this application."
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert "Your expert application was approved!" in (scenario.last(APPLICANT).text or "")
    assert await one(scenario, ExpertProfile) is not None
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "expert-approved" in actions

    replies = await scenario.say(APPLICANT, "/profile")
    assert "<b>Expert for:</b> Data, Artificial intelligence" in replies[0]
    await scenario.press(APPLICANT, "Quiet hours")
    replies = await scenario.say(APPLICANT, "late")
    assert replies == ["Please send the hours as from-to, for example 21:00-07:00."]
    replies = await scenario.say(APPLICANT, "២២:០០-០៦:៣០")
    assert "<b>Quiet hours:</b> 22:00–06:30" in replies[-1]
    await scenario.press(APPLICANT, "Availability")
    replies = await scenario.press(APPLICANT, "Away")
    assert "<b>Availability:</b> Away" in replies[-1]
    await scenario.press(APPLICANT, "Name on answers")
    replies = await scenario.press(APPLICANT, "Anonymous")
    assert "<b>Name on answers:</b> Anonymous" in replies[-1]
    profile = await one(scenario, ExpertProfile)
    assert (profile.quiet_start, profile.quiet_end, profile.available, profile.anonymous) == (  # type: ignore[attr-defined]
        "22:00",
        "06:30",
        False,
        True,
    )


async def test_a_follow_up_goes_to_the_same_expert_and_a_report_can_hide_the_answer(
    scenario: Scenario,
) -> None:
    expert = EmuUser(1110, "Expert", language_code="en")
    moderator = EmuUser(1111, "Mod", language_code="en")
    await add_member(scenario, expert, expert_tags=("web",))
    await add_member(scenario, moderator, staff="moderator")
    await add_member(scenario, ASKER)
    await scenario.say(ASKER, "/ask")
    await scenario.say(ASKER, "How do I make my website load faster? The images are huge.")
    await scenario.press(ASKER, "Send my question")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    await scenario.press(expert, "Answer")
    await scenario.say(expert, "Compress your images and cache static files.")
    await scenario.app.run_due_work()  # type: ignore[union-attr]

    await scenario.press(ASKER, "Ask a follow-up")
    await scenario.say(ASKER, "Which image format is best?")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert "Which image format is best?" in (scenario.last(expert).text or "")
    await scenario.press(expert, "Reply")
    await scenario.say(expert, "WebP, with JPEG as a fallback.")
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    reply = scenario.last(ASKER)
    assert "replied to your follow-up on question #1" in (reply.text or "")
    await scenario.press(ASKER, "Ask a follow-up", None)  # only on the first answer
    assert scenario.toasts()[-1] == "You already asked a follow-up on this answer."

    await scenario.press(ASKER, "Report")
    assert scenario.toasts()[-1] == "Thank you. The moderators will look at it."
    await scenario.app.run_due_work()  # type: ignore[union-attr]
    assert "A member reported an answer" in (scenario.last(moderator).text or "")
    await scenario.press(moderator, "Hide it")
    assert scenario.toasts()[-1] == "Hidden."
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        hidden = list(await session.scalars(select(Answer).where(Answer.hidden.is_(True))))
        assert len(hidden) == 1
        question = await session.scalar(select(Question))
        assert question is not None and not question.hidden


async def test_an_application_made_before_any_admin_exists_is_kept_for_the_first_one(
    scenario: Scenario,
) -> None:
    from storage.models import ExpertApplication

    await add_member(scenario, APPLICANT)
    await scenario.say(APPLICANT, "/expert")
    await scenario.press(APPLICANT, "Data")
    await scenario.press(APPLICANT, "Next")
    replies = await scenario.say(APPLICANT, "Five years of data analysis at a bank.")
    assert replies == [
        "Thank you! Your application is saved. There are no administrators yet; they will "
        "see it when they are appointed, and you will hear from them here."
    ]
    application = await one(scenario, ExpertApplication)
    assert isinstance(application, ExpertApplication) and application.status == "pending"

    await add_member(scenario, ADMIN, staff="admin")
    await scenario.say(ADMIN, "/admin")
    replies = await scenario.press(ADMIN, "Approvals (1)")
    assert "1 expert application." in replies[0]
    assert "Five years of data analysis at a bank." in replies[-1]
    await scenario.press(ADMIN, "Approve")
    assert scenario.toasts()[-1] == "Done: the member is told."


KHMER_EXPERT = EmuUser(1105, "សុខា", language_code="km")
SECOND_EXPERT = EmuUser(1106, "Second Expert", language_code="en")


async def test_an_admin_removes_an_expert_whose_offer_then_moves_on(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, ASKER)
    removed = await add_member(scenario, KHMER_EXPERT, "km", expert_tags=("web",))
    await add_member(scenario, SECOND_EXPERT, expert_tags=("web",))
    async with scenario.app.unit_of_work() as uow:  # the second expert is away in round 1
        profile = await uow.questions.expert_profile(await member_id(scenario, SECOND_EXPERT))
        assert profile is not None
        profile.available = False
        mine = await uow.questions.expert_profile(removed)
        assert mine is not None
        mine.anonymous, mine.offered, mine.answered = True, 7, 5  # a long-standing expert
        await uow.commit()
    await scenario.say(ASKER, "/ask")
    await scenario.say(ASKER, "How do I make my website load faster? The images are huge.")
    await scenario.press(ASKER, "Send my question")
    await scenario.app.run_due_work()
    offer = scenario.find_button(KHMER_EXPERT, km.gettext("Answer"))[0]

    await scenario.say(ADMIN, "/admin")
    await scenario.press(ADMIN, "Roles")
    await scenario.press(ADMIN, "Grant a role")
    await scenario.say(ADMIN, str(ASKER.id))
    assert "Remove expert status" not in " ".join(scenario.buttons(ADMIN))  # not an expert
    await scenario.press(ADMIN, "Cancel")
    await scenario.press(ADMIN, "Grant a role")
    await scenario.say(ADMIN, str(KHMER_EXPERT.id))
    assert await scenario.press(ADMIN, "Remove expert status") == [
        "Done: they are no longer an expert; the questions offered to them move on."
    ]
    assert await one(scenario, ExpertProfile) is not None  # the second expert's, only
    async with scenario.app.unit_of_work() as uow:
        assert await uow.questions.expert_profile(removed) is None
        assert await uow.questions.expert_tags(removed) == []
        assert await uow.questions.answers_anonymously(removed)  # their answers stay nameless
        judges = {c.member_id: c.expert for c in await uow.competitions.judge_candidates()}
        assert removed not in judges
    [assignment] = [a for a in await every(scenario, Assignment) if a.member_id == removed]
    assert assignment.status == "withdrawn"
    audit = [(a.action, a.detail) for a in await every(scenario, AuditEntry)]
    assert ("expert-removed", {"member_id": removed}) in audit

    await scenario.press(KHMER_EXPERT, km.gettext("Answer"), offer)  # the old button
    assert scenario.toasts()[-1] == km.gettext(
        "This question was not sent to you, so you cannot answer it."
    )
    async with scenario.app.unit_of_work() as uow:  # the second expert is back
        profile = await uow.questions.expert_profile(await member_id(scenario, SECOND_EXPERT))
        assert profile is not None
        profile.available = True
        await uow.commit()
    await scenario.app.run_due_work()  # the question moves on at once, to round 2
    [question] = await every(scenario, Question)
    assert question.round == 2
    assert scenario.find_button(SECOND_EXPERT, "Answer")
    told = [m.text for m in scenario.emulator.messages(KHMER_EXPERT.id)]
    assert (
        km.gettext(
            "You are no longer an expert of DCC Bot: questions will not be sent to you any more."
            " Thank you for your answers."
        )
        in told
    )
    assert "អ្នកលែងជាអ្នកជំនាញរបស់ DCC Bot ទៀតហើយ" in " ".join(t or "" for t in told)

    async with scenario.app.unit_of_work() as uow:  # approved again: as they were
        await uow.questions.make_expert(removed, ["data"])
        back = await uow.questions.expert_profile(removed)
        assert back is not None
        assert (back.anonymous, back.offered, back.answered) == (
            True,
            7,
            5,
        )  # withdrawn: not counted
        assert await uow.questions.expert_tags(removed) == ["data"]


async def member_id(scenario: Scenario, user: EmuUser) -> int:
    assert scenario.app is not None
    async with scenario.app.unit_of_work() as uow:
        member = await uow.members.get(user.id)
        assert member is not None
        return member.id


async def every(scenario: Scenario, model: type) -> list:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return list(await session.scalars(select(model)))


async def test_an_expert_removed_after_answering_still_replies_to_the_follow_up(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    expert = EmuUser(1112, "Expert", language_code="en")
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, expert, expert_tags=("web",))
    await add_member(scenario, ASKER)
    await scenario.say(ASKER, "/ask")
    await scenario.say(ASKER, "How do I make my website load faster? The images are huge.")
    await scenario.press(ASKER, "Send my question")
    await scenario.app.run_due_work()
    await scenario.press(expert, "Answer")
    await scenario.say(expert, "Compress your images and cache static files.")
    await scenario.app.run_due_work()
    await scenario.press(ASKER, "Ask a follow-up")
    await scenario.say(ASKER, "Which image format is best?")
    await scenario.app.run_due_work()

    async with scenario.app.unit_of_work() as uow:  # the operator, at the command line
        operator = Acting(
            None, "cli", uow, scenario.app.dispatcher.translations, scenario.clock.now(),
            scenario.app.settings.tz,
        )  # fmt: skip
        await remove_expert(operator, expert.id)
        await uow.commit()
    await scenario.press(expert, "Reply")
    await scenario.say(expert, "WebP, with JPEG as a fallback.")
    await scenario.app.run_due_work()
    assert "replied to your follow-up on question #1" in (scenario.last(ASKER).text or "")
    replies = [a for a in await every(scenario, Answer) if a.reply_to_id is not None]
    assert [a.text for a in replies] == ["WebP, with JPEG as a fallback."]
