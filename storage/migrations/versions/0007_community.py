"""the member network: connection requests, blocks, profile reports

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connection_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pending_pair", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["members.id"],
            name=op.f("fk_connection_requests_recipient_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["members.id"],
            name=op.f("fk_connection_requests_sender_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection_requests")),
        sa.UniqueConstraint("pending_pair", name=op.f("uq_connection_requests_pending_pair")),
    )
    with op.batch_alter_table("connection_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_connection_requests_recipient_id"), ["recipient_id"], unique=False
        )
        batch_op.create_index(
            "ix_connection_requests_sender_created", ["sender_id", "created_at"], unique=False
        )

    op.create_table(
        "member_blocks",
        sa.Column("blocker_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blocked_id"],
            ["members.id"],
            name=op.f("fk_member_blocks_blocked_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocker_id"],
            ["members.id"],
            name=op.f("fk_member_blocks_blocker_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_member_blocks")),
    )
    with op.batch_alter_table("member_blocks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_blocks_blocked_id"), ["blocked_id"], unique=False
        )

    op.create_table(
        "profile_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolved_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_profile_reports_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["members.id"],
            name=op.f("fk_profile_reports_reporter_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_reports")),
    )
    with op.batch_alter_table("profile_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_profile_reports_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_profile_reports_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("profile_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_reports_status"))
        batch_op.drop_index(batch_op.f("ix_profile_reports_member_id"))

    op.drop_table("profile_reports")
    with op.batch_alter_table("member_blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_blocks_blocked_id"))

    op.drop_table("member_blocks")
    with op.batch_alter_table("connection_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_connection_requests_sender_created")
        batch_op.drop_index(batch_op.f("ix_connection_requests_recipient_id"))

    op.drop_table("connection_requests")
