"""Jobs and companies: companies register and are verified, post jobs, receive applications
and find talent; members browse jobs and get alerts.

The ``jb:`` buttons arrive on messages of any age and any chat, so each action checks the
presser's right to it when pressed (companies.verified_company, the staff table, the
member an introduction or invitation names). They are declared in ``buttons``.
"""

from __future__ import annotations

from functools import partial

from bot.core.dispatch import Router
from bot.core.i18n import N_
from handlers.jobs import browse, buttons, companies, posting, talent
from handlers.jobs.buttons import JOBS

router = Router("jobs")
router.command("jobs", N_("Browse open jobs"))(browse.jobs_command)
router.command("company", N_("Your company: post jobs, find talent"))(companies.company_command)
for flow in (
    companies.company_flow, companies.invite_flow, posting.post_flow, browse.jobs_flow,
    browse.apply_flow, talent.talent_flow,
):  # fmt: skip
    router.flow(flow)

for press, handler in (
    (buttons.REGISTER, companies.new_company),
    (buttons.APPROVE_COMPANY, partial(companies.decide, approve=True)),
    (buttons.REJECT_COMPANY, partial(companies.decide, approve=False)),
    (buttons.INVITE, companies.invite_pressed),
    (buttons.JOIN, partial(companies.join, accept=True)),
    (buttons.DECLINE_INVITE, partial(companies.join, accept=False)),
    (buttons.POST, posting.post_pressed),
    (buttons.COMPANY_JOBS, posting.my_jobs),
    (buttons.EDIT, posting.edit_pressed),
    (buttons.CLOSE, posting.close_pressed),
    (buttons.APPLY, browse.apply_pressed),
    (buttons.INTERVIEW, partial(browse.decide_application, interview=True)),
    (buttons.DECLINE_APPLICATION, partial(browse.decide_application, interview=False)),
    (buttons.FIND_TALENT, talent.talent_pressed),
    (buttons.ACCEPT_INTRO, partial(talent.intro_answered, accept=True)),
    (buttons.DECLINE_INTRO, partial(talent.intro_answered, accept=False)),
):
    JOBS.on(press, handler)
router.buttons(JOBS)
