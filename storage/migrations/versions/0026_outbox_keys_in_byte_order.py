"""the outbox's keys sort byte by byte on PostgreSQL (collation "C"), as on SQLite: the
messages under a key's prefix (an erased member's application, sent to each administrator)
are then a range of the keys' unique index. In a language's order (a postgres:15 database
is in en_US.utf8's) punctuation does not sort as its bytes: the range from "application:12:"
to "application:12;" missed the keys under it, and a LIKE read every row. The unique index
is built again (0.6 s at a million rows); SQLite's keys already sort so.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "outbox",
            "dedupe_key",
            type_=sa.String(128, collation="C"),
            existing_type=sa.String(128),
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "outbox",
            "dedupe_key",
            type_=sa.String(128),
            existing_type=sa.String(128, collation="C"),
        )
