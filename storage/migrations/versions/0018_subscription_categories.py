"""category_opt_outs, broadcasts.category and broadcasts.left_out: members choose which
categories of broadcasts and posts they receive; a broadcast says what it is about and
counts the members left out by their choice

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "category_opt_outs",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_category_opt_outs_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "category", name=op.f("pk_category_opt_outs")),
    )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("category", sa.String(length=16), nullable=False, server_default="official")
        )
        batch_op.add_column(sa.Column("left_out", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("left_out")
        batch_op.drop_column("category")
    op.drop_table("category_opt_outs")
