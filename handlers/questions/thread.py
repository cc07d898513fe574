"""A question with its answers, as members read it (after /search, or a similar question)."""

from __future__ import annotations

from bot.core.i18n import N_, Translator
from bot.core.text import clip, escape
from storage.models import Answer, Member, Question

STATUS_NAMES = {
    "open": N_("Waiting for answers"),
    "answered": N_("Answered"),
    "closed": N_("Closed"),
}


def expert_name(t: Translator, expert: Member | None, anonymous: bool) -> str:
    if anonymous or expert is None or not expert.full_name:
        return t.gettext(N_("an expert"))
    return escape(expert.full_name)


def render_thread(
    t: Translator, question: Question, answers: list[tuple[Answer, str]], limit: int = 4000
) -> str:
    """HTML, cut to ``limit`` characters at an answer boundary (Telegram takes 4,096)."""
    head = (
        "<b>"
        + t.gettext(N_("Question #{number}")).format(number=question.id)
        + "</b>\n"
        + escape(clip(question.text, 1500))
    )
    parts = [head]
    for answer, author in answers:
        mark = "✅ " if answer.accepted else "💬 "
        part = f"{mark}<b>{author}</b>\n{escape(clip(answer.text, 1500))}"
        if sum(len(p) for p in parts) + len(part) + 2 > limit:
            break
        parts.append(part)
    if len(parts) == 1:
        parts.append(t.gettext(N_("No answer yet.")))
    return "\n\n".join(parts)
