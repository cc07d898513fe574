"""Text columns as wide as the code points their fields accept

Every field limited in characters also caps its code points at twice the limit
(bot.core.text.too_long): a company's name (120 characters) and a job's title (120) may
be 240 code points of Khmer with its vowels and subscripts, its registration number (40)
80, its sector (80) 160. PostgreSQL refused what the columns could not hold, so such a
name failed the member's whole update. SQLite does not enforce a VARCHAR's length, so
only PostgreSQL is altered.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

WIDER = (  # table, column, before, after
    ("companies", "name", 200, 240),
    ("companies", "registration_no", 64, 80),
    ("companies", "sector", 100, 160),
    ("jobs", "title", 200, 240),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column, before, after in WIDER:
            op.alter_column(table, column, type_=sa.String(after), existing_type=sa.String(before))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column, before, after in WIDER:
            op.alter_column(
                table,
                column,
                type_=sa.String(before),
                existing_type=sa.String(after),
                postgresql_using=f"left({column}, {before})",
            )
