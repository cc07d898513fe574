"""Files besides questions: a CV reaches the company's representatives with the
application, a refused type is refused in the member's language, /mydata lists the CV and
/deleteme forgets it; a competition entry's file reaches the judges with the entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from storage.models import Attachment, CompetitionEntry, JobApplication
from tests.scenarios.harness import Scenario, add_member
from tests.scenarios.test_competitions import ADMIN as CHAIR
from tests.scenarios.test_competitions import DARA, JUDGE_EN
from tests.scenarios.test_jobs import ADMIN, REP, post_job, register_company

SEEKER = EmuUser(1351, "សុខា", language_code="km", username="sokha_km")
CV_PDF = b"%PDF-1.7 curriculum vitae"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def rows(scenario: Scenario, model: Any) -> list[Any]:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return list(await session.scalars(select(model)))


async def test_a_cv_reaches_the_companys_representatives_with_the_application(
    scenario: Scenario, translations: Translations
) -> None:
    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, REP)
    await add_member(scenario, SEEKER, "km")
    await add_member(scenario, ADMIN, staff="admin")
    await register_company(scenario)
    await post_job(scenario)
    await scenario.say(SEEKER, "/jobs")
    await scenario.press(SEEKER, "#១")
    await scenario.press(SEEKER, km.gettext("Apply"))

    refused = await scenario.send(
        SEEKER, "document", data=b"PK zip", filename="cv.zip", mime_type="application/zip"
    )
    refusal = km.gettext("I cannot take this kind of file here. Please send {kinds}.").format(
        kinds=km.gettext("a CV as a PDF, Word (DOC or DOCX) or ODT file")
    )
    assert refused == [refusal]
    assert await scenario.send(SEEKER, "photo") == [refusal]  # a photo is no CV
    kept = await scenario.send(
        SEEKER, "document", data=CV_PDF, filename="sokha-cv.docx", mime_type=DOCX
    )
    assert kept[0].startswith(
        km.gettext(
            "I kept your CV {name}. Press Send my application to send it with your application."
        ).format(name="sokha-cv.docx")
    )
    await scenario.press(SEEKER, km.gettext("Send my application"))
    await scenario.app.run_due_work()

    (application,) = await rows(scenario, JobApplication)
    (cv,) = await rows(scenario, Attachment)
    assert (application.attachment_id, cv.place, cv.file_name) == (
        cv.id,
        "application",
        "sokha-cv.docx",
    )
    sent = [m for m in scenario.emulator.messages(REP.id) if m.from_bot and m.kind == "document"]
    (with_cv,) = sent
    assert with_cv.document == CV_PDF  # the member's own file, sent on by its id
    assert "A member applies for job #1" in (with_cv.text or "")
    assert any("Invite to interview" in b["text"] for row in with_cv.inline_keyboard for b in row)


async def test_mydata_lists_the_cv_and_erasing_forgets_it(
    scenario: Scenario, translations: Translations
) -> None:
    from storage.members import MemberRepository
    from storage.privacy import erase_member, personal_data

    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, REP)
    await add_member(scenario, SEEKER, "km")
    await add_member(scenario, ADMIN, staff="admin")
    await register_company(scenario)
    await post_job(scenario)
    await scenario.say(SEEKER, "/jobs")
    await scenario.press(SEEKER, "#១")
    await scenario.press(SEEKER, km.gettext("Apply"))
    await scenario.send(
        SEEKER, "document", data=CV_PDF, filename="cv.pdf", mime_type="application/pdf"
    )
    await scenario.press(SEEKER, km.gettext("Send my application"))
    await scenario.app.run_due_work()
    await scenario.press(REP, "Invite to interview")  # a decided application is kept
    async with scenario.app.sessionmaker() as session:
        member = await MemberRepository(session).get(SEEKER.id)
        assert member is not None
        data = await personal_data(session, member)
        assert [(f["sent_with"], f["file_name"]) for f in data["files_sent"]] == [
            ("application", "cv.pdf")
        ]
        await erase_member(session, member, scenario.clock.now())
        await session.commit()
    assert await rows(scenario, Attachment) == []
    (application,) = await rows(scenario, JobApplication)
    assert application.attachment_id is None


async def test_an_entrys_file_reaches_the_judges_with_the_entry(
    scenario: Scenario, translations: Translations
) -> None:
    from datetime import timedelta

    assert scenario.app is not None
    km = translations.for_language("km")
    await add_member(scenario, CHAIR, staff="admin")
    judge = await add_member(scenario, JUDGE_EN, expert_tags=("ai",))
    await add_member(scenario, DARA, "km")
    now = scenario.clock.now()
    async with scenario.app.unit_of_work() as uow:
        await uow.competitions.add(
            ("ការប្រកួត", "Contest"), ("វិធាន", "Rules"), ("រង្វាន់", "A prize"), now + timedelta(days=1), 1,
            ["ai"], [judge], [], CHAIR.id, now,
        )  # fmt: skip
        await uow.commit()
    await scenario.say(DARA, "/competitions")
    await scenario.press(DARA, "#១")
    await scenario.press(DARA, km.gettext("Enter"))
    await scenario.say(DARA, "កម្មវិធីអានអក្សរខ្មែរពីរូបភាព។")
    await scenario.press(DARA, km.gettext("No link"))
    refused = await scenario.send(
        DARA, "document", data=b"MZ", filename="app.exe", mime_type="application/x-msdownload"
    )
    assert refused == [
        km.gettext("I cannot take this kind of file here. Please send {kinds}.").format(
            kinds=km.gettext("a photo, or a PDF, Word, PowerPoint, ODT, ODP or ZIP file")
        )
    ]
    slides = b"PK slides"
    preview = await scenario.send(
        DARA, "document", data=slides, filename="ocr.pptx",
        mime_type="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    )  # fmt: skip
    assert "📎 ocr.pptx" in preview[0]
    await scenario.press(DARA, km.gettext("Send"))
    (entry,) = await rows(scenario, CompetitionEntry)
    (kept,) = await rows(scenario, Attachment)
    assert (entry.attachment_id, kept.place) == (kept.id, "entry")

    scenario.clock.advance(days=1, minutes=5)
    await scenario.app.run_due_work()
    await scenario.press(JUDGE_EN, "Score entries")
    shown = scenario.last(JUDGE_EN)
    assert (shown.kind, shown.document) == ("document", slides)
    assert "កម្មវិធីអានអក្សរខ្មែរពីរូបភាព។" in (shown.text or "") and DARA.first_name not in (
        shown.text or ""
    )
    assert any(b["text"] == "8" for row in shown.inline_keyboard for b in row)
