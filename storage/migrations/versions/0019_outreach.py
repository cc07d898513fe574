"""Outreach links and event check-ins: ``outreach_links`` (the registered sources of
sign-ups), ``members.source`` (the one a member signed up by) and ``event_attendance``
(members checked in at an event by its QR code, once each).

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outreach_links",
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_outreach_links")),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_members_source"), ["source"], unique=False)
    op.create_table(
        "event_attendance",
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"], ["content_items.id"],
            name=op.f("fk_event_attendance_content_id_content_items"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"],
            name=op.f("fk_event_attendance_member_id_members"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", "member_id", name=op.f("pk_event_attendance")),
    )  # fmt: skip
    with op.batch_alter_table("event_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_attendance_member_id"), ["member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_attendance_member_id"))
    op.drop_table("event_attendance")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_source"))
        batch_op.drop_column("source")
    op.drop_table("outreach_links")
