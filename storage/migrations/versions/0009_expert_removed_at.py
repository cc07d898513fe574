"""expert_profiles.removed_at: expert status taken away, the profile kept

Kept for what outlives the status: the anonymity of the answers the expert gave, and the
counters routing ranks by, should the member be approved again.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("expert_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("expert_profiles", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
