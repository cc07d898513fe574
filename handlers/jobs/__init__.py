"""Jobs and companies: companies register and are verified, post jobs, receive applications
and find talent; members browse jobs and get alerts.

The ``jb:`` buttons arrive on messages of any age and any chat, so each action checks the
presser's right to it when pressed (companies.verified_company, the staff table, the
member an introduction or invitation names).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from bot.core.dispatch import Router
from bot.core.i18n import N_
from handlers.context import Ctx, button_actions
from handlers.jobs import browse, companies, posting, talent
from handlers.jobs.companies import PREFIX

router = Router("jobs")
router.command("jobs", N_("Browse open jobs"))(browse.jobs_command)
router.command("company", N_("Your company: post jobs, find talent"))(companies.company_command)
for flow in (
    companies.company_flow, companies.invite_flow, posting.post_flow, browse.jobs_flow,
    browse.apply_flow, talent.talent_flow,
):  # fmt: skip
    router.flow(flow)

ACTIONS: dict[str, Callable[[Ctx], Awaitable[None]]] = {
    "new": companies.new_company,
    "cok": partial(companies.decide, approve=True),
    "cno": partial(companies.decide, approve=False),
    "invite": companies.invite_pressed,
    "join": partial(companies.join, accept=True),
    "nojoin": partial(companies.join, accept=False),
    "post": posting.post_pressed,
    "mine": posting.my_jobs,
    "edit": posting.edit_pressed,
    "close": posting.close_pressed,
    "apply": browse.apply_pressed,
    "iv": partial(browse.decide_application, interview=True),
    "dc": partial(browse.decide_application, interview=False),
    "talent": talent.talent_pressed,
    "ia": partial(talent.intro_answered, accept=True),
    "id": partial(talent.intro_answered, accept=False),
}


router.callback(PREFIX)(button_actions(ACTIONS))
