"""The console's Competitions pages over HTTP: for administrators only; the forms need their
token; create and edit go through the competition operations (the bot's checks, audit
lines through the web, reminders), a refused term is named with the operation's message and
everything typed is kept; an edit over a revision saved meanwhile is refused; entries are
counted and, after the deadline, ranked as the bot's [Ranking] ranks them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage.models import AuditEntry, Competition, CompetitionReminder
from tests.web import test_console
from tests.web.test_console import ADMIN, MODERATOR, World

world = test_console.world  # the console's signed-in test world, a fixture

TERMS = {
    "title_km": "ប្រកួតកម្មវិធី", "title_en": "App contest", "rules_km": "ច្បាប់\nទីពីរ",
    "rules_en": "Build an app.", "prizes_km": "លេខ១៖ កុំព្យូទ័រយួរដៃ", "prizes_en": "1st place: a laptop",
    "deadline": "2026-12-10T17:00",
    "entries": "3",
}  # fmt: skip


async def judges(world: World) -> dict[str, int]:
    """The administrator and an expert signed up as members: who may judge."""
    async with world.uow() as uow:
        rows = [
            {"telegram_id": t, "full_name": name, "role": "professional", "language": "en"}
            for t, name in ((ADMIN, "Sokha Admin"), (901, "Dara Expert"), (902, "Vanna Member"))
        ]
        await uow.members.upsert_many(rows, world.clock.now())
        ids = {}
        for telegram_id in (ADMIN, 901, 902):
            member = await uow.members.get(telegram_id)
            assert member is not None
            ids[str(telegram_id)] = member.id
        await uow.questions.make_expert(ids["901"], ["ai"])
        await uow.commit()
    return ids


def form(csrf: str, judge_ids: list[int], **changes: str) -> list[tuple[str, str]]:
    values = {**TERMS, **changes}
    return [
        ("csrf", csrf), *values.items(), ("tags", "ai"), ("tags", "data"),
        *(("judges", str(j)) for j in judge_ids),
    ]  # fmt: skip


async def stored(world: World) -> tuple[int, int, int]:
    async with world.uow() as uow:
        count = uow.session.scalar
        return (
            await count(select(func.count()).select_from(Competition)) or 0,
            await count(select(func.count()).select_from(CompetitionReminder)) or 0,
            await count(
                select(func.count()).where(AuditEntry.action.like("competition-%"))
            ) or 0,
        )  # fmt: skip


async def test_the_competition_pages_and_forms_are_for_administrators_only(world: World) -> None:
    ids = await judges(world)
    csrf = await world.sign_in(MODERATOR)
    for path in ("/competitions", "/competitions/new", "/competitions?id=1"):
        assert (await world.client.get(path)).status == 403, path
    for path in ("/competitions/new", "/competitions/edit"):
        refused = await world.client.post(path, data=form(csrf, [ids[str(ADMIN)]]))
        assert refused.status == 403, path
    await world.sign_in(ADMIN)
    for path in ("/competitions/new", "/competitions/edit"):
        for token in ("", "forged"):
            no_token = await world.client.post(path, data=form(token, [ids[str(ADMIN)]]))
            assert no_token.status == 403, path
    assert await stored(world) == (0, 0, 0)


async def test_a_competition_is_created_from_the_page_with_the_bots_checks(world: World) -> None:
    ids = await judges(world)
    admin = ids[str(ADMIN)]
    csrf = await world.sign_in(ADMIN)
    created = await world.client.post(
        "/competitions/new", data=form(csrf, [admin, ids["902"]]), allow_redirects=False
    )
    assert created.status == 303
    assert created.headers["Location"] == "/competitions?id=1&done=created"
    deadline = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)  # 17:00 in Phnom Penh
    async with world.uow() as uow:
        competition = await uow.competitions.get(1)
        assert competition is not None
        assert (competition.title_km, competition.rules_km) == ("ប្រកួតកម្មវិធី", "ច្បាប់\nទីពីរ")
        assert competition.deadline_at == deadline and competition.entries_allowed == 3
        assert [m.id for m in await uow.competitions.judges(1)] == [admin]  # not a judge: left
        assert sorted(await uow.competitions.tags_of(1)) == ["ai", "data"]
        reminders = sorted(await uow.competitions.reminder_times(1))
        audit = (await uow.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "competition-created"
        ))).all()  # fmt: skip
    assert reminders == [deadline - timedelta(days=3), deadline - timedelta(days=1)]
    assert [(a.actor_telegram_id, a.detail, a.channel) for a in audit] == [
        (ADMIN, {"competition": 1, "deadline": "2026-12-10T17:00:00+07:00", "judges": [admin]},
         "web"),
    ]  # fmt: skip  # the deadline as the chat's flow writes it: in Cambodia time
    page = await (await world.client.get(created.headers["Location"])).text()
    assert "Competition #1 is open for entries" in page and "App contest" in page
    assert 'name="revision" value="0"' in page  # open: the edit form, over revision 0
    listed = await (await world.client.get("/competitions")).text()
    assert 'href="/competitions?id=1"' in listed and 'id="entries-1">0<' in listed


async def test_a_refused_term_is_named_with_its_message_and_the_values_are_kept(
    world: World,
) -> None:
    ids = await judges(world)
    csrf = await world.sign_in(ADMIN)
    for changes, judge_ids, said in (
        (
            {"prizes_en": "  "},
            [ids[str(ADMIN)]],
            "English prizes: Please send 1 to 500 characters.",
        ),
        ({"deadline": "2026-11-25T08:00"}, [ids[str(ADMIN)]], "Deadline: That moment has passed."),
        ({"deadline": "soon"}, [ids[str(ADMIN)]], "Deadline: Write a date and a time"),
        ({}, [ids["902"]], "Judges: Please choose at least one judge."),
    ):
        refused = await world.client.post(
            "/competitions/new", data=form(csrf, judge_ids, **changes)
        )
        page = await refused.text()
        assert refused.status == 400 and said in page, said
        assert 'class="refused"' in page or "choices refused" in page
        assert 'value="ប្រកួតកម្មវិធី"' in page and "Build an app.</textarea>" in page
        assert 'value="ai" checked' in page and '<option value="3" selected>' in page
    assert await stored(world) == (0, 0, 0)


async def test_an_edit_over_a_revision_saved_meanwhile_is_refused(world: World) -> None:
    ids = await judges(world)
    admin = ids[str(ADMIN)]
    csrf = await world.sign_in(ADMIN)
    await world.client.post("/competitions/new", data=form(csrf, [admin]))
    opened = await (await world.client.get("/competitions?id=1")).text()
    assert 'name="revision" value="0"' in opened
    edit = [("id", "1"), ("revision", "0")]
    saved = await world.client.post(
        "/competitions/edit", data=edit + form(csrf, [admin], title_en="App contest 2026"),
        allow_redirects=False,
    )  # fmt: skip
    assert saved.status == 303 and saved.headers["Location"] == "/competitions?id=1&done=saved"
    late = await world.client.post(
        "/competitions/edit", data=edit + form(csrf, [admin], prizes_en="A phone")
    )
    page = await late.text()
    assert late.status == 400 and "Another administrator has changed this competition" in page
    assert "A phone</textarea>" in page  # what was typed is kept
    async with world.uow() as uow:
        competition = await uow.competitions.get(1)
        assert competition is not None
        assert (competition.title_en, competition.prizes_en, competition.revision) == (
            "App contest 2026", "1st place: a laptop", 1,
        )  # fmt: skip
        edits = (await uow.session.scalars(select(AuditEntry.channel).where(
            AuditEntry.action == "competition-edited"
        ))).all()  # fmt: skip
    assert edits == ["web"]


async def test_the_entries_are_counted_and_ranked_after_the_deadline(world: World) -> None:
    ids = await judges(world)
    admin = ids[str(ADMIN)]
    csrf = await world.sign_in(ADMIN)
    await world.client.post("/competitions/new", data=form(csrf, [admin]))
    now = world.clock.now()
    async with world.uow() as uow:
        first = await uow.competitions.add_entry(1, ids["901"], "My app", None, now)
        second = await uow.competitions.add_entry(1, ids["902"], "Our app", None, now)
        await uow.competitions.add_entry(1, ids["902"], "Another", None, now)
        await uow.commit()
    listed = await (await world.client.get("/competitions")).text()
    assert 'id="entries-1">3<' in listed
    page = await (await world.client.get("/competitions?id=1")).text()
    assert 'id="entries">3<' in page and "Ranking" not in page  # open: no ranking yet
    world.clock.advance(days=16)
    async with world.uow() as uow:
        await uow.competitions.add_score(second.id, admin, 9, world.clock.now())
        await uow.competitions.add_score(first.id, admin, 6, world.clock.now())
        await uow.commit()
    csrf = await world.sign_in(ADMIN)  # the session ended while idle
    page = await (await world.client.get("/competitions?id=1")).text()
    assert "Ranking" in page and 'name="revision"' not in page  # being judged: not editable
    rows = page[page.find('class="log ranking"') :]
    assert rows.find("Vanna Member") < rows.find("Dara Expert")  # 9 before 6
    assert "<td>1</td><td>№2</td><td>Vanna Member</td>" in rows
    assert "Judges who have scored every entry: 0 of 1" in page
    late = await world.client.post(
        "/competitions/edit", data=[("id", "1"), ("revision", "0"), *form(csrf, [admin])]
    )
    assert late.status == 400 and "can no longer be changed" in await late.text()
