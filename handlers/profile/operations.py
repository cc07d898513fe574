"""Members' profiles written by staff or the operator rather than by the members: an import
of member rows (``dcc-bot members import``, next the web console).

It lives with the profile because what it writes is members' profiles, checked by sign-up's
own rules (``handlers.profile.rules``, applied row by row by ``bot.members_csv``).

An import may be 100,000 rows while the bot keeps writing, so it is done in batches, and
the caller commits after ``start`` and after each ``add`` (short transactions, and an
import stopped midway is on record: its start is audited before any row is written).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from handlers.acting import Acting


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
