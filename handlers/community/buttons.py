"""The member network's ``cm:`` buttons, declared once: on a request (to its recipient), on
a report (to the moderators), on the blocked list and on a hidden member (to the
moderators). Messages build them from here; handlers/community/__init__.py gives each its
handler.

No guard for the group: each handler checks that the presser may use the button (the
member a request is for, a moderator, the blocker), since different people press them.
"""

from __future__ import annotations

from bot.core.buttons import ROW, Buttons

COMMUNITY = Buttons("cm")

ACCEPT = COMMUNITY.action("a", ROW)  # the request
DECLINE = COMMUNITY.action("d", ROW)  # the request
BLOCK = COMMUNITY.action("b", ROW)  # the request (its sender is blocked)
REPORT = COMMUNITY.action("r", ROW)  # the request (its sender is reported)
UNBLOCK = COMMUNITY.action("ub", ROW)  # the blocked member
HIDE = COMMUNITY.action("hide", ROW)  # the profile report
KEEP = COMMUNITY.action("keep", ROW)  # the profile report
UNDO_HIDE = COMMUNITY.action("show", ROW)  # the hidden member
