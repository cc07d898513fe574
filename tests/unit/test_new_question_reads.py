"""/ask, the question's text and Send read what they need once: the member's load of
questions, what /search may find, the new question's tags, who was offered it, the staff
(moderators and admins together), and take no lock read where the database has no row
locks (SQLite). Send is the costliest step members take; what these steps decide is checked
by the scenario tests (test_questions*) and the limits' tests, this only how often they
read."""

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


class Statements:
    """The SQL the database is sent while the block runs."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.engine, self.seen = uow.session.get_bind(), list[str]()

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append(" ".join(statement.split()))

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.seen

    def __exit__(self, *_: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


async def test_asking_reads_the_members_load_and_search_what_can_be_found_at_once(
    uow: UnitOfWork,
) -> None:
    asker = await uow.members.get(ASKER)
    assert asker is not None
    with Statements(uow) as seen:
        await uow.questions.asking_load(asker.id, NOW)
        await uow.questions.search_version()
        await uow.content.search_version()
    assert len(seen) == 3


async def test_the_question_limits_lock_the_asker_only_where_rows_can_be_locked(
    uow: UnitOfWork,
) -> None:
    asker = await uow.members.get(ASKER)
    assert asker is not None
    with Statements(uow) as seen:
        added = await uow.questions.add_question_within(
            asker.id, "ransomware?", "ransomwar", ["cybersecurity"], NOW, NOW, 3, 5
        )
    assert added is not None
    assert not [s for s in seen if s.startswith("SELECT tags.id")]  # found by the INSERT
    assert not [s for s in seen if s.startswith("SELECT questions.")]  # the INSERT returns it
    assert (added.text, added.round, added.status, added.created_at) == (
        "ransomware?",
        1,
        "open",
        NOW,
    )
    assert await uow.questions.question_tags(added.id) == ["cybersecurity"]
    locks = [s for s in seen if s.startswith("SELECT members.id FROM members")]
    if uow.session.get_bind().dialect.name == "postgresql":
        assert len(locks) == 1 and locks[0].endswith("FOR UPDATE")
    else:
        assert not locks


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


async def test_a_question_no_expert_takes_reads_its_tags_once_and_not_who_was_offered_it(
    uow: UnitOfWork, translations: Translations
) -> None:
    seen = await statements_of_routing(uow, translations)
    assert sum(1 for s in seen if "JOIN question_tags" in s) == 1
    assert reads_of(seen, OFFERED) == 0  # just asked: nobody was offered it
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
