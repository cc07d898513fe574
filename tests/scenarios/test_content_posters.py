"""An item with a poster: /post takes a photo or a PDF after the link and shows it in the
preview; a member who opens the item gets the poster with the card as its caption and the
item's buttons (a card too long for a caption follows the poster); a file of another type is
refused in the admin's language."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.i18n import Translations
from bot.sandbox.emulator import SentMessage
from storage.models import AuditEntry, ContentItem
from tests.scenarios.harness import Scenario, add_member
from tests.scenarios.test_content import ADMIN, ANNA, SOPHEA

POSTER = b"\xff\xd8\xff\xe0poster of the cybersecurity workshop"
LONG_SUMMARY = "Hands-on session on securing accounts and devices. " * 20  # 1,040 units


def from_bot(scenario: Scenario, chat_id: int) -> list[SentMessage]:
    return [m for m in scenario.emulator.messages(chat_id) if m.from_bot]


async def post_event(scenario: Scenario, summary: str | None) -> list[str]:
    """/post an English event with a poster photo, up to the preview."""
    await scenario.say(ADMIN, "/post")
    await scenario.press(ADMIN, "Event")
    await scenario.press(ADMIN, "Skip")  # no Khmer title
    await scenario.say(ADMIN, "Cybersecurity <workshop>")
    if summary is None:
        await scenario.press(ADMIN, "Skip")
    else:
        await scenario.say(ADMIN, summary)
    assert await scenario.say(ADMIN, "mptc.gov.kh/events/7") == [
        "A poster with it? Send a photo or a PDF: the text becomes its caption. Or press No file."
    ]
    assert (await scenario.say(ADMIN, "a poster"))[0] == (
        "Please send a photo or a PDF, or press No file."
    )
    await scenario.send(ADMIN, "photo", data=POSTER)
    await scenario.press(ADMIN, "Done")  # no topic
    return await scenario.say(ADMIN, "28/11/2026 09:00")


async def test_a_member_opening_an_event_gets_its_poster_with_the_card_and_buttons(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, ANNA)
    replies = await post_event(scenario, None)
    previews = [m for m in from_bot(scenario, ADMIN.id) if m.kind == "photo"]
    assert len(previews) == 2 and all(p.document == POSTER for p in previews)
    assert "Cybersecurity &lt;workshop&gt;" in (previews[1].text or "")
    assert replies[-1] == "🖼 Poster: a photo\nPublish it?"
    await scenario.press(ADMIN, "Publish")
    async with scenario.app.sessionmaker() as session:
        item = await session.scalar(select(ContentItem))
        assert item is not None and item.file_kind == "photo" and item.file_id
        audit = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "content-published")
        )
        assert audit is not None and audit.detail == {"item": item.id, "file": "photo"}

    await scenario.say(ANNA, "/events")
    await scenario.press(ANNA, "#1")
    got = scenario.last(ANNA)
    assert (got.kind, got.document) == ("photo", POSTER)
    assert "Cybersecurity &lt;workshop&gt;" in (got.text or "")
    assert "Members going: 0" in (got.text or "")
    assert scenario.buttons(ANNA)[:2] == ["🔗 Open the link", "🙋 I will attend"]
    await scenario.press(ANNA, "I will attend")
    assert scenario.toasts()[-1] == "You are on the list: we will remind you the day before."
    assert scenario.last(ANNA).kind == "photo"  # the same message, its buttons changed
    assert "✅ I am going (tap to cancel)" in scenario.buttons(ANNA)


async def test_a_card_too_long_for_a_caption_follows_the_poster_with_the_buttons(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ADMIN, staff="admin")
    await add_member(scenario, ANNA)
    await post_event(scenario, LONG_SUMMARY)
    await scenario.press(ADMIN, "Publish")
    await scenario.say(ANNA, "/events")
    before = len(from_bot(scenario, ANNA.id))
    await scenario.press(ANNA, "#1")
    poster, rest = from_bot(scenario, ANNA.id)[before:]
    assert (poster.kind, poster.document, poster.inline_keyboard) == ("photo", POSTER, [])
    assert "Cybersecurity &lt;workshop&gt;" in (poster.text or "")
    assert rest.kind == "text" and "Members going: 0" in (rest.text or "")
    assert "I will attend" in str(rest.inline_keyboard)


async def test_a_word_file_is_refused_at_the_poster_step_in_the_admins_language(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, SOPHEA, "km", staff="admin")
    await scenario.say(SOPHEA, "/post")
    await scenario.press(SOPHEA, km.gettext("News"))
    await scenario.say(SOPHEA, "ព័ត៌មានថ្មី")
    await scenario.press(SOPHEA, km.gettext("Skip"))  # the summary
    await scenario.press(SOPHEA, km.gettext("Skip"))  # no English title
    await scenario.press(SOPHEA, km.gettext("Skip"))  # the link
    refused = await scenario.send(
        SOPHEA, "document", data=b"PK", filename="poster.docx",
        mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )  # fmt: skip
    assert refused == [
        km.gettext("I cannot take this kind of file here. Please send {kinds}.").format(
            kinds=km.gettext("a photo or a PDF")
        )
    ]
    await scenario.send(
        SOPHEA, "document", data=b"%PDF-1.7", filename="news.pdf", mime_type="application/pdf"
    )
    replies = await scenario.press(SOPHEA, km.gettext("Done"))
    assert km.gettext("Poster: {name}").format(name="news.pdf") in replies[-1]
    assert len([m for m in from_bot(scenario, SOPHEA.id) if m.kind == "document"]) == 2
