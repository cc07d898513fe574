"""The tag taxonomy as stored; the seed is synced on every upgrade and start."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Tag
from storage.seed.tags import TAGS


class TagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> list[Tag]:
        return list(await self.session.scalars(select(Tag).order_by(Tag.position, Tag.id)))

    async def sync_seed(self) -> None:
        """Insert or refresh the seed tags; tags added by admins are left alone."""
        existing = {t.slug: t for t in await self.session.scalars(select(Tag))}
        for position, seed in enumerate(TAGS):
            tag = existing.get(seed.slug) or Tag(slug=seed.slug)
            tag.name_en, tag.name_km = seed.name_en, seed.name_km
            tag.keywords_en = ",".join(seed.keywords_en)
            tag.keywords_km = ",".join(seed.keywords_km)
            tag.position = position
            self.session.add(tag)
        await self.session.flush()
