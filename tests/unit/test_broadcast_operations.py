"""The broadcast operations (create, cancel, stop), as every surface calls them: a person
without the role is refused and nothing is written (no broadcast, no change of status, no
audit line, no outbox row, even if the caller commits); an administrator or the operator
writes, with one audit line naming the surface; a stop queues the final report to the
broadcast's admin in their language; bad values are refused with the chat's messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Translations
from handlers.acting import Acting, Channel, NotAllowed
from handlers.broadcast import operations
from handlers.broadcast.delivery import expand
from handlers.broadcast.rules import TEXT_LENGTH, UNKNOWN_AUDIENCE, UNKNOWN_CATEGORY
from handlers.dates import MOMENT_PAST, MOMENT_TOO_FAR
from handlers.invalid import Invalid
from handlers.web_address import NOT_A_WEB_ADDRESS
from storage.broadcasts import Audience
from storage.db import make_sessionmaker
from storage.models import AuditEntry, Broadcast, OutboxMessage
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Phnom_Penh")
ADMIN, MODERATOR, MEMBER = 100, 200, 300
Factory = Callable[[], UnitOfWork]
EMOJI = "🎉"  # two UTF-16 units


@pytest.fixture
async def uow_factory(database: AsyncEngine) -> Factory:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker, lambda: NOW) as uow:
        await uow.tags.sync_seed()
        rows = [
            {"telegram_id": t, "full_name": f"M{t}", "language": language, "role": "student",
             "province": "kep", "skills": ["web"]}
            for t, language in ((ADMIN, "km"), (MODERATOR, "en"), (MEMBER, "en"))
        ]  # fmt: skip
        await uow.members.upsert_many(rows, NOW)
        await uow.staff.grant(ADMIN, "admin", None)
        await uow.staff.grant(MODERATOR, "moderator", None)
        await uow.commit()
    return lambda: UnitOfWork(sessionmaker, lambda: NOW)


def as_(
    uow: UnitOfWork, translations: Translations, person: int | None, channel: Channel = "chat"
) -> Acting:
    return Acting(person, channel, uow, translations, NOW, TZ)


async def written(uow_factory: Factory) -> dict[str, Any]:
    """The broadcasts (id, status), the audit lines and the outbox rows (chat, status)."""
    async with uow_factory() as uow:
        broadcasts = await uow.session.execute(
            select(Broadcast.id, Broadcast.status).order_by(Broadcast.id)
        )
        outbox = await uow.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        audit = await uow.session.scalar(
            select(func.count()).where(AuditEntry.action.not_like("grant-%"))
        )
        return {"broadcasts": list(broadcasts), "outbox": dict(list(outbox)), "audit": audit}


async def audit_lines(uow_factory: Factory) -> list[tuple[int | None, str, dict[str, Any], str]]:
    async with uow_factory() as uow:
        entries = await uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action.not_like("grant-%")).order_by(AuditEntry.id)
        )
        return [(e.actor_telegram_id, e.action, e.detail, e.channel or "") for e in entries]


async def attempt(
    uow_factory: Factory, translations: Translations, person: int | None, act: Any, *args: Any
) -> Exception:
    """Run an operation that must be refused, commit anyway, give back what it raised."""
    async with uow_factory() as uow:
        with pytest.raises((NotAllowed, Invalid)) as refused:
            await act(as_(uow, translations, person), *args)
        await uow.commit()
    return refused.value


async def broadcast(
    uow_factory: Factory, translations: Translations, send_at: datetime | None = None
) -> int:
    async with uow_factory() as uow:
        found = await operations.create(
            as_(uow, translations, ADMIN), "សួស្ដី", "Hello", None, Audience(), send_at
        )
        await uow.commit()
        return found.id


async def being_sent(uow_factory: Factory, translations: Translations) -> int:
    """A broadcast to every member, started, its audience queued in the outbox."""
    broadcast_id = await broadcast(uow_factory, translations)
    async with uow_factory() as uow:
        await uow.broadcasts.start_due(NOW)
        await uow.commit()
    assert await expand(uow_factory, translations, broadcast_id, lambda: NOW) == 3
    return broadcast_id


# -- create ----------------------------------------------------------------------------------
@pytest.mark.parametrize("person", [MODERATOR, MEMBER])
async def test_creating_is_refused_to_anyone_but_an_admin_and_writes_nothing(
    uow_factory: Factory, translations: Translations, person: int
) -> None:
    refused = await attempt(
        uow_factory, translations, person, operations.create, "k", "e", None, Audience()
    )
    assert isinstance(refused, NotAllowed)
    assert refused.message == "Only administrators can do this."
    assert await written(uow_factory) == {"broadcasts": [], "outbox": {}, "audit": 0}


async def test_an_admin_sends_now_and_the_operator_schedules_each_with_an_audit_line(
    uow_factory: Factory, translations: Translations
) -> None:
    later = datetime(2026, 12, 25, 18, 0, tzinfo=TZ)
    students = Audience(roles=("student",), provinces=("kep", "abroad"), tags=("web",))
    async with uow_factory() as uow:
        now = await operations.create(
            as_(uow, translations, ADMIN), " សួស្ដី\u202e ", "Hello", "dcc.gov.kh", students
        )
        scheduled = await operations.create(
            as_(uow, translations, None, "cli"), "ថ្ងៃបុណ្យ", "Holiday", None, Audience(), later,
            "events",
        )  # fmt: skip
        await uow.commit()
    assert (now.text_km, now.link_url, now.send_at) == ("សួស្ដី", "https://dcc.gov.kh", NOW)
    assert (now.created_by, now.progress_chat_id) == (ADMIN, ADMIN)  # the admin follows it
    assert (scheduled.created_by, scheduled.send_at) == (None, later)
    assert (now.category, scheduled.category) == ("official", "events")
    assert await audit_lines(uow_factory) == [
        (ADMIN, "broadcast-created",
         {"broadcast": now.id, "send_at": NOW.isoformat(), "audience": students.to_json(),
          "category": "official"}, "chat"),
        (None, "broadcast-created",
         {"broadcast": scheduled.id, "send_at": later.isoformat(),
          "audience": Audience().to_json(), "category": "events"}, "cli"),
    ]  # fmt: skip
    assert (await written(uow_factory))["outbox"] == {}  # the delivery job queues it


@pytest.mark.parametrize(
    ("values", "message", "params"),
    [
        ({"text_km": " \u200b "}, TEXT_LENGTH, {"limit": 3500}),
        ({"text_en": None}, TEXT_LENGTH, {"limit": 3500}),
        ({"text_en": EMOJI * 1751}, TEXT_LENGTH, {"limit": 3500}),  # 1,751 chars, 3,502 units
        ({"link": "javascript:alert(1)"}, NOT_A_WEB_ADDRESS, {}),
        ({"audience": Audience(roles=("wizard",))}, UNKNOWN_AUDIENCE, {"value": "role:wizard"}),
        ({"audience": Audience(provinces=("atlantis",))}, UNKNOWN_AUDIENCE,
         {"value": "province:atlantis"}),
        ({"audience": Audience(tags=("quantum",))}, UNKNOWN_AUDIENCE, {"value": "tag:quantum"}),
        ({"category": "gossip"}, UNKNOWN_CATEGORY,
         {"value": "gossip", "choices": "official, events, opportunities, competitions, news"}),
        ({"category": "Events"}, UNKNOWN_CATEGORY,
         {"value": "Events", "choices": "official, events, opportunities, competitions, news"}),
        ({"send_at": NOW}, MOMENT_PAST, {}),
        ({"send_at": NOW + timedelta(days=367)}, MOMENT_TOO_FAR, {}),
    ],
)  # fmt: skip
async def test_a_bad_broadcast_is_refused_with_the_chats_message_and_nothing_is_written(
    uow_factory: Factory,
    translations: Translations,
    values: dict[str, Any],
    message: str,
    params: dict[str, Any],
) -> None:
    given: dict[str, Any] = {
        "text_km": "ក", "text_en": "A", "link": None, "audience": Audience(), "send_at": None,
    } | values  # fmt: skip

    async def create(acting: Acting) -> Broadcast:
        return await operations.create(acting, **given)

    refused = await attempt(uow_factory, translations, ADMIN, create)
    assert isinstance(refused, Invalid)
    assert (refused.message, refused.params) == (message, params)
    assert await written(uow_factory) == {"broadcasts": [], "outbox": {}, "audit": 0}


# -- cancel ----------------------------------------------------------------------------------
async def test_cancelling_is_refused_to_non_admins_and_a_scheduled_one_is_cancelled_once(
    uow_factory: Factory, translations: Translations
) -> None:
    scheduled = await broadcast(uow_factory, translations, NOW + timedelta(days=1))
    before = await written(uow_factory)
    for person in (MODERATOR, MEMBER):
        refused = await attempt(uow_factory, translations, person, operations.cancel, scheduled)
        assert isinstance(refused, NotAllowed)
    assert await written(uow_factory) == before
    async with uow_factory() as uow:
        await operations.cancel(as_(uow, translations, ADMIN, "web"), scheduled)
        await uow.commit()
    for broadcast_id, message, params in (
        (scheduled, operations.CANCELLED_ALREADY, {}),
        (scheduled + 1, operations.NO_SUCH_BROADCAST, {"number": scheduled + 1}),
    ):
        refused = await attempt(uow_factory, translations, None, operations.cancel, broadcast_id)
        assert isinstance(refused, Invalid)
        assert (refused.message, refused.params) == (message, params)
    assert (await written(uow_factory))["broadcasts"] == [(scheduled, "cancelled")]
    assert (await audit_lines(uow_factory))[-1] == (
        ADMIN, "broadcast-cancelled", {"broadcast": scheduled}, "web"
    )  # fmt: skip
    assert (await written(uow_factory))["audit"] == 2  # created, cancelled


async def test_a_broadcast_being_sent_cannot_be_cancelled_only_stopped(
    uow_factory: Factory, translations: Translations
) -> None:
    sending = await being_sent(uow_factory, translations)
    refused = await attempt(uow_factory, translations, ADMIN, operations.cancel, sending)
    assert isinstance(refused, Invalid) and refused.message == operations.STARTED_ALREADY
    assert (await written(uow_factory))["broadcasts"] == [(sending, "sending")]


# -- stop ------------------------------------------------------------------------------------
async def test_stopping_is_refused_to_non_admins_and_nothing_changes(
    uow_factory: Factory, translations: Translations
) -> None:
    sending = await being_sent(uow_factory, translations)
    before = await written(uow_factory)
    assert before["outbox"] == {"pending": 3}
    for person in (MODERATOR, MEMBER):
        refused = await attempt(uow_factory, translations, person, operations.stop, sending)
        assert isinstance(refused, NotAllowed)
    assert await written(uow_factory) == before


async def test_a_stop_sends_nothing_more_and_queues_one_report_to_the_admin_in_khmer(
    uow_factory: Factory, translations: Translations
) -> None:
    sending = await being_sent(uow_factory, translations)
    first, second = uow_factory(), uow_factory()
    try:
        assert await second.broadcasts.get(sending) is not None  # it saw the broadcast sending
        await second.commit()
        await operations.stop(as_(first, translations, ADMIN), sending)
        await first.commit()
        with pytest.raises(Invalid) as refused:  # a second Stop, pressed meanwhile
            await operations.stop(as_(second, translations, ADMIN), sending)
        assert refused.value.message == operations.NOT_BEING_SENT
        await second.commit()
    finally:
        await first.close()
        await second.close()
    assert (await written(uow_factory))["broadcasts"] == [(sending, "stopped")]
    async with uow_factory() as uow:
        rows = list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [r.status for r in rows if r.broadcast_id == sending] == ["stopped"] * 3
    [report] = [r for r in rows if r.broadcast_id is None]
    assert (report.chat_id, report.dedupe_key) == (ADMIN, f"broadcast-report:{sending}")
    khmer_number = str(sending).translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    assert "ការផ្សាយ" in report.text and f"#{khmer_number}" in report.text  # the admin reads Khmer
    assert (await audit_lines(uow_factory))[1:] == [
        (ADMIN, "broadcast-stopped", {"broadcast": sending}, "chat")
    ]


async def test_a_broadcast_the_operator_created_is_stopped_without_a_report(
    uow_factory: Factory, translations: Translations
) -> None:
    async with uow_factory() as uow:
        created = await operations.create(
            as_(uow, translations, None, "cli"), "ក", "A", None, Audience()
        )
        await uow.broadcasts.start_due(NOW)
        await uow.commit()
    async with uow_factory() as uow:
        await operations.stop(as_(uow, translations, None, "cli"), created.id)
        await uow.commit()
    assert (await written(uow_factory))["outbox"] == {}  # nobody to report to
    refused = await attempt(uow_factory, translations, None, operations.stop, created.id + 1)
    assert isinstance(refused, Invalid) and refused.message == operations.NOT_BEING_SENT


# -- a poster, protected and pinned ------------------------------------------------------------
async def test_a_poster_broadcast_writes_its_file_protection_and_pin_on_every_row(
    uow_factory: Factory, translations: Translations
) -> None:
    from bot.core.events import FileRef

    async with uow_factory() as uow:
        created = await operations.create(
            as_(uow, translations, ADMIN), "ប័ណ្ណប្រកាស", "Poster", None, Audience(),
            file=FileRef("photo", "poster-id"), protect=True, pin=True,
        )  # fmt: skip
        await uow.commit()
    async with uow_factory() as uow:
        await uow.broadcasts.start_due(NOW)
        await uow.commit()
    assert await expand(uow_factory, translations, created.id, lambda: NOW) == 3
    async with uow_factory() as uow:
        rows = list(await uow.session.scalars(select(OutboxMessage)))
    assert {(r.file_kind, r.file_id, r.protect, r.pin) for r in rows} == {
        ("photo", "poster-id", True, True)
    }
    assert len(rows) == 3


async def test_a_poster_whose_text_is_too_long_for_a_caption_keeps_one_row_a_recipient(
    uow_factory: Factory, translations: Translations
) -> None:
    """Accepted, not refused: each recipient's one row holds the caption and the rest."""
    from bot.core.events import FileRef
    from storage.outbox import FOLLOWS

    async with uow_factory() as uow:
        created = await operations.create(
            as_(uow, translations, ADMIN), "ក" * 1100, "e", None, Audience(),
            None, "official", FileRef("document", "policy-pdf"),
        )  # fmt: skip
        await uow.broadcasts.start_due(NOW)
        await uow.commit()
    assert await expand(uow_factory, translations, created.id, lambda: NOW) == 3
    async with uow_factory() as uow:
        rows = list(await uow.session.scalars(select(OutboxMessage)))
    assert len(rows) == 3
    split = [r.text.split(FOLLOWS) for r in rows]
    assert sorted(len(parts) for parts in split) == [1, 1, 2]  # the Khmer reader's is split
