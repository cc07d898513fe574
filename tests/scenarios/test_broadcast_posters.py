"""A broadcast with a poster: composed in /broadcast with a photo or a PDF, protected and
pinned at the preview; members get the poster with the text as its caption, protected and
pinned; a text too long for a caption follows the poster; a file of another type is
refused in the admin's language."""

from __future__ import annotations

from bot.core.i18n import Translations
from bot.sandbox.emulator import SentMessage
from tests.scenarios.harness import Scenario, add_member
from tests.scenarios.test_broadcasts import ADMIN, add_members, deliver

POSTER = b"\xff\xd8\xff\xe0poster of the cybersecurity workshop"
KM_TEXT = "សូមអញ្ជើញចូលរួមសិក្ខាសាលាស្ដីពីសន្តិសុខអ៊ីនធឺណិត <ថ្ងៃសុក្រ>"
LONG_KM = "សហគមន៍ឌីជីថលកម្ពុជា " * 60  # 1,260 units: more than a caption holds


def from_bot(scenario: Scenario, chat_id: int) -> list[SentMessage]:
    return [m for m in scenario.emulator.messages(chat_id) if m.from_bot]


async def compose_poster(scenario: Scenario, text: str) -> list[str]:
    """/broadcast with a photo, protected and pinned; the preview's last message."""
    await scenario.say(ADMIN, "/broadcast")
    await scenario.say(ADMIN, text)
    await scenario.press(ADMIN, "Same text for both")
    await scenario.press(ADMIN, "No link")
    await scenario.send(ADMIN, "photo", data=POSTER)
    await scenario.press(ADMIN, "Official")
    await scenario.press(ADMIN, "Next")
    await scenario.press(ADMIN, "Protect")
    return await scenario.press(ADMIN, "Pin")


async def test_a_poster_broadcast_reaches_members_as_a_protected_pinned_photo(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ADMIN, staff="admin")
    members = await add_members(scenario, 6)
    await scenario.say(ADMIN, "/broadcast")
    await scenario.say(ADMIN, KM_TEXT)
    await scenario.press(ADMIN, "Same text for both")
    assert await scenario.press(ADMIN, "No link") == [
        "A poster with it? Send a photo or a PDF: the text becomes its caption. Or press No file."
    ]
    assert (await scenario.say(ADMIN, "a poster"))[0] == (
        "Please send a photo or a PDF, or press No file."
    )
    await scenario.send(ADMIN, "photo", data=POSTER)
    await scenario.press(ADMIN, "Official")
    replies = await scenario.press(ADMIN, "Next")
    previews = [m for m in from_bot(scenario, ADMIN.id) if m.kind == "photo"]
    assert len(previews) == 2 and all(p.document == POSTER for p in previews)
    assert "&lt;ថ្ងៃសុក្រ&gt;" in (previews[0].text or "")
    assert "🖼 Poster: a photo" in replies[-1] and "Protected" not in replies[-1]
    replies = await scenario.press(ADMIN, "Protect")
    assert replies == [
        "Category: Official announcements\n🖼 Poster: a photo\n"
        "🔒 Protected: members cannot forward or save it\n\nSend it to 7 members?"
    ]
    replies = await scenario.press(ADMIN, "Pin")
    assert "📌 Pinned in each member's chat" in replies[0]
    assert any(b.startswith("✅ 🔒") for b in scenario.buttons(ADMIN))
    await scenario.press(ADMIN, "Send now")
    await deliver(scenario)

    for chat, _language in members:
        (got,) = from_bot(scenario, chat)  # one message: the poster with its caption
        assert (got.kind, got.document, got.protected, got.pinned) == ("photo", POSTER, True, True)
        assert "&lt;ថ្ងៃសុក្រ&gt;" in (got.text or "")


async def test_a_text_too_long_for_a_caption_follows_the_poster(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, ADMIN, staff="admin")
    members = await add_members(scenario, 3)
    await compose_poster(scenario, LONG_KM)
    await scenario.press(ADMIN, "Send now")
    await deliver(scenario)

    for chat, language in members:
        t = km if language == "km" else translations.for_language("en")
        poster, rest = from_bot(scenario, chat)
        assert (poster.kind, poster.protected, poster.pinned) == ("photo", True, True)
        assert (rest.kind, rest.protected, rest.pinned) == ("text", True, False)
        mark = t.gettext("(part {part} of {total})")
        assert mark.format(part=t.number(1), total=t.number(2)) in (poster.text or "")
        assert mark.format(part=t.number(2), total=t.number(2)) in (rest.text or "")
        words = (poster.text or "").count("ឌីជីថល") + (rest.text or "").count("ឌីជីថល")
        assert words == 60 + (language == "km")  # the text whole (and the Khmer heading's)
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        from sqlalchemy import func, select

        from storage.models import OutboxMessage

        rows = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.broadcast_id == 1)
        )
    assert rows == 4  # one row a recipient, the admin too


async def test_a_file_of_another_type_is_refused_in_the_admins_language(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, ADMIN, "km", staff="admin")
    await scenario.say(ADMIN, "/broadcast")
    await scenario.say(ADMIN, KM_TEXT)
    await scenario.press(ADMIN, km.gettext("Same text for both"))
    await scenario.press(ADMIN, km.gettext("No link"))
    refused = await scenario.send(
        ADMIN, "document", data=b"PK", filename="poster.docx",
        mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )  # fmt: skip
    assert refused == [
        km.gettext("I cannot take this kind of file here. Please send {kinds}.").format(
            kinds=km.gettext("a photo or a PDF")
        )
    ]
    await scenario.send(
        ADMIN, "document", data=b"%PDF-1.7", filename="policy.pdf", mime_type="application/pdf"
    )
    replies = await scenario.press(ADMIN, km.gettext("Official announcements"))
    replies = await scenario.press(ADMIN, km.gettext("Next"))
    assert km.gettext("Poster: {name}").format(name="policy.pdf") in replies[-1]
