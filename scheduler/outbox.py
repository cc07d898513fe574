"""The one sender of proactive messages: drains the outbox within Telegram's limits.

- two paces, each its own lane: free messages at DCC_SEND_RATE a second, a paid broadcast's
  (``allow_paid_broadcast``) at DCC_PAID_SEND_RATE; in each, a call starts when the last
  N starts leave room in a rolling second (``scheduler.pacing.RollingWindow``: Telegram's
  own rule, kept on our side), and calls overlap while Telegram answers, so the rate holds
  however slow the network is;
- at most one message a second to a chat: a chat sent to less than a second ago waits for
  a later round, so other chats go first; the parts of one row (a poster, then the rest of
  a long text) go a second apart;
- notices (priority 0: offers, answers, decisions) go before bulk messages (broadcasts and
  digests, priority 1) in the free lane, and a paid broadcast, in its own lane, never
  holds them up;
- flood control (``RetryLater``) pauses the lane for the time Telegram asks, puts its
  unsent rows back untouched, and lowers its rate (``scheduler.pacing.AdaptiveRate``: the
  limit may be under the configured rate);
- ``Unreachable`` (blocked, chat gone, user deactivated) marks the member unreachable, the
  row too; later audiences leave them out;
- ``Rejected`` (Telegram refused the message itself) fails the row at once;
- anything else (network, 5xx) is retried with exponential backoff, up to MAX_ATTEMPTS.

Each round's rows are claimed (one guarded UPDATE … RETURNING) and committed as ``sending``
before any call; outcomes are written as calls end, all those that ended while the last
write ran in one transaction (a group commit: one UPDATE a status), so at 1,000 messages a
second the database does a few writes a second, not a thousand. A SIGKILL re-sends only
the rows whose call had started and whose outcome was not written yet: the calls in flight
and those of the write under way; nothing is lost.

When the sender's own bookkeeping fails (the database locked or gone for a moment) the
running sender mends it, without waiting for a restart: an outcome it could not write is
kept in memory and written at the start of each round until it is; and a row left
``sending`` longer than ``STUCK_AFTER`` (far longer than any call) is put back to pending
and sent again (``recover_stuck``, looked for every ``RECOVER_EVERY`` by the bot's clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import DEFAULT_PAID_SEND_RATE
from bot.core.events import FileRef
from bot.core.keyboards import Keyboard, keyboard_from_json
from bot.core.ports import Clock, Messenger, Rejected, RetryLater, Unreachable
from scheduler.pacing import AdaptiveRate, Call, RollingWindow
from storage.models import OutboxMessage
from storage.outbox import FAILED, FOLLOWS, SENT, UNREACHABLE
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_BACKOFF = timedelta(seconds=5)
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to one chat
# Calls waiting for Telegram at once: twice the rate times Telegram's answer time, within
# these bounds: few where Telegram answers fast, up to 200 (the HTTP clients' pools:
# python-telegram-bot's holds 256) where a round trip takes 0.1 s at 1,000 a second. The
# answer time is the fastest of the last ANSWERS calls: the average grows with our own
# queue (more calls at once, each waiting longer in the HTTP client), which then asked
# for more calls at once, up to 200; and more than needed costs: httpcore's pool looks at
# every connection for every request, so 200 to a local server made a call 5 times as dear.
IN_FLIGHT = (4, 200)
FIRST_ANSWER_TIME = 0.01  # seconds, until calls are measured
ANSWERS = 256
LOOK_EVERY = 32  # answers
MAX_CLAIM = 1000  # rows a claim: a round of the paid lane at 1,000 a second
IDLE_WAIT = 0.5  # seconds before looking at an empty (or paused) outbox again
ANSWER_WAIT = 0.05  # seconds between looks at a window waiting for an answer
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
    """What a row carries besides its text: a file to send by file_id, protection, a pin,
    and whether it is a paid broadcast's (sent with ``allow_paid_broadcast``)."""

    file: FileRef | None = None
    protect: bool = False
    pin: bool = False
    poster: tuple[int, str] | None = None  # a broadcast's local file: (broadcast, kind)
    paid: bool = False

    @classmethod
    def of(cls, row: OutboxMessage) -> _Extras:
        file = FileRef(row.file_kind, row.file_id) if row.file_kind and row.file_id else None
        poster = (
            (row.broadcast_id, row.file_kind)
            if row.file_kind and not row.file_id and row.broadcast_id is not None
            else None
        )
        return cls(file, bool(row.protect), bool(row.pin), poster, bool(row.paid))


@dataclass(frozen=True, slots=True)
class _Claimed:
    """A claimed row, read out of its session."""

    id: int
    chat_id: int
    text: str
    keyboard: Any
    extras: _Extras

    @classmethod
    def of(cls, row: OutboxMessage) -> _Claimed:
        return cls(row.id, row.chat_id, row.text, row.keyboard, _Extras.of(row))


class _Lane:
    """One pace of the sender: free messages (DCC_SEND_RATE), or paid ones
    (DCC_PAID_SEND_RATE), each with its rolling window, its adaptive rate, its calls in
    flight and its flood-control pause (Telegram counts the two apart)."""

    def __init__(self, paid: bool, rate: float) -> None:
        self.paid = paid
        self.pace = AdaptiveRate(rate)
        self.window = RollingWindow(math.ceil(rate))
        self.in_flight = 0  # calls waiting for their answer
        self.answers: deque[float] = deque(maxlen=ANSWERS)  # the last calls' answer times
        self.answer_time = FIRST_ANSWER_TIME  # the fastest of them, looked at now and then
        self.unlooked = 0  # answers since
        self.turn = asyncio.Lock()  # one start decided at a time
        self.answer = asyncio.Event()  # a call of the lane was answered
        self.paused_until = 0.0
        self.floods = 0  # how often Telegram asked this lane to slow down

    def most_in_flight(self) -> int:
        """Enough calls at once for the rate at Telegram's answer time (Little's law)."""
        low, high = IN_FLIGHT
        return min(high, max(low, math.ceil(2 * self.pace.rate * self.answer_time)))

    def answered(self, seconds: float) -> None:
        self.answers.append(seconds)
        self.unlooked += 1
        if self.unlooked >= LOOK_EVERY or len(self.answers) == 1:
            self.answer_time, self.unlooked = min(self.answers), 0

    def claim_size(self) -> int:
        """A round: one second's worth at the rate allowed now."""
        return min(MAX_CLAIM, self.pace.allowed)


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
        paid_rate: float = DEFAULT_PAID_SEND_RATE,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.messenger = messenger
        self.clock = clock
        self.per_chat_interval = per_chat_interval
        self.monotonic = monotonic
        self.sleep = sleep
        self.free = _Lane(False, rate)
        self.paid = _Lane(True, paid_rate)
        # chat → when its last call ended (inf while one is in flight), oldest first
        self._last_to_chat: dict[int, float] = {}
        # outcomes of calls not written yet: row id → (status, error, chat)
        self._outcomes: dict[int, tuple[str, str | None, int | None]] = {}
        self._writing: asyncio.Task[None] | None = None
        self._next_recovery: datetime | None = None
        self._poster_ids: dict[int, str] = {}  # broadcast → the file_id its upload was given
        self._uploading: dict[int, asyncio.Lock] = {}

    @property
    def rate(self) -> float:
        """The free lane's rate now: DCC_SEND_RATE, or under it after flood control."""
        return self.free.pace.rate

    @property
    def flood_waits(self) -> int:
        """How often Telegram asked us to slow down (benchmarks and tests read it)."""
        return self.free.floods + self.paid.floods

    def paused(self) -> bool:
        return self._paused(self.free)

    def _paused(self, lane: _Lane) -> bool:
        return self.monotonic() < lane.paused_until

    async def resume_after_crash(self) -> None:
        async with self.unit_of_work() as uow:
            count = await uow.outbox.resume_in_flight()
            await uow.commit()
        if count:
            log.warning("%s message(s) were in flight at the last stop: sending them again", count)

    async def run(self) -> None:
        """Drain for as long as the bot runs, each lane on its own."""
        await asyncio.gather(self._run(self.free), self._run(self.paid))

    async def _run(self, lane: _Lane) -> None:
        """Round after round: each starts when the last one ends (the window lets a
        round make up the moments between two); with nothing due (or while paused) it
        looks again in a moment."""
        while True:
            if self._paused(lane):  # flood control: start again the moment the pause ends
                await self.sleep(lane.paused_until - self.monotonic())
                continue
            try:
                sent = await self._round(lane)
            except Exception:
                log.exception("the outbox round failed; the next one starts in a moment")
                sent = 0
            if sent == 0 and not self._paused(lane):
                await self.sleep(IDLE_WAIT)

    async def drain(self, limit: int | None = None) -> int:
        """Send what is due now: one round of each lane at once, at most ``limit`` rows
        each (default: one second's worth); how many were sent."""
        await self._mend()
        lanes = [lane for lane in (self.free, self.paid) if not self._paused(lane)]
        claims = [(lane, await self._claim(lane, limit)) for lane in lanes]
        rounds = await asyncio.gather(*(self._send_all(lane, rows) for lane, rows in claims))
        return sum(rounds)

    async def _round(self, lane: _Lane) -> int:
        await self._mend()
        return await self._send_all(lane, await self._claim(lane))

    async def _claim(self, lane: _Lane, limit: int | None = None) -> list[_Claimed]:
        """The lane's due rows, marked ``sending`` and committed before any call."""
        async with self.unit_of_work() as uow:
            rows = await uow.outbox.claim_due(
                self.clock.now(), limit or lane.claim_size(), paid=lane.paid
            )
            claimed = [_Claimed.of(row) for row in rows]
            await uow.commit()
        return claimed

    async def _send_all(self, lane: _Lane, claimed: list[_Claimed]) -> int:
        """Start the claimed rows' calls in the lane's window, chats sent to a moment ago
        put back for later; when they have all ended (outcomes written), how many were sent."""
        self._forget_quiet_chats()
        if not claimed:
            return 0
        calls: list[asyncio.Task[bool]] = []
        later: list[int] = []  # to a chat sent to a moment ago
        floods = lane.floods
        for index, row in enumerate(claimed):
            if self._too_soon(row.chat_id):
                later.append(row.id)
                continue
            while lane.in_flight >= lane.most_in_flight():
                await self._answer_from(lane)
            call = await self._start(lane)
            if self._paused(lane):  # a call of this round met flood control
                self._end(lane, call, made=False)
                await self._put_back([r.id for r in claimed[index:]])
                break
            if self._too_soon(row.chat_id):  # the other lane's meanwhile
                self._end(lane, call, made=False)
                later.append(row.id)
                continue
            lane.in_flight += 1
            self._calling(row.chat_id)
            calls.append(asyncio.create_task(self._send(lane, row, call)))
            await asyncio.sleep(0)  # let the call start now, at its moment
        if later:
            await self._put_back(
                later, self.clock.now() + timedelta(seconds=self.per_chat_interval)
            )
        sent = sum(await asyncio.gather(*calls))
        await self._settle()
        if lane.floods == floods and sent:  # a round without flood control: speed up
            lane.pace.calm_round()
        return sent

    async def _start(self, lane: _Lane, through_pauses: bool = False) -> Call:
        """Wait until the lane's window has room for one more call, take it (the caller
        ends it, ``_end``). ``through_pauses``: a flood-control pause is waited out too (a
        row's next part)."""
        async with lane.turn:
            while True:
                now = self.monotonic()
                if through_pauses and now < lane.paused_until:
                    await self.sleep(lane.paused_until - now)
                    continue
                wait = lane.window.delay(now, lane.pace.allowed, lane.pace.span)
                if wait is None:  # the call that decides has not been answered yet
                    await self._answer_from(lane)
                elif wait > 0:
                    await self.sleep(wait)
                else:
                    return lane.window.start(now)

    async def _answer_from(self, lane: _Lane) -> None:
        """Until a call of the lane is answered (or ANSWER_WAIT: a look again)."""
        lane.answer.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(lane.answer.wait(), ANSWER_WAIT)

    def _end(self, lane: _Lane, call: Call, made: bool = True) -> None:
        """A call answered (``made``: False, a place in the window not used after all)."""
        now = self.monotonic()
        lane.window.end(call, now)
        if made:
            lane.answered(now - call.started)
        lane.answer.set()

    async def _send(self, lane: _Lane, row: _Claimed, call: Call) -> bool:
        try:
            try:
                await self._call(lane, row, call)
            except _PartlySent as partly:
                await self._keep_the_rest(row.id, partly.rest)
                raise partly.cause from None
        except RetryLater as flood:
            self._flooded(lane, call.started, flood.seconds)
            await self._put_back([row.id])
        except Unreachable as error:
            self._note(row.id, UNREACHABLE, str(error), row.chat_id)
        except Rejected as error:
            log.error("outbox message %s refused by Telegram: %s", row.id, error)
            self._note(row.id, FAILED, str(error))
        except Exception as error:  # network trouble, 5xx: try again later
            await self._retry(row.id, error)
        else:
            self._note(row.id, SENT)
            return True
        finally:
            lane.in_flight -= 1
            lane.answer.set()
            self._called(row.chat_id)
        return False

    def _flooded(self, lane: _Lane, started: float, seconds: float) -> None:
        """Flood control: the lane pauses as long as Telegram asks, and its rate goes under
        what was refused (``AdaptiveRate.flood``)."""
        now = self.monotonic()
        lane.paused_until = max(lane.paused_until, now + seconds)
        lane.floods += 1
        crowded = lane.window.crowded(started, lane.pace.span)
        if lane.pace.flood(started, crowded, now):
            log.warning(
                "flood control (%s calls in its second): the %s sender pauses %s s and sends %.1f a second from now",
                crowded, "paid" if lane.paid else "free", seconds, lane.pace.rate,
            )  # fmt: skip

    async def _call(self, lane: _Lane, row: _Claimed, call: Call) -> None:
        """The row's call: a text, or a photo or document by its file_id with the text as
        its caption. A text too long for a caption was split when queued (``FOLLOWS`` between
        the parts): the first part goes as the caption, the rest follow as messages, a
        second apart (Telegram's limit for one chat) and each in the lane's window, the
        keyboard under the last and each protected like the file; once the first message is
        out a failure keeps only what is left (``_PartlySent``), so nothing goes twice. The
        first message is pinned, if asked (a pin refused is logged: the message is sent)."""
        chat_id, extras = row.chat_id, row.extras
        keyboard = keyboard_from_json(row.keyboard)
        first, *following = row.text.split(FOLLOWS)
        last_keyboard = None if following else keyboard
        try:
            if extras.file is None and extras.poster is None:
                message_id = await self.messenger.send_message(
                    chat_id, first, last_keyboard, extras.protect, extras.paid
                )
            else:
                message_id = await self._send_file(chat_id, extras, first or None, last_keyboard)
        finally:
            self._end(lane, call)
        if extras.pin:
            try:
                await self.messenger.pin_message(chat_id, message_id)
            except Exception as error:  # the message went out: not sent again for a pin
                log.warning("could not pin message %s in chat %s: %s", message_id, chat_id, error)
        for number, part in enumerate(following, 1):
            last = number == len(following)
            try:
                await self.sleep(self.per_chat_interval)
                part_call = await self._start(lane, through_pauses=True)
                try:
                    await self.messenger.send_message(
                        chat_id, part, keyboard if last else None, extras.protect, extras.paid
                    )
                finally:
                    self._end(lane, part_call)
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
                chat_id, extras.file, caption, keyboard, extras.protect, extras.paid
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
                    chat_id, kind, content, Path(path).name, caption, keyboard, extras.protect,
                    extras.paid,
                )  # fmt: skip
                self._poster_ids[broadcast_id] = file_id
                try:
                    async with self.unit_of_work() as uow:
                        await uow.broadcasts.keep_file_id(broadcast_id, file_id)
                        await uow.commit()
                except Exception:  # this sender sends by the id it holds; another uploads again
                    log.exception("could not keep the file_id of broadcast %s", broadcast_id)
                return message_id
        file = FileRef(kind, file_id)
        return await self.messenger.send_file(
            chat_id, file, caption, keyboard, extras.protect, extras.paid
        )

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
        if self._writing is not None:
            await self._writing
        if self._outcomes:
            batch, self._outcomes = self._outcomes, {}
            try:
                await self._write(batch)
            except Exception:
                self._outcomes = batch | self._outcomes
                raise
        now = self.clock.now()
        if self._next_recovery is not None and now < self._next_recovery:
            return
        self._next_recovery = now + RECOVER_EVERY
        async with self.unit_of_work() as uow:
            count = await uow.outbox.recover_stuck(now - STUCK_AFTER)
            await uow.commit()
        if count:
            log.warning("%s message(s) were left sending: sending them again", count)

    def _too_soon(self, chat_id: int) -> bool:
        last = self._last_to_chat.get(chat_id)
        return last is not None and self.monotonic() - last < self.per_chat_interval

    def _calling(self, chat_id: int) -> None:
        self._last_to_chat.pop(chat_id, None)
        self._last_to_chat[chat_id] = math.inf  # nothing else to this chat meanwhile

    def _called(self, chat_id: int) -> None:
        """The chat's call ended: its next message a second from now. Counted from the end,
        not the start: Telegram had the call by then, however long its way there took."""
        self._last_to_chat.pop(chat_id, None)
        self._last_to_chat[chat_id] = self.monotonic()

    def _forget_quiet_chats(self) -> None:
        """Drop the chats whose last call ended more than a second ago (oldest first: each
        call moves its chat to the end), so memory stays flat over a large broadcast."""
        quiet_before = self.monotonic() - self.per_chat_interval
        for chat_id, ended in list(self._last_to_chat.items()):
            if ended >= quiet_before:
                break
            del self._last_to_chat[chat_id]

    async def _put_back(self, ids: list[int], not_before: datetime | None = None) -> None:
        try:
            async with self.unit_of_work() as uow:
                await uow.outbox.release(ids, not_before)
                await uow.commit()
        except Exception:  # left ``sending``: recover_stuck puts them back later
            log.exception("could not put %s outbox message(s) back", len(ids))

    def _note(
        self, row_id: int, status: str, error: str | None = None, chat_id: int | None = None
    ) -> None:
        """A call's outcome, written with the others that ended meanwhile (``_write_noted``)."""
        self._outcomes[row_id] = (status, error, chat_id)
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_noted())

    async def _write_noted(self) -> None:
        """Write the outcomes noted so far in one transaction, then those noted while it
        ran, until none is left (a group commit). A write that fails keeps its outcomes in
        memory; the next round writes them (``_mend``)."""
        while self._outcomes:
            batch, self._outcomes = self._outcomes, {}
            try:
                await self._write(batch)
            except Exception:
                log.exception("could not record %s outbox outcome(s); trying again", len(batch))
                self._outcomes = batch | self._outcomes
                return

    async def _settle(self) -> None:
        """The end of a round: its outcomes written, or kept for the next (never raises)."""
        if self._writing is not None:
            await self._writing
        if self._outcomes:
            await self._write_noted()

    async def _write(self, batch: dict[int, tuple[str, str | None, int | None]]) -> None:
        async with self.unit_of_work() as uow:
            await uow.outbox.finish_many(
                [(row_id, status, error) for row_id, (status, error, _) in batch.items()],
                self.clock.now(),
            )
            gone = {chat for status, _, chat in batch.values() if status == UNREACHABLE and chat}
            if gone:
                await uow.outbox.mark_unreachable(*gone)
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
