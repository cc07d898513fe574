"""Members' profiles written or read in bulk by staff or the operator rather than by the
members: an import of member rows and the export of every member as CSV (``dcc-bot members
import/export``, /export in the bot, the web console's Members page).

It lives with the profile because what it writes is members' profiles, checked by sign-up's
own rules (``handlers.profile.rules``, applied row by row by ``bot.members_csv``).

An import may be 100,000 rows while the bot keeps writing, so it is done in batches, and
the caller commits after ``start`` and after each ``add`` (short transactions, and an
import stopped midway is on record: its start is audited before any row is written).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from handlers.acting import Acting
from storage.member_export import write_csv

IMPORT_BATCH = 1000  # rows a transaction writes


async def export_members(acting: Acting, out: TextIO) -> int:
    """Every active member as CSV (``storage.member_export``) into ``out``, audited
    ("members-exported", with the count); how many members were written."""
    await acting.require("admin")
    count = await write_csv(acting.uow.members.export_rows(), out)
    await acting.audit("members-exported", {"members": count})
    return count


@dataclass
class MembersImport:
    """One import from ``file`` (its name, for the audit lines) of rows giving ``columns``:
    an existing member keeps the values of every other column (``MemberRepository
    .upsert_many``). ``start``, then ``add`` a batch at a time, then ``finish``."""

    acting: Acting
    file: str
    columns: Collection[str]
    inserted: int = 0
    updated: int = 0
    started: bool = False

    async def start(self) -> None:
        """Check the role and audit that the import starts ("members-import-started")."""
        await self.acting.require("admin")
        await self.acting.audit("members-import-started", {"file": self.file})
        self.started = True

    async def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert or update a batch of members by Telegram id: each row as
        ``bot.members_csv.parse_row`` gives it (plain values, already checked)."""
        self._check_started()
        inserted, updated = await self.acting.uow.members.upsert_many(
            rows, self.acting.now, self.columns
        )
        self.inserted += inserted
        self.updated += updated

    async def add_all(
        self, rows: Iterable[dict[str, Any]], after_batch: Callable[[], Awaitable[None]]
    ) -> None:
        """``add`` the rows ``IMPORT_BATCH`` at a time, ``after_batch`` (the caller's commit,
        its progress) after each batch."""
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == IMPORT_BATCH:
                await self.add(batch)
                await after_batch()
                batch = []
        if batch:
            await self.add(batch)
            await after_batch()

    async def finish(self, skipped: int) -> None:
        """Audit what was done ("members-imported"); ``skipped``: rows the reader refused."""
        self._check_started()
        await self.acting.audit(
            "members-imported",
            {"file": self.file, "inserted": self.inserted, "updated": self.updated,
             "skipped": skipped},
        )  # fmt: skip

    def _check_started(self) -> None:
        if not self.started:
            raise RuntimeError("a members import writes only after start() checked the role")
