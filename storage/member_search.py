"""What the member directory, the talent search and the console's member search share: a
skill filter and a ranked page; and what keeps a member out of the first two whatever their
own setting: the moderators' hide."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Member, MemberSkill, ProfileReport, Tag

HIDDEN = "hidden"  # a profile report a moderator upheld by hiding the member


def has_skill(slug: str) -> ColumnElement[bool]:
    """The member of the enclosing query has the skill ``slug``."""
    return (
        exists()
        .where(MemberSkill.member_id == Member.id, MemberSkill.tag_id == Tag.id, Tag.slug == slug)
        .correlate(Member)
    )


def hidden_by_moderators(member_id: ColumnElement[int]) -> ColumnElement[bool]:
    """A moderator hid the member ``member_id`` after a report; their profile edits and a
    CSV import cannot undo it, only a moderator can (storage.community)."""
    # IN, not a correlated EXISTS: it also serves an INSERT's ON CONFLICT … SET, where
    # there is no enclosing FROM to correlate with
    return member_id.in_(select(ProfileReport.member_id).where(ProfileReport.status == HIDDEN))


RANKED = (Member.reputation.desc(), Member.id)  # best reputation first


async def ranked_page(
    session: AsyncSession,
    conditions: Sequence[ColumnElement[bool]],
    offset: int,
    limit: int,
    total: Select[int] | None = None,
) -> tuple[list[Member], int]:
    """A page of the members matching ``conditions``, best reputation first, and how many
    match: ``total`` when the caller counts them more cheaply than by testing each (the
    directory, storage.community)."""
    if total is None:
        total = select(func.count()).select_from(select(Member.id).where(*conditions).subquery())
    count = await session.scalar(total)
    rows = await session.scalars(
        select(Member).where(*conditions).order_by(*RANKED).offset(offset).limit(limit)
    )
    return list(rows), count or 0


async def staff_search(
    session: AsyncSession,
    name: str,
    skill: str | None,
    role: str | None,
    province: str | None,
    offset: int,
    limit: int,
) -> tuple[list[Member], int]:
    """The console's member search (administrators): every member not erased, whatever
    their directory setting or a hide, by a part of the name or username (or the Telegram
    id, given as digits), skill, role and province (None or "": any); ranked as the
    directory is."""
    conditions: list[ColumnElement[bool]] = [Member.deleted_at.is_(None)]
    words = name.strip().lower()
    if words:
        named = [
            func.lower(Member.full_name).contains(words, autoescape=True),
            func.lower(Member.username).contains(words.removeprefix("@"), autoescape=True),
        ]
        if words.isdecimal() and len(words) < 17:
            named.append(Member.telegram_id == int(words))
        conditions.append(or_(*named))
    if skill:
        conditions.append(has_skill(skill))
    if role:
        conditions.append(Member.role == role)
    if province:
        conditions.append(Member.province == province)
    return await ranked_page(session, conditions, offset, limit)
