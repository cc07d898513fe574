"""The tag taxonomy as stored; the seed is synced on every upgrade and start."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Tag
from storage.seed.tags import TAGS

IN_ORDER = select(Tag).order_by(Tag.position, Tag.id)


class TagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._all: list[Tag] | None = None

    async def all(self) -> list[Tag]:
        """The tags in their order, read once a unit of work: an update may show them
        several times (a question's suggestions, then its routing and notices), and they
        change only when the seed is synced at start-up."""
        if self._all is None:
            self._all = list(await self.session.scalars(IN_ORDER))
        return list(self._all)

    async def sync_seed(self) -> None:
        """Insert or refresh the seed tags; tags added by admins are left alone."""
        self._all = None
        existing = {t.slug: t for t in await self.session.scalars(select(Tag))}
        for position, seed in enumerate(TAGS):
            tag = existing.get(seed.slug) or Tag(slug=seed.slug)
            tag.name_en, tag.name_km = seed.name_en, seed.name_km
            tag.keywords_en = ",".join(seed.keywords_en)
            tag.keywords_km = ",".join(seed.keywords_km)
            tag.position = position
            self.session.add(tag)
        await self.session.flush()
