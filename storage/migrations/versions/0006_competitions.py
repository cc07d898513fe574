"""competitions with their tags, judges, entries, scores and reminders; reputation grants

Points given before this revision have no time: they stay in members.reputation but are
not counted in any month's leaderboard.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "competitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_km", sa.String(length=400), nullable=False),
        sa.Column("title_en", sa.String(length=400), nullable=False),
        sa.Column("rules_km", sa.Text(), nullable=False),
        sa.Column("rules_en", sa.Text(), nullable=False),
        sa.Column("prizes", sa.Text(), nullable=False),
        sa.Column("deadline_at", sa.DateTime(), nullable=False),
        sa.Column("entries_allowed", sa.Integer(), nullable=False),
        sa.Column("judging_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competitions")),
    )
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competitions_deadline_at"), ["deadline_at"], unique=False
        )

    op.create_table(
        "competition_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("place", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_competition_entries_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_competition_entries_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competition_entries")),
        sa.UniqueConstraint(
            "competition_id", "number", name=op.f("uq_competition_entries_competition_id")
        ),
    )
    with op.batch_alter_table("competition_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competition_entries_competition_id"), ["competition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_competition_entries_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "competition_judges",
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_competition_judges_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_competition_judges_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("competition_id", "member_id", name=op.f("pk_competition_judges")),
    )
    with op.batch_alter_table("competition_judges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competition_judges_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "competition_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("expanded_to", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_competition_reminders_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competition_reminders")),
        sa.UniqueConstraint(
            "competition_id", "kind", name=op.f("uq_competition_reminders_competition_id")
        ),
    )
    with op.batch_alter_table("competition_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competition_reminders_due_at"), ["due_at"], unique=False
        )

    op.create_table(
        "competition_tags",
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_competition_tags_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["tags.id"],
            name=op.f("fk_competition_tags_tag_id_tags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("competition_id", "tag_id", name=op.f("pk_competition_tags")),
    )
    with op.batch_alter_table("competition_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_competition_tags_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "reputation_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_reputation_grants_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reputation_grants")),
    )
    with op.batch_alter_table("reputation_grants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reputation_grants_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reputation_grants_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "competition_scores",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["competition_entries.id"],
            name=op.f("fk_competition_scores_entry_id_competition_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"],
            ["members.id"],
            name=op.f("fk_competition_scores_judge_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "judge_id", name=op.f("pk_competition_scores")),
    )
    with op.batch_alter_table("competition_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competition_scores_judge_id"), ["judge_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("competition_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competition_scores_judge_id"))

    op.drop_table("competition_scores")
    with op.batch_alter_table("reputation_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reputation_grants_member_id"))
        batch_op.drop_index(batch_op.f("ix_reputation_grants_created_at"))

    op.drop_table("reputation_grants")
    with op.batch_alter_table("competition_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competition_tags_tag_id"))

    op.drop_table("competition_tags")
    with op.batch_alter_table("competition_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competition_reminders_due_at"))

    op.drop_table("competition_reminders")
    with op.batch_alter_table("competition_judges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competition_judges_member_id"))

    op.drop_table("competition_judges")
    with op.batch_alter_table("competition_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competition_entries_member_id"))
        batch_op.drop_index(batch_op.f("ix_competition_entries_competition_id"))

    op.drop_table("competition_entries")
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competitions_deadline_at"))

    op.drop_table("competitions")
