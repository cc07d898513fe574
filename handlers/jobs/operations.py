"""What staff and the operator do to companies and jobs, whichever surface asks: approve or
reject a company's registration (the administrators' [Approve] [Reject] buttons, next the web
console), and import a verified company's jobs (``dcc-bot jobs import``, next the console).

Each checks the role first, writes in the caller's unit of work, writes the audit line and
queues the notices; the caller commits and shows the outcome (``handlers.acting``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TypedDict

from bot.core.i18n import N_
from handlers.acting import Acting
from handlers.invalid import Invalid
from handlers.jobs.company_messages import company_decision
from handlers.jobs.rules import deadline_end
from handlers.notices import notify_member
from storage.models import Company, Job

WITHDRAWN = N_("This company request was withdrawn: the member who sent it erased their data.")
DECIDED_ALREADY = N_("Another administrator has already decided on this company.")
NO_VERIFIED_COMPANY = N_("There is no verified company number {number}.")


async def approve_company(acting: Acting, company_id: int) -> Company:
    """Verify a registered company; its representative is told and gets its buttons."""
    return await _decide(acting, company_id, "verified")


async def reject_company(acting: Acting, company_id: int) -> Company:
    """Refuse a registered company; its representative is told."""
    return await _decide(acting, company_id, "rejected")


async def _decide(acting: Acting, company_id: int, status: str) -> Company:
    """The first decision counts: it is the condition of the write (pending → ``status``),
    so two administrators pressing at once, in two processes, decide once."""
    await acting.require("admin")
    uow = acting.uow
    company = await uow.jobs.company(company_id)
    if company is None:  # a request is dropped only when its member erases their data
        raise Invalid(WITHDRAWN)
    if company.status != "pending" or not await uow.transition(
        company, "pending", status, decided_by=acting.person, decided_at=acting.now
    ):
        raise Invalid(DECIDED_ALREADY)
    await acting.audit(
        "company-verified" if status == "verified" else "company-rejected", {"company": company.id}
    )
    await notify_member(
        uow, acting.translations, company.created_by, partial(company_decision, company=company),
        acting.now, dedupe_key=f"company-decided:{company.id}",
    )  # fmt: skip
    return company


class JobRow(TypedDict):
    """A job as ``bot.jobs_csv`` reads it from a row, checked with the job form's rules
    (``type`` is the job type, ``deadline`` its last day; ``apply_url`` None: apply in
    the bot)."""

    title: str
    description: str
    tags: list[str]
    location: str
    type: str
    deadline: date
    apply_url: str | None


@dataclass(frozen=True)
class JobsImported:
    company: Company
    jobs: list[Job]


async def import_jobs(
    acting: Acting, company_id: int, rows: Sequence[JobRow], file: str, skipped: int
) -> JobsImported:
    """Publish ``rows`` as jobs of a verified company, posted by the member who registered
    it; each job's instant alerts go out on the scheduler's next run. ``file`` (its name)
    and ``skipped`` (the rows the reader refused) go into the audit line."""
    await acting.require("admin")
    uow = acting.uow
    company = await uow.jobs.company(company_id)
    if company is None or company.status != "verified":
        raise Invalid(NO_VERIFIED_COMPANY, {"number": company_id})
    jobs = []
    for row in rows:
        job = await uow.jobs.add_job(
            company.id, company.created_by, row["title"], row["description"], row["tags"],
            row["location"], row["type"], row["deadline"],
            deadline_end(row["deadline"], acting.timezone), row["apply_url"], acting.now,
        )  # fmt: skip
        jobs.append(job)
    await acting.audit(
        "jobs-imported",
        {"file": file, "company": company.id, "imported": len(jobs), "skipped": skipped},
    )
    return JobsImported(company, jobs)
