"""broadcasts, content, feeds, digests

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# What a member follows before choosing (storage.models.DIGEST_KINDS_ALL at this revision).
DIGEST_KINDS_ALL = "announcement,news,policy,research,opportunity,event"

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text_km", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("link_url", sa.String(length=300), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("send_at", sa.DateTime(), nullable=False),
        sa.Column("expanded", sa.Boolean(), nullable=False),
        sa.Column("expanded_to", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("progress_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("progress_message_id", sa.BigInteger(), nullable=True),
        sa.Column("progress_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_broadcasts_send_at"), ["send_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_broadcasts_status"), ["status"], unique=False)

    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(), nullable=False),
        sa.Column("last_ok_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
        sa.UniqueConstraint("url", name=op.f("uq_feeds_url")),
    )
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feeds_next_poll_at"), ["next_poll_at"], unique=False)

    op.create_table(
        "content_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title_km", sa.String(length=400), nullable=True),
        sa.Column("title_en", sa.String(length=400), nullable=True),
        sa.Column("summary_km", sa.Text(), nullable=True),
        sa.Column("summary_en", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("event_at", sa.DateTime(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("guid", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("search_tokens", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["feeds.id"],
            name=op.f("fk_content_items_feed_id_feeds"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_items")),
        sa.UniqueConstraint("feed_id", "guid", name=op.f("uq_content_items_feed_id")),
    )
    with op.batch_alter_table("content_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_items_event_at"), ["event_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_content_items_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_content_items_link"), ["link"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_content_items_published_at"), ["published_at"], unique=False
        )

    op.create_table(
        "digest_tags",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_digest_tags_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_digest_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("member_id", "tag_id", name=op.f("pk_digest_tags")),
    )
    with op.batch_alter_table("digest_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_tags_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "content_tags",
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content_items.id"],
            name=op.f("fk_content_tags_content_id_content_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_content_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("content_id", "tag_id", name=op.f("pk_content_tags")),
    )
    with op.batch_alter_table("content_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_tags_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "rsvps",
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content_items.id"],
            name=op.f("fk_rsvps_content_id_content_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_rsvps_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", "member_id", name=op.f("pk_rsvps")),
    )
    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rsvps_member_id"), ["member_id"], unique=False)

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "digest_frequency", sa.String(length=16), nullable=False, server_default="weekly"
            )
        )
        batch_op.add_column(
            sa.Column(
                "digest_kinds",
                sa.String(length=120),
                nullable=False,
                server_default=DIGEST_KINDS_ALL,
            )
        )
        batch_op.add_column(sa.Column("last_digest_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f("ix_outbox_due"))
        batch_op.create_index("ix_outbox_due", ["status", "priority", "not_before"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_broadcast_id"), ["broadcast_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_broadcast_id_broadcasts"),
            "broadcasts",
            ["broadcast_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_broadcast_id_broadcasts"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_broadcast_id"))
        batch_op.drop_index("ix_outbox_due")
        batch_op.create_index(batch_op.f("ix_outbox_due"), ["status", "not_before"], unique=False)
        batch_op.drop_column("broadcast_id")
        batch_op.drop_column("priority")

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("last_digest_at")
        batch_op.drop_column("digest_kinds")
        batch_op.drop_column("digest_frequency")

    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rsvps_member_id"))

    op.drop_table("rsvps")
    with op.batch_alter_table("content_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_tags_tag_id"))

    op.drop_table("content_tags")
    with op.batch_alter_table("digest_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_tags_tag_id"))

    op.drop_table("digest_tags")
    with op.batch_alter_table("content_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_items_published_at"))
        batch_op.drop_index(batch_op.f("ix_content_items_kind"))
        batch_op.drop_index(batch_op.f("ix_content_items_link"))
        batch_op.drop_index(batch_op.f("ix_content_items_event_at"))

    op.drop_table("content_items")
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feeds_next_poll_at"))

    op.drop_table("feeds")
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcasts_status"))
        batch_op.drop_index(batch_op.f("ix_broadcasts_send_at"))

    op.drop_table("broadcasts")
