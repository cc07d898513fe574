"""Experts answer or pass; the asker marks helpful, accepts, or asks one follow-up.

Every button here works from any message at any time, so each handler checks who pressed
it: only the expert a question was offered to may answer or pass, only the asker may mark,
accept or follow up. Flows: ``answer`` (text), ``followup`` (text), ``reply`` (text).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from bot.core.flow import Flow, Step
from bot.core.i18n import N_, Translator
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clean_text, clip, escape, telegram_length
from handlers.context import Ctx, staff_role
from handlers.files import SCREENSHOT, file_ref, take_file
from handlers.notices import notify_member
from handlers.questions.buttons import ACCEPT, FOLLOW_UP, HELPFUL, REPLY
from handlers.questions.indexing import reindex
from handlers.questions.offers import close_question, drop_undelivered_offers, offer
from handlers.questions.routing import LAST_EXPERT_ROUND
from handlers.questions.settings import ACCEPTED_POINTS, ANSWER_MAX, HELPFUL_POINTS, qa_settings
from handlers.questions.thread import report_button
from storage.models import Answer, Assignment, Attachment, Question
from storage.questions import ANSWERED, OFFERED, PASSED

FLOWS = []


async def _question_open(ctx: Ctx, question: Question | None) -> bool:
    if question is None or question.hidden or question.status == "closed":
        await ctx.answer(
            ctx._(N_("This question is closed: it needs no more answers.")), alert=True
        )
        return False
    return True


# -- the expert's buttons ------------------------------------------------------------------
NOT_YOURS = N_("This question was not sent to you, so you cannot answer it.")
NO_FOLLOW_UP = N_("There is no follow-up question on this answer to reply to.")


async def _own_assignment(ctx: Ctx, assignment_id: int) -> Assignment | None:
    """The assignment the pressed button names, if it is the presser's (and, in the
    experts' rounds, they are still an expert); else refuse."""
    member = await ctx.member()
    assignment = await ctx.session.questions.assignment(assignment_id)
    if (
        member is None
        or assignment is None
        or assignment.member_id != member.id
        or not await still_expert(ctx, member.id, assignment)
    ):
        await ctx.answer(ctx._(NOT_YOURS), alert=True)
        return None
    return assignment


async def still_expert(ctx: Ctx, member_id: int, assignment: Assignment) -> bool:
    """An offer made to an expert is answered by an expert only: one whose expert status
    was taken away meanwhile is refused. A moderator's last-round offer is theirs as staff."""
    if await ctx.session.questions.expert_profile(member_id) is not None:
        return True
    staff = await staff_role(ctx.session.staff, ctx.user_id)
    return assignment.round > LAST_EXPERT_ROUND and staff is not None


async def answer_pressed(ctx: Ctx, assignment_id: int) -> None:
    assignment = await _own_assignment(ctx, assignment_id)
    if assignment is None:
        return
    question = await ctx.session.questions.question(assignment.question_id)
    if not await _question_open(ctx, question):
        return
    await ctx.answer()
    await ctx.start_flow("answer", "text", {"assignment": assignment.id, "reply_to": None})


async def pass_pressed(ctx: Ctx, assignment_id: int) -> None:
    assignment = await _own_assignment(ctx, assignment_id)
    if assignment is None:
        return
    now = ctx.clock.now()
    if not await ctx.session.transition(assignment, OFFERED, PASSED, responded_at=now):
        await ctx.answer(ctx._(N_("You have already responded to this question.")))
        return
    question = await ctx.session.questions.question(assignment.question_id)
    await ctx.clear_buttons()
    await ctx.answer(ctx._(N_("Thank you. We will find someone else for it.")))
    if question is None or question.status != "open" or question.hidden:
        return
    settings = qa_settings(ctx.extras)
    found = await offer(ctx.session, ctx.translators, question, settings, now, ctx.timezone, 1)
    if not found and not await ctx.session.questions.open_offers(question.id, question.round):
        question.escalate_at = now  # nobody left in this round: the next round starts now


async def ask_answer(ctx: Ctx) -> None:
    assignment = await ctx.session.questions.assignment(ctx.data["assignment"])
    question = await ctx.session.questions.question(assignment.question_id) if assignment else None
    excerpt = escape(clip(question.text, 300)) if question else ""
    prompt = (
        N_("Write your reply to the follow-up question. Send it as one message.")
        if ctx.data.get("reply_to")
        else N_("Write your answer to question #{number}. Send it as one message:")
    )
    await ctx.reply(
        ctx._(prompt).format(number=question.id if question else "") + f"\n\n<i>{excerpt}</i>"
    )


async def receive_answer_file(ctx: Ctx) -> None:
    """A photo with the answer: its caption is the answer; without one, the photo is kept
    and the answer asked for in words."""
    kept = await take_file(ctx, SCREENSHOT)
    if kept is None:
        return
    ctx.data["file"] = kept
    if not clean_text(ctx.event.text):
        await ctx.reply(ctx._(N_("I kept your photo. Now please write your answer in words.")))
        return
    await receive_answer(ctx)


async def receive_answer(ctx: Ctx) -> None:
    text = clean_text(ctx.event.text)
    if not text:
        await ctx.reply(ctx._(N_("Please write your answer as text.")))
        return
    if telegram_length(text) > ANSWER_MAX:
        await ctx.reply(
            ctx._(
                N_(
                    "That is too long: an answer can have at most {limit} characters. Please shorten it or split the essentials into one message."
                )
            ).format(limit=ctx.t.number(ANSWER_MAX))
        )
        return
    member = await ctx.member()
    assignment = await ctx.session.questions.assignment(ctx.data["assignment"])
    replying = ctx.data.get("reply_to") is not None  # to a follow-up on their own answer
    if (
        not replying
        and member is not None
        and assignment is not None
        and not await still_expert(ctx, member.id, assignment)
    ):
        ctx.end_flow()
        await ctx.reply(ctx._(NOT_YOURS))
        return
    question = await ctx.session.questions.question(assignment.question_id) if assignment else None
    if (
        member is None
        or assignment is None
        or question is None
        or question.hidden
        or question.status == "closed"
    ):
        ctx.end_flow()
        await ctx.reply(ctx._(N_("This question is closed: it needs no more answers.")))
        return
    now = ctx.clock.now()
    if replying:  # one reply, to a follow-up the asker asked: the write's own condition
        reply = await ctx.session.questions.add_reply(
            question.id, ctx.data["reply_to"], member.id, text, now
        )
        if reply is None:
            ctx.end_flow()
            await ctx.reply(ctx._(N_("You have already replied to this follow-up.")))
            return
        answer = reply
    else:
        answer = await ctx.session.questions.add_answer(question.id, member.id, text, now, None)
    file = await keep_file(ctx, member.id, "answer", now)
    answer.attachment_id = file.id if file is not None else None
    await reindex(ctx.session, question)  # /search finds it by its answers' words too
    if assignment.status != ANSWERED:
        assignment.status, assignment.responded_at = ANSWERED, now
        await ctx.session.questions.mark_answered(member.id)
    if question.status == "open":
        question.status, question.answered_at, question.escalate_at = "answered", now, None
    await notify_member(
        ctx.session, ctx.translators, question.asker_id,
        partial(answer_message, question=question, answer=answer, member_name=member.full_name or "",
                anonymous=answer.anonymous),
        now, dedupe_key=f"answer:{answer.id}", file=file_ref(ctx.data.get("file")),
    )  # fmt: skip
    await drop_undelivered_offers(ctx.session, question, member.id)
    for other in await ctx.session.questions.assignments_of(question.id):
        if other.member_id != member.id and other.status == OFFERED:
            await notify_member(
                ctx.session, ctx.translators, other.member_id,
                partial(answered_elsewhere, number=question.id), now,
                dedupe_key=f"answered-elsewhere:{question.id}:{other.member_id}",
            )  # fmt: skip
    ctx.end_flow()
    await ctx.reply(
        ctx._(N_("Thank you, {name}! Your answer was sent to the member who asked.")).format(
            name=escape(member.full_name or "")
        )
    )


def answer_message(
    t: Translator, question: Question, answer: Answer, member_name: str, anonymous: bool
) -> tuple[str, InlineKeyboard]:
    author = t.gettext(N_("an expert")) if anonymous or not member_name else escape(member_name)
    title = (
        N_("{author} replied to your follow-up on question #{number}:")
        if answer.reply_to_id
        else N_("{author} answered your question #{number}:")
    )
    text = (
        "💬 <b>" + t.gettext(title).format(author=author, number=question.id) + "</b>\n\n"
        + escape(answer.text)
    )  # fmt: skip
    report = report_button(t, "answer", answer.id)
    if answer.reply_to_id:  # a reply to the follow-up: the answer it completes is rated
        return text, InlineKeyboard.of([[report]])
    return text, InlineKeyboard.of(
        [
            [
                HELPFUL.button("👍 " + t.gettext(N_("Helpful")), answer.id),
                ACCEPT.button("✅ " + t.gettext(N_("Accept")), answer.id),
            ],
            [FOLLOW_UP.button("❓ " + t.gettext(N_("Ask a follow-up")), answer.id), report],
        ]
    )


def answered_elsewhere(t: Translator, number: int) -> tuple[str, None]:
    return (
        t.gettext(
            N_(
                "Question #{number} has been answered by another expert. You may still add your own answer."
            )
        ).format(number=number),
        None,
    )


# -- the asker's buttons -------------------------------------------------------------------
async def _askers_answer(ctx: Ctx, answer_id: int) -> tuple[Answer, Question] | None:
    member = await ctx.member()
    answer = await ctx.session.questions.answer(answer_id)
    question = await ctx.session.questions.question(answer.question_id) if answer else None
    if member is None or answer is None or question is None or question.asker_id != member.id:
        await ctx.answer(ctx._(N_("Only the member who asked can do this.")), alert=True)
        return None
    if answer.hidden or question.hidden or answer.reply_to_id:
        await ctx.answer(ctx._(N_("This answer is no longer available.")), alert=True)
        return None
    return answer, question


async def helpful_pressed(ctx: Ctx, answer_id: int) -> None:
    found = await _askers_answer(ctx, answer_id)
    if found is None:
        return
    answer, _question = found
    if not await ctx.session.questions.mark_helpful(answer):
        await ctx.answer(ctx._(N_("You already marked this answer as helpful.")))
        return
    if not await ctx.session.questions.add_reputation(
        answer.expert_id, HELPFUL_POINTS, "helpful", ctx.clock.now()
    ):
        await ctx.answer(ctx._(N_("Thank you! The expert has left the community.")))
        return
    await ctx.answer(
        ctx._(N_("Thank you! The expert gets {points} points.")).format(points=HELPFUL_POINTS)
    )


async def accept_pressed(ctx: Ctx, answer_id: int) -> None:
    found = await _askers_answer(ctx, answer_id)
    if found is None:
        return
    answer, question = found
    if not await ctx.session.questions.accept(question, answer):
        await ctx.answer(
            ctx._(N_("You have already accepted an answer to this question.")), alert=True
        )
        return
    now = ctx.clock.now()
    await close_question(ctx.session, question, now)
    await ctx.session.questions.add_reputation(answer.expert_id, ACCEPTED_POINTS, "accepted", now)
    await notify_member(
        ctx.session, ctx.translators, answer.expert_id,
        partial(accepted_notice, number=question.id), now, dedupe_key=f"accepted:{answer.id}",
    )  # fmt: skip
    await ctx.answer()
    await ctx.reply(
        ctx._(N_("You accepted this answer; question #{number} is closed. Thank you!")).format(
            number=question.id
        )
    )


def accepted_notice(t: Translator, number: int) -> tuple[str, None]:
    return (
        "✅ "
        + t.gettext(
            N_("Your answer to question #{number} was accepted: +{points} reputation.")
        ).format(number=number, points=ACCEPTED_POINTS),
        None,
    )


async def followup_pressed(ctx: Ctx, answer_id: int) -> None:
    found = await _askers_answer(ctx, answer_id)
    if found is None:
        return
    answer, question = found
    if answer.follow_up is not None:
        await ctx.answer(ctx._(N_("You already asked a follow-up on this answer.")), alert=True)
        return
    if question.status == "closed":
        await ctx.answer(
            ctx._(N_("This question is closed: it needs no more answers.")), alert=True
        )
        return
    await ctx.answer()
    await ctx.start_flow("followup", "text", {"answer": answer.id})


async def ask_followup(ctx: Ctx) -> None:
    await ctx.reply(ctx._(N_("Write your follow-up question to the same expert, in one message.")))


async def receive_followup_file(ctx: Ctx) -> None:
    """A photo with the follow-up: as with an answer, its caption is the follow-up."""
    kept = await take_file(ctx, SCREENSHOT)
    if kept is None:
        return
    ctx.data["file"] = kept
    if not clean_text(ctx.event.text):
        await ctx.reply(
            ctx._(N_("I kept your photo. Now please write your follow-up question in words."))
        )
        return
    await receive_followup(ctx)


async def keep_file(ctx: Ctx, member_id: int, place: str, now: datetime) -> Attachment | None:
    """The file the flow kept, stored for ``place`` (None when there is none)."""
    kept = ctx.data.get("file")
    if not kept:
        return None
    return await ctx.session.attachments.add(member_id, place, kept, now)


async def receive_followup(ctx: Ctx) -> None:
    text = clean_text(ctx.event.text)
    answer = await ctx.session.questions.answer(ctx.data["answer"])
    if not text or telegram_length(text) > ANSWER_MAX or answer is None:
        await ctx.reply(
            ctx._(
                N_("Please write your follow-up question as text, at most {limit} characters.")
            ).format(limit=ctx.t.number(ANSWER_MAX))
        )
        return
    question = await ctx.session.questions.question(answer.question_id)
    if question is None or question.hidden or question.status == "closed":
        # accepted or closed while the follow-up was being written: the expert could not reply
        ctx.end_flow()
        await ctx.reply(
            ctx._(
                N_(
                    "Question #{number} is closed, so your follow-up was not sent. You can ask a new question with /ask."
                )
            ).format(number=answer.question_id)
        )
        return
    ctx.end_flow()
    if not await ctx.session.questions.ask_follow_up(answer, text):  # one, across processes
        await ctx.reply(ctx._(N_("You already asked a follow-up on this answer.")))
        return
    asker = await ctx.member()
    if asker is not None:
        await keep_file(ctx, asker.id, "follow-up", ctx.clock.now())
    sent = await notify_member(
        ctx.session, ctx.translators, answer.expert_id,
        partial(followup_message, answer=answer, text=text), ctx.clock.now(),
        dedupe_key=f"followup:{answer.id}", file=file_ref(ctx.data.get("file")),
    )  # fmt: skip
    if not sent:
        answer.follow_up = None  # not asked after all: nobody would reply
        await ctx.reply(
            ctx._(N_("This expert has left the community, so the follow-up cannot reach them."))
        )
        return
    await ctx.reply(ctx._(N_("Your follow-up was sent to the expert.")))


def followup_message(t: Translator, answer: Answer, text: str) -> tuple[str, InlineKeyboard]:
    return (
        "❓ <b>" + t.gettext(N_("A follow-up question on your answer to question #{number}:")).format(number=answer.question_id)
        + f"</b>\n\n{escape(text)}",
        InlineKeyboard.of([[REPLY.button("✍️ " + t.gettext(N_("Reply")), answer.id)]]),
    )  # fmt: skip


async def reply_pressed(ctx: Ctx, answer_id: int) -> None:
    member = await ctx.member()
    answer = await ctx.session.questions.answer(answer_id)
    if member is None or answer is None or answer.expert_id != member.id:
        await ctx.answer(
            ctx._(N_("This question was not sent to you, so you cannot answer it.")), alert=True
        )
        return
    if answer.reply_to_id is not None or answer.follow_up is None:
        await ctx.answer(ctx._(NO_FOLLOW_UP), alert=True)  # only a follow-up the asker asked
        return
    question = await ctx.session.questions.question(answer.question_id)
    if not await _question_open(ctx, question):
        return
    if await ctx.session.questions.reply_to(answer.id) is not None:
        await ctx.answer(ctx._(N_("You have already replied to this follow-up.")), alert=True)
        return
    assignment = next(
        (
            a
            for a in await ctx.session.questions.assignments_of(answer.question_id)
            if a.member_id == member.id
        ),
        None,
    )
    if assignment is None:
        await ctx.answer(
            ctx._(N_("This question was not sent to you, so you cannot answer it.")), alert=True
        )
        return
    await ctx.answer()
    await ctx.start_flow("answer", "text", {"assignment": assignment.id, "reply_to": answer.id})


answer_flow = Flow(
    "answer",
    {
        "text": Step(
            ask_answer,
            N_("Please write your answer as text."),
            on_text=receive_answer,
            on_media=receive_answer_file,
            ends=True,
        )
    },
    entry=("text",),
)
followup_flow = Flow(
    "followup",
    {
        "text": Step(
            ask_followup, N_("Please write your follow-up question as text."),
            on_text=receive_followup, on_media=receive_followup_file, ends=True,
        )
    },
    entry=("text",),
)  # fmt: skip
FLOWS.extend([answer_flow, followup_flow])
