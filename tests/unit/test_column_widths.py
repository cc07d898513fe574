"""The longest text a field accepts fits its column: a field limited in characters takes
up to twice as many code points (bot.core.text.too_long), and Khmer with its vowels and
subscripts gets there long before the character limit. PostgreSQL refuses what a VARCHAR
cannot hold, which failed the member's whole update."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.text import too_long
from handlers.jobs.companies import LIMITS
from handlers.jobs.posting import TITLE_MAX
from storage.db import make_sessionmaker
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def longest(limit: int) -> str:
    """The most code points a field of ``limit`` characters accepts, in Khmer clusters."""
    text = ("ក្ស" * limit)[: 2 * limit]  # three code points a cluster
    assert not too_long(text, limit) and len(text) == 2 * limit
    return text


async def test_the_longest_company_and_job_texts_accepted_are_stored(
    database: AsyncEngine,
) -> None:
    async with UnitOfWork(make_sessionmaker(database), lambda: NOW) as uow:
        await uow.tags.sync_seed()
        await uow.members.upsert_many(
            [{"telegram_id": 7001, "full_name": "Sokha", "language": "km",
              "role": "private-sector", "province": "kep", "skills": ["web"]}],
            NOW,
        )  # fmt: skip
        member = await uow.members.get(7001)
        assert member is not None
        company = await uow.jobs.add_company(
            member.id, longest(LIMITS["name"]), longest(LIMITS["regno"]),
            longest(LIMITS["sector"]), None, longest(LIMITS["about"]), NOW,
        )  # fmt: skip
        job = await uow.jobs.add_job(
            company.id, member.id, longest(TITLE_MAX), "Build our site", ["web"], "kep",
            "full-time", date(2026, 12, 31), NOW, None, NOW,
        )  # fmt: skip
        await uow.commit()
        assert len(job.title) == 2 * TITLE_MAX and len(company.name) == 2 * LIMITS["name"]
