"""Finished outbox rows are deleted after the retention period (DCC_OUTBOX_RETENTION_DAYS).

An outbox row holds a member's chat id and a copy of what was sent to them: once it is
sent (or failed for good) nothing needs it beyond a while for looking into a problem, so
the daily job deletes those older than the period, a batch a transaction so the sender is
never kept waiting. What the rows were still needed for is kept another way first:

- a finished broadcast's delivery counts are kept on the broadcast (``final_counts``; one
  that finishes sending keeps them at once, a stopped one here, a day after the stop), so
  ``broadcast status``,
  /admin → Broadcasts and the statistics count as before; the rows of a broadcast still
  going out are not touched;
- the leaderboard's thank-you rows are the record that a month's top contributors were
  thanked (a restart weeks later must not thank them again), read until the next month's
  thank-you is due: they are kept at least ``THANKS_KEPT``, whatever the period.

Rows that are still to be sent, or in flight, are never deleted. The minimum period (two
days) outlives the other outbox keys that are read back: an event's reminder key is only
looked at during the day before the event.

The same daily job deletes the web console's ended sessions and expired sign-in links, and
clears what an erased member's row keeps for a day, the keyed hash of
their Telegram id (handlers.profile.cooldown), once the erasure is more than 24 hours old:
the job runs daily, so a hash is kept at most two days.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from handlers.profile.cooldown import COOLDOWN
from storage.uow import UnitOfWork
from storage.web_console import WebConsoleRepository

log = logging.getLogger(__name__)

BATCH = 5000  # rows deleted a transaction
THANKS_KEPT = timedelta(days=62)  # two months: past the next month's thank-you in any case
# A stopped broadcast's counts are kept a day after the stop: what its calls in flight got
# from Telegram has been written by then (a claim left "sending" is taken back in minutes).
STOPPED_SETTLED = timedelta(days=1)


async def forget_finished_messages(
    unit_of_work: Callable[[], UnitOfWork], now: datetime, retention: timedelta
) -> int:
    """Delete the finished outbox rows older than ``retention``; how many."""
    before = now - retention
    async with unit_of_work() as uow:
        await uow.broadcasts.keep_final_counts(now - STOPPED_SETTLED)
        await uow.commit()
    await forget_erased_keys(unit_of_work, now)
    async with unit_of_work() as uow:
        await WebConsoleRepository(uow.session).forget_ended(now)
        await uow.commit()
    deleted = 0
    while True:
        async with unit_of_work() as uow:
            count = await uow.outbox.forget_finished(before, now - THANKS_KEPT, BATCH)
            await uow.commit()
        deleted += count
        if count < BATCH:
            break
    if deleted:
        log.info("deleted %s outbox message(s) finished before %s", deleted, before)
    return deleted


async def forget_erased_keys(unit_of_work: Callable[[], UnitOfWork], now: datetime) -> int:
    """Clear the Telegram-id hashes of the members erased more than a day ago; how many."""
    async with unit_of_work() as uow:
        cleared = await uow.members.forget_erased_keys(now - COOLDOWN)
        await uow.commit()
    if cleared:
        log.info("forgot the Telegram-id hashes of %s erased member(s)", cleared)
    return cleared
