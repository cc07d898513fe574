"""/mydata sends everything stored about a member; /deleteme erases what is personal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.sandbox.emulator import EmuUser
from storage.models import (
    CompanyRepresentative,
    DigestTag,
    ExpertApplication,
    ExpertProfile,
    ExpertTag,
    IntroRequest,
    JobAlert,
    JobApplication,
    Member,
    OutboxMessage,
    Question,
    Rsvp,
    StaffRole,
)
from tests.scenarios.harness import Scenario, add_member

SOKHA = EmuUser(8_800_001, "Sokha Mean", username="sokha_m")
VANNAK = EmuUser(8_800_002, "Vannak Otherperson")
ADMIN = EmuUser(8_800_003, "Admin Decider")
REP = EmuUser(8_800_004, "Rep Hiringperson")


@dataclass
class World:
    sokha: int  # member ids
    rep: int
    pending_application: int
    decided_application: int
    pending_intro: int


async def build_world(scenario: Scenario) -> World:
    """Sokha: a moderator and expert who asked, answered, applied and represents a company."""
    assert scenario.app is not None
    now = scenario.clock.now()
    sokha = await add_member(scenario, SOKHA, expert_tags=("ai",), staff="moderator")
    vannak = await add_member(scenario, VANNAK, expert_tags=("web",))
    rep = await add_member(scenario, REP)
    async with scenario.app.unit_of_work() as uow:
        member = await uow.members.by_id(sokha)
        assert member is not None
        member.reputation, member.phone = 12, "+85512345678"
        q = uow.questions
        asked = await q.add_question(
            sokha, "How do I secure my Django site?", "", ["web"], now, now
        )
        reply = await q.add_answer(asked.id, vannak, "Vannak's answer text", now, None)
        reply.follow_up = "And what about the admin page?"
        theirs = await q.add_question(vannak, "Which model for Khmer OCR?", "", ["ai"], now, now)
        await q.add_answer(theirs.id, sokha, "Sokha's answer: try Tesseract khm.", now, None)
        await q.add_report(sokha, "answer", reply.id, now)
        decided = await q.add_application(sokha, ["ai"], "I teach machine learning.", now)
        decided.status, decided.decided_by, decided.decided_at = "approved", ADMIN.id, now
        await q.add_application(sokha, ["data"], "Ten years of data engineering.", now)

        j = uow.jobs
        hiring = await j.add_company(rep, "Mekong Hiring", "MOC-1", "IT", None, "We hire.", now)
        hiring.status = "verified"
        own = await j.add_company(sokha, "Sokha Labs", "MOC-2", "AI", None, "My lab.", now)
        deadline = date(2026, 12, 31)
        end = now + timedelta(days=30)
        first = await j.add_job(hiring.id, rep, "Data engineer", "ETL.", ["data"], "kep",
                                "full-time", deadline, end, None, now)  # fmt: skip
        second = await j.add_job(hiring.id, rep, "ML engineer", "Models.", ["ai"], "kep",
                                 "full-time", deadline, end, None, now)  # fmt: skip
        await j.add_job(own.id, sokha, "Intern", "Learn with us.", ["ai"], "remote",
                        "internship", deadline, end, None, now)  # fmt: skip
        pending = await j.apply(first.id, sokha, now)
        interview = await j.apply(second.id, sokha, now)
        assert pending is not None and interview is not None
        interview.status, interview.decided_at = "interview", now
        intro = await j.request_intro(hiring.id, rep, sokha, now)
        assert intro is not None
        uow.session.add(JobAlert(member_id=sokha, job_id=first.id, created_at=now))
        event = await uow.content.add(
            "event", (None, "AI meetup"), (None, None), None, [], now, event_at=end
        )
        assert event is not None
        await uow.content.toggle_rsvp(event.id, sokha, now)
        await uow.content.follow_tags(sokha, ["ai", "policy"])
        member.digest_frequency = "daily"

        await uow.outbox.enqueue(SOKHA.id, "A notice for Sokha", None, now, "notice:1")
        await uow.outbox.enqueue(
            REP.id, "Sokha Mean applies, +85512345678", None, now,
            f"application-job:{pending.id}:{rep}",
        )  # fmt: skip
        await uow.outbox.enqueue(
            REP.id, "Another member applies", None, now, "application-job:999:1"
        )
        await uow.commit()
        return World(sokha, rep, pending.id, interview.id, intro.id)


async def my_data(scenario: Scenario) -> tuple[dict[str, Any], str]:
    await scenario.say(SOKHA, "/mydata")
    document = scenario.last(SOKHA)
    assert document.kind == "document"
    raw = (document.document or b"").decode()
    return json.loads(raw), raw


async def test_mydata_holds_everything_stored_but_other_peoples_personal_data(
    scenario: Scenario,
) -> None:
    await build_world(scenario)
    data, raw = await my_data(scenario)

    assert (data["full_name"], data["reputation"], data["phone"]) == (
        "Sokha Mean",
        12,
        "+85512345678",
    )
    assert [r["role"] for r in data["staff_roles"]] == ["moderator"]
    assert data["expert"]["topics"] == ["ai"] and data["expert"]["most_open_questions"] == 3
    assert [(a["note"], a["status"]) for a in data["expert_applications"]] == [
        ("I teach machine learning.", "approved"),
        ("Ten years of data engineering.", "pending"),
    ]
    [question] = data["questions"]
    assert question["text"] == "How do I secure my Django site?" and question["topics"] == ["web"]
    assert question["answers_received"] == 1
    assert question["my_follow_up_questions"] == ["And what about the admin page?"]
    assert [a["text"] for a in data["answers"]] == ["Sokha's answer: try Tesseract khm."]
    assert [r["about"] for r in data["reports_made"]] == ["answer"]
    companies = {c["name"]: c for c in data["companies"]}
    assert (
        companies["Sokha Labs"]["registered_by_me"]
        and companies["Sokha Labs"]["about"] == "My lab."
    )
    assert "Mekong Hiring" not in companies  # Sokha does not represent it
    assert [j["title"] for j in data["jobs_posted"]] == ["Intern"]
    assert [(a["title"], a["company"], a["status"]) for a in data["job_applications"]] == [
        ("Data engineer", "Mekong Hiring", "sent"),
        ("ML engineer", "Mekong Hiring", "interview"),
    ]
    assert [(i["company"], i["status"]) for i in data["introduction_requests_to_me"]] == [
        ("Mekong Hiring", "pending")
    ]
    assert [a["title"] for a in data["jobs_i_was_alerted_to"]] == ["Data engineer"]
    assert (data["news_digest"], data["news_digest_topics"]) == ("daily", ["ai", "policy"])
    assert [e["event"] for e in data["events_attending"]] == [1]

    for someone_else in ("Vannak", "Otherperson", "Hiringperson", str(ADMIN.id), str(REP.id)):
        assert someone_else not in raw  # who answered, decided, or asked to meet: not hers


async def count(scenario: Scenario, model: Any, *where: Any) -> int:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_deleteme_erases_notes_pending_links_and_messages_but_keeps_staff_roles(
    scenario: Scenario,
) -> None:
    world = await build_world(scenario)
    await scenario.say(SOKHA, "/deleteme")
    await scenario.press(SOKHA, "Yes, erase my data")
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        member = await session.get(Member, world.sokha)
        assert member is not None and member.deleted_at is not None
        assert (member.telegram_id, member.full_name, member.phone, member.consent_at) == (
            None, None, None, None,
        )  # fmt: skip
        assert (member.reputation, member.language, member.username) == (0, "en", None)
        applications = list(
            await session.scalars(
                select(ExpertApplication)
                .where(ExpertApplication.member_id == world.sokha)
                .order_by(ExpertApplication.id)
            )
        )
        assert [(a.note, a.status) for a in applications] == [("", "approved"), ("", "withdrawn")]
        assert await session.get(StaffRole, (SOKHA.id, "moderator")) is not None  # kept
        outbox = list(await session.scalars(select(OutboxMessage.dedupe_key)))
        assert outbox == ["application-job:999:1"]  # someone else's application stays
    assert (
        await count(scenario, JobApplication, JobApplication.id == world.pending_application) == 0
    )
    assert (
        await count(scenario, JobApplication, JobApplication.id == world.decided_application) == 1
    )
    assert await count(scenario, IntroRequest, IntroRequest.id == world.pending_intro) == 0
    for model in (ExpertProfile, ExpertTag, CompanyRepresentative, JobAlert, DigestTag, Rsvp):
        assert await count(scenario, model, model.member_id == world.sokha) == 0
    assert await count(scenario, Question, Question.asker_id == world.sokha) == 1  # anonymous


async def test_a_company_pressing_on_an_erased_members_application_is_told_it_is_gone(
    scenario: Scenario,
) -> None:
    world = await build_world(scenario)
    await scenario.say(SOKHA, "/deleteme")
    await scenario.press(SOKHA, "Yes, erase my data")
    await scenario.say(REP, "/help")  # a message of the bot to press on
    await scenario.press_data(REP, f"jb:iv:{world.pending_application}")
    assert "This application no longer exists." in scenario.toasts()


async def test_mydata_lists_the_questions_offered_with_what_became_of_them_and_more(
    scenario: Scenario,
) -> None:
    world = await build_world(scenario)
    assert scenario.app is not None
    now = scenario.clock.now()
    later = now + timedelta(hours=2)
    async with scenario.app.unit_of_work() as uow:
        for text, status in (
            ("A passed question about GPUs", "passed"),
            ("An answered question about LLMs", "answered"),
            ("A waiting question about OCR", "offered"),
        ):
            question = await uow.questions.add_question(world.rep, text, "", ["ai"], now, now)
            offer = await uow.questions.add_assignment(question.id, world.sokha, 1, now)
            if status != "offered":
                offer.status, offer.responded_at = status, later
        await uow.staff.audit(SOKHA.id, "member-hidden", {"member": world.rep})
        await uow.commit()
    data, raw = await my_data(scenario)

    offers = data["questions_offered_to_me"]
    assert [(o["status"], o["round"]) for o in offers] == [
        ("passed", 1), ("answered", 1), ("offered", 1),
    ]  # fmt: skip
    assert {o["offered_at"] for o in offers} == {now.isoformat()}
    assert [o["responded_at"] for o in offers] == [later.isoformat(), later.isoformat(), None]
    assert "GPUs" not in raw  # the question is the asker's
    assert [(m["kind"], m["status"]) for m in data["messages_to_me"]] == [("notice", "pending")]
    assert "A notice for Sokha" not in raw  # a message may carry someone else's name
    assert [a["action"] for a in data["my_staff_actions"]] == ["member-hidden"]
    assert [a["given_anonymously"] for a in data["answers"]] == [False]
