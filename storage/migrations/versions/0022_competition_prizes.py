"""competition prizes in both languages: ``prizes`` becomes ``prizes_km`` and a new
``prizes_en`` starts as a copy of it (a competition created before wrote its prizes once, in
whichever language; both readers keep seeing that text until an administrator edits it)

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("competitions", sa.Column("prizes_en", sa.Text(), nullable=True))
    op.execute("UPDATE competitions SET prizes_en = prizes")
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.alter_column("prizes", new_column_name="prizes_km", existing_type=sa.Text())
        batch_op.alter_column("prizes_en", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.drop_column("prizes_en")
        batch_op.alter_column("prizes_km", new_column_name="prizes", existing_type=sa.Text())
