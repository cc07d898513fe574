"""The one error for input refused, raised by every feature's parsing rules.

A handler catches it and tells the member, in their language, what to send instead; the
command line prints it as one line. Its message is a msgid, translated where it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Invalid(Exception):
    """Input refused; ``message`` is a msgid (with ``params``) telling what to send instead."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)
