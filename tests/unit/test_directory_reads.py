"""The member directory's pages and counts (storage.community) on a varied community, against
the members picked in Python: whatever the statements do to be cheap (the count as those who
match less the ones the searcher may not see), the same members, in the same order, counted
the same."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from itertools import product
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.community import listed
from storage.db import make_sessionmaker
from storage.models import Member, MemberBlock, MemberSkill, Tag
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
PROVINCES = (None, "kampot", "kep", "phnom-penh")
ROLES = (None, "student", "academic", "public-sector")
SKILLS = ("ai", "web")


async def test_the_directory_finds_and_counts_the_members_python_would(
    database: AsyncEngine,
) -> None:
    rng = random.Random(9)
    async with UnitOfWork(make_sessionmaker(database), lambda: NOW) as uow:
        await uow.tags.sync_seed()
        rows: list[dict[str, Any]] = [
            {
                "telegram_id": None if rng.random() < 0.1 else 5_000 + n,
                "full_name": f"M{n}", "language": "en", "role": rng.choice(ROLES),
                "province": rng.choice(PROVINCES), "open_to_work": False,
                "alert_frequency": "off", "directory_visible": rng.random() < 0.7,
                "jobs_in_province_only": False, "reputation": rng.randrange(4),  # ties
                "digest_frequency": "weekly", "unreachable": rng.random() < 0.1,
                "deleted_at": NOW if rng.random() < 0.1 else None,
                "created_at": NOW, "updated_at": NOW,
            }
            for n in range(90)
        ]  # fmt: skip
        await uow.session.execute(insert(Member), rows)
        members = list(await uow.session.scalars(select(Member).order_by(Member.id)))
        tags = {t.slug: t.id for t in await uow.session.scalars(select(Tag))}
        skills = {m.id: {s for s in SKILLS if rng.random() < 0.4} for m in members}
        pairs = [(m, s) for m, chosen in skills.items() for s in chosen]
        await uow.session.execute(
            insert(MemberSkill), [{"member_id": m, "tag_id": tags[s]} for m, s in pairs]
        )
        # two members the directory shows and one it does not (hidden: they may still search)
        shown = [m for m in members if listed(m)]
        searchers = [*shown[:2], next(m for m in members if not listed(m))]
        blocks = {
            (searcher.id, other.id) if rng.random() < 0.5 else (other.id, searcher.id)
            for searcher in searchers
            for other in rng.sample(members, 12)
            if other.id != searcher.id
        } | {(members[-1].id, members[-2].id)}  # between two others: no one's business
        await uow.session.execute(
            insert(MemberBlock),
            [{"blocker_id": a, "blocked_id": b, "created_at": NOW} for a, b in blocks],
        )
        await uow.commit()

        def picked(
            searcher: int, tag: str | None, province: str | None, role: str | None
        ) -> list[int]:
            unseen = {searcher} | {b for a, b in blocks if a == searcher}
            unseen |= {a for a, b in blocks if b == searcher}
            found = [
                m
                for m in shown
                if m.id not in unseen
                and (tag is None or tag in skills[m.id])
                and (province is None or m.province == province)
                and (role is None or m.role == role)
            ]
            return [m.id for m in sorted(found, key=lambda m: (-m.reputation, m.id))]

        for searcher in searchers:  # blocks between them and some in the directory
            assert len(picked(searcher.id, None, None, None)) < len(shown) - 2
        places = (*PROVINCES, "battambang")  # no one lives in Battambang
        filters = product(searchers, (None, "ai"), places, (None, "student"))
        for (searcher, tag, province, role), offset in product(filters, (0, 5, 40)):
            expected = picked(searcher.id, tag, province, role)
            page, total = await uow.community.directory(searcher.id, tag, province, role, offset, 5)
            asked = (searcher.id, tag, province, role, offset)
            assert total == len(expected), asked
            assert [m.id for m in page] == expected[offset : offset + 5], asked
