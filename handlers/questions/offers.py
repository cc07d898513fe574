"""Offering a question to experts: the first round, a replacement after a pass, and the
escalation rounds the scheduler finds due. Each offer is an assignment row plus an outbox
message, written together; an expert in quiet hours gets the message when they end."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from bot.core.events import FileRef
from bot.core.i18n import N_, Translations, Translator
from bot.core.keyboards import InlineKeyboard
from bot.core.text import escape
from handlers.notices import notify, notify_member, staff_ids
from handlers.questions.buttons import ANSWER, PASS, REPORT_QUESTION
from handlers.questions.routing import Offer, choose_experts, escalate
from handlers.questions.settings import BUSY_RETRY, QaSettings
from storage.models import Assignment, Question, Tag
from storage.questions import OFFERED
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def tag_names(tags: list[Tag], slugs: list[str], language: str) -> str:
    names = {t.slug: t.name(language) for t in tags}
    return ", ".join(names.get(s, s) for s in slugs)


def offer_text(t: Translator, question: Question, tags: str, to_moderator: bool = False) -> str:
    title = (
        t.gettext(N_("No expert has answered this question yet. Can you help?"))
        if to_moderator
        else t.gettext(N_("A member asks a question in your field. Can you answer it?"))
    )
    return (
        f"❓ <b>{title}</b>\n"
        + t.gettext(N_("Question #{number} · {tags}")).format(number=question.id, tags=escape(tags))
        + f"\n\n{escape(question.text)}"  # whole: in parts if the heading needs it
    )


def offer_message(
    t: Translator, question: Question, tags: str, assignment_id: int, to_moderator: bool = False
) -> tuple[str, InlineKeyboard]:
    keyboard = InlineKeyboard.of(
        [
            [
                ANSWER.button("✍️ " + t.gettext(N_("Answer")), assignment_id),
                PASS.button("↪️ " + t.gettext(N_("Pass")), assignment_id),
            ],
            [REPORT_QUESTION.button("⚠️ " + t.gettext(N_("Report")), question.id)],
        ]
    )
    return offer_text(t, question, tags, to_moderator), keyboard


async def question_file(uow: UnitOfWork, question: Question) -> FileRef | None:
    """The screenshot sent with the question, to go with every offer of it."""
    file = await uow.attachments.get(question.attachment_id)
    return FileRef(file.kind, file.file_id) if file is not None else None


def escalation_notice(t: Translator, number: int) -> tuple[str, None]:
    return (
        t.gettext(
            N_("Your question #{number} has no answer yet, so more people will see it now.")
        ).format(number=number),
        None,
    )


async def offer(
    uow: UnitOfWork,
    translations: Translations,
    question: Question,
    settings: QaSettings,
    now: datetime,
    tz: ZoneInfo,
    k: int,
    slugs: list[str] | None = None,
    offered: set[int] | None = None,
) -> list[Offer]:
    """Offer ``question`` to the next ``k`` experts; the offers made (maybe none). Each
    offer is written only while the expert is still under their cap and under
    ``settings.offers_per_asker`` for this asker (a concurrent offer may have taken the
    place since the candidates were read: that expert is then left out). Quiet hours are
    read in ``tz``, the bot's time zone. ``slugs`` (the question's tags) and ``offered``
    (who was offered it before), when the caller has read them already."""
    if slugs is None:
        slugs = await uow.questions.question_tags(question.id)
    per_asker = settings.offers_per_asker
    rows = {
        row.member_id: row
        for row in await uow.questions.candidates(slugs, question.asker_id, per_asker)
    }
    if offered is None:
        offered = await uow.questions.offered_member_ids(question.id)
    offers = choose_experts(rows.values(), slugs, question.asker_id, now, tz, k, offered, per_asker)
    if not offers:
        return []
    tags = await uow.tags.all()
    file = await question_file(uow, question)
    made = []
    for chosen in offers:
        row = rows[chosen.member_id]
        assignment = await uow.questions.add_offer_within(
            question, chosen.member_id, now, per_asker
        )
        if assignment is None:
            continue
        made.append(chosen)
        names = tag_names(tags, slugs, row.language)
        await notify(
            uow,
            translations,
            row.telegram_id,
            row.language,
            partial(offer_message, question=question, tags=names, assignment_id=assignment.id),
            now,
            dedupe_key=f"offer:{assignment.id}",
            not_before=chosen.deliver_at,
            file=file,
        )
    return made


def staff_notice(t: Translator, question: Question, tags: str) -> tuple[str, None]:
    """For staff who have not signed up: the question, and how to be able to answer it."""
    text = offer_text(t, question, tags, to_moderator=True)
    return text + "\n\n" + t.gettext(N_("Sign up with /start to answer questions.")), None


async def tell_moderators(
    uow: UnitOfWork,
    translations: Translations,
    question: Question,
    settings: QaSettings,
    now: datetime,
    slugs: list[str] | None = None,
    offered: set[int] | None = None,
) -> int:
    """The last round: every moderator (and admin) sees the question and may answer it.
    ``slugs`` and ``offered`` as for ``offer``.

    With no staff at all, the question stays due: the job tries again after the configured
    ``settings.escalate_after``."""
    staff = await staff_ids(uow, "moderator")
    told = 0
    if staff:
        if slugs is None:
            slugs = await uow.questions.question_tags(question.id)
        if offered is None:
            offered = await uow.questions.offered_member_ids(question.id)
        told = await _tell_staff(uow, translations, question, now, staff, slugs, offered)
    if told == 0:
        log.warning("question %s reached its last round but no moderator exists", question.id)
        question.escalate_at = now + settings.escalate_after
    return told


async def _tell_staff(
    uow: UnitOfWork,
    translations: Translations,
    question: Question,
    now: datetime,
    staff: list[int],
    slugs: list[str],
    offered: set[int],
) -> int:
    """``tell_moderators``' offers and notices to ``staff``; how many were told."""
    tags = await uow.tags.all()
    file = await question_file(uow, question)
    told = 0
    for telegram_id in staff:
        member = await uow.members.get(telegram_id)
        language = member.language if member else "en"
        names = tag_names(tags, slugs, language)
        if member is None:
            await notify(
                uow, translations, telegram_id, language,
                partial(staff_notice, question=question, tags=names), now,
                dedupe_key=f"staff-notice:{question.id}:{telegram_id}", file=file,
            )  # fmt: skip
            told += 1
            continue
        if member.id == question.asker_id or member.id in offered:
            continue
        assignment = await uow.questions.add_assignment(question.id, member.id, question.round, now)
        await notify(
            uow, translations, telegram_id, language,
            partial(
                offer_message, question=question, tags=names, assignment_id=assignment.id,
                to_moderator=True,
            ),
            now, dedupe_key=f"offer:{assignment.id}", file=file,
        )  # fmt: skip
        told += 1
    return told


async def close_question(uow: UnitOfWork, question: Question, now: datetime) -> None:
    """Closed (accepted, closed by the asker, hidden): offers end, unsent ones are dropped."""
    question.status, question.escalate_at = "closed", None
    question.closed_at = question.closed_at or now
    withdrawn = await uow.questions.withdraw_offers(question.id)
    await uow.outbox.cancel([f"offer:{assignment_id}" for assignment_id in withdrawn])


async def drop_undelivered_offers(uow: UnitOfWork, question: Question, answerer_id: int) -> None:
    """An answer arrived: offers still waiting for an expert's quiet hours to end are dropped
    (their outbox messages cancelled, the assignments withdrawn), so nobody wakes up to
    "Can you answer it?" for an answered question, and those offers count neither against
    the experts' caps nor as offers they left unanswered.

    Chosen over re-rendering them as "answered by another expert": an expert who never saw
    the question has nothing to be told, and dropping needs no second kind of message.
    Experts who already received the offer keep it (and are told of the answer)."""
    waiting = [
        a
        for a in await uow.questions.assignments_of(question.id)
        if a.status == OFFERED and a.member_id != answerer_id
    ]
    dropped = await uow.outbox.cancel([f"offer:{a.id}" for a in waiting])
    await uow.questions.withdraw_undelivered([a for a in waiting if f"offer:{a.id}" in dropped])


async def route_new_question(
    uow: UnitOfWork,
    translations: Translations,
    question: Question,
    settings: QaSettings,
    now: datetime,
    tz: ZoneInfo,
) -> int:
    """Round 1: the offers made now. When the question's experts exist but none is free
    (all at their cap or away), it stays in round 1 and is offered again every
    ``BUSY_RETRY`` (see ``offer_when_free``); only with no expert at all for its tags
    (other than the asker) do the moderators get it at once. The question's tags are read
    once for all of that; nobody was offered a question just asked, so that is not read."""
    slugs = await uow.questions.question_tags(question.id)
    offered: set[int] = set()
    offers = await offer(uow, translations, question, settings, now, tz, settings.k, slugs, offered)
    if offers:
        return len(offers)
    if await uow.questions.experts_exist(slugs, question.asker_id):
        question.escalate_at = min(now + BUSY_RETRY, question.created_at + settings.escalate_after)
        return 0
    question.round = 3
    question.escalate_at = None
    return await tell_moderators(uow, translations, question, settings, now, slugs, offered)


async def offer_when_free(
    uow: UnitOfWork,
    translations: Translations,
    question: Question,
    settings: QaSettings,
    now: datetime,
    tz: ZoneInfo,
) -> bool:
    """Round 1 of a question no expert has been offered yet: try again. True when handled
    here: offered now (the round then runs ``escalate_after`` from now), or due again in
    ``BUSY_RETRY``. False, for the normal escalation to take it, once it was offered before,
    ``escalate_after`` has passed since it was asked, or no expert for its tags is left."""
    deadline = question.created_at + settings.escalate_after
    if now >= deadline or await uow.questions.offered_member_ids(question.id):
        return False
    if await offer(uow, translations, question, settings, now, tz, settings.k):
        question.escalate_at = now + settings.escalate_after
        return True
    slugs = await uow.questions.question_tags(question.id)
    if not await uow.questions.experts_exist(slugs, question.asker_id):
        return False
    question.escalate_at = min(now + BUSY_RETRY, deadline)
    return True


async def escalate_due_questions(
    uow: UnitOfWork,
    translations: Translations,
    settings: QaSettings,
    now: datetime,
    tz: ZoneInfo,
) -> int:
    """The scheduler's job: offer again the questions whose experts were busy, and move
    every other open question whose round timed out to the next one; how many moved.

    Runs twice, escalates once: each question's round and due time change in the same
    transaction as its offers, and offers carry de-duplication keys.
    """
    moved = 0
    for question in await uow.questions.due_escalations(now):
        if question.round == 1 and await offer_when_free(
            uow, translations, question, settings, now, tz
        ):
            continue
        step = escalate(question.round, False, now, settings.escalate_after)
        if step is None:  # nobody could be told last time: new experts or staff may exist now
            question.escalate_at = None
            if not await offer(uow, translations, question, settings, now, tz, settings.k):
                await tell_moderators(uow, translations, question, settings, now)
            continue
        question.round, question.escalate_at = step.round, step.next_due
        if step.to_moderators:
            await tell_moderators(uow, translations, question, settings, now)
        elif not await offer(uow, translations, question, settings, now, tz, settings.k):
            question.round, question.escalate_at = step.round + 1, None
            await tell_moderators(uow, translations, question, settings, now)
        await notify_member(
            uow,
            translations,
            question.asker_id,
            partial(escalation_notice, number=question.id),
            now,
            dedupe_key=f"escalated:{question.id}:{question.round}",
        )
        moved += 1
    return moved


async def withdraw_offers(
    uow: UnitOfWork, member_id: int, now: datetime, keep_after_round: int | None = None
) -> list[Assignment]:
    """The member's unanswered offers are withdrawn (see ``withdraw_offers_to``; their
    [Answer] is refused from then on, the messages not sent yet are dropped), and a question
    left with no open offer in its round moves on now, as when its last expert passes.
    Shared by the removal of an expert (``operations.remove_expert``) and a member's
    /deleteme."""
    withdrawn = await uow.questions.withdraw_offers_to(member_id, keep_after_round)
    await uow.outbox.cancel([f"offer:{a.id}" for a in withdrawn])
    for assignment in withdrawn:
        question = await uow.questions.question(assignment.question_id)
        if question is None or question.status != "open":
            continue
        if not await uow.questions.open_offers(question.id, question.round):
            question.escalate_at = now
    return withdrawn
