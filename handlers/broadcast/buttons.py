"""The broadcast buttons that work from a message of any age (``bc:``): declared once,
built on the admin's progress message and routed by the broadcast router."""

from __future__ import annotations

from bot.core.buttons import ROW, Buttons

BROADCAST = Buttons("bc")
STOP = BROADCAST.action("stop", ROW)  # bc:stop:BROADCAST — send nothing more
