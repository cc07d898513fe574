"""What staff and the operator do to experts and to reported questions and answers, whichever
surface asks: an administrator's buttons and /admin in the chat, ``dcc-bot experts`` at the
command line, and the web console.

Each operation checks the role first (``Acting.require``), then the values, writes through
``acting.uow``, writes the audit line and queues the notices; the caller commits and shows
the outcome. ``Invalid`` and ``NotAllowed`` carry msgids; ``Decided`` (an ``Invalid``) says
someone decided first, so the buttons of the message pressed are spent.

Expert status is written here only (and by ``bot.demo``'s seed through the same storage
method, ``QuestionRepository.make_expert``): granted by an approved application or by
``add_expert``, taken away by ``remove_expert``. An expert's own settings in /profile are
``QuestionRepository.update_expert_settings``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from bot.core.i18n import N_, Translator
from handlers.acting import Acting, NotAllowed
from handlers.invalid import Invalid
from handlers.notices import notify_member, text_notice
from handlers.questions.indexing import reindex
from handlers.questions.offers import close_question, withdraw_offers
from handlers.questions.routing import LAST_EXPERT_ROUND
from storage.models import Answer, ExpertApplication, Question, Report
from storage.privacy import WITHDRAWN
from storage.seed.tags import SLUGS
from storage.uow import UnitOfWork

NO_APPLICATION = N_("That application no longer exists.")
APPLICATION_DECIDED = N_("Another administrator has already decided on this application.")
APPLICATION_WITHDRAWN = N_("This application was withdrawn: the member erased their data.")
NOT_A_MEMBER = N_("{telegram_id} is not a member: they sign up with /start first.")
NOT_AN_EXPERT = N_("They are not an expert.")
NO_TOPIC = N_("Please choose at least one topic.")
UNKNOWN_TOPIC = N_("{tag} is not one of the topics.")
REPORT_HANDLED = N_("Another moderator has already handled this report.")
ABOUT_YOU = N_("This report is about you: another moderator will decide it.")


@dataclass
class Decided(Invalid):
    """Another decision came first (or the member withdrew): nothing is left to decide."""


# -- experts -------------------------------------------------------------------------------
async def decide_application(
    acting: Acting, application_id: int, approve: bool
) -> ExpertApplication:
    """Approve (the member becomes an expert for the topics they applied for) or reject an
    expert application; the member is told. The first decision counts: it is the condition
    of the write, so two administrators pressing at once (two processes) decide once."""
    await acting.require("admin")
    uow = acting.uow
    application = await uow.questions.application(application_id)
    if application is None:
        raise Invalid(NO_APPLICATION)
    decision = "approved" if approve else "rejected"
    if not await uow.transition(
        application, "pending", decision, decided_by=acting.person, decided_at=acting.now
    ):
        withdrawn = application.status == WITHDRAWN  # refreshed: the status that stands
        raise Decided(APPLICATION_WITHDRAWN if withdrawn else APPLICATION_DECIDED)
    if approve:
        slugs = [s for s in application.tags.split(",") if s]
        await uow.questions.make_expert(application.member_id, slugs)
    await acting.audit(
        "expert-approved" if approve else "expert-rejected", {"application": application.id}
    )
    await notify_member(
        uow, acting.translations, application.member_id,
        partial(decision_notice, approved=approve), acting.now,
        dedupe_key=f"application-decided:{application.id}",
    )  # fmt: skip
    return application


async def add_expert(acting: Acting, telegram_id: int, slugs: Sequence[str]) -> list[str]:
    """Verify a member as an expert for ``slugs`` (added to any topics they had; a removed
    expert gets their profile back); the topics they are an expert for now."""
    await acting.require("admin")
    if not slugs:
        raise Invalid(NO_TOPIC)
    for slug in slugs:
        if slug not in SLUGS:
            raise Invalid(UNKNOWN_TOPIC, {"tag": slug})
    member = await acting.uow.members.get(telegram_id)
    if member is None:
        raise Invalid(NOT_A_MEMBER, {"telegram_id": telegram_id})
    await acting.uow.questions.make_expert(member.id, slugs)
    await acting.audit("expert-added", {"member_id": member.id, "tags": list(slugs)})
    return await acting.uow.questions.expert_tags(member.id)


async def remove_expert(acting: Acting, telegram_id: int) -> None:
    """Take expert status away. The offers they had not answered are withdrawn and their
    questions move on (``withdraw_offers``), but a moderator keeps a question's last round,
    shown to them as staff. The profile is kept, marked removed: the anonymity of the answers
    they gave still holds. The member is told."""
    await acting.require("admin")
    uow = acting.uow
    member = await uow.members.get(telegram_id)
    profile = await uow.questions.expert_profile(member.id) if member is not None else None
    if member is None or profile is None:
        raise Invalid(NOT_AN_EXPERT)
    staff = await _is_staff(uow, telegram_id)
    withdrawn = await withdraw_offers(
        uow, member.id, acting.now, keep_after_round=LAST_EXPERT_ROUND if staff else None
    )
    await uow.questions.remove_expert(profile, acting.now, len(withdrawn))
    await acting.audit("expert-removed", {"member_id": member.id})
    await notify_member(
        uow, acting.translations, member.id, removed_notice, acting.now,
        dedupe_key=f"expert-removed:{member.id}:{acting.now.isoformat()}",
    )  # fmt: skip


async def _is_staff(uow: UnitOfWork, telegram_id: int) -> bool:
    return await uow.staff.has_role(telegram_id, "moderator") or await uow.staff.has_role(
        telegram_id, "admin"
    )


def decision_notice(t: Translator, approved: bool) -> tuple[str, None]:
    if approved:
        return (
            "🎓 " + t.gettext(N_("Your expert application was approved! Questions in your topics will come to you here. You can set your availability and quiet hours in /profile.")),
            None,
        )  # fmt: skip
    return (t.gettext(N_("Your expert application was not approved this time.")), None)


removed_notice = text_notice(
    N_(
        "You are no longer an expert of DCC Bot: questions will not be sent to you any more. Thank you for your answers."
    )
)


# -- reports -------------------------------------------------------------------------------
async def reported(uow: UnitOfWork, target: str, target_id: int) -> Question | Answer | None:
    """What a report is about: a question, or an answer (a reply to a follow-up too)."""
    if target == "question":
        return await uow.questions.question(target_id)
    return await uow.questions.answer(target_id)


async def decide_report(acting: Acting, report_id: int, hide: bool) -> Report:
    """Hide what a member reported (a question is closed, an answer leaves /search), or keep
    it. The first decision counts (the condition of the write), and a moderator never
    decides a report about their own question or answer: another moderator does."""
    await acting.require("moderator")
    uow = acting.uow
    report = await uow.questions.report(report_id)
    if report is None or report.status != "open":
        raise Decided(REPORT_HANDLED)
    target = await reported(uow, report.target, report.target_id)
    author = target.asker_id if isinstance(target, Question) else getattr(target, "expert_id", None)
    if acting.person is not None:
        moderator = await uow.members.get(acting.person)
        if moderator is not None and moderator.id == author:
            raise NotAllowed(ABOUT_YOU)
    if not await uow.transition(
        report, "open", "hidden" if hide else "kept",
        resolved_by=acting.person, resolved_at=acting.now,
    ):  # fmt: skip
        raise Decided(REPORT_HANDLED)
    if hide and target is not None:
        await _hide(uow, target, acting)
    await acting.audit("report-hidden" if hide else "report-kept", {"report": report.id})
    return report


async def _hide(uow: UnitOfWork, target: Question | Answer, acting: Acting) -> None:
    """Hidden from everyone: a question is closed (its pending offers withdrawn); an answer's
    words no longer lead /search to its question."""
    target.hidden = True
    if isinstance(target, Question):
        await close_question(uow, target, acting.now)
        return
    question = await uow.questions.question(target.question_id)
    if question is not None:
        await reindex(uow, question)
