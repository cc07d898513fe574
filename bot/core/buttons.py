"""Feature buttons declared, not formatted.

A button that works from a message of any age (an offer, an approval card, a job) carries
``prefix:code:arg:arg`` in its callback data. One ``Press`` per action says its prefix, its
code and the kinds of its arguments; building the button and reading the press both come
from it, so they cannot disagree; Telegram's 64-byte limit is checked where every button is
made (``bot.core.keyboards.Button``). A feature's ``Buttons`` routes each press to its handler with the
arguments already read (``handler(ctx, *args)``); data it cannot read (an action no longer
known, a garbled or forged argument) is an older message, and no handler sees it.

The buttons of a flow's own steps are not declared here: they carry the flow's token and
step (``Context.button``) and reach the step that asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.i18n import N_
from bot.core.keyboards import Button

SEPARATOR = ":"
FLOW_PREFIX = "f"  # the flows' own buttons (bot.core.context): no feature may take it
ROW_ID_LIMIT = 2**31  # row ids are 32-bit in the database


class Pressed(Protocol):
    """What routing a press needs of the handler's context (bot.core.context.Context):
    declarations import no context, so operations may build buttons."""

    value: str

    def _(self, message: str) -> str: ...

    async def answer(self, text: str | None = None, alert: bool = False) -> None: ...


Ctx = Pressed
Guard = Callable[[Any], Awaitable[bool]]
PressHandler = Callable[..., Awaitable[None]]  # (ctx, *the press's arguments)


@dataclass(frozen=True, slots=True)
class Arg:
    """A kind of argument: how a value is written into callback data and read back."""

    name: str
    read: Callable[[str], Any]  # the value, or None when the text is not one

    def write(self, value: Any) -> str:
        text = str(value)
        if self.read(text) is None:
            raise ValueError(f"{value!r} is not a {self.name} a button can carry")
        return text


def _row(text: str) -> int | None:
    """A row id: a positive 32-bit number, as the database holds them."""
    number = _number(text)
    return number if number is not None and 0 < number < ROW_ID_LIMIT else None


def _number(text: str) -> int | None:
    """A count or an offset: zero or more, at most ten digits."""
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 10 else None


def _long(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 16 else None


def _person(text: str) -> int | None:
    """A Telegram user id: positive, at most 52 bits as Telegram promises."""
    number = _long(text)
    return number if number and number < 2**52 else None


def _word(text: str) -> str | None:
    """A code such as a language or a role: letters, digits, ``-`` and ``_`` only."""
    bare = text.replace("-", "").replace("_", "")
    return text if len(text) <= 32 and text.isascii() and bare.isalnum() else None


ROW = Arg("row id", _row)
NUMBER = Arg("number", _number)
WORD = Arg("word", _word)
PERSON = Arg("Telegram id", _person)


@dataclass(frozen=True, slots=True)
class Press:
    """One action's button: its prefix, its code and the kinds of its arguments."""

    prefix: str
    code: str
    args: tuple[Arg, ...] = ()

    def data(self, *values: Any) -> str:
        if len(values) != len(self.args):
            raise TypeError(f"{self}: {len(self.args)} argument(s), {len(values)} given")
        parts = [
            self.prefix,
            self.code,
            *(a.write(v) for a, v in zip(self.args, values, strict=True)),
        ]
        return SEPARATOR.join(parts)

    def button(self, label: str, *values: Any) -> Button:
        """The button; ``Button`` refuses data over Telegram's 64 bytes."""
        return Button(label, self.data(*values))

    def read(self, fields: list[str]) -> tuple[Any, ...] | None:
        """The arguments of a press (the data after ``prefix:code:``), None if unreadable."""
        if len(fields) != len(self.args):
            return None
        values = tuple(a.read(f) for a, f in zip(self.args, fields, strict=True))
        return None if any(v is None for v in values) else values

    def __str__(self) -> str:
        return SEPARATOR.join([self.prefix, self.code, *(f"<{a.name}>" for a in self.args)])


@dataclass
class Buttons:
    """A feature's buttons under one prefix, each with its handler.

    ``guard`` runs before every handler of the group (the admin console's buttons check the
    administrator role, whoever presses them, from whatever message).
    """

    prefix: str
    guard: Guard | None = None
    _actions: dict[str, tuple[Press, PressHandler | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.prefix or SEPARATOR in self.prefix or self.prefix == FLOW_PREFIX:
            raise ValueError(f"{self.prefix!r} cannot be a button prefix")

    def action(self, code: str, *args: Arg) -> Press:
        """Declare an action; its handler is given with ``handles`` (or ``on``)."""
        if not code or SEPARATOR in code or code in self._actions:
            raise ValueError(f"{self.prefix}: action code {code!r} is empty, bad or taken")
        press = Press(self.prefix, code, args)
        self._actions[code] = (press, None)
        return press

    def on(self, press: Press, handler: PressHandler) -> None:
        if press.prefix != self.prefix or press.code not in self._actions:
            raise ValueError(f"{press} is not an action of {self.prefix!r}")
        self._actions[press.code] = (press, handler)

    def handles(self, press: Press) -> Callable[[PressHandler], PressHandler]:
        def register(handler: PressHandler) -> PressHandler:
            self.on(press, handler)
            return handler

        return register

    def presses(self) -> list[Press]:
        return [press for press, _ in self._actions.values()]

    def unhandled(self) -> list[Press]:
        """Declared actions nobody handles: a test fails on any."""
        return [press for press, handler in self._actions.values() if handler is None]

    async def route(self, ctx: Ctx) -> None:
        """Run the handler of the press in ``ctx.value`` (the data after the prefix)."""
        code, *fields = ctx.value.split(SEPARATOR)
        press, handler = self._actions.get(code, (None, None))
        values = press.read(fields) if press is not None else None
        if handler is None or values is None:
            await ctx.answer(ctx._(N_("That button is from an older message.")))
            return
        if self.guard is not None and not await self.guard(ctx):
            return
        await handler(ctx, *values)
