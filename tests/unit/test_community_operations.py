"""The moderators' decisions on reported profiles (handlers/community/operations.py): hide
from the directory, keep, undo the hide. Only a moderator (or an administrator) decides,
never about their own profile; a refusal writes nothing; a decision writes the reports'
status, the audit line with the surface, and the member's notice in their language."""

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
from handlers.community.operations import (
    ABOUT_YOU,
    decide_report,
    hidden_notice,
    hide_undone_notice,
    undo_hide,
)
from storage.db import make_sessionmaker
from storage.models import AuditEntry, Member, OutboxMessage, ProfileReport
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Phnom_Penh")
ADMIN, MODERATOR, MEMBER, REPORTED, OTHER = 601, 602, 603, 604, 605


class Setup:
    """Members by Telegram id → member id; two open reports about REPORTED (by MEMBER and
    OTHER) and one about MODERATOR (by MEMBER)."""

    ids: dict[int, int]
    reports: list[int]
    about_moderator: int


@pytest.fixture
async def uow(database: AsyncEngine) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(make_sessionmaker(database), now=lambda: NOW) as uow:
        await uow.tags.sync_seed()
        yield uow


@pytest.fixture
async def setup(uow: UnitOfWork) -> Setup:
    found = Setup()
    found.ids = {}
    for telegram_id in (ADMIN, MODERATOR, MEMBER, REPORTED, OTHER):
        found.ids[telegram_id] = await member(uow, telegram_id)
    await uow.staff.grant(ADMIN, "admin", granted_by=None)
    await uow.staff.grant(MODERATOR, "moderator", granted_by=None)
    found.reports = [
        await report(uow, found.ids[MEMBER], found.ids[REPORTED]),
        await report(uow, found.ids[OTHER], found.ids[REPORTED]),
    ]
    found.about_moderator = await report(uow, found.ids[MEMBER], found.ids[MODERATOR])
    await uow.commit()
    return found


async def member(uow: UnitOfWork, telegram_id: int) -> int:
    row = {
        "telegram_id": telegram_id, "full_name": f"Member {telegram_id}",
        "language": "km" if telegram_id == REPORTED else "en",
        "role": "private-sector", "province": "phnom-penh", "country": None, "skills": ["web"],
        "open_to_work": False, "alert_frequency": "off", "directory_visible": True,
        "username": None, "organisation": None, "years_experience": 5,
    }  # fmt: skip
    await uow.members.upsert_many([row], NOW)
    stored = await uow.members.get(telegram_id)
    assert stored is not None
    return stored.id


async def report(uow: UnitOfWork, reporter: int, about: int) -> int:
    stored = await uow.community.add_report_within(reporter, about, "spam", NOW, 5)
    assert stored is not None
    return stored.id


def as_(
    uow: UnitOfWork, translations: Translations, person: int | None, channel: Channel = "chat"
) -> Acting:
    return Acting(person, channel, uow, translations, NOW, TZ)


async def written(uow: UnitOfWork, setup: Setup) -> dict[str, Any]:
    """The reports' status, the reported member's visibility, audit lines, notices."""
    await uow.session.flush()
    uow.session.expire_all()
    reports = await uow.session.scalars(select(ProfileReport).order_by(ProfileReport.id))
    reported = await uow.session.get(Member, setup.ids[REPORTED])
    audit = await uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    outbox = await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return {
        "reports": [(r.id, r.status, r.resolved_by) for r in reports],
        "visible": reported is not None and reported.directory_visible,
        "audit": [(a.actor_telegram_id, a.action, a.detail, a.channel) for a in audit],
        "outbox": [(o.chat_id, o.text) for o in outbox],
    }


def before(setup: Setup) -> dict[str, Any]:
    open_ = [(r, "open", None) for r in [*setup.reports, setup.about_moderator]]
    return {"reports": sorted(open_), "visible": True, "audit": [], "outbox": []}


@pytest.mark.parametrize("hide", [True, False])
async def test_only_a_moderator_decides_and_a_refusal_writes_nothing(
    uow: UnitOfWork, translations: Translations, setup: Setup, hide: bool
) -> None:
    for person in (MEMBER, REPORTED, 999):
        with pytest.raises(NotAllowed) as refused:
            await decide_report(as_(uow, translations, person), setup.reports[0], hide)
        assert refused.value.message == "Only moderators can do this."
    assert await written(uow, setup) == before(setup)


async def test_hiding_closes_every_report_about_the_member_audits_and_tells_them(
    uow: UnitOfWork, translations: Translations, setup: Setup
) -> None:
    first, second = setup.reports
    assert await decide_report(as_(uow, translations, MODERATOR), first, hide=True)
    km = translations.for_language("km")
    hidden_text, _ = hidden_notice(km)
    assert await written(uow, setup) == {
        "reports": [(first, "hidden", MODERATOR), (second, "hidden", MODERATOR),
                    (setup.about_moderator, "open", None)],
        "visible": False,
        "audit": [(MODERATOR, "member-hidden",
                   {"member": setup.ids[REPORTED], "reports": [first, second]}, "chat")],
        "outbox": [(REPORTED, hidden_text)],
    }  # fmt: skip
    assert hidden_text != hidden_notice(translations.for_language("en"))[0]  # in Khmer
    # the second decision (another moderator's, or a second tap) finds nothing open
    done = await written(uow, setup)
    assert not await decide_report(as_(uow, translations, ADMIN), second, hide=False)
    assert await written(uow, setup) == done


async def test_keeping_closes_that_report_only_and_audits_it(
    uow: UnitOfWork, translations: Translations, setup: Setup
) -> None:
    first, second = setup.reports
    assert await decide_report(as_(uow, translations, ADMIN, "web"), first, hide=False)
    assert await written(uow, setup) == {
        "reports": [(first, "kept", ADMIN), (second, "open", None),
                    (setup.about_moderator, "open", None)],
        "visible": True,
        "audit": [(ADMIN, "member-report-kept", {"report": first}, "web")],
        "outbox": [],
    }  # fmt: skip


async def test_a_moderator_never_decides_about_their_own_profile(
    uow: UnitOfWork, translations: Translations, setup: Setup
) -> None:
    for hide in (True, False):
        with pytest.raises(NotAllowed) as refused:
            await decide_report(as_(uow, translations, MODERATOR), setup.about_moderator, hide)
        assert refused.value.message == ABOUT_YOU
    assert await written(uow, setup) == before(setup)
    assert await decide_report(as_(uow, translations, ADMIN), setup.about_moderator, True)
    with pytest.raises(NotAllowed):  # nor undoes their own hide
        await undo_hide(as_(uow, translations, MODERATOR), setup.ids[MODERATOR])


async def test_undoing_a_hide_restores_the_reports_audits_and_tells_the_member(
    uow: UnitOfWork, translations: Translations, setup: Setup
) -> None:
    first, second = setup.reports
    assert await decide_report(as_(uow, translations, ADMIN), first, hide=True)
    hidden = await written(uow, setup)
    with pytest.raises(NotAllowed):
        await undo_hide(as_(uow, translations, MEMBER), setup.ids[REPORTED])
    assert await written(uow, setup) == hidden
    assert await undo_hide(as_(uow, translations, MODERATOR), setup.ids[REPORTED])
    after = await written(uow, setup)
    assert after["reports"][:2] == [(first, "restored", ADMIN), (second, "restored", ADMIN)]
    assert not after["visible"]  # showing the profile again is the member's own choice
    assert after["audit"][-1] == (
        MODERATOR, "member-hide-undone",
        {"member": setup.ids[REPORTED], "reports": [first, second]}, "chat",
    )  # fmt: skip
    assert after["outbox"][-1] == (
        REPORTED,
        hide_undone_notice(translations.for_language("km"))[0],
    )
    assert not await undo_hide(as_(uow, translations, MODERATOR), setup.ids[REPORTED])
    assert await written(uow, setup) == after


async def test_the_operator_decides_too(
    uow: UnitOfWork, translations: Translations, setup: Setup
) -> None:
    first, _ = setup.reports
    assert await decide_report(as_(uow, translations, None, "cli"), first, hide=True)
    state = await written(uow, setup)
    assert state["reports"][0] == (first, "hidden", None)
    assert state["audit"][0][:2] == (None, "member-hidden") and state["audit"][0][3] == "cli"
