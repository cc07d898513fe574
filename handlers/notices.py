"""Messages to members other than the one acting: written to the outbox in their language.

They are queued in the same transaction as the change they announce, so a crash never
sends a notice of something that did not happen, nor loses one that did.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.core.events import FileRef
from bot.core.html import split_caption, split_message
from bot.core.i18n import Translations, Translator
from bot.core.keyboards import InlineKeyboard, keyboard_to_json
from storage.uow import UnitOfWork

Render = Callable[[Translator], tuple[str, InlineKeyboard | None]]


def text_notice(message: str) -> Render:
    """A notice that is one translated message (a msgid marked with ``N_``), no buttons."""
    return lambda t: (t.gettext(message), None)


async def notify(
    uow: UnitOfWork,
    translations: Translations,
    telegram_id: int,
    language: str,
    render: Render,
    now: datetime,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    file: FileRef | None = None,
) -> None:
    """``file``: a photo or document sent with the notice, the text as its caption (what
    a caption cannot hold follows in messages of its own)."""
    t = translations.for_language(language)
    text, keyboard = render(t)
    # a long answer arrives whole, in parts
    parts = split_message(text, t) if file is None else split_caption(text, t)
    await uow.outbox.enqueue(
        telegram_id, parts, keyboard_to_json(keyboard), now, dedupe_key, not_before,
        file=(file.kind, file.file_id) if file is not None else None,
    )  # fmt: skip


async def notify_member(
    uow: UnitOfWork,
    translations: Translations,
    member_id: int,
    render: Render,
    now: datetime,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    file: FileRef | None = None,
) -> bool:
    """Notify a member by id; False when they erased their data or cannot be reached."""
    member = await uow.members.by_id(member_id)
    if member is None or member.telegram_id is None or member.deleted_at is not None:
        return False
    await notify(
        uow, translations, member.telegram_id, member.language, render, now, dedupe_key,
        not_before, file,
    )  # fmt: skip
    return True


async def staff_ids(uow: UnitOfWork, role: str) -> list[int]:
    """Telegram ids of the staff with ``role``; admins count as moderators too."""
    roles = ("moderator", "admin") if role == "moderator" else (role,)
    return sorted(set(await uow.staff.ids_with_role(*roles)))


async def staff_language(uow: UnitOfWork, telegram_id: int) -> str:
    member = await uow.members.get(telegram_id)
    return member.language if member else "en"


async def notify_staff(
    uow: UnitOfWork,
    translations: Translations,
    role: str,
    render: Render,
    now: datetime,
    dedupe: str,
) -> int:
    """Every admin (or moderator, admins included) in their language; how many."""
    ids = await staff_ids(uow, role)
    for telegram_id in ids:
        language = await staff_language(uow, telegram_id)
        await notify(
            uow, translations, telegram_id, language, render, now, f"{dedupe}:{telegram_id}"
        )
    return len(ids)
