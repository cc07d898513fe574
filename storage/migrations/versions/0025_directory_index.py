"""an index of the members the directory shows, in its order (best reputation first): a page
stops after its rows and the count reads the index alone, where each page press read and
sorted every member

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the conditions as storage.models.IN_DIRECTORY renders them on each database
    op.create_index(
        "ix_members_directory",
        "members",
        [sa.text("reputation DESC"), "id"],
        postgresql_where=sa.text(
            "directory_visible IS true AND deleted_at IS NULL AND unreachable IS false"
            " AND telegram_id IS NOT NULL"
        ),
        sqlite_where=sa.text(
            "directory_visible IS 1 AND deleted_at IS NULL AND unreachable IS 0"
            " AND telegram_id IS NOT NULL"
        ),
    )


def downgrade() -> None:
    op.drop_index("ix_members_directory", table_name="members")
