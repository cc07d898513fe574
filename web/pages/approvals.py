"""Approvals: the expert applications and company registrations waiting for an
administrator, each with Approve / Reject.

The lists are the queries /admin → Approvals uses (``pending_applications``,
``pending_companies``) and show what the bot's approval messages show, as plain text
(autoescaped). A decision is the bot's operation (``decide_application``,
``approve_company`` / ``reject_company``) with the signed-in administrator acting through
the web: the first decision counts, so one taken meanwhile (in the bot, another browser)
is refused with the operation's message and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.core.i18n import N_, Translator
from handlers.acting import NotAllowed
from handlers.community.cards import skill_names
from handlers.invalid import Invalid
from handlers.jobs.operations import approve_company, reject_company
from handlers.profile.summary import Summary, summary_parts
from handlers.questions.offers import tag_names
from handlers.questions.operations import decide_application
from handlers.requester import who
from storage.models import Company, ExpertApplication
from storage.uow import UnitOfWork
from web.acting import acting, refusal_text
from web.console import page, translator_of, uow_of
from web.rendering import render, see_other

NO_DECISION = N_("Choose Approve or Reject.")
DONE = {
    "approved": N_("Approved: the member is told."),
    "rejected": N_("Rejected: the member is told."),
}


@dataclass(frozen=True)
class Application:
    application: ExpertApplication
    summary: Summary
    topics: str
    created_at: datetime


@dataclass(frozen=True)
class CompanyRequest:
    company: Company
    requester: str | None  # None: the member who sent it has left (erased their data)


async def waiting(uow: UnitOfWork, t: Translator) -> tuple[list[Application], list[CompanyRequest]]:
    """What waits, with the members who asked read all at once (their rows, then the
    applicants' skills), not a read or two each: the page lists every request waiting."""
    tags = await uow.tags.all()
    pending = await uow.questions.pending_applications()
    registered = await uow.jobs.pending_companies()
    members = await uow.members.by_ids(
        {a.member_id for a in pending} | {c.created_by for c in registered}
    )
    skills = await uow.members.skills_of([a.member_id for a in pending])
    applications = []
    for application in pending:
        member = members.get(application.member_id)
        if member is None or member.deleted_at is not None:
            continue  # erasing withdraws the application: nothing left to decide
        slugs = [s for s in application.tags.split(",") if s]
        summary = summary_parts(t, member, skill_names(tags, skills.get(member.id, []), t.language))
        applications.append(
            Application(
                application, summary, tag_names(tags, slugs, t.language), application.created_at
            )
        )
    companies = [  # who asked, as the bot's card says it
        CompanyRequest(company, who(t, members.get(company.created_by))) for company in registered
    ]
    return applications, companies


async def _page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    t = translator_of(request)
    applications, companies = await waiting(uow_of(request), t)
    done = request.query.get("done", "")
    return render(
        request,
        "approvals.html",
        status=status,
        title=t.gettext(N_("Approvals")),
        applications=applications,
        companies=companies,
        error=error,
        done=t.gettext(DONE[done]) if done in DONE and not error else "",
    )


@page("/approvals", N_("Approvals"), "admin")
async def approvals(request: web.Request) -> web.Response:
    return await _page(request)


def _decision(chosen: object) -> bool | None:
    """True for Approve, False for Reject, None for anything else (nothing is decided)."""
    return {"approve": True, "reject": False}.get(chosen) if isinstance(chosen, str) else None


def _number(raw: object) -> int:
    """A row's id from a form; 0 (no such row) for anything else."""
    return int(raw) if isinstance(raw, str) and raw.isdecimal() and len(raw) < 12 else 0


@page("/approvals/application", None, "admin", method="POST")
async def decide_expert(request: web.Request) -> web.Response:
    form = await request.post()
    approve = _decision(form.get("decision"))
    if approve is None:
        return await _page(request, translator_of(request).gettext(NO_DECISION), status=400)
    try:
        await decide_application(acting(request), _number(form.get("application")), approve)
    except (NotAllowed, Invalid) as error:
        return await _page(request, refusal_text(request, error), status=400)
    return see_other("/approvals?done=" + ("approved" if approve else "rejected"))


@page("/approvals/company", None, "admin", method="POST")
async def decide_company(request: web.Request) -> web.Response:
    form = await request.post()
    approve = _decision(form.get("decision"))
    if approve is None:
        return await _page(request, translator_of(request).gettext(NO_DECISION), status=400)
    decide = approve_company if approve else reject_company
    try:
        await decide(acting(request), _number(form.get("company")))
    except (NotAllowed, Invalid) as error:
        return await _page(request, refusal_text(request, error), status=400)
    return see_other("/approvals?done=" + ("approved" if approve else "rejected"))
