"""files elsewhere: a job application may carry a CV and a competition entry a file (kept in
attachments); a broadcast and a published item may carry a poster photo or a PDF, and a
broadcast may be sent protected and pinned

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain columns, as questions.attachment_id: /deleteme clears them itself (a foreign
    # key would make SQLite rebuild these tables).
    for table in ("job_applications", "competition_entries"):
        op.add_column(table, sa.Column("attachment_id", sa.Integer(), nullable=True))
    for table in ("broadcasts", "content_items"):
        op.add_column(table, sa.Column("file_kind", sa.String(16), nullable=True))
        op.add_column(table, sa.Column("file_id", sa.String(256), nullable=True))
    # A local file the CLI named: uploaded on the first send, its file_id kept after
    op.add_column("broadcasts", sa.Column("file_path", sa.String(500), nullable=True))
    for column in ("protect", "pin"):
        op.add_column(
            "broadcasts",
            sa.Column(column, sa.Boolean(), nullable=False, server_default=sa.false()),
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        for column in ("pin", "protect", "file_path", "file_id", "file_kind"):
            batch_op.drop_column(column)
    with op.batch_alter_table("content_items", schema=None) as batch_op:
        batch_op.drop_column("file_id")
        batch_op.drop_column("file_kind")
    for table in ("competition_entries", "job_applications"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("attachment_id")
