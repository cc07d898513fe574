"""A question with its answers, as members read it (after /search, or a similar question),
each message with [Report] for what it shows."""

from __future__ import annotations

import html

from bot.core.i18n import N_, Translator
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import clip_units, escape, telegram_length
from handlers.questions.buttons import REPORTS
from storage.models import Answer, Member, Question

STATUS_NAMES = {
    "open": N_("Waiting for answers"),
    "answered": N_("Answered"),
    "closed": N_("Closed"),
}
ANSWERS_SHOWN = 5
MESSAGE_MAX = 4096
"""Telegram's limit on a message, in UTF-16 code units of the text shown (``telegram_length``)."""
FOLLOW_UP_SHOWN = (100, 500)
"""How much of a follow-up (code units) is shown above its reply: at least the first, and up
to the second when the reply leaves room; the reply is clipped only to keep the first."""


def expert_name(t: Translator, expert: Member | None, anonymous: bool) -> str:
    if anonymous or expert is None or not expert.full_name:
        return t.gettext(N_("an expert"))
    return escape(expert.full_name)


def _block(mark: str, title: str, body: str, room: int) -> tuple[str, int]:
    """``mark`` and the bold ``title`` (HTML-escaped already) on a line, then ``body``,
    escaped and clipped so that the block shows at most ``room`` code units; the block and
    how many it shows (escapes count as the one character a member sees)."""
    head = telegram_length(mark + html.unescape(title) + "\n")
    shown = clip_units(body, max(room - head, 0))
    return f"{mark}<b>{title}</b>\n{escape(shown)}", head + telegram_length(shown)


def report_button(t: Translator, target: str, target_id: int) -> Button:
    """[Report] for a question or an answer (``target``), by its id."""
    return REPORTS[target].button("⚠️ " + t.gettext(N_("Report")), target_id)


def _reportable(t: Translator, target: str, target_id: int) -> InlineKeyboard:
    return InlineKeyboard.of([[report_button(t, target, target_id)]])


Message = tuple[str, InlineKeyboard | None]


def render_thread(
    t: Translator,
    question: Question,
    answers: list[tuple[Answer, str]],
    replies: dict[int, Answer],
) -> list[Message]:
    """One message for the question, one for each answer (best first) and one for each
    follow-up with its reply, each with [Report] for the question, the answer or the reply.
    Each shows at most ``MESSAGE_MAX`` UTF-16 code units, however many code points a Khmer
    cluster has: a longer message would be refused by Telegram."""
    head = escape(t.gettext(N_("Question #{number}")).format(number=question.id))
    messages: list[Message] = [
        (_block("", head, question.text, MESSAGE_MAX)[0], _reportable(t, "question", question.id))
    ]
    for answer, author in answers[:ANSWERS_SHOWN]:
        mark = "✅ " if answer.accepted else "💬 "
        text = _block(mark, author, answer.text, MESSAGE_MAX)[0]
        messages.append((text, _reportable(t, "answer", answer.id)))
        reply = replies.get(answer.id)
        if answer.follow_up and reply is not None:
            opening, between = "❓ ", "\n\n"
            frame = telegram_length(opening + between)
            least, most = FOLLOW_UP_SHOWN
            kept = min(telegram_length(answer.follow_up), least)
            text, shown = _block("💬 ", author, reply.text, MESSAGE_MAX - frame - kept)
            room = min(most, MESSAGE_MAX - frame - shown)
            follow_up = escape(clip_units(answer.follow_up, room))
            messages.append(
                (f"{opening}<i>{follow_up}</i>{between}{text}", _reportable(t, "answer", reply.id))
            )
    if len(messages) == 1:
        messages.append((t.gettext(N_("No answer yet.")), None))
    return messages
