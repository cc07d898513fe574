"""Job alerts reach the members whose skills a job needs, once, in their language; and the
repository the jobs feature stands on keeps its promises."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Translations
from handlers.jobs.alerts import (
    DIGEST_MOST,
    JobMatcher,
    digest_slot,
    job_entry,
    send_digests,
    send_instant_alerts,
)
from handlers.jobs.rules import ABROAD, REMOTE, job_matches
from storage.db import make_sessionmaker
from storage.models import Job, JobAlert, Member, OutboxMessage
from storage.uow import UnitOfWork
from tests.conftest import FakeClock

TZ = ZoneInfo("Asia/Phnom_Penh")
DEADLINE = date(2026, 12, 31)
Factory = Callable[[], UnitOfWork]


class Crash(Exception):
    """The process dying between two batches."""


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> AsyncIterator[Factory]:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker) as uow:
        await uow.tags.sync_seed()
        await uow.commit()
    yield lambda: UnitOfWork(sessionmaker)


def crashing_after(factory: Factory, commits: int) -> Factory:
    """A unit-of-work factory whose transactions fail after ``commits`` succeeded."""
    done = 0

    def make() -> UnitOfWork:
        uow = factory()
        commit = uow.commit

        async def commit_or_crash() -> None:
            nonlocal done
            if done >= commits:
                raise Crash
            done += 1
            await commit()

        uow.commit = commit_or_crash  # type: ignore[method-assign]
        return uow

    return make


async def add_member(
    factory: Factory,
    clock: FakeClock,
    telegram_id: int,
    skills: list[str],
    *,
    language: str = "en",
    province: str | None = "phnom-penh",
    frequency: str = "instant",
    open_to_work: bool = True,
    province_only: bool = False,
    visible: bool = False,
    joined_days_ago: int = 30,
    **columns: Any,
) -> int:
    async with factory() as uow:
        row = {
            "telegram_id": telegram_id, "full_name": f"Member {telegram_id}", "language": language,
            "province": province, "open_to_work": open_to_work, "alert_frequency": frequency,
            "directory_visible": visible, "skills": skills,
        }  # fmt: skip
        await uow.members.upsert_many([row], clock.now() - timedelta(days=joined_days_ago))
        member = await uow.members.get(telegram_id)
        assert member is not None
        member.jobs_in_province_only = province_only
        for name, value in columns.items():
            setattr(member, name, value)
        await uow.commit()
        return member.id


async def add_company(
    factory: Factory, clock: FakeClock, owner: int, name: str = "Angkor Tech"
) -> int:
    async with factory() as uow:
        company = await uow.jobs.add_company(
            owner, name, "REG-1", "ICT", "https://angkor.example", "We build apps.", clock.now()
        )
        company.status = "verified"
        await uow.commit()
        return company.id


async def post_job(
    factory: Factory,
    clock: FakeClock,
    company: int,
    tags: list[str],
    location: str = "phnom-penh",
    title: str = "Web developer",
    deadline: date = DEADLINE,
    job_type: str = "full-time",
) -> int:
    async with factory() as uow:
        company_row = await uow.jobs.company(company)
        assert company_row is not None
        job = await uow.jobs.add_job(
            company, company_row.created_by, title, "Build our site.", tags, location, job_type,
            deadline, datetime.combine(deadline, time(23, 59, 59), TZ), None, clock.now(),
        )  # fmt: skip
        await uow.commit()
        return job.id


async def outbox(factory: Factory) -> list[OutboxMessage]:
    async with factory() as uow:
        return list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def alerted(factory: Factory) -> set[tuple[int, int]]:
    async with factory() as uow:
        rows = await uow.session.execute(select(JobAlert.member_id, JobAlert.job_id))
        return {(member_id, job_id) for member_id, job_id in rows}


@pytest.fixture
async def company(uow_factory: Factory, clock: FakeClock) -> int:
    owner = await add_member(uow_factory, clock, 900, ["web"], frequency="off", open_to_work=False)
    return await add_company(uow_factory, clock, owner)


# -- instant alerts --------------------------------------------------------------------------
async def test_an_instant_alert_reaches_only_the_members_the_job_is_for(
    uow_factory: Factory, clock: FakeClock, translations: Translations, company: int
) -> None:
    f = uow_factory
    dara = await add_member(f, clock, 1, ["web", "data"], language="km")
    other_skill = await add_member(f, clock, 2, ["data"])
    elsewhere = await add_member(f, clock, 3, ["web"], province="siem-reap", province_only=True)
    anywhere = await add_member(f, clock, 4, ["web"], language="km", province="siem-reap")
    await add_member(f, clock, 5, ["web"], open_to_work=False)
    await add_member(f, clock, 6, ["web"], unreachable=True)
    await add_member(f, clock, 7, ["web"], frequency="daily")
    no_province = await add_member(f, clock, 8, ["web"], province=None, province_only=True)
    erased = await add_member(f, clock, 9, ["web"])
    async with f() as uow:
        member = await uow.members.by_id(erased)
        assert member is not None
        await uow.members.erase(member, clock.now())
        await uow.commit()

    job = await post_job(f, clock, company, ["web", "mobile"], title="Web <dev> & co")
    remote = await post_job(f, clock, company, ["web"], location=REMOTE)
    await post_job(f, clock, company, ["web"], deadline=date(2026, 11, 24))  # expired
    closed = await post_job(f, clock, company, ["web"])
    async with f() as uow:
        await uow.jobs.close_job(closed, clock.now())
        await uow.commit()

    queued = await send_instant_alerts(f, translations, clock.now(), TZ)

    assert await alerted(f) == {
        (dara, job), (anywhere, job),
        (dara, remote), (elsewhere, remote), (anywhere, remote), (no_province, remote),
    }  # fmt: skip
    messages = await outbox(f)
    assert queued == len(messages) == 6
    assert {m.dedupe_key for m in messages} >= {f"job:{dara}:{job}", f"job:{elsewhere}:{remote}"}
    assert other_skill not in {member for member, _ in await alerted(f)}
    khmer = next(m.text for m in messages if m.dedupe_key == f"job:{dara}:{job}")
    assert "ការងារថ្មី" in khmer and "ភ្នំពេញ" in khmer and "ពេញម៉ោង" in khmer
    assert f"#{translations.for_language('km').digits(str(job))}" in khmer and "/job_" not in khmer
    assert "Web &lt;dev&gt; &amp; co" in khmer
    english = next(m.text for m in messages if m.dedupe_key == f"job:{elsewhere}:{remote}")
    assert "A new job matches your skills" in english and "Remote" in english
    assert "Apply by 31 December 2026" in english and "/jobs" in english
    async with f() as uow:
        done = await uow.session.scalars(select(Job.instant_alerts_done))
        assert all(done)


async def test_instant_alerts_run_twice_send_nothing_twice(
    uow_factory: Factory, clock: FakeClock, translations: Translations, company: int
) -> None:
    await add_member(uow_factory, clock, 1, ["web"], language="km")
    await post_job(uow_factory, clock, company, ["web"])
    assert await send_instant_alerts(uow_factory, translations, clock.now(), TZ) == 1
    assert await send_instant_alerts(uow_factory, translations, clock.now(), TZ) == 0
    await post_job(uow_factory, clock, company, ["web"])
    assert await send_instant_alerts(uow_factory, translations, clock.now(), TZ) == 1
    assert len(await outbox(uow_factory)) == 2


async def test_a_crash_between_instant_batches_loses_nothing_and_repeats_nothing(
    uow_factory: Factory, clock: FakeClock, translations: Translations, company: int
) -> None:
    members = [
        await add_member(uow_factory, clock, n, ["ai"], language=("km", "en")[n % 2])
        for n in range(1, 6)
    ]
    job = await post_job(uow_factory, clock, company, ["ai"])
    with pytest.raises(Crash):
        await send_instant_alerts(
            crashing_after(uow_factory, 1), translations, clock.now(), TZ, batch=2
        )
    assert await alerted(uow_factory) == {(m, job) for m in members[:2]}
    assert len(await outbox(uow_factory)) == 2

    assert await send_instant_alerts(uow_factory, translations, clock.now(), TZ, batch=2) == 3
    messages = await outbox(uow_factory)
    assert sorted(m.chat_id for m in messages) == [1, 2, 3, 4, 5]
    assert await alerted(uow_factory) == {(m, job) for m in members}


# -- digests ---------------------------------------------------------------------------------
async def test_the_daily_digest_lists_every_new_match_once_in_one_message(
    uow_factory: Factory, clock: FakeClock, translations: Translations, company: int
) -> None:
    f = uow_factory
    sophea = await add_member(f, clock, 1, ["data"], language="km")
    anna = await add_member(f, clock, 2, ["web"], frequency="daily")
    told_at_once = await post_job(f, clock, company, ["data"], title="Data analyst")
    await send_instant_alerts(f, translations, clock.now(), TZ)
    async with f() as uow:
        await uow.session.execute(
            update(Member).where(Member.id == sophea).values(alert_frequency="daily")
        )
        await uow.commit()
    clock.advance(hours=1)
    older = await post_job(f, clock, company, ["data", "ai"], title="Data engineer")
    clock.advance(hours=1)
    newer = await post_job(f, clock, company, ["data"], location=REMOTE, title="ML engineer")
    for_anna = await post_job(f, clock, company, ["web"], location=ABROAD, title="Web developer")
    await post_job(f, clock, company, ["iot"], title="Nobody's job")

    clock.advance(days=1)  # the next morning
    queued = await send_digests(f, translations, "daily", clock.now(), TZ)

    digests = [m for m in await outbox(f) if m.dedupe_key and m.dedupe_key.startswith("digest:")]
    assert queued == len(digests) == 2
    day = clock.now().astimezone(TZ).date().isoformat()
    khmer = next(m for m in digests if m.chat_id == 1)
    assert khmer.dedupe_key == f"digest:{sophea}:{day}:1"
    assert translations.for_language("km").gettext("New jobs that match your skills") in khmer.text
    km = translations.for_language("km")
    assert khmer.text.index(f"#{km.digits(str(newer))}") < khmer.text.index(
        f"#{km.digits(str(older))}"
    )  # newest first
    assert f"#{km.digits(str(told_at_once))}" not in khmer.text
    english = next(m for m in digests if m.chat_id == 2)
    assert f"#{for_anna}" in english.text and "Abroad" in english.text
    assert await alerted(f) == {
        (sophea, told_at_once), (sophea, older), (sophea, newer), (anna, for_anna),
    }  # fmt: skip
    async with f() as uow:
        member = await uow.members.by_id(anna)
        assert member is not None and member.last_job_digest_at == clock.now()

    # the day after: only what is new since, and nothing at all for who has nothing new
    clock.advance(days=1)
    newest = await post_job(f, clock, company, ["data"], title="Data scientist")
    assert await send_digests(f, translations, "daily", clock.now(), TZ) == 1
    last = (await outbox(f))[-1]
    assert last.chat_id == 1 and f"#{km.digits(str(newest))}" in last.text
    assert f"#{km.digits(str(older))}" not in last.text
    assert f"#{km.digits(str(newer))}" not in last.text


async def test_an_empty_digest_is_not_sent(
    uow_factory: Factory, clock: FakeClock, translations: Translations, company: int
) -> None:
    await add_member(uow_factory, clock, 1, ["policy"], frequency="daily", language="km")
    await add_member(uow_factory, clock, 2, ["web"], frequency="weekly")
    assert await send_digests(uow_factory, translations, "daily", clock.now(), TZ) == 0
    await post_job(uow_factory, clock, company, ["web"])
    assert await send_digests(uow_factory, translations, "daily", clock.now(), TZ) == 0
    assert await outbox(uow_factory) == []
    assert await send_digests(uow_factory, translations, "weekly", clock.now(), TZ) == 1


async def test_a_long_digest_is_split_between_entries_and_counts_the_rest(
    uow_factory: Factory, clock: FakeClock, translations: Translations, company: int
) -> None:
    member = await add_member(uow_factory, clock, 1, ["cloud"], language="km", frequency="daily")
    jobs = []
    for n in range(DIGEST_MOST + 5):
        title = (
            f"វិស្វករ Cloud & DevOps ជាន់ខ្ពស់ {n} " + "ក្រុមហ៊ុនបច្ចេកវិទ្យា" * 4
        )  # ≤ 120, as posting allows
        jobs.append(await post_job(uow_factory, clock, company, ["cloud"], title=title))
        clock.advance(minutes=1)

    assert await send_digests(uow_factory, translations, "daily", clock.now(), TZ) >= 2
    messages = await outbox(uow_factory)
    assert len(messages) >= 2
    assert all(len(m.text) <= 4096 for m in messages)
    assert [m.dedupe_key for m in messages] == [
        f"digest:{member}:2026-11-25:{n}" for n in range(1, len(messages) + 1)
    ]
    newest_first = list(reversed(jobs))[:DIGEST_MOST]
    text = "\n".join(m.text for m in messages)
    for job in newest_first:
        assert text.count(f"💼 <b>#{translations.for_language('km').digits(str(job))} · ") == 1
    for message in messages:  # whole entries only: each ends with its deadline
        entries = message.text.split("\n\n")[1:]
        assert all(entry.endswith("ឆ្នាំ២០២៦") for entry in entries[:-1])
    more = messages[-1].text.rsplit("\n\n", 1)[-1]
    assert "៥" in more and more.endswith("/jobs")  # the member reads Khmer
    assert await alerted(uow_factory) == {(member, job) for job in newest_first}

    # the five left out come in the next digest
    clock.advance(days=1)
    assert await send_digests(uow_factory, translations, "daily", clock.now(), TZ) == 1
    assert len(await alerted(uow_factory)) == DIGEST_MOST + 5


async def test_a_crash_between_digest_batches_loses_nothing_and_repeats_nothing(
    uow_factory: Factory, clock: FakeClock, translations: Translations, company: int
) -> None:
    members = [
        await add_member(
            uow_factory, clock, n, ["design"], language=("km", "en")[n % 2], frequency="daily"
        )
        for n in range(1, 6)
    ]
    job = await post_job(uow_factory, clock, company, ["design"])
    with pytest.raises(Crash):
        await send_digests(
            crashing_after(uow_factory, 1), translations, "daily", clock.now(), TZ, batch=2
        )
    assert await alerted(uow_factory) == {(m, job) for m in members[:2]}

    clock.advance(minutes=5)  # the scheduler runs the digest again after the restart
    assert await send_digests(uow_factory, translations, "daily", clock.now(), TZ, batch=2) == 3
    messages = await outbox(uow_factory)
    assert sorted(m.chat_id for m in messages) == [1, 2, 3, 4, 5]
    assert await alerted(uow_factory) == {(m, job) for m in members}


async def test_a_second_run_the_same_morning_leaves_new_jobs_for_the_next_digest(
    uow_factory: Factory, clock: FakeClock, translations: Translations, company: int
) -> None:
    await add_member(uow_factory, clock, 1, ["iot"], frequency="daily")
    await post_job(uow_factory, clock, company, ["iot"])
    assert await send_digests(uow_factory, translations, "daily", clock.now(), TZ) == 1
    clock.advance(minutes=30)
    late = await post_job(uow_factory, clock, company, ["iot"])
    assert await send_digests(uow_factory, translations, "daily", clock.now(), TZ) == 0
    clock.advance(days=1)
    assert await send_digests(uow_factory, translations, "daily", clock.now(), TZ) == 1
    assert f"#{late}" in (await outbox(uow_factory))[-1].text


async def test_a_member_who_joins_after_the_digest_hour_gets_the_first_digest_next_day(
    uow_factory: Factory, clock: FakeClock, translations: Translations, company: int
) -> None:
    clock.current = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 10:00 in Phnom Penh
    await add_member(uow_factory, clock, 1, ["iot"], frequency="daily", joined_days_ago=0)
    await post_job(uow_factory, clock, company, ["iot"])
    assert await send_digests(uow_factory, translations, "daily", clock.now(), TZ) == 0
    clock.advance(hours=21, minutes=45)  # 07:45 the next day
    assert await send_digests(uow_factory, translations, "daily", clock.now(), TZ) == 0
    clock.advance(minutes=15)
    assert await send_digests(uow_factory, translations, "daily", clock.now(), TZ) == 1


def test_digest_slots_are_eight_in_the_morning_local_time() -> None:
    wednesday_9am = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert digest_slot("daily", wednesday_9am, TZ) == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    wednesday_7am = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    assert digest_slot("daily", wednesday_7am, TZ) == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert digest_slot("weekly", wednesday_9am, TZ) == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    monday_7am = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    assert digest_slot("weekly", monday_7am, TZ) == datetime(2026, 11, 16, 1, 0, tzinfo=UTC)


def slugs(tag_ids: set[int]) -> set[str]:
    """The matcher works on tag ids, the rule on slugs: any one name per tag will do."""
    return {f"tag-{tag_id}" for tag_id in tag_ids}


def test_the_digest_matcher_agrees_with_the_matching_rule() -> None:
    rng = random.Random(7)
    places = ["phnom-penh", "kep", REMOTE, ABROAD]
    jobs = [(job_id, rng.choice(places), set(rng.sample(range(6), rng.randint(1, 3))))
            for job_id in range(100, 0, -1)]  # fmt: skip
    matcher = JobMatcher((job_id, place, tag) for job_id, place, tags in jobs for tag in tags)
    for _ in range(300):
        skills = set(rng.sample(range(7), rng.randint(0, 3)))
        province = rng.choice([*places[:2], ABROAD, None])
        only = rng.random() < 0.5
        told = set(rng.sample(range(1, 101), 10))
        most = rng.choice([1, 5, 30, 200])
        expected = [
            job_id for job_id, place, tags in jobs
            if job_id not in told and job_matches(slugs(tags), place, slugs(skills), province, only)
        ]  # fmt: skip
        assert matcher.match(skills, province, only, told, most) == (expected[:most], len(expected))


def test_a_job_entry_escapes_and_clips_what_members_typed(translations: Translations) -> None:
    job = Job(
        id=42, title="<script>" * 100, location="siem-reap", job_type="internship",
        deadline=date(2026, 12, 1),
    )  # fmt: skip
    khmer = job_entry(translations.for_language("km"), job, "A&B <Co>", "Web, AI")
    assert "<script>" not in khmer and "A&amp;B &lt;Co&gt;" in khmer
    assert "#៤២" in khmer and "សៀមរាប" in khmer and "កម្មសិក្សា" in khmer
    assert len(khmer) <= 1000 and khmer.count("<b>") == khmer.count("</b>") == 1
    english = job_entry(translations.for_language("en"), job, "Co", "Web")
    assert "Siem Reap · Internship" in english and "1 December 2026" in english


# -- the repository --------------------------------------------------------------------------
async def test_companies_representatives_and_invitations(
    uow_factory: Factory, clock: FakeClock
) -> None:
    owner = await add_member(uow_factory, clock, 1, ["web"], username="SokDara")
    invited = await add_member(uow_factory, clock, 2, ["web"])
    async with uow_factory() as uow:
        company = await uow.jobs.add_company(
            owner, "Mekong Soft", "R-9", "ICT", None, "Apps.", clock.now()
        )
        assert [c.id for c in await uow.jobs.pending_companies()] == [company.id]
        assert not await uow.jobs.is_representative(owner, company.id)  # not verified yet
        assert await uow.jobs.is_representative(owner, company.id, verified_only=False)
        company.status = "verified"
        assert await uow.jobs.is_representative(owner, company.id)
        found = await uow.jobs.member_by_username("@sokdara")
        assert found is not None and found.id == owner

        await uow.jobs.invite_representative(company.id, invited, owner, clock.now())
        assert await uow.jobs.has_invite(company.id, invited)
        assert await uow.jobs.companies_of(invited) == []
        assert not await uow.jobs.is_representative(invited, company.id)
        assert await uow.jobs.accept_invite(company.id, invited)
        assert [c.id for c in await uow.jobs.companies_of(invited)] == [company.id]
        assert [m.id for m in await uow.jobs.representatives(company.id)] == [owner, invited]
        assert await uow.jobs.pending_companies() == []


async def test_open_jobs_filter_by_tag_and_province_newest_first(
    uow_factory: Factory, clock: FakeClock, company: int
) -> None:
    web_pp = await post_job(uow_factory, clock, company, ["web"])
    clock.advance(minutes=1)
    remote = await post_job(uow_factory, clock, company, ["data"], location=REMOTE)
    clock.advance(minutes=1)
    kep = await post_job(uow_factory, clock, company, ["web"], location="kep")
    await post_job(uow_factory, clock, company, ["web"], deadline=date(2026, 11, 24))
    closed = await post_job(uow_factory, clock, company, ["web"])
    async with uow_factory() as uow:
        await uow.jobs.close_job(closed, clock.now())
        now = clock.now()
        everything, total = await uow.jobs.open_jobs(now, None, None, 0, 10)
        assert [j.id for j in everything] == [kep, remote, web_pp] and total == 3
        page, total = await uow.jobs.open_jobs(now, None, None, 1, 1)
        assert [j.id for j in page] == [remote] and total == 3
        web, total = await uow.jobs.open_jobs(now, "web", None, 0, 10)
        assert [j.id for j in web] == [kep, web_pp] and total == 2
        in_pp, total = await uow.jobs.open_jobs(now, None, "phnom-penh", 0, 10)
        assert [j.id for j in in_pp] == [remote, web_pp] and total == 2
        assert sorted(await uow.jobs.job_tags(web_pp)) == ["web"]
        assert (await uow.jobs.jobs_of_company(company, 20))[0].id == closed


async def test_applying_and_asking_for_an_intro_happen_once(
    uow_factory: Factory, clock: FakeClock, company: int
) -> None:
    member = await add_member(uow_factory, clock, 1, ["web"])
    job = await post_job(uow_factory, clock, company, ["web"])
    async with uow_factory() as uow:
        application = await uow.jobs.apply(job, member, clock.now())
        assert application is not None and application.status == "sent"
        assert await uow.jobs.apply(job, member, clock.now()) is None
        assert await uow.jobs.application(application.id) is application
        owner = (await uow.jobs.company(company)).created_by  # type: ignore[union-attr]
        intro = await uow.jobs.request_intro(company, owner, member, clock.now())
        assert intro is not None and intro.status == "pending"
        assert await uow.jobs.request_intro(company, owner, member, clock.now()) is None
        assert await uow.jobs.intro(intro.id) is intro
        await uow.commit()


async def test_talent_search_finds_visible_members_open_to_work(
    uow_factory: Factory, clock: FakeClock
) -> None:
    f = uow_factory
    web_pp = await add_member(f, clock, 1, ["web", "ai"], visible=True, reputation=5)
    web_kep = await add_member(f, clock, 2, ["web"], visible=True, province="kep")
    await add_member(f, clock, 3, ["web"], visible=False)
    await add_member(f, clock, 4, ["web"], visible=True, open_to_work=False)
    ai_only = await add_member(f, clock, 5, ["ai"], visible=True)
    async with f() as uow:
        members, total = await uow.jobs.talent("web", None, 0, 10)
        assert [m.id for m in members] == [web_pp, web_kep] and total == 2
        members, total = await uow.jobs.talent("web", "kep", 0, 10)
        assert [m.id for m in members] == [web_kep] and total == 1
        members, total = await uow.jobs.talent(None, "phnom-penh", 1, 1)
        assert [m.id for m in members] == [ai_only] and total == 2
