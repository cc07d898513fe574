"""One scheduler among several bot processes: the leader holds a PostgreSQL advisory lock.

Every process answers updates; only the leader runs the timed jobs and the outbox sender.
The lock is a session lock on a connection kept open for it, so when the leader's process
dies its connection closes, the lock is free, and the next process to look (every
``check_every`` seconds) takes over. A leader whose machine vanishes closes nothing: the lock's
connection asks the server for TCP keepalives, so PostgreSQL drops it (and the lock) within
about 40 seconds. On SQLite there is one process by design: it leads, and ``SqliteLead``
makes sure it is the only one (a second ``dcc-bot run`` on the same file is refused).

Losing the lock's connection (the database restarted, the network went away, no answer
within ``CHECK_TIMEOUT``) stops the jobs at once; they start again when the lock is held again. Even if two senders ran for a
moment, each outbox row is claimed with ``FOR UPDATE SKIP LOCKED`` and sent by one only.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LOCK_KEY = 0x0DCC_B07  # one bigint that names "the DCC Bot scheduler" in pg_locks
CHECK_TIMEOUT = 10.0  # seconds the database gets to answer the leader's check
# The server notices a vanished leader after 20 s of silence and 4 unanswered probes 5 s apart.
KEEPALIVES = (
    "SET tcp_keepalives_idle = 20", "SET tcp_keepalives_interval = 5",
    "SET tcp_keepalives_count = 4",
)  # fmt: skip
Callback = Callable[[], Awaitable[None]]


class Leadership:
    def __init__(
        self, engine: AsyncEngine, on_gain: Callback, on_loss: Callback, check_every: float
    ) -> None:
        self.engine = engine
        self.on_gain, self.on_loss = on_gain, on_loss
        self.check_every = check_every
        self.leading = False
        self._connection: AsyncConnection | None = None

    @property
    def exclusive(self) -> bool:
        """Whether leading needs the lock at all (PostgreSQL: several processes may run)."""
        return self.engine.dialect.name == "postgresql"

    async def run(self) -> None:
        """Try for the lock, hold it, notice losing it; until cancelled."""
        try:
            while True:
                try:
                    await self._step()
                except Exception:
                    log.exception("the scheduler lock could not be checked; trying again")
                    await self._lose(stopping=False)
                await asyncio.sleep(self.check_every)
        finally:
            await self._lose(stopping=True)

    async def _step(self) -> None:
        if not self.exclusive:
            if not self.leading:
                await self._gain()
            return
        if self.leading:
            assert self._connection is not None
            async with asyncio.timeout(CHECK_TIMEOUT):  # still ours while it answers
                await self._connection.execute(text("SELECT 1"))
            return
        connection = await self.engine.connect()
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                for setting in KEEPALIVES:
                    await connection.execute(text(setting))
                held = await connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
                )
                await connection.commit()
        except BaseException:
            await connection.invalidate()
            raise
        if held:
            self._connection = connection
            await self._gain()
        else:
            await connection.close()

    async def _gain(self) -> None:
        self.leading = True
        log.info("this process runs the scheduler and the outbox sender")
        await self.on_gain()

    async def _lose(self, stopping: bool) -> None:
        if self.leading:
            self.leading = False
            log.log(
                logging.INFO if stopping else logging.WARNING,
                "this process no longer runs the scheduler",
            )
            await self.on_loss()
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:  # a pooled connection outlives close(): let go of the lock first
                async with asyncio.timeout(CHECK_TIMEOUT):
                    await connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY}
                    )
                    await connection.commit()
                await connection.close()
            except Exception:  # already gone: the lock went with it; never reuse it
                log.info("the scheduler lock's connection was already closed")
                await connection.invalidate()


class LeadTaken(Exception):
    """Another process already leads on this SQLite file."""


class SqliteLead:
    """The one leader of a SQLite file: an exclusive lock on ``<file>.lead`` beside it.

    Two processes on one SQLite file would both run the sender and the schedules (there is
    no advisory lock to share), and both answer updates; so the second ``dcc-bot run`` is
    refused at start. The lock is the kernel's (``flock``), so it goes with the process,
    however it ends: a bot killed with SIGKILL never leaves a stale lock behind."""

    def __init__(self, database: str) -> None:
        self.path = Path(f"{database}.lead")
        self._fd: int | None = None

    def take(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock_file(fd)
        except OSError:
            os.close(fd)
            raise LeadTaken(str(self.path)) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the file gives its lock up, on every system


def _lock_file(fd: int) -> None:
    """An exclusive lock that never waits (OSError when taken): the kernel's ``flock`` on
    POSIX, ``msvcrt.locking`` of the first byte on Windows; both end with the process."""
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
