"""Flows: a conversation declared as a table of named steps.

Each step says how it asks (``prompt``) and what it accepts (text, a button value, a shared
contact, a photo or document). Whatever else arrives gets the step's ``hint`` and the step is asked again, so bad
input never moves a flow. The step table is the documentation of the conversation: each
step also names the steps it may go to (``next``) and whether it may end the flow (``ends``),
and the flow names the steps it may start at (``entry``), so the graph can be checked and
printed (``Flow.graph``) instead of living in docstrings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.core.context import Context

Handler = Callable[["Context[Any, Any]"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Step:
    prompt: Handler
    hint: str  # a msgid marked with N_: what to send instead
    on_text: Handler | None = None
    on_button: Handler | None = None
    on_contact: Handler | None = None
    on_media: Handler | None = None  # a photo or document (``ctx.event.attachment``)
    next: tuple[str, ...] = ()  # the steps it may go to with ctx.goto
    ends: bool = False  # it may end the flow (end_flow, or starting another flow)


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    steps: dict[str, Step] = field(default_factory=dict)
    entry: tuple[str, ...] = ()  # the steps ctx.start_flow may start at

    def __post_init__(self) -> None:
        for step in self.steps:
            if ":" in step or len(step) > 12:
                raise ValueError(f"step names go in callback data: keep {step!r} short, no ':'")
        named = [("entry", name) for name in self.entry] + [
            (f"{step}.next", name)
            for step, declared in self.steps.items()
            for name in declared.next
        ]
        for where, name in named:
            if name not in self.steps:
                raise ValueError(f"flow {self.name!r}: {where} names no step {name!r}")

    def graph(self) -> str:
        """The flow as text, one line a step: ``step -> a, b [ends]``."""
        lines = [f"{self.name} (entry: {', '.join(self.entry)})"]
        for name, step in self.steps.items():
            line = f"  {name} -> {', '.join(step.next) or '-'}"
            lines.append(line + (" [ends]" if step.ends else ""))
        return "\n".join(lines)
