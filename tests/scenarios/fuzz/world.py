"""The small world every fuzzed sequence starts from, so forged buttons can name real ids
of other members' things: members in both languages, two experts who answered one
question, an administrator and a moderator, two companies (one verified, with a job), a
competition with one entry allowed that one member has used, an event.

It is written once into a SQLite file (the storage API, no dialogue); each example starts
from a copy of that file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator, EmuUser
from tests.conftest import PROJECT, FakeClock
from tests.scenarios.harness import Scenario, add_member

ASKER = EmuUser(7_100_001, "សុខា", "km", username="sokha_asks")
EXPERT_A = EmuUser(7_100_002, "Vannak", "en", username="vannak")
EXPERT_B = EmuUser(7_100_003, "ចិន្តា", "km")
ADMIN = EmuUser(7_100_004, "Admin", "en")
REP = EmuUser(7_100_005, "Rep Hiring", "en")
OTHER_REP = EmuUser(7_100_006, "ដារា", "km")
MODERATOR = EmuUser(7_100_007, "Moderator", "en")
NEWCOMER = EmuUser(7_100_008, "New 👋", None)  # has never signed up
USERS = (ASKER, EXPERT_A, EXPERT_B, ADMIN, REP, OTHER_REP, MODERATOR, NEWCOMER)


@dataclass
class World:
    """Every id a forged button might name: of rows, of members and of Telegram users."""

    ids: dict[str, list[int]] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)  # every command the bot knows

    def all_ids(self) -> list[int]:
        return sorted({i for values in self.ids.values() for i in values})


def fuzz_settings(database: Path, engine: str) -> Settings:
    return Settings(
        token="123456:FUZZ",
        api_url="http://127.0.0.1:9",
        database_url=f"sqlite+aiosqlite:///{database}",
        locales_dir=PROJECT / "locales",
        strict_translations=True,
        strict_flows=True,
        send_rate=1000.0,
        per_chat_interval=0.0,
        engine=engine,
    )


async def build_world(database: Path, engine: str) -> World:
    """Migrate ``database`` and seed the world into it; the bot is stopped afterwards."""
    async with BotApiEmulator(token="123456:FUZZ") as emulator:
        scenario = Scenario(emulator, fuzz_settings(database, engine), FakeClock())
        await scenario.start()
        try:
            world = await _seed(scenario)
            assert scenario.app is not None
            world.commands = sorted(scenario.app.dispatcher.commands)
            return world
        finally:
            await scenario.stop()


async def _seed(scenario: Scenario) -> World:
    assert scenario.app is not None
    now = scenario.clock.now()
    asker = await add_member(scenario, ASKER, language="km")
    expert_a = await add_member(scenario, EXPERT_A, expert_tags=("web",))
    expert_b = await add_member(scenario, EXPERT_B, language="km", expert_tags=("web", "ai"))
    admin = await add_member(scenario, ADMIN, staff="admin")
    rep = await add_member(scenario, REP)
    other_rep = await add_member(scenario, OTHER_REP, language="km")
    moderator = await add_member(scenario, MODERATOR, staff="moderator")
    async with scenario.app.unit_of_work() as uow:
        q = uow.questions
        asked = await q.add_question(
            asker, "តើខ្ញុំការពារគេហទំព័រ Django យ៉ាងដូចម្តេច?", "", ["web"], now, now
        )
        asked.status, asked.answered_at = "answered", now
        offers = [await q.add_assignment(asked.id, e, 1, now) for e in (expert_a, expert_b)]
        for offer in offers:
            offer.status, offer.responded_at = "answered", now
        answers = [
            await q.add_answer(asked.id, expert_a, "Use HTTPS & <b>CSRF</b> tokens.", now, None),
            await q.add_answer(asked.id, expert_b, "ប្រើ HTTPS និង CSRF ។", now, None),
        ]
        report = await q.add_report(asker, "answer", answers[0].id, now)

        j = uow.jobs
        hiring = await j.add_company(rep, "Mekong Hiring", "MOC-1", "IT", None, "We hire.", now)
        hiring.status = "verified"
        pending = await j.add_company(other_rep, "ក្រុមហ៊ុន ដារា", "MOC-2", "AI", None, "Lab.", now)
        deadline, end = date(2026, 12, 31), now + timedelta(days=30)
        job = await j.add_job(hiring.id, rep, "Data engineer", "ETL.", ["data"], "kep",
                              "full-time", deadline, end, None, now)  # fmt: skip
        application = await j.apply(job.id, expert_a, now)
        assert application is not None

        c = uow.competitions
        competition = await c.add(
            ("ការប្រកួត AI", "AI challenge"), ("ច្បាប់", "Rules"), ("១ ០០០ ដុល្លារ", "1,000 USD"),
            now + timedelta(days=10), 1, ["ai"], [expert_b], [], admin, now,
        )  # fmt: skip
        entry = await c.add_entry(competition.id, moderator, "My entry", None, now)

        event = await uow.content.add(
            "event", ("ព្រឹត្តិការណ៍ AI", "AI meetup"), (None, None), None, ["ai"], now,
            event_at=now + timedelta(days=5),
        )  # fmt: skip
        assert event is not None
        await uow.commit()
        members = [asker, expert_a, expert_b, admin, rep, other_rep, moderator]
        return World(
            {
                "member": members,
                "telegram": [u.id for u in USERS],
                "question": [asked.id],
                "assignment": [o.id for o in offers],
                "answer": [a.id for a in answers],
                "report": [report.id],
                "company": [hiring.id, pending.id],
                "job": [job.id],
                "application": [application.id],
                "competition": [competition.id],
                "entry": [entry.id],
                "content": [event.id],
            }
        )
