"""Flows: a conversation declared as a table of named steps.

Each step says how it asks (``prompt``) and what it accepts (text, a button value, a shared
contact). Whatever else arrives gets the step's ``hint`` and the step is asked again, so bad
input never moves a flow. The step table is the documentation of the conversation.
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


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    steps: dict[str, Step] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for step in self.steps:
            if ":" in step or len(step) > 12:
                raise ValueError(f"step names go in callback data: keep {step!r} short, no ':'")
