"""an index of the hidden answers, questions and items alone: every question asked counts
them (whether /search's index is still current), and without it each count read the whole
table

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

TABLES = ("questions", "answers", "content_items")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(
            f"ix_{table}_hidden",
            table,
            ["hidden"],
            postgresql_where=sa.text("hidden IS true"),
            sqlite_where=sa.text("hidden IS 1"),
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_hidden", table_name=table)
