"""Routing a new question reads what it needs once: its tags, who was offered it, the staff
(moderators and admins together). Send is the costliest step members take; what it decides
is checked by the scenario tests (test_questions*), this only how often it reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Translations
from handlers.questions.offers import route_new_question
from handlers.questions.settings import QaSettings
from storage.db import make_sessionmaker
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
ASKER, ADMIN, MODERATOR = 505, 501, 502


@pytest.fixture
async def uow(database: AsyncEngine) -> AsyncIterator[UnitOfWork]:
    maker = make_sessionmaker(database)
    async with UnitOfWork(maker, lambda: NOW) as setup:
        await setup.tags.sync_seed()
        row = {
            "telegram_id": ASKER, "full_name": "Dara", "language": "en", "role": "student",
            "province": "phnom-penh", "country": None, "skills": [], "open_to_work": False,
            "alert_frequency": "off", "directory_visible": False, "username": None,
            "organisation": None, "years_experience": None,
        }  # fmt: skip
        await setup.members.upsert_many([row], NOW)
        await setup.commit()
    async with UnitOfWork(maker, lambda: NOW) as uow:
        yield uow


async def statements_of_routing(uow: UnitOfWork, translations: Translations) -> list[str]:
    asker = await uow.members.get(ASKER)
    assert asker is not None
    question = await uow.questions.add_question(
        asker.id, "ransomware?", "ransomwar", ["cybersecurity"], NOW, NOW
    )
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    engine = uow.session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        await route_new_question(
            uow, translations, question, QaSettings(), NOW, ZoneInfo("Asia/Phnom_Penh")
        )
        await uow.session.flush()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def reads_of(seen: list[str], start: str) -> int:
    return sum(1 for s in seen if s.startswith(start))


OFFERED = "SELECT assignments.member_id FROM assignments WHERE"
STAFF = "SELECT staff_roles.telegram_id FROM staff_roles"
TAG_NAMES = "SELECT tags.id, tags.slug, tags.name_en"


async def test_a_question_no_expert_takes_reads_its_tags_and_offers_once(
    uow: UnitOfWork, translations: Translations
) -> None:
    seen = await statements_of_routing(uow, translations)
    assert sum(1 for s in seen if "JOIN question_tags" in s) == 1
    assert reads_of(seen, OFFERED) == 1
    assert reads_of(seen, STAFF) == 1  # moderators and admins together
    assert reads_of(seen, TAG_NAMES) == 0  # no offer made: the tag names are not needed


async def test_with_staff_the_moderators_and_admins_are_read_at_once(
    uow: UnitOfWork, translations: Translations
) -> None:
    await uow.staff.grant(ADMIN, "admin", granted_by=None)
    await uow.staff.grant(MODERATOR, "moderator", granted_by=None)
    seen = await statements_of_routing(uow, translations)
    assert reads_of(seen, STAFF) == 1
    assert sum(1 for s in seen if "JOIN question_tags" in s) == 1
    assert sum(1 for s in seen if s.startswith("INSERT INTO outbox")) == 2  # both told
