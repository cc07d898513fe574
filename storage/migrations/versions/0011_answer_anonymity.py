"""answers.anonymous: whether the answer was given anonymously, fixed when it is given

An expert who switches anonymity off later must not reveal who wrote their earlier
anonymous answers. Existing answers take their expert's setting at the time of upgrading,
the best there is to know of it.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(
        "UPDATE answers SET anonymous = "
        "(SELECT expert_profiles.anonymous FROM expert_profiles"
        " WHERE expert_profiles.member_id = answers.expert_id)"
        " WHERE answers.expert_id IN (SELECT member_id FROM expert_profiles)"
    )


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("anonymous")
