"""indexes for reads that grew with the community: a broadcast's delivery counts by status
(the console reads them every few seconds while it sends), the weeks of the statistics
(members and questions by creation), and a follow-up's reply by the answer it completes

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_broadcast_status", "outbox", ["broadcast_id", "status"])
    op.drop_index("ix_outbox_broadcast_id", table_name="outbox")
    op.create_index("ix_members_created_at", "members", ["created_at"])
    op.create_index("ix_questions_created_at", "questions", ["created_at"])
    op.create_index(
        "ix_answers_reply_to_id",
        "answers",
        ["reply_to_id"],
        postgresql_where=sa.text("reply_to_id IS NOT NULL"),
        sqlite_where=sa.text("reply_to_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_answers_reply_to_id", table_name="answers")
    op.drop_index("ix_questions_created_at", table_name="questions")
    op.drop_index("ix_members_created_at", table_name="members")
    op.create_index("ix_outbox_broadcast_id", "outbox", ["broadcast_id"])
    op.drop_index("ix_outbox_broadcast_status", table_name="outbox")
