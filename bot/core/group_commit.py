"""Group commit: the updates that wait for a database turn are handled together, in one
transaction, and committed at once.

Every update is one transaction (its id claimed, the conversation read, the handler's
writes, the conversation written, the commit), and when members keep the bot busy several
updates wait for a turn (SQLite has one writer: one turn). A runner takes all the waiting
updates (up to ``most``) and hands them to ``together``, which runs them one after the other
on one connection and commits once: the begin, the commit and their trips to the database
are paid once for the group, not once an update.

The guarantees stay an update's own:
- exactly once: each update's id is claimed inside the group's transaction, before its
  handler runs, and is kept only if the group commits;
- durability: no reply of the group goes out before the group's commit (the replies are
  returned to each update's ``feed``, which sends them);
- one update failing loses nothing of the others: ``together`` then keeps nothing (the
  transaction is rolled back) and answers None, and each update of the group runs again
  alone (``alone``), in a transaction of its own, as without groups; the failing one gets
  its apology there.

Dispatch's per-member lock keeps two updates of one member out of the same group (the
second needs what the first wrote). A group of one is run by ``alone`` directly.

A group costs latency: no update of it is answered before the last has run. So ``together``
may stop early, when the group has run for its time (dispatch: ``GROUP_SECONDS``), and give
the results of the updates it ran; the others go back to the head of the queue and start
the next group. What grouping adds to an update's wait is then at most that time and one
update, not a group of eight with a question routed to experts among them.

Groups form only where updates wait. Where there are several turns (PostgreSQL), a runner
for each update that came would leave none waiting: a busy bot's groups averaged 1.5 updates
there, each paying its own begin and commit. So an update that comes while a runner is busy
waits for that runner's next group, and another runner starts only for a whole group, or
for an update that has waited a group's time (a runner stuck on a slow statement must not
hold the others): groups of 2.8 in the same bench (bench/README.md, issue 17's fifth round).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")  # an update
R = TypeVar("R")  # what handling it gives back (its replies, to send)

Alone = Callable[[E], Awaitable[R]]
Together = Callable[[Sequence[E]], Awaitable[list[R] | None]]


class GroupCommit(Generic[E, R]):
    """Updates handed in by ``submit``, handled in groups by at most ``runners`` at once
    (the database turns: 1 on SQLite), each group at most ``most`` updates, in the order of
    ``key`` (dispatch: by member, so two processes take members' turns in the same order).

    A runner beyond the first starts only when a whole group waits, or when an update has
    waited ``patience`` seconds (dispatch: a group's time) for one: till then the updates that
    arrive wait for a busy runner's next group and share its begin and commit, and an update
    stuck in a runner (a slow statement, a member's turn another process holds) keeps the
    others waiting no longer than that.

    ``together`` runs a group and gives one result an update, or fewer: the results of the
    first updates it ran when it stopped early (its time was up), at least one."""

    def __init__(
        self,
        alone: Alone[E, R],
        together: Together[E, R],
        runners: int,
        most: int,
        key: Callable[[E], Any] | None = None,
        patience: float = 0.025,
    ):
        if runners < 1 or most < 1:
            raise ValueError("a group commit needs at least one runner and one update a group")
        self.alone, self.together, self.key = alone, together, key
        self.runners, self.most, self.patience = runners, most, patience
        self._waiting: list[tuple[E, asyncio.Future[R]]] = []
        self._running = 0
        self._watching: asyncio.TimerHandle | None = None  # for updates kept waiting
        self._tasks: set[asyncio.Task[None]] = set()
        self.groups = 0  # groups of more than one committed together (tests, the bench)

    async def submit(self, update: E) -> R:
        """Handle ``update`` in the next group; what ``alone`` or ``together`` gave for it."""
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((update, done))
        # A runner takes what waits when it is done with its group, so a second one starts
        # only for a whole group: more runners would take one update each, and pay the
        # begin and the commit for it alone.
        if self._running == 0 or len(self._waiting) >= self.most:
            self._start()
        elif self._watching is None and self._running < self.runners:
            self._watching = asyncio.get_running_loop().call_later(self.patience, self._waited)
        return await done

    def _start(self) -> None:
        if self._running >= self.runners:
            return
        self._running += 1
        task = asyncio.create_task(self._run(), name="group-commit")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _waited(self) -> None:
        """``patience`` after an update was left waiting: still waiting, it gets a runner."""
        self._watching = None
        if self._waiting:
            self._start()

    async def _run(self) -> None:
        """Take the waiting updates a group at a time until none is left."""
        try:
            while self._waiting:
                group = self._waiting[: self.most]
                del self._waiting[: self.most]
                if not self._waiting and self._watching is not None:
                    self._watching.cancel()  # nobody left waiting: patience counts afresh
                    self._watching = None
                if self.key is not None and len(group) > 1:
                    key = self.key
                    group.sort(key=lambda waiting: key(waiting[0]))
                try:
                    results = await self._handle([update for update, _ in group])
                except BaseException as error:  # cancelled while stopping, or a bug
                    for _, done in group:
                        if not done.done():
                            done.set_exception(error)
                    if not isinstance(error, Exception):
                        raise
                    continue
                self._waiting[:0] = group[len(results) :]  # its time was up: the next group
                for (_, done), result in zip(group, results, strict=False):
                    if not done.done():  # its feed was cancelled: nobody waits
                        done.set_result(result)
        finally:
            self._running -= 1

    async def _handle(self, updates: list[E]) -> list[R]:
        if len(updates) == 1:
            return [await self.alone(updates[0])]
        results = await self.together(updates)
        if results:
            self.groups += len(results) > 1
            return results
        log.info("a group of %d updates was rolled back; each runs alone", len(updates))
        return [await self.alone(update) for update in updates]
