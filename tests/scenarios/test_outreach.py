"""Outreach over the emulator, in English and Khmer: newcomers who arrive by a deep link
are counted under its source or land on the job it names after signing up; a payload too
long or malformed gets the normal welcome; an event's QR code checks a member in once, and
those who attended become a broadcast audience; /mydata shows it and /deleteme erases it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from bot.core.i18n import Translations, Translator
from bot.sandbox.emulator import EmuUser
from handlers.acting import Acting
from handlers.broadcast import operations as broadcasts
from handlers.broadcast.audience import parse_audience
from handlers.content import operations as content
from handlers.invalid import Invalid
from handlers.outreach.operations import add_link
from storage.models import Company, EventAttendance, Job, Member
from storage.privacy import personal_data
from storage.uow import UnitOfWork
from tests.scenarios.harness import Scenario, add_member

DARA = EmuUser(2601, "Dara", language_code="en")
SOPHEA = EmuUser(2602, "សុភា", language_code="km")
REP = EmuUser(2603, "Rep")
MEMBER = EmuUser(2604, "Vanna")
BOT = "dcc_sandbox_bot"  # the emulator's username, learnt by getMe at start


def uow(scenario: Scenario) -> UnitOfWork:
    assert scenario.app is not None
    return UnitOfWork(scenario.app.sessionmaker, scenario.clock.now)


def operator(scenario: Scenario, unit: UnitOfWork, translations: Translations) -> Acting:
    now = scenario.clock.now()
    return Acting(None, "cli", unit, translations, now, scenario.app.settings.tz)  # type: ignore[union-attr]


async def sign_up(scenario: Scenario, user: EmuUser, t: Translator) -> list[str]:
    """The whole sign-up through the buttons, in ``t``'s language; the replies to Confirm."""
    await scenario.press(user, "ខ្មែរ" if t.language == "km" else "English")
    await scenario.press(user, t.gettext("I agree"))
    await scenario.say(user, user.first_name + " Sok")
    await scenario.press(user, t.gettext("Student"))
    await scenario.press(user, t.gettext("Skip"))  # organisation
    await scenario.press(user, t.gettext("Abroad"))
    await scenario.say(user, "Japan")
    await scenario.press(user, scenario.buttons(user)[0])  # the first skill
    await scenario.press(user, t.gettext("Done"))
    await scenario.say(user, "2")
    await scenario.press(user, t.gettext("No"))  # open to work
    await scenario.press(user, t.gettext("No"))  # in the directory
    await scenario.press(user, t.gettext("Skip"))  # phone
    return await scenario.press(user, t.gettext("Confirm"))


async def seed_jobs(scenario: Scenario) -> None:
    """Three open jobs (numbers 1 to 3) of a verified company."""
    rep = await add_member(scenario, REP)
    now = scenario.clock.now()
    async with uow(scenario) as unit:
        company = Company(
            name="Khmer Cloud", registration_no="1", sector="IT", about="Cloud",
            status="verified", created_by=rep, created_at=now,
        )  # fmt: skip
        unit.session.add(company)
        await unit.session.flush()
        for title in ("Tester", "Designer", "Network engineer"):
            unit.session.add(
                Job(
                    company_id=company.id,
                    posted_by=rep,
                    title=title,
                    description="Come",
                    location="phnom-penh",
                    job_type="full-time",
                    deadline=date(2027, 1, 31),
                    deadline_at=now + timedelta(days=60),
                    published_at=now,
                )
            )
        await unit.commit()


def share_url(scenario: Scenario, user: EmuUser) -> str:
    """The address of the Share button on the newest message that has one."""
    for message in reversed(scenario.emulator.messages(user.id)):
        for row in message.inline_keyboard:
            for button in row:
                if "url" in button and button["url"].startswith("https://t.me/share/url"):
                    return str(button["url"])
    raise AssertionError("no Share button")


async def members(scenario: Scenario) -> dict[int | None, Member]:
    async with uow(scenario) as unit:
        return {m.telegram_id: m for m in await unit.session.scalars(select(Member))}


async def test_newcomers_by_a_source_and_by_a_job_link_are_counted_and_land_on_the_job(
    scenario: Scenario, translations: Translations
) -> None:
    en, km = translations.for_language("en"), translations.for_language("km")
    await seed_jobs(scenario)
    async with uow(scenario) as unit:
        await add_link(operator(scenario, unit, translations), "rupp", "RUPP visit")
        await unit.commit()

    replies = await scenario.say(DARA, "/start s_rupp")  # scanned the poster at RUPP
    assert en.gettext("Which language do you prefer?") in replies[0]
    replies = await sign_up(scenario, DARA, en)
    assert "Welcome to the Digital Community of Cambodia, Dara Sok!" in replies[-1]

    replies = await scenario.say(SOPHEA, "/start j_3")  # a job shared in a Telegram group
    assert km.gettext("Which language do you prefer?") in replies[0]
    replies = await sign_up(scenario, SOPHEA, km)
    assert km.gettext("Welcome to the Digital Community of Cambodia, {name}! Your profile is saved.\n\nSend /help to see what you can do, or /profile to change your profile.").format(name="សុភា Sok") in replies  # fmt: skip
    assert "💼 <b>Network engineer</b>" in replies[-1]  # job 3, right after signing up
    assert km.gettext("Apply") in scenario.buttons(SOPHEA)[0]
    url = urlsplit(share_url(scenario, SOPHEA))
    query = parse_qs(url.query)
    assert query == {"url": [f"https://t.me/{BOT}?start=j_3"], "text": ["Network engineer"]}

    stored = await members(scenario)
    assert stored[DARA.id].source == "rupp"
    assert stored[SOPHEA.id].source is None  # a job link is no source
    async with uow(scenario) as unit:
        assert [(k.source, n) for k, n in await unit.outreach.links()] == [("rupp", 1)]

    # a member who opens a link gets the job at once, no welcome
    replies = await scenario.say(DARA, "/start j_1")
    assert replies[0].startswith("💼 <b>Tester</b>")
    replies = await scenario.say(DARA, "/start s_rupp")  # a source counts newcomers only
    assert replies[0].startswith("Welcome back, Dara Sok!")
    async with uow(scenario) as unit:
        assert [(k.source, n) for k, n in await unit.outreach.links()] == [("rupp", 1)]


async def test_an_unregistered_source_is_not_recorded(
    scenario: Scenario, translations: Translations
) -> None:
    await scenario.say(DARA, "/start s_nobody-registered-me")
    await sign_up(scenario, DARA, translations.for_language("en"))
    assert (await members(scenario))[DARA.id].source is None


PAYLOADS = [
    "s_" + "a" * 63,  # 65 characters: more than Telegram passes
    "j_" + "1" * 63,
    "s_", "s_RUPP", "s_rupp_2026", "s_-rupp", "j_", "j_abc", "j_0", "j_12345678901",
    "j_2147483648", "x_3", "j_3_in", "e_3_out", "e_3_in_in", "J_3", "j_٣", "n_-1",
    "s_rupp extra", "<b>hi</b>", "s_ស្រី",
]  # fmt: skip


@pytest.mark.parametrize("language", ["en", "km"])
async def test_a_payload_too_long_or_malformed_gets_the_normal_welcome(
    scenario: Scenario, translations: Translations, language: str
) -> None:
    t = translations.for_language(language)
    for number, payload in enumerate(PAYLOADS):
        user = EmuUser(2700 + number, "New", language_code=language)
        replies = await scenario.say(user, f"/start {payload}")
        assert t.gettext("Which language do you prefer?") in replies[0], payload
        assert len(replies) == 1, payload
    await add_member(scenario, MEMBER, language)
    for payload in PAYLOADS:
        replies = await scenario.say(MEMBER, f"/start {payload}")
        assert replies == [
            t.gettext("Welcome back, {name}! Send /help to see what you can do.").format(
                name="Vanna"
            )
        ], payload


async def test_the_event_qr_code_checks_a_member_in_once_and_they_become_an_audience(
    scenario: Scenario, translations: Translations
) -> None:
    en, km = translations.for_language("en"), translations.for_language("km")
    await add_member(scenario, MEMBER)
    vanna = MEMBER
    khmer = EmuUser(2605, "ស្រីនាង", language_code="km")
    await add_member(scenario, khmer, "km")
    absent = EmuUser(2606, "Absent")
    await add_member(scenario, absent)
    start = scenario.clock.now() + timedelta(hours=2)
    async with uow(scenario) as unit:
        event = await content.publish(
            operator(scenario, unit, translations), "event", ("សិក្ខាសាលា", "Workshop"),
            (None, None), None, [], event_at=start,
        )  # fmt: skip
        other = await content.publish(
            operator(scenario, unit, translations), "event", (None, "Later"), (None, None),
            None, [], event_at=start + timedelta(days=5),
        )  # fmt: skip
        news = await content.publish(
            operator(scenario, unit, translations), "news", (None, "News"), (None, None), None, []
        )
        await unit.commit()

    replies = await scenario.say(vanna, f"/start e_{event.id}_in")
    assert replies == ["✅ You are checked in at <b>Workshop</b>. Welcome!"]
    replies = await scenario.say(vanna, f"/start e_{event.id}_in")  # scanned twice
    assert replies == ["You are checked in at <b>Workshop</b> already."]
    replies = await scenario.say(khmer, f"/start e_{event.id}_in")
    assert replies == [
        km.gettext("✅ You are checked in at {title}. Welcome!").format(title="<b>សិក្ខាសាលា</b>")
    ]
    replies = await scenario.say(absent, f"/start e_{other.id}_in")  # days before it starts
    assert replies == [
        en.gettext(
            "Check-in for {title} opens 3 hours before it starts and closes 12 hours after."
        ).format(title="<b>Later</b>")
    ]
    replies = await scenario.say(absent, f"/start e_{news.id}_in")  # not an event
    assert replies == ["This item is no longer available."]

    # a newcomer scanning at the door is checked in right after signing up
    newcomer = EmuUser(2607, "Kosal")
    await scenario.say(newcomer, f"/start e_{event.id}_in")
    replies = await sign_up(scenario, newcomer, en)
    assert replies[-1] == "✅ You are checked in at <b>Workshop</b>. Welcome!"

    async with uow(scenario) as unit:
        assert await unit.outreach.attendance(event.id) == 3  # Vanna once, Srey Neang, Kosal
        audience = parse_audience([f"attended:{event.id}"])
        counts = await unit.broadcasts.count_by_language(audience)
        assert counts == {"en": 2, "km": 1}
        assert await unit.broadcasts.count_by_language(parse_audience([f"attended:{other.id}"])) == {}  # fmt: skip
        with pytest.raises(Invalid):  # "attended" a news item: refused by the operation
            await broadcasts.create(
                operator(scenario, unit, translations), "ក", "a", None,
                parse_audience([f"attended:{news.id}"]),
            )  # fmt: skip
        created = await broadcasts.create(
            operator(scenario, unit, translations), "ក", "a", None, audience
        )
        assert created.audience["attended"] == [event.id]
        await unit.commit()

    # the same audience chosen in /broadcast: the events with check-ins are offered
    admin = EmuUser(2608, "Admin")
    await add_member(scenario, admin, staff="admin")
    await scenario.say(admin, "/broadcast")
    await scenario.say(admin, "សួស្តី")
    await scenario.press(admin, "Same text for both")
    await scenario.press(admin, "No link")
    await scenario.press(admin, "No file")
    await scenario.press(admin, "🗓 Events")  # the category, then the audience
    replies = await scenario.press(admin, "Attended an event")
    assert replies == ["Members who checked in at which events? Tap them, then press Done."]
    assert scenario.buttons(admin) == [f"#{event.id} Workshop (3)", "Done ✔️"]
    await scenario.press(admin, f"#{event.id} Workshop")
    assert scenario.buttons(admin)[0] == f"✅ #{event.id} Workshop (3)"
    replies = await scenario.press(admin, "Done")
    assert f"Now: attended event #{event.id}\nRecipients: 3" in replies[0]


async def test_an_event_card_shares_its_link_and_mydata_and_deleteme_cover_check_ins(
    scenario: Scenario, translations: Translations
) -> None:
    await add_member(scenario, MEMBER)
    async with uow(scenario) as unit:
        event = await content.publish(
            operator(scenario, unit, translations), "event", (None, "Workshop & talk"),
            (None, None), None, [], event_at=scenario.clock.now() + timedelta(hours=1),
        )  # fmt: skip
        await add_link(operator(scenario, unit, translations), "rupp", None)
        await unit.commit()
        await unit.session.execute(
            update(Member).where(Member.telegram_id == MEMBER.id).values(source="rupp")
        )
        await unit.commit()

    replies = await scenario.say(MEMBER, f"/start e_{event.id}")
    assert "Workshop &amp; talk" in replies[0]
    query = parse_qs(urlsplit(share_url(scenario, MEMBER)).query)
    assert query == {"url": [f"https://t.me/{BOT}?start=e_{event.id}"], "text": ["Workshop & talk"]}
    await scenario.say(MEMBER, f"/start e_{event.id}_in")

    async with uow(scenario) as unit:
        member = await unit.members.get(MEMBER.id)
        assert member is not None
        data: dict[str, Any] = await personal_data(unit.session, member)
        assert data["signed_up_by_link"] == "rupp"
        assert [e["event"] for e in data["events_checked_in"]] == [event.id]

    await scenario.say(MEMBER, "/deleteme")
    await scenario.press(MEMBER, "Yes, erase my data")
    async with uow(scenario) as unit:
        assert list(await unit.session.scalars(select(EventAttendance))) == []
        erased = await unit.session.scalar(select(Member).where(Member.full_name.is_(None)))
        assert erased is not None and erased.source is None
        assert [(k.source, n) for k, n in await unit.outreach.links()] == [("rupp", 0)]
