"""The ``jb:`` buttons, declared once: the builders (company cards, job lists, notices) and
the router (``handlers.jobs``) both use these.

Each press arrives on a message of any age, in any chat, so its handler checks the presser's
right when pressed. The data is the same as before the buttons were declared (``jb:cok:7``),
so buttons on messages members already have keep working.
"""

from __future__ import annotations

from bot.core.buttons import NUMBER, ROW, Buttons

JOBS = Buttons("jb")

# companies
REGISTER = JOBS.action("new", NUMBER)  # always 0: the value is only there for the old data
APPROVE_COMPANY = JOBS.action("cok", ROW)  # company id
REJECT_COMPANY = JOBS.action("cno", ROW)
INVITE = JOBS.action("invite", ROW)  # company id
JOIN = JOBS.action("join", ROW)  # company id
DECLINE_INVITE = JOBS.action("nojoin", ROW)
# jobs
POST = JOBS.action("post", ROW)  # company id
COMPANY_JOBS = JOBS.action("mine", ROW)  # company id
EDIT = JOBS.action("edit", ROW)  # job id
CLOSE = JOBS.action("close", ROW)  # job id
APPLY = JOBS.action("apply", ROW)  # job id
INTERVIEW = JOBS.action("iv", ROW)  # application id
DECLINE_APPLICATION = JOBS.action("dc", ROW)
# talent
FIND_TALENT = JOBS.action("talent", ROW)  # company id
ACCEPT_INTRO = JOBS.action("ia", ROW)  # introduction request id
DECLINE_INTRO = JOBS.action("id", ROW)
