"""How fast the outbox sender may start its calls: pure rules, the clock passed in.

Telegram counts a bot's messages in any rolling second (about 30 free ones; up to 1,000
paid ones with ``allow_paid_broadcast``), by when each reaches it. Starting calls evenly
1/rate apart does not keep to that: a call reaches Telegram some time after it starts (the
event loop getting to it, the HTTP client, the network), that time varies, and a few calls
bunched on the way put a 31st in some second; each 429 pauses the sender for
``retry_after``. ``RollingWindow`` keeps Telegram's rule on our side, from what we know for
sure: a call reaches Telegram after it starts and before its answer comes back, so a call
that starts a second after the answer to the call N starts back cannot be the N + 1st in
any second Telegram counts, however the calls were delayed on the way. The cost is the
answer time of one call a second (a few milliseconds here; measured in bench/README.md),
not a guessed margin; and a moment lost (a slow database round, a collector pause) is
made up at once instead of lost.

``AdaptiveRate`` is for a limit the operator does not know (or one Telegram lowers): a 429
lowers the number of starts allowed a second to just under what was refused (by a fifth at
most: a 429 with few calls in the second says little about the limit); rounds without one
bring it back half a message a second a round, up to just under the level a 429 measured,
and above it (probing whether the limit rose again) only after ``PROBE_AFTER`` calm rounds,
so a limit under the configured rate costs one 429 now and then, not one every few seconds.
"""

from __future__ import annotations

import math
from collections import deque

# Clock granularity: an answer and the next start a second later must not land on the same
# tick of Telegram's clock (bench/README.md measures what the window costs).
MARGIN = 0.002  # seconds
SPAN = 1.0  # Telegram's limits are counted in any one second
FLOOD_STEP = 1.0  # a 429 lowers the allowed rate by at least this
FLOOD_SLOWDOWN = 0.8  # and to no less than this part of it
RATE_STEP = 0.5  # each calm round adds this back
PROBE_AFTER = 30  # calm rounds before trying above the rate a 429 was last met at
SPREAD = 2.0  # starts at least 1/(SPREAD × rate) apart: a round is not one burst


class Call:
    """One call's place in a window."""

    __slots__ = ("ended", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.ended: float | None = None  # when its answer came back


class RollingWindow:
    """At most ``allowed`` calls reach Telegram in any ``span`` seconds: a call starts
    ``span`` (and ``margin``) after the answer to the call ``allowed`` starts back."""

    def __init__(self, most: int, span: float = SPAN, margin: float = MARGIN) -> None:
        self.span, self.margin = span, margin
        self.calls: deque[Call] = deque(maxlen=max(1, most))

    def delay(self, now: float, allowed: int, span: float | None = None) -> float | None:
        """Seconds to wait before the next start (0: it may start now), ``allowed`` calls
        in any ``span`` (default: the window's); None while the call that decides is still
        waiting for its answer (wait for an ``end``). Starts are also spread at least
        span/(SPREAD × allowed) apart, so that a round is not one burst of calls."""
        allowed = max(1, min(allowed, self.calls.maxlen or 1))
        span = self.span if span is None else span
        spread = 0.0
        if self.calls:
            spread = self.calls[-1].started + span / (SPREAD * allowed) - now
        if len(self.calls) < allowed:
            return max(0.0, spread)
        ended = self.calls[-allowed].ended
        if ended is None:
            return None
        return max(0.0, spread, ended + span + self.margin - now)

    def start(self, now: float) -> Call:
        call = Call(now)
        self.calls.append(call)
        return call

    @staticmethod
    def end(call: Call, now: float) -> None:
        call.ended = now

    def crowded(self, started: float, span: float | None = None) -> int:
        """Calls started in the ``span`` up to ``started`` (the one then included)."""
        span = self.span if span is None else span
        return sum(1 for call in self.calls if started - span < call.started <= started)


class AdaptiveRate:
    """The rate asked of Telegram now: ``configured`` until a 429 says otherwise."""

    def __init__(
        self,
        configured: float,
        step: float = RATE_STEP,
        probe_after: int = PROBE_AFTER,
    ) -> None:
        self.configured = configured
        self.rate = configured
        self.step, self.probe_after = step, probe_after
        self.ceiling: float | None = None  # the rate a 429 was last met at
        self.calm = 0  # rounds without a 429 since the last
        self.lowered_at = -math.inf  # when the rate was last lowered (the caller's clock)

    @property
    def allowed(self) -> int:
        """Starts allowed in any second: the rate, whole (at least one)."""
        return max(1, math.floor(self.rate + 1e-9))

    @property
    def span(self) -> float:
        """The window those starts are counted in: a second for a whole rate; for a
        fractional one (2.5 a second) longer, so the average is the rate."""
        return self.allowed / self.rate

    def flood(self, started: float, crowded: int, now: float) -> bool:
        """A call that started at ``started``, with ``crowded`` starts in the second before
        it (itself included), met flood control: Telegram's limit is under ``crowded``.
        The rate goes just under it, by at least ``FLOOD_STEP`` and at most to
        ``FLOOD_SLOWDOWN`` of what it was; when that is where the refusal came (the limit
        measured), the climb back stops just under it until ``probe_after`` calm rounds.
        A call started before the last lowering was refused under the old rate and changes
        nothing; whether the rate was lowered."""
        if started < self.lowered_at:
            return False
        measured = crowded - 1.0
        lowered = max(self.rate * FLOOD_SLOWDOWN, min(self.rate - FLOOD_STEP, measured))
        self.ceiling = float(crowded) if measured >= self.rate * FLOOD_SLOWDOWN else None
        self.rate = max(1.0, lowered)
        self.calm = 0
        self.lowered_at = now
        return True

    def calm_round(self) -> None:
        """A round without flood control: a step back up, up to just under the rate the
        last 429 was met at; after ``probe_after`` such rounds up to ``configured``."""
        self.calm += 1
        if self.ceiling is not None and self.calm >= self.probe_after:
            self.ceiling = None
        cap = self.configured if self.ceiling is None else min(self.configured, self.ceiling - 1)
        if self.rate < cap:
            self.rate = min(cap, self.rate + self.step)
