"""Photos and documents: a screenshot question reaches experts as a photo with its caption
and tags, an expert answers with a photo, refused files are refused in the member's
language, and an album gives only its first file."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import EmuUser
from storage.models import Answer, Attachment, Question
from tests.scenarios.harness import Scenario, add_member

SOPHEA = EmuUser(901, "សុភា", language_code="km")
DARA = EmuUser(902, "Dara", language_code="en")
EXPERTS = [EmuUser(910 + i, f"Expert {i}", language_code="en") for i in range(3)]
SCREENSHOT = b"\x89PNG\r\n\x1a\nscreenshot of the error"
KHMER_QUESTION = "តើខ្ញុំគួរការពារពាក្យសម្ងាត់ និងគណនីអ៊ីមែលរបស់ក្រុមហ៊ុនពីការលួចចូលយ៉ាងដូចម្តេច?"


async def rows(scenario: Scenario, model: type) -> list:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        return list(await session.scalars(select(model)))


def photos_to(scenario: Scenario, user: EmuUser) -> list:
    return [m for m in scenario.emulator.messages(user.id) if m.kind == "photo" and m.from_bot]


async def test_a_screenshot_question_reaches_experts_as_a_photo_and_an_expert_answers_with_one(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, SOPHEA, "km")
    for expert in EXPERTS:
        await add_member(scenario, expert, "en", ("cybersecurity",))

    await scenario.say(SOPHEA, "/ask")
    await scenario.send(SOPHEA, "photo", caption=KHMER_QUESTION, data=SCREENSHOT)
    assert any("✅" in b and "សន្តិសុខ" in b for b in scenario.buttons(SOPHEA))  # tags from it
    await scenario.press(SOPHEA, km.gettext("Send my question"))
    assert scenario.app is not None
    await scenario.app.run_due_work()

    (question,) = await rows(scenario, Question)
    (kept,) = await rows(scenario, Attachment)
    assert (question.text, question.attachment_id) == (KHMER_QUESTION, kept.id)
    assert (kept.kind, kept.place, kept.mime_type) == ("photo", "question", "image/jpeg")
    expert = next(e for e in EXPERTS if photos_to(scenario, e))
    (offer,) = photos_to(scenario, expert)
    assert offer.document == SCREENSHOT  # the member's own photo, sent on by its file_id
    assert KHMER_QUESTION in (offer.text or "") and "Cybersecurity" in (offer.text or "")
    assert any("Answer" in b["text"] for row in offer.inline_keyboard for b in row)

    await scenario.press(expert, "Answer", offer)
    fix = b"\x89PNG\r\n\x1a\nwhere to click"
    replies = await scenario.send(expert, "photo", data=fix)  # no caption: words asked for
    assert replies == ["I kept your photo. Now please write your answer in words."]
    await scenario.say(expert, "Turn on two-step verification in the account settings.")
    await scenario.app.run_due_work()
    answer_photo = photos_to(scenario, SOPHEA)[-1]
    assert answer_photo.document == fix
    assert "Turn on two-step verification" in (answer_photo.text or "")
    (answer,) = await rows(scenario, Answer)
    assert answer.attachment_id is not None


async def test_a_photo_without_caption_asks_for_the_question_in_words(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, SOPHEA, "km")
    await scenario.say(SOPHEA, "/ask")
    replies = await scenario.send(SOPHEA, "photo")
    assert replies == [km.gettext("I kept your photo. Now please write your question in words.")]
    await scenario.say(SOPHEA, KHMER_QUESTION)
    await scenario.press(SOPHEA, km.gettext("Send my question"))
    (question,) = await rows(scenario, Question)
    assert question.attachment_id is not None  # the photo kept for it


async def test_a_file_of_a_refused_type_or_too_large_is_refused_in_the_members_language(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, SOPHEA, "km")
    await scenario.say(SOPHEA, "/ask")
    replies = await scenario.send(
        SOPHEA, "document", data=b"MZ", filename="setup.exe", mime_type="application/x-msdownload"
    )
    assert replies == [
        km.gettext("I cannot take this kind of file here. Please send {kinds}.").format(
            kinds=km.gettext("a photo or a screenshot (JPEG, PNG or PDF)")
        )
    ]
    replies = await scenario.send(SOPHEA, "photo", caption=KHMER_QUESTION, size=21 * 1024 * 1024)
    assert replies == [
        km.gettext(
            "That file is too large: at most {limit} MB is taken. Please send a smaller one."
        ).format(limit=km.number(20))
    ]
    assert await rows(scenario, Attachment) == []
    # a screenshot sent as a file (a PNG document) is taken
    await scenario.send(
        SOPHEA, "document", data=SCREENSHOT, filename="error.png", mime_type="image/png",
        caption=KHMER_QUESTION,
    )  # fmt: skip
    assert any("សន្តិសុខ" in b for b in scenario.buttons(SOPHEA))


async def test_of_an_album_the_first_file_is_taken_and_the_member_told(
    scenario: Scenario,
) -> None:
    await add_member(scenario, DARA, "en")
    await scenario.say(DARA, "/ask")
    first = await scenario.send(
        DARA, "photo", caption="How do I stop spam email reaching our staff mailboxes?",
        media_group_id="album-1", data=b"first",
    )  # fmt: skip
    assert first[0] == (
        "Only one file is taken here: I kept the first of your album and left the others."
    )
    later = await scenario.send(DARA, "photo", media_group_id="album-1", data=b"second")
    assert later == []  # passed over quietly
    if not any("✅" in b for b in scenario.buttons(DARA)):
        await scenario.press(DARA, "Cybersecurity")
    await scenario.press(DARA, "Send my question")
    (kept,) = await rows(scenario, Attachment)
    (question,) = await rows(scenario, Question)
    assert question.attachment_id == kept.id


async def test_a_photo_where_no_file_is_taken_gets_the_steps_hint(scenario: Scenario) -> None:
    await add_member(scenario, DARA, "en")
    await scenario.say(DARA, "/ask")
    await scenario.say(DARA, "How do I stop spam email reaching our staff mailboxes?")
    replies = await scenario.send(DARA, "photo")
    assert replies[0] == "Please tap the topics of your question, then press Send."


async def test_mydata_lists_the_files_sent_and_erasing_forgets_them(scenario: Scenario) -> None:
    from storage.members import MemberRepository
    from storage.privacy import erase_member, personal_data

    await add_member(scenario, DARA, "en")
    await scenario.say(DARA, "/ask")
    await scenario.send(
        DARA, "document", data=SCREENSHOT, filename="error.png", mime_type="image/png",
        caption="How do I protect our company email accounts from hackers?",
    )  # fmt: skip
    if not any("✅" in b for b in scenario.buttons(DARA)):
        await scenario.press(DARA, "Cybersecurity")
    await scenario.press(DARA, "Send my question")
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        member = await MemberRepository(session).get(DARA.id)
        assert member is not None
        data = await personal_data(session, member)
        assert [(f["sent_with"], f["file_name"], f["type"]) for f in data["files_sent"]] == [
            ("question", "error.png", "image/png")
        ]
        await erase_member(session, member, scenario.clock.now())
        await session.commit()
    assert await rows(scenario, Attachment) == []
    (question,) = await rows(scenario, Question)
    assert question.attachment_id is None
