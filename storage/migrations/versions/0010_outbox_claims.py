"""outbox.claimed_at and broadcasts.final_counts: stuck rows recovered, sent rows deleted

``outbox.claimed_at`` is when the sender claimed a row (``sending``): a row left there
longer than any call takes (its outcome could not be written) is put back by the running
sender. ``broadcasts.final_counts`` keeps a finished broadcast's delivery counts by status,
so its sent outbox rows can be deleted after the retention period and ``broadcast status``,
/admin and the statistics still count them.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("final_counts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("final_counts")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
