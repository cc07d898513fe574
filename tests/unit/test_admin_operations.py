"""Granting and revoking staff roles (handlers/admin/operations.py), as the chat, the
command line and the web console call them: only an administrator (or the operator) acts,
a refusal writes nothing, and a done act writes the role, its audit line with the surface,
and the person's notice in their language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Translations
from handlers.acting import Acting, Channel, NotAllowed
from handlers.admin.operations import NEW_ROLE, OWN_ADMIN_ROLE, grant_role, revoke_role
from handlers.invalid import Invalid
from storage.db import make_sessionmaker
from storage.models import AuditEntry, OutboxMessage, StaffRole
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Phnom_Penh")
ADMIN, MODERATOR, MEMBER, KHMER = 501, 502, 503, 504


@pytest.fixture
async def uow(database: AsyncEngine) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(make_sessionmaker(database), now=lambda: NOW) as uow:
        await uow.tags.sync_seed()
        await member(uow, ADMIN, "en")
        await member(uow, MODERATOR, "en")
        await member(uow, MEMBER, "en")
        await member(uow, KHMER, "km")
        await uow.staff.grant(ADMIN, "admin", granted_by=None)
        await uow.staff.grant(MODERATOR, "moderator", granted_by=None)
        await uow.commit()
        yield uow


async def member(uow: UnitOfWork, telegram_id: int, language: str) -> None:
    row = {
        "telegram_id": telegram_id, "full_name": f"Member {telegram_id}", "language": language,
        "role": "private-sector", "province": "phnom-penh", "country": None, "skills": ["web"],
        "open_to_work": False, "alert_frequency": "off", "directory_visible": True,
        "username": None, "organisation": None, "years_experience": 5,
    }  # fmt: skip
    await uow.members.upsert_many([row], NOW)


def as_(
    uow: UnitOfWork, translations: Translations, person: int | None, channel: Channel = "chat"
) -> Acting:
    return Acting(person, channel, uow, translations, NOW, TZ)


async def written(uow: UnitOfWork) -> dict[str, Any]:
    """Roles, audit lines and queued notices, as the database holds them now."""
    await uow.session.flush()
    roles = await uow.session.scalars(select(StaffRole))
    audit = await uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    outbox = await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return {
        "roles": sorted((r.telegram_id, r.role, r.granted_by) for r in roles),
        "audit": [(a.actor_telegram_id, a.action, a.detail, a.channel) for a in audit],
        "outbox": [(o.chat_id, o.text) for o in outbox],
    }


BEFORE = {
    "roles": [(ADMIN, "admin", None), (MODERATOR, "moderator", None)],
    "audit": [],
    "outbox": [],
}


@pytest.mark.parametrize("person", [MEMBER, MODERATOR, 999])
async def test_only_an_administrator_grants_and_a_refusal_writes_nothing(
    uow: UnitOfWork, translations: Translations, person: int
) -> None:
    with pytest.raises(NotAllowed) as refused:
        await grant_role(as_(uow, translations, person), KHMER, "moderator")
    assert refused.value.message == "Only administrators can do this."
    assert await written(uow) == BEFORE


@pytest.mark.parametrize("person", [MEMBER, MODERATOR])
async def test_only_an_administrator_revokes_and_a_refusal_writes_nothing(
    uow: UnitOfWork, translations: Translations, person: int
) -> None:
    with pytest.raises(NotAllowed):
        await revoke_role(as_(uow, translations, person), MODERATOR, "moderator")
    assert await written(uow) == BEFORE


async def test_a_grant_writes_the_role_the_audit_line_and_the_notice_in_their_language(
    uow: UnitOfWork, translations: Translations
) -> None:
    assert await grant_role(as_(uow, translations, ADMIN), KHMER, "moderator")
    km = translations.for_language("km")
    assert await written(uow) == {
        "roles": [*BEFORE["roles"], (KHMER, "moderator", ADMIN)],
        "audit": [(ADMIN, "grant-moderator", {"telegram_id": KHMER}, "chat")],
        "outbox": [(KHMER, km.gettext(NEW_ROLE["moderator"]))],
    }
    assert km.gettext(NEW_ROLE["moderator"]) != NEW_ROLE["moderator"]  # really in Khmer
    assert not await grant_role(as_(uow, translations, ADMIN), KHMER, "moderator")  # had it
    assert len((await written(uow))["audit"]) == 1


async def test_the_operator_grants_from_the_command_line_and_a_non_member_gets_no_notice(
    uow: UnitOfWork, translations: Translations
) -> None:
    assert await grant_role(as_(uow, translations, None, "cli"), 4242, "admin")
    assert await written(uow) == {
        "roles": sorted([*BEFORE["roles"], (4242, "admin", None)]),
        "audit": [(None, "grant-admin", {"telegram_id": 4242}, "cli")],
        "outbox": [],
    }


async def test_a_revoke_writes_the_audit_line_and_a_role_not_held_writes_nothing(
    uow: UnitOfWork, translations: Translations
) -> None:
    assert await revoke_role(as_(uow, translations, ADMIN, "web"), MODERATOR, "moderator")
    expected = {
        "roles": [(ADMIN, "admin", None)],
        "audit": [(ADMIN, "revoke-moderator", {"telegram_id": MODERATOR}, "web")],
        "outbox": [],
    }
    assert await written(uow) == expected
    assert not await revoke_role(as_(uow, translations, ADMIN), MODERATOR, "moderator")
    assert await written(uow) == expected


async def test_an_administrator_cannot_revoke_their_own_administrator_role(
    uow: UnitOfWork, translations: Translations
) -> None:
    with pytest.raises(NotAllowed) as refused:
        await revoke_role(as_(uow, translations, ADMIN), ADMIN, "admin")
    assert refused.value.message == OWN_ADMIN_ROLE
    assert await written(uow) == BEFORE
    await uow.staff.grant(MODERATOR, "admin", granted_by=ADMIN)  # another administrator may
    assert await revoke_role(as_(uow, translations, MODERATOR), ADMIN, "admin")


async def test_a_telegram_id_out_of_range_is_refused_before_anything_is_written(
    uow: UnitOfWork, translations: Translations
) -> None:
    for telegram_id in (0, -5, 2**52):
        with pytest.raises(Invalid):
            await grant_role(as_(uow, translations, ADMIN), telegram_id, "moderator")
    assert await written(uow) == BEFORE
