"""indexes of the directory's members by province and by role, each in the directory's order
(best reputation first) and carrying the other filter: a page filtered by one of them stops
after its rows, and its count reads the index alone, where both looked up every member of
the province or role (20,000 at 100,000 members) and sorted them for the page

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

# the conditions as storage.models.IN_DIRECTORY renders them on each database (as 0025's)
POSTGRESQL = (
    "directory_visible IS true AND deleted_at IS NULL AND unreachable IS false"
    " AND telegram_id IS NOT NULL"
)
SQLITE = (
    "directory_visible IS 1 AND deleted_at IS NULL AND unreachable IS 0 AND telegram_id IS NOT NULL"
)
BY = {"province": "role", "role": "province"}  # each filter, and the other one it carries


def upgrade() -> None:
    for first, other in BY.items():
        op.create_index(
            f"ix_members_directory_{first}",
            "members",
            [first, sa.text("reputation DESC"), "id", other],
            postgresql_where=sa.text(POSTGRESQL),
            sqlite_where=sa.text(SQLITE),
        )


def downgrade() -> None:
    for first in BY:
        op.drop_index(f"ix_members_directory_{first}", table_name="members")
