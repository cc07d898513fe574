"""Every table that holds a member's id is one /mydata and /deleteme have thought about."""

from __future__ import annotations

import inspect

import storage.community
import storage.privacy
from storage.models import Base

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
