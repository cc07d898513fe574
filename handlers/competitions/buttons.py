"""The ``cp:`` buttons, declared once: the cards, notices and lists that show them and the
router (``handlers.competitions``) both use these.

Each press arrives on a message of any age, in any chat, so its handler checks the presser's
right when pressed. The data is the same as before the buttons were declared
(``cp:sc:12:7``), so buttons on messages members already have keep working.
"""

from __future__ import annotations

from bot.core.buttons import NUMBER, ROW, Buttons

COMPETITIONS = Buttons("cp")

OPEN_CARD = COMPETITIONS.action("open", ROW)  # competition id
ENTER = COMPETITIONS.action("enter", ROW)  # competition id
EDIT_ENTRY = COMPETITIONS.action("edit", ROW)  # entry id
CHANGE = COMPETITIONS.action("change", ROW)  # competition id (administrators)
SCORE = COMPETITIONS.action("score", ROW)  # competition id (its judges)
SCORE_GIVEN = COMPETITIONS.action("sc", ROW, NUMBER)  # entry id, the score 1–10
RANKING = COMPETITIONS.action("rank", ROW)  # competition id (administrators)
ANNOUNCE = COMPETITIONS.action("ann", ROW)  # competition id (administrators)
