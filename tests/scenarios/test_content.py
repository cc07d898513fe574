"""Content over the emulator: an admin posts, members browse, RSVP and are reminded, choose
their digest, find items with /search; a feed served on 127.0.0.1 is imported once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from scheduler.jobs import run_job
from storage.models import ContentItem, Feed, Member, Rsvp
from tests.scenarios.harness import Scenario, add_member

ADMIN = EmuUser(1501, "Admin")
ANNA = EmuUser(1502, "Anna")
SOPHEA = EmuUser(1503, "សុភា", language_code="km")
STRANGER = EmuUser(1504, "Stranger")


async def post(
    scenario: Scenario, kind: str, km: str | None, en: str | None, *rest: str
) -> list[str]:
    """/post through the dialogue: titles (None skips), no summaries, no link, no topic."""
    await scenario.say(ADMIN, "/post")
    await scenario.press(ADMIN, kind)
    for title in (km, en):
        if title is None:
            await scenario.press(ADMIN, "Skip")
        else:
            await scenario.say(ADMIN, title)
            await scenario.press(ADMIN, "Skip")  # the summary
    await scenario.press(ADMIN, "Skip")  # the link
    await scenario.press(ADMIN, "No file")
    replies = await scenario.press(ADMIN, "Done")  # no topic
    for answer in rest:
        replies = await scenario.say(ADMIN, answer)
    return replies


async def test_an_event_posted_in_khmer_is_found_attended_and_reminded_once(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, ANNA)
    await add_member(scenario, SOPHEA, "km")
    await scenario.say(ADMIN, "/post")
    await scenario.press(ADMIN, "Event")
    await scenario.say(ADMIN, "សិក្ខាសាលា <សន្តិសុខ> អ៊ីនធឺណិត")
    await scenario.say(ADMIN, "ការពារគណនីរបស់អ្នក")
    await scenario.say(ADMIN, "Cybersecurity workshop")
    await scenario.press(ADMIN, "Skip")
    await scenario.say(ADMIN, "mptc.gov.kh/events/7")
    await scenario.press(ADMIN, "No file")
    await scenario.press(ADMIN, "Cybersecurity")
    await scenario.press(ADMIN, "Done")
    assert await scenario.say(ADMIN, "28/11/2026") == [
        "Please send the date and the time, for example 31/12/2026 18:00."
    ]
    replies = await scenario.say(ADMIN, "28/11/2026 ៩:០០ ព្រឹក")  # Saturday 09:00
    assert "សិក្ខាសាលា &lt;សន្តិសុខ&gt; អ៊ីនធឺណិត" in replies[0]
    assert "Cybersecurity workshop" in replies[1] and "28 November 2026 09:00" in replies[1]
    assert await scenario.press(ADMIN, "Publish") == [
        "Published as #1. Members see it in /news and the other lists, and in their digest."
    ]

    replies = await scenario.say(ANNA, "/events")
    assert "Coming events (1)" in replies[0] and "Cybersecurity workshop" in replies[0]
    replies = await scenario.press(ANNA, "#1")
    assert "Members going: 0" in replies[0]
    await scenario.press(ANNA, "I will attend")
    assert scenario.toasts()[-1] == "You are on the list: we will remind you the day before."
    assert "Members going: 1" in (scenario.last(ANNA).text or "")
    await scenario.press(ANNA, "I am going")
    assert scenario.toasts()[-1] == "You are no longer on the list."
    await scenario.press(ANNA, "I will attend")
    await scenario.say(STRANGER, "/help")
    await scenario.press_data(STRANGER, "ct:rsvp:1")
    assert scenario.toasts()[-1] == "You have not signed up yet. Send /start to join."

    replies = await scenario.say(SOPHEA, "/events")
    assert "សិក្ខាសាលា &lt;សន្តិសុខ&gt; អ៊ីនធឺណិត" in replies[0]

    scenario.clock.advance(days=2)  # Friday 09:00: a day before
    await scenario.app.run_due_work()
    await scenario.app.run_due_work()
    reminders = [
        m.text or "" for m in scenario.emulator.messages(ANNA.id) if "⏰" in (m.text or "")
    ]
    assert reminders == [
        "⏰ Reminder: <b>Cybersecurity workshop</b> starts on 28 November 2026 09:00."
    ]
    async with scenario.app.sessionmaker() as session:
        assert len(list(await session.scalars(select(Rsvp)))) == 1
    scenario.clock.advance(days=1, minutes=1)
    replies = await scenario.say(ANNA, "/events")
    assert replies == ["No event is coming up right now."]
    del km


async def test_a_khmer_only_policy_shows_in_english_with_a_marker_and_search_finds_it(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, ANNA)
    assert await scenario.say(ANNA, "/policies") == ["No policy has been published yet."]
    await post(scenario, "Policy", "គោលនយោបាយទិន្នន័យបើកចំហ", None)
    await scenario.press(ADMIN, "Publish")
    replies = await scenario.say(ANNA, "/policies")
    assert "គោលនយោបាយទិន្នន័យបើកចំហ <i>(only in Khmer)</i>" in replies[0]
    replies = await scenario.say(ANNA, "/search ទិន្នន័យបើកចំហ")
    assert "Found for “ទិន្នន័យបើកចំហ” (1–1 of 1):" in replies[0]
    replies = await scenario.press(ANNA, "📰 #1")
    assert "Policy" in replies[0] and "គោលនយោបាយទិន្នន័យបើកចំហ" in replies[0]


async def test_only_administrators_can_post_and_an_item_needs_a_title(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ANNA)
    await add_member(scenario, ADMIN, staff="admin")
    assert await scenario.say(ANNA, "/post") == ["Only administrators can do this."]
    await scenario.say(ADMIN, "/post")
    await scenario.press(ADMIN, "News")
    await scenario.press(ADMIN, "Skip")  # no Khmer title
    await scenario.press(ADMIN, "Skip")  # no English title either: refused
    assert scenario.toasts()[-1] == "Give at least one title: in Khmer or in English."
    assert await scenario.send(ADMIN, "sticker") == [
        "Please type the English title, or press Skip.",
        "The title in English? Type it, or press Skip for a Khmer-only item.",
    ]
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        assert list(await session.scalars(select(ContentItem))) == []


async def test_publish_checks_the_item_again_an_events_start_and_the_role_included(
    scenario: Scenario,
) -> None:
    """The start passed while the preview was open: Publish asks for it again. An admin
    whose role went meanwhile is refused at Publish. Nothing is stored until it holds."""
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    await post(scenario, "Event", None, "Meetup", "25/11/2026 10:00")  # in an hour
    scenario.clock.advance(hours=2)
    assert await scenario.press(ADMIN, "Publish") == [
        "That moment has passed. Please send a date and time still to come.",
        "When does the event start? Send the date and time in Cambodia, for example 25/12/2026 18:00.",
    ]
    await scenario.say(ADMIN, "26/11/2026 10:00")  # the preview again
    async with scenario.app.unit_of_work() as uow:
        await uow.staff.revoke(ADMIN.id, "admin")
        await uow.commit()
    assert await scenario.press(ADMIN, "Publish") == []
    assert scenario.toasts()[-1] == "Only administrators can do this."
    async with scenario.app.sessionmaker() as session:
        assert list(await session.scalars(select(ContentItem))) == []


async def test_a_member_chooses_a_daily_digest_of_policies_on_one_topic(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, SOPHEA, "km")
    scenario.clock.advance(days=1)  # members joined yesterday
    await scenario.say(SOPHEA, "/subscriptions")
    assert km.gettext("Weekly, on Monday at 08:00") in (scenario.last(SOPHEA).text or "")
    await scenario.press(SOPHEA, km.gettext("How often"))
    await scenario.press(SOPHEA, km.gettext("Daily at 08:00"))
    await scenario.press(SOPHEA, km.gettext("What"))
    for kind in ("Announcement", "News", "Research", "Opportunity", "Event"):
        await scenario.press(SOPHEA, km.gettext(kind))  # leave policies only
    await scenario.press(SOPHEA, km.gettext("Done"))
    await scenario.press(SOPHEA, km.gettext("Topics"))
    await scenario.press(SOPHEA, "បញ្ញាសិប្បនិម្មិត")  # AI
    replies = await scenario.press(SOPHEA, km.gettext("Done"))
    assert km.gettext("Topics: {value}").format(value="បញ្ញាសិប្បនិម្មិត") in replies[0]
    async with scenario.app.sessionmaker() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == SOPHEA.id))
        assert member is not None
        assert (member.digest_frequency, member.digest_kinds) == ("daily", "policy")

    for kind, title, topic in (("Policy", "AI strategy", "Artificial intelligence"),
                               ("Policy", "Telecom licences", "Networks & telecom"),
                               ("News", "AI hackathon", "Artificial intelligence")):  # fmt: skip
        await scenario.say(ADMIN, "/post")
        await scenario.press(ADMIN, kind)
        await scenario.press(ADMIN, "Skip")
        await scenario.say(ADMIN, title)
        await scenario.press(ADMIN, "Skip")
        await scenario.press(ADMIN, "Skip")
        await scenario.press(ADMIN, "No file")
        await scenario.press(ADMIN, topic)
        await scenario.press(ADMIN, "Done")
        await scenario.press(ADMIN, "Publish")

    scenario.clock.current = scenario.clock.current.replace(hour=1, minute=0)  # 08:00 local
    scenario.clock.advance(days=1)
    await scenario.app.run_due_work()
    digests = [
        m.text or "" for m in scenario.emulator.messages(SOPHEA.id) if "📰" in (m.text or "")
    ]
    assert len(digests) == 1
    assert "AI strategy <i>" + km.gettext("(only in English)") + "</i>" in digests[0]
    assert "Telecom licences" not in digests[0] and "AI hackathon" not in digests[0]
    await scenario.app.run_due_work()
    assert len([m for m in scenario.emulator.messages(SOPHEA.id) if "📰" in (m.text or "")]) == 1


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>MPTC</title>
<item><guid>a1</guid><title>Digital economy policy framework</title>
<link>https://mptc.gov.kh/a1</link><description>Cambodia's digital economy.</description></item>
</channel></rss>"""


@pytest.fixture
async def feed_server() -> AsyncIterator[str]:
    async def feed(_request: web.Request) -> web.Response:
        return web.Response(text=FEED, content_type="application/rss+xml")

    async def broken(_request: web.Request) -> web.Response:
        return web.Response(status=500)

    app = web.Application()
    app.router.add_get("/rss", feed)
    app.router.add_get("/broken", broken)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_a_feed_on_this_machine_is_imported_once_and_a_broken_one_waits(
    scenario: Scenario, feed_server: str
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ANNA)
    async with scenario.app.unit_of_work() as uow:
        await uow.content.add_feed(f"{feed_server}/rss", "policy", "en", scenario.clock.now())
        await uow.content.add_feed(f"{feed_server}/broken", "news", "en", scenario.clock.now())
        await uow.commit()
    assert await run_job("feeds", scenario.app.job_runtime) == 1
    scenario.clock.advance(minutes=31)
    assert await run_job("feeds", scenario.app.job_runtime) == 0  # read again: nothing new
    replies = await scenario.say(ANNA, "/policies")
    assert "Digital economy policy framework" in replies[0]
    async with scenario.app.sessionmaker() as session:
        feeds = {f.url.rsplit("/", 1)[1]: f for f in await session.scalars(select(Feed))}
    assert feeds["broken"].failures == 2 and feeds["broken"].last_error == "HTTP 500"
    assert feeds["rss"].failures == 0 and feeds["rss"].items == 1
