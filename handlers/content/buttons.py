"""The content buttons that work from a message of any age (``ct:``): declared once, built
by the cards and routed by the content router."""

from __future__ import annotations

from bot.core.buttons import ROW, Buttons

CONTENT = Buttons("ct")
RSVP = CONTENT.action("rsvp", ROW)  # ct:rsvp:ITEM — I will attend / I am not going
