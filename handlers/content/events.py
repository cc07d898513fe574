"""Event reminders: the day before an event, everyone who said they will attend hears of it,
unless they switched events off in /subscriptions.

The scheduler's job looks for events starting within REMIND_AHEAD and queues a reminder for
each attendee; each reminder has a key (event, member), so a rerun or a restart reminds
nobody twice, and a member who says they will attend after the day-before mark is reminded
on the job's next run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from bot.core.i18n import N_, Translations, Translator
from bot.core.keyboards import InlineKeyboard
from handlers.content.cards import item_keyboard, title_of
from handlers.notices import notify
from storage.models import ContentItem
from storage.uow import UnitOfWork

REMIND_AHEAD = timedelta(hours=24)


def reminder_message(
    t: Translator, item: ContentItem, tz: ZoneInfo
) -> tuple[str, InlineKeyboard | None]:
    assert item.event_at is not None
    text = "⏰ " + t.gettext(N_("Reminder: {title} starts on {moment}.")).format(
        title=f"<b>{title_of(t, item)}</b>", moment=t.moment(item.event_at.astimezone(tz))
    )
    return text, item_keyboard(t, item, None)


async def remind_attendees(
    uow_factory: Callable[[], UnitOfWork], translations: Translations, now: datetime, tz: ZoneInfo
) -> int:
    """Queue the reminders that are due; how many."""
    queued = 0
    async with uow_factory() as uow:
        for event in await uow.content.due_reminders(now, REMIND_AHEAD):
            for member_id, telegram_id, language in await uow.content.attendees(event.id):
                key = f"event-reminder:{event.id}:{member_id}"
                if await uow.outbox.queued(key):
                    continue
                await notify(
                    uow, translations, telegram_id, language,
                    partial(reminder_message, item=event, tz=tz), now, dedupe_key=key,
                )  # fmt: skip
                queued += 1
        await uow.commit()
    return queued
