"""The admin console's ``ad:`` buttons, declared once: the menu and lists build them from
here, and handlers/admin/__init__.py gives each its handler.

The group's guard checks the administrator role at every press, whoever presses and from
whatever message: a console message forwarded or kept from before a revoke opens nothing.
The web console's sign-in button is for moderators too (its own group, checked the same way).
"""

from __future__ import annotations

from bot.core.buttons import PERSON, ROW, WORD, Buttons
from handlers.context import is_admin, is_moderator

ADMIN = Buttons("ad", guard=is_admin)

PENDING = ADMIN.action("pending")
REPORTS = ADMIN.action("reports")
BROADCASTS = ADMIN.action("bc")
NEW_BROADCAST = ADMIN.action("newbc")
CANCEL_BROADCAST = ADMIN.action("bcx", ROW)  # the broadcast
CONTENT = ADMIN.action("content")
POST = ADMIN.action("post")
HIDE_ITEM = ADMIN.action("hide", ROW)  # the content item
ROLES = ADMIN.action("roles")
GRANT = ADMIN.action("grant")
REVOKE = ADMIN.action("rv", WORD, PERSON)  # the role's code (roles.ROLE_CODES), the person
STATS = ADMIN.action("stats")
EXPORT = ADMIN.action("export")
AUDIT = ADMIN.action("audit")
LINKS = ADMIN.action("links")  # outreach links and their sign-ups
COMPETITIONS = ADMIN.action("comp")
NEW_COMPETITION = ADMIN.action("newcp")

WEB = Buttons("wc", guard=is_moderator)  # administrators and moderators
WEB_CONSOLE = WEB.action("link")
