"""/leaderboard counts the points earned this month (Cambodia time); the previous month's
top three are thanked once, in their language, on the 1st at 09:00 or when the bot starts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from scheduler.jobs import catch_up
from storage.models import ExpertProfile, ReputationGrant
from tests.scenarios.harness import Scenario, add_member
from tests.scenarios.test_questions_lifecycle import ask

EXPERT = EmuUser(1202, "Expert Sokha")  # the lifecycle helper's expert and asker ids
ASKER = EmuUser(1201, "Asker")
HELPERS = [EmuUser(1710 + n, f"Helper {n}") for n in range(11)]
KHMER_HELPER = 2  # reads Khmer
ANONYMOUS_HELPER = 1  # an expert answering without their name
THIS_MONTH = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
POINTS = [20, 15, 15, 10, 8, 6, 6, 4, 4, 0, 2]  # November, besides the grants below


def thanks_to(scenario: Scenario, user: EmuUser) -> list[str]:
    """The thank-you messages (the /leaderboard reply starts with 🏅 too, in bold)."""
    texts = [m.text or "" for m in scenario.emulator.messages(user.id)]
    return [text for text in texts if text.startswith("🏅") and "<b>" not in text]


async def test_the_leaderboard_and_the_monthly_thanks(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, ASKER)
    expert = await add_member(scenario, EXPERT, expert_tags=("web",))
    ids = []
    for n, helper in enumerate(HELPERS):
        language = "km" if n == KHMER_HELPER else "en"
        ids.append(
            await add_member(scenario, helper, language, ("ai",) if n == ANONYMOUS_HELPER else ())
        )

    # an answer marked helpful, then accepted: 12 points, each grant recorded with its time
    await ask(scenario)
    await scenario.press(EXPERT, "Answer")
    await scenario.say(EXPERT, "Compress the images and cache the static files.")
    await scenario.app.run_due_work()
    await scenario.press(ASKER, "Helpful")
    await scenario.press(ASKER, "Accept")
    async with scenario.app.unit_of_work() as uow:
        grants = list(await uow.session.scalars(select(ReputationGrant)))
        assert [(g.member_id, g.points, g.reason) for g in grants] == [
            (expert, 2, "helpful"),
            (expert, 10, "accepted"),
        ]
        for member_id, points in zip(ids, POINTS, strict=True):
            if points:
                await uow.questions.add_reputation(member_id, points, "helpful", THIS_MONTH)
        # 23:30 on 31 October in Phnom Penh counts for October; 00:30 on 1 November does not
        await uow.questions.add_reputation(
            ids[3], 100, "accepted", datetime(2026, 10, 31, 16, 30, tzinfo=UTC)
        )
        await uow.questions.add_reputation(
            ids[9], 2, "helpful", datetime(2026, 10, 31, 17, 30, tzinfo=UTC)
        )
        await uow.questions.add_reputation(
            ids[10], 50, "accepted", datetime(2026, 10, 10, tzinfo=UTC)
        )
        await uow.questions.add_reputation(
            ids[4], 30, "accepted", datetime(2026, 10, 11, tzinfo=UTC)
        )
        await uow.questions.add_reputation(ids[5], 5, "helpful", datetime(2026, 10, 12, tzinfo=UTC))
        profile = await uow.session.get(ExpertProfile, ids[ANONYMOUS_HELPER])
        assert profile is not None
        profile.anonymous = True
        await uow.commit()

    replies = await scenario.say(HELPERS[10], "/leaderboard")
    assert replies == [
        "🏅 <b>Top contributors of November 2026</b>\n"
        "Points earned this month with answers: 2 for a helpful one, 10 for an accepted one.\n\n"
        "🥇 Helper 0: 20 points\n"
        "🥈 An expert: 15 points\n"
        "🥈 Helper 2: 15 points\n"
        "4. Expert Sokha: 12 points\n"
        "5. Helper 3: 10 points\n"
        "6. Helper 4: 8 points\n"
        "7. Helper 5: 6 points\n"
        "7. Helper 6: 6 points\n"
        "9. Helper 7: 4 points\n"
        "9. Helper 8: 4 points\n\n"
        "Your place: 11, with 2 points."
    ]
    replies = await scenario.say(ASKER, "/leaderboard")
    assert replies[0].endswith("You have no points this month yet: answering questions earns them.")
    replies = await scenario.say(HELPERS[0], "/leaderboard")
    assert replies[0].endswith("Helper 8: 4 points")  # in the list: no extra line
    replies = await scenario.say(HELPERS[KHMER_HELPER], "/leaderboard")
    heading = km.gettext("Top contributors of {month}").format(month="ខែវិច្ឆិកា ឆ្នាំ២០២៦")
    assert heading == "អ្នករួមចំណែកឆ្នើមប្រចាំខែវិច្ឆិកា ឆ្នាំ២០២៦" and heading in replies[0]
    assert km.gettext("An expert") in replies[0]

    # the bot has run since October ended: its top three are thanked (a catch-up), once
    await scenario.app.run_due_work()
    await scenario.app.run_due_work()
    assert thanks_to(scenario, HELPERS[3]) == [
        "🏅 Thank you! In October 2026 you were number 1 among the community's top"
        " contributors, with 100 points. Your answers help members across Cambodia."
    ]
    assert [len(thanks_to(scenario, h)) for h in HELPERS] == [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1]

    scenario.clock.current = datetime(2026, 12, 1, 1, 59, tzinfo=UTC)  # 08:59 in Phnom Penh
    await scenario.app.run_due_work()
    assert thanks_to(scenario, HELPERS[0]) == []
    scenario.clock.current = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # the 1st, 09:00
    await scenario.app.run_due_work()
    await scenario.restart()
    assert scenario.app is not None
    await catch_up(scenario.app.job_runtime)  # what taking the lead does: nothing twice
    await scenario.app.run_due_work()
    assert [len(thanks_to(scenario, h)) for h in HELPERS] == [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1]
    assert thanks_to(scenario, EXPERT) == []  # fourth in November
    assert thanks_to(scenario, HELPERS[KHMER_HELPER]) == [
        "🏅 "
        + km.ngettext(
            "Thank you! In {month} you were number {place} among the community's top contributors, with {points} point. Your answers help members across Cambodia.",
            "Thank you! In {month} you were number {place} among the community's top contributors, with {points} points. Your answers help members across Cambodia.",
            15,
        ).format(month=km.date(date(2026, 11, 1), "MMMM y"), place=2, points=15)
    ]
    replies = await scenario.say(HELPERS[0], "/leaderboard")
    assert "Top contributors of December 2026" in replies[0]
    assert "Nobody has earned points this month yet." in replies[0]
