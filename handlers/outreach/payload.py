"""What follows ``/start`` in a deep link (``https://t.me/<bot>?start=PAYLOAD``), read.

Telegram passes at most 64 characters of ``A-Z a-z 0-9 _ -``. Ours are:

- ``s_<source>``: the member came by a registered outreach link (a poster, a visit);
- ``j_<id>``, ``e_<id>``, ``c_<id>``, ``n_<id>``: open a job, an event, a competition or a
  published item;
- ``e_<id>_in``: check in at an event (its QR code at the door).

Anything else (too long, other characters, an unknown prefix, a number that is no row id)
is no payload: the person gets the normal welcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.core.buttons import ROW

PAYLOAD_MAX = 64  # Telegram's limit on a start parameter
SOURCE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")  # lowercase, digits, hyphens; 32 at most
_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_OPENING = re.compile(r"([jecn])_([0-9]{1,10})(_in)?")

Target = Literal["job", "event", "competition", "item", "checkin"]
TARGETS: dict[str, Target] = {"j": "job", "e": "event", "c": "competition", "n": "item"}
PREFIXES = {target: prefix for prefix, target in TARGETS.items()}


@dataclass(frozen=True)
class Arrival:
    """A payload understood: where the person came from, or what to open."""

    source: str | None = None
    target: Target | None = None
    id: int = 0

    def to_json(self) -> dict[str, object]:
        return {"source": self.source, "target": self.target, "id": self.id}

    @classmethod
    def from_json(cls, data: object) -> Arrival | None:
        """The arrival kept in a conversation, read back (None when absent or garbled)."""
        if not isinstance(data, dict):
            return None
        return read_payload(payload_of(data))


def payload_of(data: dict[str, object]) -> str:
    source, target, number = data.get("source"), data.get("target"), data.get("id")
    if isinstance(source, str):
        return f"s_{source}"
    if target == "checkin" and isinstance(number, int):
        return f"e_{number}_in"
    if isinstance(target, str) and target in PREFIXES and isinstance(number, int):
        return f"{PREFIXES[target]}_{number}"
    return ""


def read_payload(payload: str) -> Arrival | None:
    """The arrival ``payload`` stands for, or None for anything else."""
    if len(payload) > PAYLOAD_MAX or not _SHAPE.fullmatch(payload):
        return None
    if payload.startswith("s_"):
        source = payload[2:]
        return Arrival(source=source) if SOURCE.fullmatch(source) else None
    match = _OPENING.fullmatch(payload)
    if match is None:
        return None
    prefix, digits, check_in = match.groups()
    number = ROW.read(digits)
    if number is None or (check_in and prefix != "e"):
        return None
    return Arrival(target="checkin" if check_in else TARGETS[prefix], id=number)


def start_link(bot_username: str, payload: str) -> str:
    """The deep link that opens the bot with ``payload``."""
    return f"https://t.me/{bot_username}?start={payload}"
