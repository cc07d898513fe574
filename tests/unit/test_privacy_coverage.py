"""Every table that holds a member's id is one /mydata and /deleteme have thought about."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import storage.community
import storage.privacy
from storage.models import Base
from storage.privacy import ABOUT_A_MEMBER, TO_THE_RECIPIENT_ONLY

NOT_ABOUT_A_MEMBER = {"members"}  # the member row itself: _member_fields, erase_member


def test_every_table_pointing_at_a_member_is_named_in_the_privacy_code() -> None:
    source = inspect.getsource(storage.privacy) + inspect.getsource(storage.community)
    classes = {
        mapper.class_.__tablename__: mapper.class_.__name__ for mapper in Base.registry.mappers
    }
    about_members = {
        table.name
        for table in Base.metadata.sorted_tables
        if any(fk.column.table.name == "members" for fk in table.foreign_keys)
        or any(c.name.endswith("telegram_id") or c.name == "created_by" for c in table.columns)
    } - NOT_ABOUT_A_MEMBER
    forgotten = sorted(t for t in about_members if classes[t] not in source)
    assert forgotten == [], (
        f"tables with a member's id that /mydata and /deleteme ignore: {forgotten}"
    )


def test_every_kind_of_outbox_message_is_known_to_carry_a_member_or_not() -> None:
    """A new kind of message must be placed: if it carries a member to someone else,
    erasing that member must delete it (and the erasure code names its key)."""
    project = Path(__file__).resolve().parents[2]
    queued = {
        kind
        for folder in ("handlers", "storage", "scheduler")
        for path in (project / folder).rglob("*.py")
        for kind in re.findall(r'f"([a-z][a-z0-9-]*):\{', path.read_text(encoding="utf-8"))
    }
    known = set(ABOUT_A_MEMBER) | TO_THE_RECIPIENT_ONLY
    assert sorted(queued - known) == [], "place each new kind in storage.privacy"
    assert not set(ABOUT_A_MEMBER) & TO_THE_RECIPIENT_ONLY
    erasure = inspect.getsource(storage.privacy.erase_member) + inspect.getsource(
        storage.community.network_messages
    )
    unhandled = [k for k in ABOUT_A_MEMBER if f'f"{k}:' not in erasure and f'"{k}"' not in erasure]
    assert unhandled == []
