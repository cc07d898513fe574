"""What is sent about a company: the request the administrators verify, their decision as
its representative reads it, and a verified company's buttons.

Apart from the flows (no ``Ctx``): the company operations queue these as notices.
"""

from __future__ import annotations

from bot.core.i18n import N_, Translator
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clip, escape
from handlers.jobs.buttons import (
    APPROVE_COMPANY,
    COMPANY_JOBS,
    FIND_TALENT,
    INVITE,
    POST,
    REJECT_COMPANY,
)
from handlers.requester import asked_by
from storage.models import Company, Member


def company_buttons(t: Translator, company: Company) -> InlineKeyboard:
    c = company.id
    return InlineKeyboard.of(
        [
            [POST.button("📝 " + t.gettext(N_("Post a job")), c),
             COMPANY_JOBS.button("📋 " + t.gettext(N_("Our jobs")), c)],
            [FIND_TALENT.button("🔎 " + t.gettext(N_("Find talent")), c),
             INVITE.button("➕ " + t.gettext(N_("Add a representative")), c)],
        ]
    )  # fmt: skip


def company_request(
    t: Translator, company: Company, member: Member | None
) -> tuple[str, InlineKeyboard]:
    """The card administrators decide on; ``member``: who sent it (None, or erased: they
    have left, and the card says so)."""
    text = (
        "🏢 <b>" + t.gettext(N_("A company asks to be verified:")) + "</b>\n"
        + asked_by(t, member) + "\n"
        + f"{escape(company.name)} · " + t.gettext(N_("Company number {number}")).format(number=company.id) + "\n"
        + t.gettext(N_("Registration number: {value}")).format(value=escape(company.registration_no)) + "\n"
        + t.gettext(N_("Sector: {value}")).format(value=escape(company.sector)) + "\n"
        + t.gettext(N_("Website: {value}")).format(value=escape(company.website or "—")) + "\n\n"
        + escape(clip(company.about, 800))
    )  # fmt: skip
    return text, InlineKeyboard.of(
        [[APPROVE_COMPANY.button("✅ " + t.gettext(N_("Approve")), company.id),
          REJECT_COMPANY.button("✖️ " + t.gettext(N_("Reject")), company.id)]]
    )  # fmt: skip


def company_decision(t: Translator, company: Company) -> tuple[str, InlineKeyboard | None]:
    if company.status == "verified":
        return (
            "🏢 " + t.gettext(N_("{company} is verified. You can now post jobs and find talent.")).format(company=escape(company.name)),
            company_buttons(t, company),
        )  # fmt: skip
    return (
        t.gettext(N_("{company} was not verified. Write to the ministry if you think this is a mistake.")).format(company=escape(company.name)),
        None,
    )  # fmt: skip
