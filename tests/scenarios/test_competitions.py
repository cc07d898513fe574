"""Competitions over the emulator: an administrator creates one, a Khmer and an English
member enter, reminders come once 3 days and 1 day before, two judges score anonymous
entries, the administrator decides and announces the winners; forged buttons change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from handlers.competitions.rules import reminder_due_times
from storage.models import (
    AuditEntry,
    Broadcast,
    Competition,
    CompetitionEntry,
    CompetitionReminder,
    CompetitionScore,
)
from tests.scenarios.harness import Scenario, add_member, plain_buttons
from tests.scenarios.test_broadcasts import broadcasts_to, deliver

ADMIN = EmuUser(1601, "Admin Chanthy")
JUDGE_EN = EmuUser(1602, "Judge Vuthy")
JUDGE_KM = EmuUser(1603, "វិចារណ៍", language_code="km")
DARA = EmuUser(1604, "ដារា", language_code="km")
ANNA = EmuUser(1605, "Anna <Lee>")
FOLLOWER = EmuUser(1606, "Follower")  # follows AI in the news digest
SKILLED = EmuUser(1607, "Skilled")  # has AI among their skills
OUTSIDER = EmuUser(1608, "Outsider")  # web only: never reminded
ADMIN_TWO = EmuUser(1609, "Admin Sokha")

TITLE_KM = "ការប្រកួតប្រជែង <AI> សម្រាប់ភាសាខ្មែរ"
TITLE_EN = "AI for <Khmer> challenge"
DEADLINE = datetime(2026, 12, 10, 11, 0, tzinfo=UTC)  # 18:00 in Phnom Penh
PRIZES_KM = "លេខ១៖ ២ ០០០ ០០០ រៀល លេខ២៖ កុំព្យូទ័រយួរដៃ"
DARA_ENTRY = "កម្មវិធីអានអក្សរខ្មែរពីរូបភាព ដោយប្រើ Tesseract និងទិន្នន័យថ្មី។"
ANNA_ENTRY = "A Khmer spell checker for <textarea> fields & chat apps."


async def stored(scenario: Scenario, model: type, *where: object) -> list:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return list(await session.scalars(select(model).where(*where)))  # type: ignore[arg-type]


def reminders_to(scenario: Scenario, user: EmuUser) -> list[str]:
    return [m.text or "" for m in scenario.emulator.messages(user.id) if "⏰" in (m.text or "")]


async def create_competition(scenario: Scenario) -> None:
    await scenario.say(ADMIN, "/newcompetition")
    await scenario.say(ADMIN, TITLE_KM)
    await scenario.say(ADMIN, TITLE_EN)
    await scenario.say(ADMIN, "សរសេរកម្មវិធីដែលជួយអ្នកប្រើភាសាខ្មែរ។")
    assert await scenario.say(ADMIN, "x" * 2001) == ["Please send 1 to 2000 characters."]
    await scenario.say(ADMIN, "Build something that helps people who use Khmer.")
    await scenario.press(ADMIN, "Done")
    assert scenario.toasts()[-1] == "Please choose at least one topic."
    await scenario.press(ADMIN, "Artificial intelligence")
    await scenario.press(ADMIN, "Done")
    assert await scenario.say(ADMIN, "next week") == [
        "Please send the date and the time, for example 31/12/2026 18:00."
    ]
    # a refused deadline says the date and the time it was read as
    assert await scenario.say(ADMIN, "25/11/2026 08:30") == [
        "The deadline you sent, 25 November 2026 08:30, has passed."
        " Please send a date and time still to come."
    ]
    assert await scenario.say(ADMIN, "10/12/2027 18:00") == [
        "The deadline you sent, 10 December 2027 18:00, is more than a year ahead."
        " Please send a nearer date and time."
    ]
    assert await scenario.say(ADMIN, "10/12/2026 ៦:០០ ល្ងាច") == [
        "The prizes in Khmer? For example: 1st place 1,000,000 riel, 2nd place a laptop."
    ]
    assert await scenario.say(ADMIN, PRIZES_KM) == ["The prizes in English?"]
    await scenario.say(ADMIN, "1st: 2,000,000 riel; 2nd: a laptop")
    await scenario.send(ADMIN, "sticker")  # not a button: asked again
    await scenario.press(ADMIN, "1")
    await scenario.press(ADMIN, "Done")
    assert scenario.toasts()[-1] == "Please choose at least one judge."
    assert scenario.buttons(ADMIN)[:3] == [
        "Admin Chanthy · administrator",
        "Judge Vuthy · expert",
        "វិចារណ៍ · expert",
    ]
    await scenario.press(ADMIN, "Judge Vuthy")
    await scenario.press(ADMIN, "វិចារណ៍")
    replies = await scenario.press(ADMIN, "Done")
    assert replies[0].startswith("As members reading ខ្មែរ will see it:\n\n🏆 <b>")
    assert "ការប្រកួតប្រជែង &lt;AI&gt; សម្រាប់ភាសាខ្មែរ" in replies[0]
    assert "បញ្ញាសិប្បនិម្មិត" in replies[0]  # the tag's Khmer name
    assert PRIZES_KM in replies[0] and "riel" not in replies[0]  # each reader's prizes
    assert "🎁 Prizes: 1st: 2,000,000 riel; 2nd: a laptop" in replies[1]
    assert "🏆 <b>AI for &lt;Khmer&gt; challenge</b> · open for entries" in replies[1]
    assert "Deadline: 10 December 2026 18:00 (Cambodia time)" in replies[1]
    assert "Entries a member may send: 1" in replies[1]
    assert replies[2] == ("Judges: Judge Vuthy, វិចារណ៍\n\nCreate this competition?")
    await scenario.press(ADMIN, "English prizes")  # edit a field from the preview
    replies = await scenario.say(ADMIN, "1st: 2,000,000 riel; 2nd: a laptop; 3rd: a book")
    assert "Prizes: 1st: 2,000,000 riel; 2nd: a laptop; 3rd: a book" in replies[1]
    assert await scenario.press(ADMIN, "Create") == [
        "Competition #1 is open for entries until 10 December 2026 18:00. Members find it"
        " in /competitions; the judges are told at the deadline."
    ]


async def enter(scenario: Scenario, user: EmuUser, text: str, link: str | None, _: object) -> None:
    gettext = _.gettext  # type: ignore[attr-defined]
    await scenario.say(user, "/competitions")
    await scenario.press(user, _.digits("#1"))  # type: ignore[attr-defined]
    await scenario.press(user, gettext("Enter"))
    await scenario.say(user, text)
    if link is None:
        await scenario.press(user, gettext("No link"))
    else:
        assert await scenario.say(user, "not a link") == [
            gettext("Please send a web address like https://example.com/jobs.")
        ]
        await scenario.say(user, link)
    await scenario.press(user, gettext("No file"))
    await scenario.press(user, gettext("Send"))


async def score(scenario: Scenario, judge: EmuUser, *scores: int) -> list[str]:
    texts = []
    for value in scores:
        texts.append(scenario.last(judge).text or "")
        await scenario.press(judge, str(value), scenario.last(judge))
    return texts


async def test_a_competition_from_creation_to_announced_winners(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km, en = translations.for_language("km"), translations.for_language("en")
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, JUDGE_EN, expert_tags=("ai",))
    await add_member(scenario, JUDGE_KM, "km", expert_tags=("data",))
    dara = await add_member(scenario, DARA, "km")
    await add_member(scenario, ANNA)
    follower = await add_member(scenario, FOLLOWER)
    skilled = await add_member(scenario, SKILLED)
    await add_member(scenario, OUTSIDER)
    async with scenario.app.unit_of_work() as uow:
        await uow.content.follow_tags(follower, ["ai"])
        await uow.members.set_skills(skilled, ["ai", "web"])
        await uow.members.set_skills(dara, ["ai"])
        await uow.commit()

    await create_competition(scenario)
    [competition] = await stored(scenario, Competition)
    assert competition.deadline_at == DEADLINE and competition.entries_allowed == 1
    reminders = await stored(scenario, CompetitionReminder)
    assert sorted((r.kind, r.due_at) for r in reminders) == [
        ("1d", DEADLINE - timedelta(days=1)),
        ("3d", DEADLINE - timedelta(days=3)),
    ]

    replies = await scenario.say(DARA, "/competitions")
    assert "<b>កំពុងទទួលស្នាដៃ</b>" in replies[0] and PRIZES_KM in replies[0]
    await enter(scenario, DARA, DARA_ENTRY, "github.com/dara/khmer-ocr", km)
    assert scenario.last(DARA).text == km.gettext(
        "Your entry №{number} is in. You can edit it until {moment}."
    ).format(number=1, moment=km.moment(DEADLINE.astimezone(scenario.app.settings.tz)))
    await enter(scenario, ANNA, "first draft", None, en)
    replies = await scenario.press(ANNA, "#1")
    assert "Entries so far: 2" in replies[0]
    assert scenario.buttons(ANNA) == ["✏️ Edit my entry", "📣 Share"]  # one entry: no Enter
    await scenario.press_data(ANNA, "cp:enter:1")
    assert scenario.toasts()[-1] == "You have sent all the entries this competition allows."
    await scenario.press(ANNA, "Edit my entry")
    await scenario.say(ANNA, ANNA_ENTRY)
    await scenario.press(ANNA, "No link")
    replies = await scenario.press(ANNA, "No file")
    assert "A Khmer spell checker for &lt;textarea&gt; fields &amp; chat apps." in replies[0]
    assert await scenario.press(ANNA, "Send") == [
        "Your entry №2 is saved. You can edit it until 10 December 2026 18:00."
    ]

    # reminders: 3 days before, then 1 day before; each run twice sends nothing twice
    for due in (DEADLINE - timedelta(days=3), DEADLINE - timedelta(days=1)):
        scenario.clock.current = due + timedelta(minutes=4)
        await scenario.app.run_due_work()
        await scenario.app.run_due_work()
    for user in (FOLLOWER, SKILLED, DARA, ANNA):
        assert len(reminders_to(scenario, user)) == 2, user
    for user in (OUTSIDER, JUDGE_EN, JUDGE_KM, ADMIN):
        assert reminders_to(scenario, user) == [], user
    three, one = reminders_to(scenario, FOLLOWER)
    assert three.startswith(
        "⏰ <b>AI for &lt;Khmer&gt; challenge</b> closes in 3 days, on 10 December 2026 18:00:"
        " there is still time to enter."
    )
    assert "closes in 24 hours" in one and "🎁 Prizes: 1st: 2,000,000 riel" in one
    assert "You can still edit your entry until then." in reminders_to(scenario, ANNA)[0]
    assert "ការប្រកួតប្រជែង &lt;AI&gt; សម្រាប់ភាសាខ្មែរ" in reminders_to(scenario, DARA)[0]
    [stored_competition] = await stored(scenario, Competition)
    assert (stored_competition.prizes_km, stored_competition.prizes_en) == (
        PRIZES_KM, "1st: 2,000,000 riel; 2nd: a laptop; 3rd: a book",
    )  # fmt: skip

    # an edit started before the deadline and sent after it is not saved
    await scenario.press(ANNA, "#1")
    await scenario.press(ANNA, "Edit my entry")
    await scenario.say(ANNA, "a last-minute change")
    await scenario.press(ANNA, "No link")
    await scenario.press(ANNA, "No file")
    scenario.clock.current = DEADLINE + timedelta(minutes=1)
    assert await scenario.press(ANNA, "Send") == [
        "Sorry, the deadline (10 December 2026 18:00) has passed: your entry was not saved."
    ]
    entries = {e.member_id: e for e in await stored(scenario, CompetitionEntry)}
    assert entries[dara].text == DARA_ENTRY and len(entries) == 2
    assert ANNA_ENTRY in [e.text for e in entries.values()]

    # the deadline: judges are told, then score anonymous entries, never twice
    scenario.clock.current = DEADLINE + timedelta(minutes=5)
    await scenario.app.run_due_work()
    await scenario.app.run_due_work()
    notices = [m.text or "" for m in scenario.emulator.messages(JUDGE_EN.id)]
    assert notices == [
        "⚖️ <b>AI for &lt;Khmer&gt; challenge</b> is closed with 2 entries. As a judge, please"
        " score each from 1 to 10; entries come without their authors' names."
    ]
    assert scenario.buttons(ADMIN) == ["📊 Ranking"]
    await scenario.press(JUDGE_EN, "Score entries")
    seen = await score(scenario, JUDGE_EN, 8, 6)
    assert seen[0].startswith("⚖️ <b>AI for &lt;Khmer&gt; challenge</b>\nEntry №1 · 2 left to score")
    assert DARA_ENTRY in seen[0] and "github.com/dara/khmer-ocr" in seen[0]
    assert "ដារា" not in seen[0] and "Anna" not in seen[1]  # no names
    assert scenario.last(JUDGE_EN).text == (
        "You have scored every entry of <b>AI for &lt;Khmer&gt; challenge</b>. Thank you!"
    )
    first_entry = entries[dara].id
    await scenario.press_data(JUDGE_EN, f"cp:sc:{first_entry}:1")  # a second tap
    assert scenario.toasts()[-1] == "You already gave entry №1 8: the first score counts."
    await scenario.press(JUDGE_KM, km.gettext("Score entries"))
    await score(scenario, JUDGE_KM, 9, 7)
    scores = sorted((s.entry_id, s.score) for s in await stored(scenario, CompetitionScore))
    assert [s for _e, s in scores] == [8, 9, 6, 7]
    await scenario.app.run_due_work()
    assert "Every judge has scored the entries of" in (scenario.last(ADMIN).text or "")

    # the ranking (names for the admin only), the winners, the announcement
    replies = await scenario.press(ADMIN, "Ranking")
    assert "1. Entry №1 · ដារា: average 8.5 from 2 scores" in replies[0]
    assert "2. Entry №2 · Anna &lt;Lee&gt;: average 6.5 from 2 scores" in replies[0]
    assert "Judges who have scored every entry: 2 of 2" in replies[0]
    assert scenario.buttons(ADMIN)[:2] == ["✅ №1", "✅ №2"]  # the top places preselected
    await scenario.press(ADMIN, "№2")
    assert scenario.buttons(ADMIN)[:2] == ["✅ №1", "№2"]
    await scenario.press(ADMIN, "№2")
    replies = await scenario.press(ADMIN, "Confirm the winners")
    assert replies[-1].startswith("The winners of <b>AI for &lt;Khmer&gt; challenge</b> are")
    await scenario.app.run_due_work()
    won_km = scenario.last(DARA).text or ""
    assert won_km.startswith(
        "🏆 "
        + km.gettext("Congratulations! Your entry №{number} to {title} won place {place}.").format(
            number=1, title="<b>ការប្រកួតប្រជែង &lt;AI&gt; សម្រាប់ភាសាខ្មែរ</b>", place=1
        )
    )
    assert PRIZES_KM in won_km  # the winner reads the prizes in their language
    assert (scenario.last(ANNA).text or "").startswith(
        "🏆 Congratulations! Your entry №2 to <b>AI for &lt;Khmer&gt; challenge</b> won place 2."
    )
    [decided] = await stored(scenario, Competition)
    assert decided.decided_at is not None

    replies = await scenario.press(ADMIN, "Announce as a broadcast")
    assert replies[0].startswith("As ") and "reading ខ្មែរ will see it:" in replies[0]
    assert "ចំណាត់ថ្នាក់ទី ១៖ ដារា" in replies[1] and "ការប្រកួតប្រជែង &lt;AI&gt;" in replies[1]
    assert "Place 1: ដារា\nPlace 2: Anna &lt;Lee&gt;" in replies[3]
    assert "🏆 Results: AI for &lt;Khmer&gt; challenge\n\nPlace 1" in replies[3]
    await scenario.press(ADMIN, "Send now")
    await deliver(scenario)
    [announced] = broadcasts_to(scenario, OUTSIDER.id)
    assert "Place 1: ដារា" in announced
    assert len(await stored(scenario, Broadcast)) == 1

    replies = await scenario.say(OUTSIDER, "/competitions")
    assert "<b>Decided</b>" in replies[0] and "Open for entries" not in replies[0]
    replies = await scenario.press(OUTSIDER, "#1")
    assert "Place 1: ដារា" in replies[0] and scenario.buttons(OUTSIDER) == ["📣 Share"]
    assert "Place 1: ដារា\nPlace 2: Anna &lt;Lee&gt;" in replies[0]  # in their places' order
    assert "Entries so far: 2" in replies[0]


async def make_judged_competition(scenario: Scenario) -> tuple[int, int]:
    """A competition past its deadline: JUDGE_EN judges, DARA's entry is in; ids."""
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    judge = await add_member(scenario, JUDGE_EN, expert_tags=("ai",))
    dara = await add_member(scenario, DARA, "km")
    await add_member(scenario, ANNA)
    now = scenario.clock.now()
    async with scenario.app.unit_of_work() as uow:
        competition = await uow.competitions.add(
            ("ការប្រកួត", "Contest"), ("វិធាន", "Rules"), ("រង្វាន់", "A prize"), now + timedelta(days=1), 1,
            ["ai"], [judge], [], ADMIN.id, now,
        )  # fmt: skip
        entry = await uow.competitions.add_entry(competition.id, dara, "Dara's work", None, now)
        await uow.commit()
    scenario.clock.advance(days=1, minutes=5)
    await scenario.app.run_due_work()
    return competition.id, entry.id


async def test_a_plain_member_pressing_forged_admin_and_judge_buttons_is_refused(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    competition, entry = await make_judged_competition(scenario)
    assert await scenario.say(ANNA, "/newcompetition") == ["Only administrators can do this."]
    for data in (f"cp:rank:{competition}", f"cp:ann:{competition}"):
        await scenario.press_data(ANNA, data)
        assert scenario.toasts()[-1] == "Only administrators can do this."
    for data in (f"cp:score:{competition}", f"cp:sc:{entry}:10"):
        await scenario.press_data(ANNA, data)
        assert scenario.toasts()[-1] == "Only the judges of this competition can score its entries."
    await scenario.press_data(ADMIN, f"cp:sc:{entry}:10")  # an admin is not a judge either
    assert scenario.toasts()[-1] == "Only the judges of this competition can score its entries."
    await scenario.press_data(ANNA, f"cp:edit:{entry}")
    assert scenario.toasts()[-1] == "Only the member who sent this entry can edit it."
    await scenario.press_data(ANNA, "cp:nonsense:1")
    assert scenario.toasts()[-1] == "That button is from an older message."
    async with scenario.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(CompetitionScore)) == 0
        found = await session.get(Competition, competition)
        assert found is not None and found.decided_at is None
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0
        saved = await session.get(CompetitionEntry, entry)
        assert saved is not None and saved.text == "Dara's work" and saved.place is None
    async with scenario.app.unit_of_work() as uow:
        conversation, _ = await uow.load_user(ANNA.id)
    assert conversation is None or conversation["flow"] is None


async def test_a_judge_never_scores_their_own_entry(scenario: Scenario) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    judge = await add_member(scenario, JUDGE_EN, expert_tags=("ai",))
    anna = await add_member(scenario, ANNA)
    now = scenario.clock.now()
    async with scenario.app.unit_of_work() as uow:
        competition = await uow.competitions.add(
            ("ការប្រកួត", "Contest"), ("វិធាន", "Rules"), ("រង្វាន់", "A prize"), now + timedelta(hours=2),
            0, ["ai"], [judge], [], ADMIN.id, now,
        )  # fmt: skip
        own = await uow.competitions.add_entry(competition.id, judge, "Mine", None, now)
        await uow.competitions.add_entry(competition.id, anna, "Anna's", None, now)
        await uow.commit()
    await scenario.say(JUDGE_EN, "/competitions")
    await scenario.press_data(JUDGE_EN, f"cp:score:{competition.id}")
    assert scenario.toasts()[-1] == "Scoring starts at the deadline, 25 November 2026 11:00."
    scenario.clock.advance(hours=3)
    await scenario.app.run_due_work()
    replies = await scenario.press(JUDGE_EN, "Score entries")
    assert "Entry №2 · 1 left to score" in replies[0] and "Anna's" in replies[0]
    await scenario.press_data(JUDGE_EN, f"cp:sc:{own.id}:10")
    assert scenario.toasts()[-1] == "You cannot score your own entry."
    await scenario.press(JUDGE_EN, "7", scenario.last(JUDGE_EN))
    assert [(s.entry_id, s.score) for s in await stored(scenario, CompetitionScore)] == [
        (own.id + 1, 7)
    ]


async def test_a_competition_without_entries_ends_at_its_deadline(scenario: Scenario) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    judge = await add_member(scenario, JUDGE_EN, expert_tags=("ai",))
    now = scenario.clock.now()
    async with scenario.app.unit_of_work() as uow:
        await uow.competitions.add(
            ("ការប្រកួត", "Quiet contest"), ("វិធាន", "Rules"), ("រង្វាន់", "A prize"),
            now + timedelta(hours=1), 1, ["ai"], [judge], [], ADMIN.id, now,
        )  # fmt: skip
        await uow.commit()
    scenario.clock.advance(hours=2)
    await scenario.app.run_due_work()
    assert scenario.emulator.messages(JUDGE_EN.id) == []
    assert scenario.last(ADMIN).text == (
        "🏆 <b>Quiet contest</b> is closed without any entry, so it ends without winners."
    )
    [competition] = await stored(scenario, Competition)
    assert competition.decided_at is not None


async def test_mydata_lists_entries_and_deleteme_withdraws_the_open_ones(
    scenario: Scenario,
) -> None:
    import json

    from storage.models import CompetitionJudge, ReputationGrant

    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    anna = await add_member(scenario, ANNA, expert_tags=("ai",))
    dara = await add_member(scenario, DARA, "km")
    now = scenario.clock.now()
    async with scenario.app.unit_of_work() as uow:
        closed = await uow.competitions.add(
            ("ការប្រកួត", "Closed"), ("វិធាន", "Rules"), ("រង្វាន់", "A prize"), now + timedelta(hours=1),
            1, ["ai"], [dara], [], ADMIN.id, now,
        )  # fmt: skip
        still_open = await uow.competitions.add(
            ("ការប្រកួត", "Open"), ("វិធាន", "Rules"), ("រង្វាន់", "A prize"), now + timedelta(days=9),
            1, ["ai"], [anna], [], ADMIN.id, now,
        )  # fmt: skip
        judged = await uow.competitions.add_entry(closed.id, anna, "Judged work", None, now)
        await uow.competitions.add_entry(still_open.id, anna, "Open work", "https://a.example", now)
        await uow.questions.add_reputation(anna, 2, "helpful", now)
        await uow.commit()
    scenario.clock.advance(hours=2)
    await scenario.app.run_due_work()
    await scenario.press(DARA, "ដាក់ពិន្ទុស្នាដៃ")  # Score entries, in Khmer
    await scenario.press(DARA, "9", scenario.last(DARA))

    await scenario.say(ANNA, "/mydata")
    data = json.loads((scenario.last(ANNA).document or b"").decode())
    assert [(e["title"], e["text"]) for e in data["competition_entries"]] == [
        ("Closed", "Judged work"),
        ("Open", "Open work"),
    ]
    assert data["competitions_i_judge"] == [still_open.id]
    assert [(g["points"], g["for"]) for g in data["reputation_points"]] == [(2, "helpful")]
    assert "Dara" not in json.dumps(data) and "ដារា" not in json.dumps(data)

    await scenario.say(ANNA, "/deleteme")
    await scenario.press(ANNA, "Yes, erase my data")
    entries = await stored(scenario, CompetitionEntry)
    assert [(e.id, e.text) for e in entries] == [(judged.id, "Judged work")]  # its score stays
    assert len(await stored(scenario, CompetitionScore)) == 1
    assert await stored(scenario, CompetitionJudge, CompetitionJudge.member_id == anna) == []
    assert await stored(scenario, ReputationGrant) == []


CHANGED = (
    "Competition #{number}, {title}, has been changed by its organisers: entries are open"
    " until {moment}. Please read it again."
)


async def test_an_administrator_edits_an_open_competition_and_the_entrants_are_told(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, ADMIN, staff="admin")
    judge = await add_member(scenario, JUDGE_EN, expert_tags=("ai",))
    judge_km = await add_member(scenario, JUDGE_KM, "km", expert_tags=("data",))
    dara = await add_member(scenario, DARA, "km")
    await add_member(scenario, ANNA)
    now = scenario.clock.now()
    async with scenario.app.unit_of_work() as uow:
        added = await uow.competitions.add(
            ("ការប្រកួត", "Contest"), ("វិធាន", "Rules"), ("រង្វាន់", "A prize"), DEADLINE, 1, ["ai"],
            [judge], reminder_due_times(DEADLINE, now), ADMIN.id, now,
        )  # fmt: skip
        await uow.competitions.add_entry(added.id, dara, "Dara's work", None, now)
        await uow.commit()
    scenario.clock.current = DEADLINE - timedelta(days=3) + timedelta(minutes=5)
    await scenario.app.run_due_work()  # the 3-day reminder goes out
    assert len(reminders_to(scenario, DARA)) == 1

    await scenario.say(ANNA, "/help")
    await scenario.press_data(ANNA, f"cp:change:{added.id}")  # a forged button
    assert scenario.toasts()[-1] == "Only administrators can do this."
    assert await scenario.say(ANNA, "Hello") != []  # and no flow started for her

    await scenario.say(ADMIN, "/competitions")
    await scenario.press(ADMIN, "#1")
    assert scenario.buttons(ADMIN) == ["✍️ Enter", "✏️ Edit the competition", "📣 Share"]
    replies = await scenario.press(ADMIN, "Edit the competition")
    assert "🏆 <b>Contest</b> · open for entries" in replies[1]
    assert "Entries so far: 1" in replies[1]
    assert replies[2] == "Judges: Judge Vuthy\n\nSave these changes to competition #1?"
    await scenario.press(ADMIN, "✏️ Deadline")
    await scenario.say(ADMIN, "20/12/2026 18:00")
    await scenario.press(ADMIN, "✏️ English title")
    await scenario.say(ADMIN, "Contest <renamed>")
    await scenario.press(ADMIN, "✏️ Judges")
    await scenario.press(ADMIN, "វិចារណ៍")
    await scenario.press(ADMIN, "Done")
    assert await scenario.press(ADMIN, "Save") == [
        "Competition #1 is saved; entries are open until 20 December 2026 18:00."
    ]

    new_deadline = datetime(2026, 12, 20, 11, 0, tzinfo=UTC)
    [competition] = await stored(scenario, Competition)
    assert (competition.deadline_at, competition.title_en, competition.title_km) == (
        new_deadline,
        "Contest <renamed>",
        "ការប្រកួត",
    )
    async with scenario.app.unit_of_work() as uow:
        judges = [m.id for m in await uow.competitions.judges(competition.id)]
    assert sorted(judges) == sorted([judge, judge_km])
    reminders = sorted(
        (r.kind, r.due_at, r.done_at is not None)
        for r in await stored(scenario, CompetitionReminder)
    )
    assert reminders == [  # the one sent stays sent; the other follows the new deadline
        ("1d", new_deadline - timedelta(days=1), False),
        ("3d", DEADLINE - timedelta(days=3), True),
    ]
    audit = [(a.action, a.detail.get("competition")) for a in await stored(scenario, AuditEntry)]
    assert ("competition-edited", competition.id) in audit

    await scenario.app.run_due_work()  # the member who entered is told, in Khmer
    told = scenario.last(DARA)
    assert told.text == km.gettext(CHANGED).format(
        number=1, title="<b>ការប្រកួត</b>",
        moment=km.moment(new_deadline.astimezone(scenario.app.settings.tz)),
    )  # fmt: skip
    assert told.text != CHANGED.format(number=1, title="<b>ការប្រកួត</b>", moment="")
    assert plain_buttons(told) == ["🏆 " + km.gettext("Open the competition")]
    assert all(
        "has been changed" not in (m.text or "") for m in scenario.emulator.messages(ANNA.id)
    )

    # two administrators with the editor open: the second Save does not undo the first
    await add_member(scenario, ADMIN_TWO, staff="admin")
    for admin in (ADMIN, ADMIN_TWO):
        await scenario.say(admin, "/competitions")
        await scenario.press(admin, "#1")
        await scenario.press(admin, "Edit the competition")
    await scenario.press(ADMIN_TWO, "✏️ English prizes")
    await scenario.say(ADMIN_TWO, "Two prizes")
    await scenario.press(ADMIN_TWO, "Save")
    await scenario.press(ADMIN, "✏️ Deadline")
    await scenario.say(ADMIN, "25/12/2026 18:00")
    assert await scenario.press(ADMIN, "Save") == [
        "Another administrator has changed this competition since you opened it, so nothing"
        " was saved. Open it again in /competitions to see their changes."
    ]
    [competition] = await stored(scenario, Competition)
    assert (competition.prizes_km, competition.prizes_en, competition.deadline_at) == (
        "រង្វាន់", "Two prizes", new_deadline,
    )  # fmt: skip

    # a form left open past the deadline saves nothing; the card's button then refuses
    await scenario.say(ADMIN, "/competitions")
    await scenario.press(ADMIN, "#1")
    await scenario.press(ADMIN, "Edit the competition")
    await scenario.press(ADMIN, "✏️ English prizes")
    await scenario.say(ADMIN, "A bigger prize")
    scenario.clock.current = new_deadline + timedelta(minutes=1)
    closed = (
        "This competition can no longer be changed: its deadline has passed and the judges"
        " have the entries."
    )
    assert await scenario.press(ADMIN, "Save") == [closed]
    [competition] = await stored(scenario, Competition)
    assert competition.prizes_en == "Two prizes"
    await scenario.press_data(ADMIN, f"cp:change:{competition.id}")
    assert scenario.toasts()[-1] == closed
