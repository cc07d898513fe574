"""Members and their skills: one at a time for the bot, in bulk for import and export."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnDefault,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.limits import insert_where
from storage.member_search import hidden_by_moderators
from storage.models import Member, MemberSkill, Tag
from storage.privacy import erase_member, personal_data
from storage.sql import among, upsert

# The tables, for Core statements (see upsert_many).
MEMBERS = Member.metadata.tables[Member.__tablename__]
MEMBER_SKILLS = MemberSkill.metadata.tables[MemberSkill.__tablename__]

# Columns an import may set; everything else keeps its stored value.
IMPORT_COLUMNS = (
    "full_name",
    "username",
    "language",
    "role",
    "organisation",
    "province",
    "country",
    "years_experience",
    "open_to_work",
    "alert_frequency",
    "directory_visible",
)


# Statements of the updates members send most, built once (building one per call took
# longer than the database takes to run it; a constant's compiled form is also found at once).
BY_TELEGRAM_ID = select(Member).where(
    Member.telegram_id == bindparam("telegram_id"), Member.deleted_at.is_(None)
)
LAST_ERASURE = select(func.max(Member.deleted_at)).where(
    Member.erased_key == bindparam("erased_key"), Member.deleted_at > bindparam("since")
)


@functools.cache
def _add_unless_erased(names: tuple[str, ...]) -> Any:
    """``add_unless_erased``'s statement for a new member with these columns (a sign-up gives
    one of a handful), built the first time, read back as the member it stored."""
    erased = aliased(Member)
    recent = (
        select(erased.id)
        .where(
            erased.erased_key == bindparam("recent_key", type_=MEMBERS.c.erased_key.type),
            erased.deleted_at > bindparam("recent_since", type_=MEMBERS.c.deleted_at.type),
        )
        .exists()
    )
    values = {name: bindparam(name, type_=MEMBERS.c[name].type) for name in names}
    added = insert_where(MEMBERS, values, ~recent).returning(*MEMBERS.c)
    return select(Member).from_statement(added)


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, telegram_id: int) -> Member | None:
        return await self.session.scalar(BY_TELEGRAM_ID, {"telegram_id": telegram_id})

    async def by_id(self, member_id: int) -> Member | None:
        return await self.session.get(Member, member_id)

    async def by_ids(self, member_ids: Collection[int]) -> dict[int, Member]:
        """Members by id, in one read for a page that lists many (erased ones too)."""
        if not member_ids:
            return {}
        rows = await self.session.scalars(select(Member).where(among(Member.id, member_ids)))
        return {member.id: member for member in rows}

    async def skills(self, member_id: int) -> list[str]:
        rows = await self.session.scalars(
            select(Tag.slug)
            .join(MemberSkill, MemberSkill.tag_id == Tag.id)
            .where(MemberSkill.member_id == member_id)
            .order_by(Tag.position)
        )
        return list(rows)

    async def skills_of(self, member_ids: Collection[int]) -> dict[int, list[str]]:
        """``skills`` of many members in one read (a member without any is left out)."""
        if not member_ids:
            return {}
        rows = await self.session.execute(
            select(MemberSkill.member_id, Tag.slug)
            .join(Tag, Tag.id == MemberSkill.tag_id)
            .where(among(MemberSkill.member_id, member_ids))
            .order_by(Tag.position)
        )
        skills: dict[int, list[str]] = {}
        for member_id, slug in rows:
            skills.setdefault(member_id, []).append(slug)
        return skills

    async def set_skills(self, member_id: int, slugs: Sequence[str], new: bool = False) -> None:
        """The member's skills are ``slugs`` (unknown ones left out); ``new``: a member just
        stored, who has none to remove. The tags' ids are looked up by the INSERT itself."""
        if not new:
            await self.session.execute(
                delete(MemberSkill).where(MemberSkill.member_id == member_id)
            )
        if slugs:
            await self.session.execute(
                insert(MemberSkill).from_select(
                    ["member_id", "tag_id"],
                    select(literal(member_id), Tag.id).where(Tag.slug.in_(list(slugs))),
                )
            )

    async def personal_data(self, member: Member) -> dict[str, Any]:
        """Everything stored about the member, JSON-ready (/mydata; see storage.privacy)."""
        return await personal_data(self.session, member)

    async def erase(self, member: Member, now: datetime, erased_key: str | None = None) -> None:
        """Forget the person: every personal field and link goes; the row keeps authored
        content anonymous, and for a day ``erased_key`` (what stays and what goes:
        storage.privacy)."""
        await erase_member(self.session, member, now, erased_key)

    # -- the day after an erasure (handlers.profile.cooldown) ------------------------------
    async def erased_at(self, erased_key: str, since: datetime) -> datetime | None:
        """When the person whose hashed Telegram id is ``erased_key`` last erased their data,
        if after ``since``; else None."""
        return await self.session.scalar(LAST_ERASURE, {"erased_key": erased_key, "since": since})

    async def add_unless_erased(
        self, member: Member, erased_key: str, since: datetime
    ) -> Member | None:
        """Store a new member unless the same person erased their data after ``since``: the
        stored member, or None. The erasure is looked for by the INSERT itself
        (``INSERT … SELECT … WHERE NOT EXISTS``), so no other process's check can pass
        between a look and the write."""
        values = {
            column.name: value
            for column in MEMBERS.columns
            if column.name != "id" and (value := getattr(member, column.name)) is not None
        }
        await self.session.flush()  # members added to the session count too
        return await self.session.scalar(
            _add_unless_erased(tuple(values)),
            {**values, "recent_key": erased_key, "recent_since": since},
        )

    async def forget_erased_keys(self, before: datetime) -> int:
        """Clear the hashed Telegram ids of the members erased before ``before``; how many."""
        result = await self.session.execute(
            update(Member)
            .where(Member.erased_key.is_not(None), Member.deleted_at < before)
            .values(erased_key=None)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # -- bulk ----------------------------------------------------------------------------
    async def upsert_many(
        self,
        rows: Sequence[dict[str, Any]],
        now: datetime,
        columns: Collection[str] | None = None,
    ) -> tuple[int, int]:
        """Insert or update members by telegram_id with their skills; (inserted, updated).

        Each row holds ``telegram_id``, the IMPORT_COLUMNS, ``skills`` (slugs) and optionally
        ``created_at``. ``columns`` names what the source really gives (default: all): an
        existing member keeps every other value, so a file of names and provinces does not
        erase skills (``country`` goes with ``province``; the alert frequency is switched
        off for members no longer open to work). A stored ``created_at`` is replaced only
        by a given one. Works in set operations so 100,000 rows take seconds, not minutes.

        The statements are Core ones on the tables, not on the ORM entities: the ORM's bulk
        INSERT leaves out None values, so rows differing in which fields are empty became
        one INSERT each (about 850 per 1,000 rows), each a round trip to the database.
        """
        ids = [r["telegram_id"] for r in rows]
        # a stored created_at is written back unless the row gives one: one statement for
        # the whole batch keeps new members' ids in file order
        known = await self.session.execute(
            select(Member.telegram_id, Member.created_at).where(among(Member.telegram_id, ids))
        )
        stored = {telegram_id: created_at for telegram_id, created_at in known}
        values = [
            {
                "telegram_id": r["telegram_id"],
                **{c: _or_default(c, r.get(c)) for c in IMPORT_COLUMNS},
                "created_at": r.get("created_at") or stored.get(r["telegram_id"]) or now,
                "updated_at": now,
                "unreachable": False,
                "alert_frequency": r.get("alert_frequency") or "off",
            }
            for r in rows
        ]
        statement = upsert(self.session, MEMBERS)
        given = {*IMPORT_COLUMNS, "skills"} if columns is None else set(columns)
        if "province" in given:
            given.add("country")
        updated = [c for c in IMPORT_COLUMNS if c in given]
        update_set: dict[str, Any] = {
            c: statement.excluded[c] for c in (*updated, "created_at", "updated_at")
        }
        if "directory_visible" in given:  # an import does not undo the moderators' hide
            update_set["directory_visible"] = case(
                (hidden_by_moderators(MEMBERS.c.id), false()),
                else_=statement.excluded.directory_visible,
            )
        if "open_to_work" in given and "alert_frequency" not in given:
            update_set["alert_frequency"] = case(
                (statement.excluded.open_to_work == false(), "off"),
                (MEMBERS.c.alert_frequency == "off", statement.excluded.alert_frequency),
                else_=MEMBERS.c.alert_frequency,
            )
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=["telegram_id"], set_=update_set), values
        )
        found = await self.session.execute(
            select(Member.telegram_id, Member.id).where(among(Member.telegram_id, ids))
        )
        member_ids = {telegram_id: member_id for telegram_id, member_id in found}
        tags = await self.session.execute(select(Tag.slug, Tag.id))
        tag_ids = {slug: tag_id for slug, tag_id in tags}
        replace_skills = "skills" in given
        if replace_skills:
            await self.session.execute(
                delete(MEMBER_SKILLS).where(among(MEMBER_SKILLS.c.member_id, member_ids.values()))
            )
        skills = [
            {"member_id": member_ids[r["telegram_id"]], "tag_id": tag_ids[slug]}
            for r in rows
            if replace_skills or r["telegram_id"] not in stored
            for slug in dict.fromkeys(r.get("skills", ()))
        ]
        if skills:
            await self.session.execute(insert(MEMBER_SKILLS), skills)
        inserted = len(set(ids) - stored.keys())
        return inserted, len(ids) - inserted

    async def export_rows(self, batch: int = 1000) -> AsyncIterator[tuple[Member, list[str]]]:
        """Every active member with skill slugs, streamed in id order a batch at a time."""
        last_id = 0
        while True:
            members = list(
                await self.session.scalars(
                    select(Member)
                    .where(Member.id > last_id, Member.deleted_at.is_(None))
                    .order_by(Member.id)
                    .limit(batch)
                )
            )
            if not members:
                return
            skills = await self.skills_of([m.id for m in members])
            for member in members:
                yield member, skills.get(member.id, [])
            last_id = members[-1].id
            self.session.expunge_all()


def _or_default(column: str, value: Any) -> Any:
    """None → the column's default, as an ORM insert does ("en", False, "off")."""
    if value is None:
        default = MEMBERS.c[column].default
        if isinstance(default, ColumnDefault) and default.is_scalar:
            return default.arg
    return value


def utc_now() -> datetime:
    return datetime.now(UTC)
