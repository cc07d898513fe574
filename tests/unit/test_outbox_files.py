"""A photo or document goes through the outbox by its file_id: the text as its caption, a
text too long for a caption split (the rest following as messages), protection kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import pairwise

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.events import FileRef
from bot.core.html import CAPTION_MAX, MESSAGE_MAX, shown_length, split_caption
from bot.core.i18n import Translations
from handlers.notices import notify
from scheduler.outbox import OutboxSender
from storage.db import make_sessionmaker
from storage.outbox import FOLLOWS
from storage.uow import UnitOfWork
from tests.conftest import FakeClock
from tests.fakes import RecordingMessenger
from tests.unit.test_outbox_sender import FakeTime

POSTER = FileRef("photo", "AgACAgIAAxPoster")
KHMER = "សហគមន៍ឌីជីថលកម្ពុជា "  # a Khmer sentence, repeated past the caption's limit


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> AsyncIterator[object]:
    sessionmaker = make_sessionmaker(database)
    yield lambda: UnitOfWork(sessionmaker)


async def sent_after_notify(
    factory, clock: FakeClock, translations: Translations, text: str, language: str
) -> RecordingMessenger:
    async with factory() as uow:
        await notify(
            uow, translations, 7, language, lambda t: (text, None), clock.now(), "poster:1",
            file=POSTER,
        )  # fmt: skip
        await uow.commit()
    time, messenger = FakeTime(), RecordingMessenger()
    sender = OutboxSender(factory, messenger, clock, 30, 0.0, time.monotonic, time.sleep)
    while await sender.drain():
        pass
    return messenger


@pytest.mark.parametrize("language", ["km", "en"])
async def test_a_caption_over_the_limit_goes_with_the_file_and_the_rest_follows(
    uow_factory, clock: FakeClock, translations: Translations, language: str
) -> None:
    text = KHMER * 200  # 4,200 units
    messenger = await sent_after_notify(uow_factory, clock, translations, text, language)
    first, *rest = messenger.sent
    assert first.file == POSTER and rest and all(r.file is None for r in rest)
    assert shown_length(first.text) <= CAPTION_MAX
    assert all(shown_length(r.text) <= MESSAGE_MAX for r in rest)
    t = translations.for_language(language)
    total = len(messenger.sent)
    mark = t.gettext("(part {part} of {total})").format(part=t.number(1), total=t.number(total))
    assert mark in first.text
    words = "".join(s.text for s in messenger.sent).count("សហគមន៍")
    assert words == 200  # nothing lost


async def test_a_short_caption_goes_whole_with_the_file(
    uow_factory, clock: FakeClock, translations: Translations
) -> None:
    messenger = await sent_after_notify(uow_factory, clock, translations, "Poster", "en")
    assert [(s.text, s.file) for s in messenger.sent] == [("Poster", POSTER)]


def test_split_caption_keeps_each_part_within_its_limit(translations: Translations) -> None:
    t = translations.for_language("km")
    parts = split_caption("<b>" + KHMER * 400 + "</b>", t)
    assert shown_length(parts[0]) <= CAPTION_MAX
    assert all(shown_length(p) <= MESSAGE_MAX for p in parts[1:])
    assert len(parts) == 3  # 8,400 units: the caption, then two full messages


async def test_a_protected_message_goes_protected_in_every_part(
    uow_factory, clock: FakeClock
) -> None:
    async with uow_factory() as uow:
        await uow.outbox.enqueue(
            7, ["caption", "the rest"], None, clock.now(), "p:1", file=("document", "BQAD"),
            protect=True,
        )  # fmt: skip
        await uow.commit()
    time, messenger = FakeTime(), RecordingMessenger()
    sender = OutboxSender(uow_factory, messenger, clock, 30, 0.0, time.monotonic, time.sleep)
    while await sender.drain():
        pass
    assert [(s.text, s.file, s.protect) for s in messenger.sent] == [
        ("caption", FileRef("document", "BQAD"), True),
        ("the rest", None, True),
    ]


async def test_one_row_whose_text_is_too_long_for_a_caption_goes_as_the_file_then_the_rest(
    uow_factory, clock: FakeClock, translations: Translations
) -> None:
    """A broadcast's row: the parts split when queued, sent in order by the one row; the
    file pinned, every part protected, the keyboard under the last; the row sent once."""
    from bot.core.keyboards import Button, InlineKeyboard, keyboard_to_json
    from storage.models import OutboxMessage
    from storage.outbox import FOLLOWS

    t = translations.for_language("km")
    parts = split_caption(KHMER * 200, t)
    link = InlineKeyboard.of([[Button("🔗", url="https://mptc.gov.kh")]])
    async with uow_factory() as uow:
        uow.session.add(
            OutboxMessage(
                chat_id=7, text=FOLLOWS.join(parts), keyboard=keyboard_to_json(link),
                dedupe_key="broadcast:1:7", status="pending", attempts=0, priority=1,
                not_before=clock.now(), created_at=clock.now(), file_kind="photo",
                file_id=POSTER.file_id, protect=True, pin=True,
            )
        )  # fmt: skip
        await uow.commit()
    time, messenger = FakeTime(), RecordingMessenger()
    sender = OutboxSender(uow_factory, messenger, clock, 30, 0.0, time.monotonic, time.sleep)
    while await sender.drain():
        pass
    assert [(s.text, s.file, s.protect) for s in messenger.sent] == [
        (parts[0], POSTER, True),
        *((part, None, True) for part in parts[1:]),
    ]
    assert len(parts) > 1 and all(FOLLOWS not in s.text for s in messenger.sent)
    assert [s.keyboard is not None for s in messenger.sent] == [False] * (len(parts) - 1) + [True]
    assert messenger.pins == [(7, 1)]
    async with uow_factory() as uow:
        statuses = list(await uow.session.scalars(select(OutboxMessage.status)))
    assert statuses == ["sent"]


async def test_a_broadcasts_local_file_is_uploaded_once_then_sent_by_its_file_id(
    uow_factory, clock: FakeClock, translations: Translations, tmp_path
) -> None:
    """The first message uploads the bytes; the file_id it gets is kept on the broadcast
    (conditionally: a second one is not kept) and every later message sends by it."""
    from handlers.broadcast.delivery import expand
    from storage.broadcasts import Audience
    from storage.models import Broadcast

    poster = tmp_path / "poster.jpg"
    poster.write_bytes(b"\xff\xd8\xffposter")
    async with uow_factory() as uow:
        rows = [
            {"telegram_id": 500 + n, "full_name": f"M{n}", "language": "km", "role": "student"}
            for n in range(5)
        ]
        await uow.members.upsert_many(rows, clock.now())
        created = await uow.broadcasts.add(
            "ក", "A", None, Audience(), clock.now(), None, clock.now(), protect=True,
            upload=("photo", str(poster)),
        )  # fmt: skip
        await uow.broadcasts.start_due(clock.now())
        await uow.commit()
    assert await expand(uow_factory, translations, created.id, clock.now) == 5
    time, messenger = FakeTime(), RecordingMessenger()
    sender = OutboxSender(uow_factory, messenger, clock, 30, 0.0, time.monotonic, time.sleep)
    while await sender.drain():
        pass
    assert messenger.uploads == [(500, "poster.jpg", b"\xff\xd8\xffposter")]
    assert [(s.chat_id, s.file, s.protect) for s in messenger.sent] == [
        (500 + n, FileRef("photo", "uploaded-1"), True) for n in range(5)
    ]
    async with uow_factory() as uow:
        kept = await uow.session.get(Broadcast, created.id)
        assert kept is not None and kept.file_id == "uploaded-1"
        assert not await uow.broadcasts.keep_file_id(created.id, "another")
        await uow.commit()
        assert (await uow.broadcasts.poster(created.id))[0] == "uploaded-1"


async def test_when_a_part_after_the_file_fails_only_the_rest_is_sent_again(
    uow_factory, clock: FakeClock
) -> None:
    """The poster went out, the message after it met a network error: the retry sends the
    rest only (the member never gets the poster twice), still protected."""
    from storage.models import OutboxMessage
    from storage.outbox import FOLLOWS

    async with uow_factory() as uow:
        uow.session.add(
            OutboxMessage(
                chat_id=7, text=FOLLOWS.join(["caption", "second", "third"]), keyboard=None,
                dedupe_key="broadcast:1:7", status="pending", attempts=0, priority=1,
                not_before=clock.now(), created_at=clock.now(), file_kind="photo",
                file_id=POSTER.file_id, protect=True, pin=True,
            )
        )  # fmt: skip
        await uow.commit()
    time, messenger = FakeTime(), RecordingMessenger()
    sender = OutboxSender(uow_factory, messenger, clock, 30, 0.0, time.monotonic, time.sleep)
    calls = 0
    original = messenger.send_message

    async def second_fails_once(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("network")
        return await original(*args, **kwargs)

    messenger.send_message = second_fails_once  # type: ignore[method-assign]
    assert await sender.drain() == 0
    clock.advance(seconds=60)
    while await sender.drain():
        pass
    assert [(s.text, s.file, s.protect) for s in messenger.sent] == [
        ("caption", POSTER, True),
        ("second", None, True),
        ("third", None, True),
    ]
    assert messenger.pins == [(7, 1)]


async def test_the_parts_of_one_message_go_to_the_chat_a_second_apart(
    uow_factory, clock: FakeClock
) -> None:
    """A poster and the rest of its long text, one row (a broadcast's): Telegram allows one
    message a second to a chat, so each part follows the last a second after its answer."""
    async with uow_factory() as uow:
        parts = ["the caption", "the rest, part 2", "the rest, part 3"]
        file = (POSTER.kind, POSTER.file_id)
        await uow.outbox.enqueue(7, FOLLOWS.join(parts), None, clock.now(), file=file)
        await uow.commit()
    time = FakeTime()
    messenger = RecordingMessenger(now=time.monotonic)
    sender = OutboxSender(uow_factory, messenger, clock, 30, 1.0, time.monotonic, time.sleep)
    assert await sender.drain() == 1
    assert [sent.text for sent in messenger.sent] == parts
    moments = [sent.at for sent in messenger.sent]
    assert all(b - a >= 1.0 for a, b in pairwise(moments))
