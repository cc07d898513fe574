"""members.erased_key: a keyed hash of an erased member's Telegram id, for a day

Someone who erases their data (/deleteme) may sign up again only 24 hours after the
erasure, or erasing and signing up again would reset every abuse limit (they count by the
member row) and send the administrators another application each time. The row keeps an
HMAC of the Telegram id (never the id) until the daily retention job clears it.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_key", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_members_erased_key"), ["erased_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_erased_key"))
        batch_op.drop_column("erased_key")
