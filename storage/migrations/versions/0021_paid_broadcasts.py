"""paid broadcasts: a broadcast an administrator marks paid is sent with Telegram's
allow_paid_broadcast (up to 1,000 messages a second, paid in Stars); its outbox rows carry
the mark so the sender paces them apart from the free ones

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("broadcasts", "outbox"):
        op.add_column(
            table, sa.Column("paid", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    for table in ("outbox", "broadcasts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("paid")
