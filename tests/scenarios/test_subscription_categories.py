"""Members choose what they receive: a member who switched a category off in
/subscriptions gets no broadcast of it, is left out of the count the admin sees before
sending and counted apart in the report, and finds none of it in their digest or reminders;
the ministry's official announcements reach them all the same."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from handlers.content.subscriptions import OFFICIAL_ALWAYS
from scheduler.jobs import run_job
from storage.models import Broadcast, CategoryOptOut, Member, OutboxMessage
from storage.privacy import erase_member, personal_data
from tests.scenarios.harness import Scenario, add_member
from tests.scenarios.test_broadcasts import broadcasts_to, deliver

ADMIN = EmuUser(1601, "Admin")
SOPHEA = EmuUser(1602, "សុភា", language_code="km")
ANNA = EmuUser(1603, "Anna")


async def switch_off(scenario: Scenario, user: EmuUser, t_name: str, done: str) -> list[str]:
    """In /subscriptions: Categories, tap ``t_name`` (switched off), Done; the summary."""
    await scenario.say(user, "/subscriptions")
    await scenario.press(user, "✏️ " + t_name.split("|")[0])
    await scenario.press(user, t_name.split("|")[1])
    return await scenario.press(user, done)


async def broadcast(scenario: Scenario, text: str, category: str) -> list[str]:
    """/broadcast to every member in ``category``; the preview's last message."""
    await scenario.say(ADMIN, "/broadcast")
    await scenario.say(ADMIN, text)
    await scenario.press(ADMIN, "Same text for both")
    await scenario.press(ADMIN, "No link")
    await scenario.press(ADMIN, "No file")
    replies = await scenario.press(ADMIN, category)
    replies += await scenario.press(ADMIN, "Next")
    return replies


async def test_a_member_who_switched_off_events_gets_official_broadcasts_only(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, SOPHEA, "km")
    await add_member(scenario, ANNA)

    summary = await scenario.say(SOPHEA, "/subscriptions")
    assert km.gettext(OFFICIAL_ALWAYS) in summary[0]  # said on the screen, in Khmer
    assert km.gettext("Events") in summary[0]  # every category at first
    replies = await scenario.press(SOPHEA, km.gettext("Categories"))
    assert km.gettext(OFFICIAL_ALWAYS) in replies[0]
    assert not any(km.gettext("Official announcements") in b for b in scenario.buttons(SOPHEA))
    await scenario.press(SOPHEA, km.gettext("Events"))  # switched off at once
    assert "🚫 🗓 " + km.gettext("Events") in scenario.buttons(SOPHEA)
    replies = await scenario.press(SOPHEA, km.gettext("Done"))
    received = ", ".join(km.gettext(n) for n in ("Opportunities", "Competitions", "Community news"))
    assert received in replies[0] and "ព្រឹត្តិការណ៍, " not in replies[0]

    replies = await broadcast(scenario, "Hackathon on Saturday", "Events")
    assert "Recipients: 2" in replies[0]  # the admin and Anna: Sophea switched events off
    assert replies[-1] == (
        "Category: Events\nLeft out, by their choice: 1\n\nSend it to 2 members?"
    )
    await scenario.press(ADMIN, "Send now")
    await deliver(scenario)
    assert broadcasts_to(scenario, SOPHEA.id) == []
    assert len(broadcasts_to(scenario, ANNA.id)) == 1
    report = next(m.text for m in scenario.emulator.messages(ADMIN.id) if "✅" in (m.text or ""))
    assert report == (
        "✅ <b>Broadcast #1 is delivered.</b>\nDelivered: 2\nBlocked the bot: 0\n"
        "Failed after retries: 0\nLeft out by their choice (Events switched off): 1"
    )

    replies = await broadcast(scenario, "The ministry's new policy", "Official")
    assert "Recipients: 3" in replies[0]
    assert replies[-1] == "Category: Official announcements\n\nSend it to 3 members?"
    await scenario.press(ADMIN, "Send now")
    await deliver(scenario)
    [got] = broadcasts_to(scenario, SOPHEA.id)
    assert "The ministry's new policy" in got
    async with scenario.app.sessionmaker() as session:
        events, official = (await session.scalars(select(Broadcast).order_by(Broadcast.id))).all()
    assert (events.category, events.left_out, events.total) == ("events", 1, 2)
    assert (official.category, official.left_out, official.total) == ("official", 0, 3)


async def test_the_report_in_khmer_counts_those_left_out_apart_from_who_blocked_the_bot(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, ADMIN, "km", staff="admin")
    await add_member(scenario, SOPHEA, "km")
    await add_member(scenario, ANNA)
    await scenario.say(SOPHEA, "/subscriptions")
    await scenario.press(SOPHEA, km.gettext("Categories"))
    await scenario.press(SOPHEA, km.gettext("Competitions"))
    await scenario.press(SOPHEA, km.gettext("Done"))
    scenario.emulator.block(ANNA.id)
    await scenario.say(ADMIN, "/broadcast")
    await scenario.say(ADMIN, "ការប្រកួតប្រជែងថ្មី")
    await scenario.press(ADMIN, km.gettext("Same text for both"))
    await scenario.press(ADMIN, km.gettext("No link"))
    await scenario.press(ADMIN, km.gettext("No file"))
    replies = await scenario.press(ADMIN, km.gettext("Competitions"))
    replies = await scenario.press(ADMIN, km.gettext("Next"))
    assert replies[-1].startswith(
        km.gettext("Category: {category}").format(category=km.gettext("Competitions"))
    )
    await scenario.press(ADMIN, km.gettext("Send now"))
    await deliver(scenario)
    assert broadcasts_to(scenario, SOPHEA.id) == []
    report = next(m.text for m in scenario.emulator.messages(ADMIN.id) if "✅" in (m.text or ""))
    assert report is not None
    assert km.gettext("Blocked the bot: {count}").format(count=km.number(1)) in report
    assert (
        km.gettext("Left out by their choice ({category} switched off): {count}").format(
            category=km.gettext("Competitions"), count=km.number(1)
        )
        in report
    )


async def test_the_digest_and_the_reminders_leave_out_a_switched_off_category(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ANNA)
    await add_member(scenario, SOPHEA, "km")
    scenario.clock.advance(days=1)  # members joined yesterday
    await scenario.say(ANNA, "/subscriptions")
    await scenario.press(ANNA, "Categories")
    await scenario.press(ANNA, "Events")
    replies = await scenario.press(ANNA, "Done")
    assert "Opportunities, Competitions, Community news" in replies[0]
    now = scenario.clock.now()
    async with scenario.app.unit_of_work() as uow:
        for row in await uow.session.scalars(select(Member)):
            row.digest_frequency = "daily"
        event = await uow.content.add(
            "event", (None, "Cyber drill"), (None, None), None, [], now,
            event_at=now + timedelta(days=2),
        )  # fmt: skip
        await uow.content.add("policy", (None, "AI policy"), (None, None), None, [], now)
        await uow.content.add("news", (None, "Community meetup"), (None, None), None, [], now)
        assert event is not None
        for user in (ANNA, SOPHEA):
            member = await uow.members.get(user.id)
            assert member is not None
            await uow.content.toggle_rsvp(event.id, member.id, now)
        await uow.commit()

    scenario.clock.current = scenario.clock.current.replace(hour=1, minute=0)  # 08:00 local
    scenario.clock.advance(days=1)
    await scenario.app.run_due_work()
    digest = [m.text or "" for m in scenario.emulator.messages(ANNA.id) if "📰" in (m.text or "")]
    assert len(digest) == 1
    assert "AI policy" in digest[0] and "Community meetup" in digest[0]
    assert "Cyber drill" not in digest[0]  # events switched off
    [other] = [
        m.text or "" for m in scenario.emulator.messages(SOPHEA.id) if "📰" in (m.text or "")
    ]
    assert "Cyber drill" in other  # every category: the event too

    scenario.clock.advance(hours=3)  # the event starts within a day
    assert await run_job("event-reminders", scenario.app.job_runtime) == 1
    async with scenario.app.sessionmaker() as session:
        reminded = set(
            await session.scalars(
                select(OutboxMessage.chat_id).where(
                    OutboxMessage.dedupe_key.startswith("event-reminder:")
                )
            )
        )
    assert reminded == {SOPHEA.id}


async def test_the_choice_is_in_my_data_and_forgotten_by_deleteme(scenario: Scenario) -> None:
    assert scenario.app is not None
    await add_member(scenario, ANNA)
    await scenario.say(ANNA, "/subscriptions")
    await scenario.press(ANNA, "Categories")
    await scenario.press(ANNA, "Community news")
    await scenario.press(ANNA, "Opportunities")
    await scenario.press(ANNA, "Opportunities")  # on again
    await scenario.press(ANNA, "Done")
    async with scenario.app.unit_of_work() as uow:
        member = await uow.members.get(ANNA.id)
        assert member is not None
        assert (await personal_data(uow.session, member))["categories_switched_off"] == ["news"]
        await erase_member(uow.session, member, scenario.clock.now())
        await uow.commit()
        assert list(await uow.session.scalars(select(CategoryOptOut))) == []
