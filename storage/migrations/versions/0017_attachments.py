"""attachments: photos and documents members send, kept by Telegram's file_id; questions
and answers may carry one; outbox rows may send one (by file_id), protected and pinned

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey("members.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("place", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_id", sa.String(256), nullable=False),
        sa.Column("file_unique_id", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(255), nullable=True),
        sa.Column("mime_type", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_attachments_member_id", "attachments", ["member_id"])
    # Plain columns, as questions.accepted_answer_id: /deleteme clears them itself before
    # deleting the files (a foreign key would make SQLite rebuild these tables, and a
    # rebuild drops their answers and offers with them, ON DELETE CASCADE).
    for table in ("questions", "answers"):
        op.add_column(table, sa.Column("attachment_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_kind", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("file_id", sa.String(256), nullable=True))
        batch_op.add_column(
            sa.Column("protect", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("pin", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("pin")
        batch_op.drop_column("protect")
        batch_op.drop_column("file_id")
        batch_op.drop_column("file_kind")
    for table in ("answers", "questions"):
        op.drop_column(table, "attachment_id")
    op.drop_index("ix_attachments_member_id", table_name="attachments")
    op.drop_table("attachments")
