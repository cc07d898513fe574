"""The tags' normalised terms are kept between questions (segmenting every tag's Khmer names
for each question was most of a suggestion's time) and made again as soon as a tag's
stored names or keywords differ, whichever process changed them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.questions.knowledge import terms_of_tags
from handlers.questions.tagging import suggest_tags
from storage.db import make_sessionmaker
from storage.models import Tag
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


async def test_a_tags_new_keyword_counts_at_the_next_question(database: AsyncEngine) -> None:
    sessions = make_sessionmaker(database)
    async with UnitOfWork(sessions, lambda: NOW) as uow:
        await uow.tags.sync_seed()
        await uow.commit()
    async with UnitOfWork(sessions, lambda: NOW) as uow:
        first = await terms_of_tags(uow)
    async with UnitOfWork(sessions, lambda: NOW) as uow:
        assert await terms_of_tags(uow) == first  # the same tags: the same terms
        assert not suggest_tags("zorblax", first)
        slug = first[0].slug
        await uow.session.execute(
            update(Tag).where(Tag.slug == slug).values(keywords_en=Tag.keywords_en + ",zorblax")
        )  # as an admin's edit, or another process's seed sync, leaves it
        await uow.commit()
    async with UnitOfWork(sessions, lambda: NOW) as uow:
        assert [s for s, _ in suggest_tags("zorblax", await terms_of_tags(uow))] == [slug]
