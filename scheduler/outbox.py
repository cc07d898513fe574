"""The one sender of proactive messages: drains the outbox within Telegram's limits.

- a global rate (DCC_SEND_RATE messages a second): sends *start* 1/rate seconds apart and
  overlap while Telegram answers, so the rate holds however slow the network is;
- at most one message a second to a chat (a chat sent to less than a second ago waits for
  the next round, so other chats go first);
- notices (priority 0: offers, answers, decisions) go before bulk messages (broadcasts and
  digests, priority 1), so a large broadcast never keeps an expert waiting for a question;
- flood control (``RetryLater``) pauses the whole sender for the time Telegram asks, puts
  the round's unsent rows back untouched, and lowers the rate for a while (the limit may be
  under DCC_SEND_RATE);
- ``Unreachable`` (blocked, chat gone, user deactivated) marks the member unreachable, the
  row too; later audiences leave them out;
- ``Rejected`` (Telegram refused the message itself) fails the row at once;
- anything else (network, 5xx) is retried with exponential backoff, up to MAX_ATTEMPTS.

Each round's rows are committed as ``sending`` before any call and each as ``sent`` after
its call, so a crash re-sends at most the rows of the round in progress: one second's worth
(DCC_SEND_RATE messages) is the bound on duplicates after a SIGKILL; nothing is lost.

When the sender's own bookkeeping fails (the database locked or gone for a moment) the
running sender mends it, without waiting for a restart: an outcome it could not write is
kept in memory and written at the start of each round until it is; and a row left
``sending`` longer than ``STUCK_AFTER`` (far longer than any call) is put back to pending
and sent again (``recover_stuck``, looked for every ``RECOVER_EVERY`` by the bot's clock).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.events import FileRef
from bot.core.keyboards import Keyboard, keyboard_from_json
from bot.core.ports import Clock, Messenger, Rejected, RetryLater, Unreachable
from storage.models import OutboxMessage
from storage.outbox import FAILED, FOLLOWS, SENT, UNREACHABLE
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_BACKOFF = timedelta(seconds=5)
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to one chat
MAX_IN_FLIGHT = 64  # calls waiting for Telegram at once, whatever the rate
IDLE_WAIT = 0.5  # seconds before looking at an empty (or paused) outbox again
# Telegram's real limit is not published exactly and varies: after flood control the rate
# drops to 80%, and each round without it adds half a message a second, up to DCC_SEND_RATE.
FLOOD_SLOWDOWN = 0.8
RATE_STEP = 0.5
STUCK_AFTER = timedelta(minutes=5)  # a row ``sending`` this long lost its outcome
RECOVER_EVERY = timedelta(minutes=1)


class _PartlySent(Exception):
    """The file of a row went out, a message following it did not: ``rest`` is what is left
    to send; ``cause`` the failure, handled as any call's."""

    def __init__(self, rest: str, cause: Exception) -> None:
        super().__init__(str(cause))
        self.rest, self.cause = rest, cause


@dataclass(frozen=True, slots=True)
class _Extras:
    """What a row carries besides its text: a file to send by file_id, protection, a pin."""

    file: FileRef | None = None
    protect: bool = False
    pin: bool = False
    poster: tuple[int, str] | None = None  # a broadcast's local file: (broadcast, kind)

    @classmethod
    def of(cls, row: OutboxMessage) -> _Extras:
        file = FileRef(row.file_kind, row.file_id) if row.file_kind and row.file_id else None
        poster = (
            (row.broadcast_id, row.file_kind)
            if row.file_kind and not row.file_id and row.broadcast_id is not None
            else None
        )
        return cls(file, bool(row.protect), bool(row.pin), poster)


class OutboxSender:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        messenger: Messenger,
        clock: Clock,
        rate: float,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.messenger = messenger
        self.clock = clock
        self.rate = rate  # what Telegram is asked for now: lowered after flood control
        self.configured_rate = rate
        self.per_chat_interval = per_chat_interval
        self.monotonic = monotonic
        self.sleep = sleep
        self.paused_until = 0.0
        self.flood_waits = 0  # how often Telegram asked us to slow down (benchmarks read it)
        self._last_to_chat: dict[int, float] = {}
        self._next_slot = 0.0
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        # outcomes a call had that could not be written yet: row id → (status, error, chat)
        self._unwritten: dict[int, tuple[str, str | None, int | None]] = {}
        self._next_recovery: datetime | None = None
        self._poster_ids: dict[int, str] = {}  # broadcast → the file_id its upload was given
        self._uploading: dict[int, asyncio.Lock] = {}

    async def resume_after_crash(self) -> None:
        async with self.unit_of_work() as uow:
            count = await uow.outbox.resume_in_flight()
            await uow.commit()
        if count:
            log.warning("%s message(s) were in flight at the last stop: sending them again", count)

    async def run(self) -> None:
        """Drain for as long as the bot runs: each round starts when the last one ends, so
        the rate holds; with nothing due (or while paused) it looks again in a moment."""
        while True:
            if self.paused():  # flood control: start again the moment the pause ends
                await self.sleep(self.paused_until - self.monotonic())
                continue
            try:
                sent = await self.drain()
            except Exception:
                log.exception("the outbox round failed; the next one starts in a moment")
                sent = 0
            if sent == 0 and not self.paused():
                await self.sleep(IDLE_WAIT)

    def paused(self) -> bool:
        return self.monotonic() < self.paused_until

    async def drain(self, limit: int | None = None) -> int:
        """Send what is due now, one round of at most ``limit`` (default: one second's
        worth); how many were sent."""
        if self.paused():
            return 0
        await self._mend()
        async with self.unit_of_work() as uow:
            rows = await uow.outbox.claim_due(self.clock.now(), limit or max(int(self.rate), 1))
            claimed = [(r.id, r.chat_id, r.text, r.keyboard, _Extras.of(r)) for r in rows]
            await uow.commit()
        calls: list[asyncio.Task[bool]] = []
        floods = self.flood_waits
        for index, (row_id, chat_id, text, keyboard, extras) in enumerate(claimed):
            if self._too_soon(chat_id):
                later = self.clock.now() + timedelta(seconds=self.per_chat_interval)
                await self._put_back([row_id], later)
                continue
            await self._wait_for_slot()
            if self.paused():  # a call of this round met flood control
                await self._put_back([row[0] for row in claimed[index:]])
                break
            self._last_to_chat[chat_id] = self.monotonic()
            await self._in_flight.acquire()
            calls.append(asyncio.create_task(self._send(row_id, chat_id, text, keyboard, extras)))
            await asyncio.sleep(0)  # let the call start now, at its slot
        sent = sum(await asyncio.gather(*calls))
        if self.flood_waits == floods and sent:  # a round without flood control: speed up
            self.rate = min(self.configured_rate, self.rate + RATE_STEP)
        return sent

    async def _send(
        self, row_id: int, chat_id: int, text: str, keyboard: Any, extras: _Extras
    ) -> bool:
        try:
            try:
                await self._call(chat_id, text, keyboard_from_json(keyboard), extras)
            except _PartlySent as partly:
                await self._keep_the_rest(row_id, partly.rest)
                raise partly.cause from None
        except RetryLater as flood:
            self.paused_until = max(self.paused_until, self.monotonic() + flood.seconds)
            self.flood_waits += 1
            self.rate = max(1.0, self.rate * FLOOD_SLOWDOWN)
            log.warning("flood control: the sender pauses %s s", flood.seconds)
            await self._put_back([row_id])
        except Unreachable as error:
            await self._finish(row_id, UNREACHABLE, str(error), chat_id)
        except Rejected as error:
            log.error("outbox message %s refused by Telegram: %s", row_id, error)
            await self._finish(row_id, FAILED, str(error))
        except Exception as error:  # network trouble, 5xx: try again later
            await self._retry(row_id, error)
        else:
            await self._finish(row_id, SENT)
            return True
        finally:
            self._in_flight.release()
        return False

    async def _call(
        self, chat_id: int, text: str, keyboard: Keyboard | None, extras: _Extras
    ) -> None:
        """The row's call: a text, or a photo or document by its file_id with the text as
        its caption. A text too long for a caption was split when queued (``FOLLOWS`` between
        the parts): the first part goes as the caption, the rest follow as messages, the
        keyboard under the last and each protected like the file; once the first message is
        out a failure keeps only what is left (``_PartlySent``), so nothing goes twice. The
        first message is pinned, if asked (a pin refused is logged: the message is sent)."""
        first, *following = text.split(FOLLOWS)
        last_keyboard = None if following else keyboard
        if extras.file is None and extras.poster is None:
            message_id = await self.messenger.send_message(
                chat_id, first, last_keyboard, extras.protect
            )
        else:
            message_id = await self._send_file(chat_id, extras, first or None, last_keyboard)
        if extras.pin:
            try:
                await self.messenger.pin_message(chat_id, message_id)
            except Exception as error:  # the message went out: not sent again for a pin
                log.warning("could not pin message %s in chat %s: %s", message_id, chat_id, error)
        for number, part in enumerate(following, 1):
            last = number == len(following)
            try:
                await self.messenger.send_message(
                    chat_id, part, keyboard if last else None, extras.protect
                )
            except Exception as error:
                raise _PartlySent(FOLLOWS.join(following[number - 1 :]), error) from None

    async def _send_file(
        self, chat_id: int, extras: _Extras, caption: str | None, keyboard: Keyboard | None
    ) -> int:
        """The row's file by its file_id; a broadcast's local file is uploaded by the first
        message that sends it (one upload at a time in this sender, the others waiting), its
        file_id kept on the broadcast (``keep_file_id``) and used by every later message."""
        if extras.poster is None:
            assert extras.file is not None
            return await self.messenger.send_file(
                chat_id, extras.file, caption, keyboard, extras.protect
            )
        broadcast_id, kind = extras.poster
        async with self._uploading.setdefault(broadcast_id, asyncio.Lock()):
            file_id = self._poster_ids.get(broadcast_id)
            path = None
            if file_id is None:
                async with self.unit_of_work() as uow:
                    file_id, path = await uow.broadcasts.poster(broadcast_id)
            if file_id is not None:
                self._poster_ids[broadcast_id] = file_id
            elif path is None:
                raise Rejected(f"broadcast {broadcast_id} has no file to send")
            else:
                try:
                    content = await asyncio.to_thread(Path(path).read_bytes)
                except OSError as error:
                    raise Rejected(f"the poster {path} cannot be read: {error}") from None
                message_id, file_id = await self.messenger.upload_file(
                    chat_id, kind, content, Path(path).name, caption, keyboard, extras.protect
                )
                self._poster_ids[broadcast_id] = file_id
                try:
                    async with self.unit_of_work() as uow:
                        await uow.broadcasts.keep_file_id(broadcast_id, file_id)
                        await uow.commit()
                except Exception:  # this sender sends by the id it holds; another uploads again
                    log.exception("could not keep the file_id of broadcast %s", broadcast_id)
                return message_id
        file = FileRef(kind, file_id)
        return await self.messenger.send_file(chat_id, file, caption, keyboard, extras.protect)

    async def _keep_the_rest(self, row_id: int, rest: str) -> None:
        try:
            async with self.unit_of_work() as uow:
                await uow.outbox.keep_the_rest(row_id, rest)
                await uow.commit()
        except Exception:  # the row stays whole: a retry sends the file again
            log.exception("could not keep what is left of outbox message %s", row_id)

    async def _mend(self) -> None:
        """Write the outcomes kept in memory, then (every RECOVER_EVERY) put back the rows
        stuck in ``sending``. A failure here fails the round; the next one tries again."""
        for row_id, (status, error, chat_id) in list(self._unwritten.items()):
            await self._write_outcome(row_id, status, error, chat_id)
            del self._unwritten[row_id]
        now = self.clock.now()
        if self._next_recovery is not None and now < self._next_recovery:
            return
        async with self.unit_of_work() as uow:
            count = await uow.outbox.recover_stuck(now - STUCK_AFTER)
            await uow.commit()
        self._next_recovery = now + RECOVER_EVERY
        if count:
            log.warning("%s message(s) were left sending: sending them again", count)

    def _too_soon(self, chat_id: int) -> bool:
        last = self._last_to_chat.get(chat_id)
        return last is not None and self.monotonic() - last < self.per_chat_interval

    async def _wait_for_slot(self) -> None:
        """The global rate: one call starts every 1/rate seconds."""
        now = self.monotonic()
        if self._next_slot > now:
            await self.sleep(self._next_slot - now)
        self._next_slot = max(now, self._next_slot) + 1.0 / self.rate

    async def _put_back(self, ids: list[int], not_before: datetime | None = None) -> None:
        try:
            async with self.unit_of_work() as uow:
                await uow.outbox.release(ids, not_before)
                await uow.commit()
        except Exception:  # left ``sending``: recover_stuck puts them back later
            log.exception("could not put %s outbox message(s) back", len(ids))

    async def _finish(
        self, row_id: int, status: str, error: str | None = None, chat_id: int | None = None
    ) -> None:
        try:
            await self._write_outcome(row_id, status, error, chat_id)
        except Exception:  # written again at the start of the next rounds
            log.exception("could not record outbox message %s as %s; trying again", row_id, status)
            self._unwritten[row_id] = (status, error, chat_id)

    async def _write_outcome(
        self, row_id: int, status: str, error: str | None, chat_id: int | None
    ) -> None:
        async with self.unit_of_work() as uow:
            await uow.outbox.finish(row_id, status, self.clock.now(), error)
            if chat_id is not None and status == UNREACHABLE:
                await uow.outbox.mark_unreachable(chat_id)
            await uow.commit()

    async def _retry(self, row_id: int, error: Exception) -> None:
        try:
            await self._schedule_retry(row_id, error)
        except Exception:  # left ``sending``: recover_stuck puts it back later
            log.exception("could not schedule outbox message %s again", row_id)

    async def _schedule_retry(self, row_id: int, error: Exception) -> None:
        async with self.unit_of_work() as uow:
            attempts = await uow.outbox.attempts(row_id) + 1
            if attempts >= MAX_ATTEMPTS:
                await uow.outbox.finish(row_id, FAILED, self.clock.now(), repr(error))
                log.error("outbox message %s failed %s times: %r", row_id, attempts, error)
            else:
                when = self.clock.now() + FIRST_BACKOFF * 2 ** (attempts - 1)
                await uow.outbox.retry_later(row_id, when, repr(error))
            await uow.commit()
