"""Delivering broadcasts: the scheduler's job, run every few seconds.

1. A scheduled broadcast whose time has come starts sending.
2. Its audience is written to the outbox a batch of members at a time, each batch one
   transaction that also records how far it got (``expanded_to``): memory stays flat for any
   audience, and after a crash the next run goes on from the last committed batch (a batch
   written twice is skipped by the outbox's keys). The one sender sends them at the rate.
   Members who switched the broadcast's category off (/subscriptions) are passed over here,
   at queueing, and counted in the same transaction: a member's choice counts as it stands
   when the broadcast starts sending, not when each message leaves.
3. The admin's progress message is edited in place at most every PROGRESS_EVERY; when
   nothing is left to send, it shows the final counts and a report is queued for the admin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.core.html import split_caption
from bot.core.i18n import Translations
from bot.core.keyboards import keyboard_to_json
from bot.core.ports import Messenger
from handlers.broadcast.message import (
    broadcast_message,
    progress_text,
    report_text,
    stop_keyboard,
    text_for,
)
from handlers.notices import notify, staff_language
from storage.broadcasts import Audience
from storage.models import Broadcast
from storage.outbox import FOLLOWS
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

BATCH = 1000  # members a transaction
PROGRESS_EVERY = timedelta(seconds=3)
UnitOfWorkFactory = Callable[[], UnitOfWork]


async def deliver_broadcasts(
    uow_factory: UnitOfWorkFactory,
    translations: Translations,
    messenger: Messenger,
    now: Callable[[], datetime],
    batch: int = BATCH,
) -> int:
    """One run of the job: start what is due, expand, report; members queued this run."""
    async with uow_factory() as uow:
        await uow.broadcasts.start_due(now())
        await uow.commit()
        sending = [b.id for b in await uow.broadcasts.sending()]
    queued = 0
    for broadcast_id in sending:
        queued += await expand(uow_factory, translations, broadcast_id, now, batch)
        await report_progress(uow_factory, translations, messenger, broadcast_id, now())
    return queued


def rendered(translations: Translations, broadcast: Broadcast) -> dict[str, Any]:
    """The message of each language, rendered once for every recipient reading it. With a
    file, a text too long for its caption is split here, where the language is known
    (``split_caption``: the parts marked "(part 1 of 2)" in it), and kept in the one row of
    each recipient, ``FOLLOWS`` between the parts: one row a recipient keeps the counts, the
    Stop button and the report right; the sender sends the parts in order."""
    found: dict[str, Any] = {}
    for language in ("km", "en"):
        t = translations.for_language(language)
        text, keyboard = broadcast_message(t, text_for(broadcast, language), broadcast.link_url)
        if broadcast.file_id or broadcast.file_path:
            text = FOLLOWS.join(split_caption(text, t))
        found[language] = (text, keyboard_to_json(keyboard))
    return found


async def expand(
    uow_factory: UnitOfWorkFactory,
    translations: Translations,
    broadcast_id: int,
    now: Callable[[], datetime],
    batch: int = BATCH,
) -> int:
    """Write the rest of the audience to the outbox; how many members were queued."""
    queued = 0
    messages: dict[str, Any] | None = None
    while True:
        async with uow_factory() as uow:
            if not await uow.broadcasts.claim_batch(broadcast_id):
                return queued
            broadcast = await uow.broadcasts.get(broadcast_id)
            if broadcast is None:
                return queued
            messages = messages or rendered(translations, broadcast)
            audience = Audience.from_json(broadcast.audience)
            members = await uow.broadcasts.recipients(
                audience, broadcast.expanded_to, batch, broadcast.category
            )
            recipients = [(m, chat, language) for m, chat, language, wants in members if wants]
            await uow.broadcasts.queue(broadcast, recipients, messages, now())
            if members:  # in the batch's transaction: a batch redone counts nobody twice
                broadcast.expanded_to = members[-1][0]
                broadcast.left_out += len(members) - len(recipients)
            if len(members) < batch:
                broadcast.expanded = True
                broadcast.total = await uow.broadcasts.queued(broadcast.id)
            await uow.commit()
        queued += len(recipients)
        if len(members) < batch:
            return queued


async def report_progress(
    uow_factory: UnitOfWorkFactory,
    translations: Translations,
    messenger: Messenger,
    broadcast_id: int,
    now: datetime,
) -> None:
    """Edit the admin's progress message (made on the first run); finish a broadcast that
    has nothing left to send, with a final report to its admin."""
    async with uow_factory() as uow:
        broadcast = await uow.broadcasts.get(broadcast_id)
        if broadcast is None or broadcast.status != "sending":
            return
        finished = broadcast.expanded and await uow.broadcasts.unfinished(broadcast.id) == 0
        if finished and not await uow.broadcasts.finish(broadcast, now):
            return  # stopped meanwhile: the administrator's Stop sends the final report
        delivery = await uow.broadcasts.delivery(broadcast)
        chat = broadcast.progress_chat_id
        due = broadcast.progress_at is None or now - broadcast.progress_at >= PROGRESS_EVERY
        if chat is not None and (due or finished):
            t = translations.for_language(await staff_language(uow, chat))
            if finished:
                text, keyboard = report_text(t, broadcast, delivery), None
            else:
                text, keyboard = (
                    progress_text(t, broadcast, delivery, now),
                    stop_keyboard(t, broadcast),
                )
            broadcast.progress_message_id = await show(
                messenger, chat, broadcast.progress_message_id, text, keyboard
            )
            broadcast.progress_at = now
            if finished:
                await queue_report(uow, translations, broadcast, now)
        await uow.commit()


async def show(
    messenger: Messenger, chat_id: int, message_id: int | None, text: str, keyboard: Any
) -> int | None:
    """Send the progress message, or edit it in place; a failure is logged, never raised
    (the next run tries again), and the message id is kept."""
    try:
        if message_id is None:
            return await messenger.send_message(chat_id, text, keyboard)
        await messenger.edit_message(chat_id, message_id, text, keyboard)
    except Exception:
        log.exception("the progress message to %s could not be shown", chat_id)
    return message_id


async def queue_report(
    uow: UnitOfWork, translations: Translations, broadcast: Broadcast, now: datetime
) -> None:
    """The final report to the admin, once (its key), through the outbox."""
    if broadcast.created_by is None:
        return
    delivery = await uow.broadcasts.delivery(broadcast)
    await notify(
        uow, translations, broadcast.created_by, await staff_language(uow, broadcast.created_by),
        lambda t: (report_text(t, broadcast, delivery), None), now,
        dedupe_key=f"broadcast-report:{broadcast.id}",
    )  # fmt: skip
