"""Photos and documents members sent, kept as Telegram's file_id with what Telegram said
of them (kind, size, name, type): never downloaded, sent on again by that id."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment

NAME_MAX, TYPE_MAX = 255, 128  # the columns' widths: a longer name is cut, never refused


class AttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, member_id: int, place: str, file: Mapping[str, Any], now: datetime
    ) -> Attachment:
        """Keep a file a member sent with ``place`` (``question``, ``answer``…); ``file``
        holds kind, file_id, file_unique_id, size, file_name and mime_type."""
        row = Attachment(
            member_id=member_id,
            place=place,
            kind=file["kind"],
            file_id=file["file_id"],
            file_unique_id=file.get("file_unique_id") or "",
            size=file.get("size"),
            file_name=(file.get("file_name") or None) and file["file_name"][:NAME_MAX],
            mime_type=(file.get("mime_type") or None) and file["mime_type"][:TYPE_MAX],
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, attachment_id: int | None) -> Attachment | None:
        if attachment_id is None:
            return None
        return await self.session.get(Attachment, attachment_id)
