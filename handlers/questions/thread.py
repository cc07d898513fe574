"""A question with its answers, as members read it (after /search, or a similar question)."""

from __future__ import annotations

from bot.core.i18n import N_, Translator
from bot.core.text import clip, escape
from handlers.questions.settings import ANSWER_MAX, QUESTION_MAX
from storage.models import Answer, Member, Question

STATUS_NAMES = {
    "open": N_("Waiting for answers"),
    "answered": N_("Answered"),
    "closed": N_("Closed"),
}
ANSWERS_SHOWN = 5


def expert_name(t: Translator, expert: Member | None, anonymous: bool) -> str:
    if anonymous or expert is None or not expert.full_name:
        return t.gettext(N_("an expert"))
    return escape(expert.full_name)


def render_thread(
    t: Translator,
    question: Question,
    answers: list[tuple[Answer, str]],
    replies: dict[int, Answer],
) -> list[str]:
    """One message for the question, one for each answer (best first) and one for each
    follow-up with its reply; every message stays within Telegram's 4,096 characters."""
    head = t.gettext(N_("Question #{number}")).format(number=question.id)
    messages = [f"<b>{head}</b>\n{escape(clip(question.text, QUESTION_MAX))}"]
    for answer, author in answers[:ANSWERS_SHOWN]:
        mark = "✅ " if answer.accepted else "💬 "
        messages.append(f"{mark}<b>{author}</b>\n{escape(clip(answer.text, ANSWER_MAX))}")
        reply = replies.get(answer.id)
        if answer.follow_up and reply is not None:
            messages.append(
                f"❓ <i>{escape(clip(answer.follow_up, 500))}</i>\n\n"
                f"💬 <b>{author}</b>\n{escape(clip(reply.text, ANSWER_MAX))}"
            )
    if len(messages) == 1:
        messages.append(t.gettext(N_("No answer yet.")))
    return messages
