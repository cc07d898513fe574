"""The Q&A feature's settings (the composition root fills them from the environment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from handlers.questions.routing import DEFAULT_K, DEFAULT_PER_ASKER, ESCALATE_AFTER

QUESTION_MAX = 2000  # UTF-16 units, as Telegram counts (an emoji 2)
QUESTION_MIN_WORDS = 4
ANSWER_MAX = 4096  # an answer or a follow-up is one Telegram message: Telegram's own limit,
# in UTF-16 units; its reader gets it whole, in parts when the heading pushes it over
SIMILAR_SHOWN = 3
HELPFUL_POINTS = 2
ACCEPTED_POINTS = 10
BUSY_RETRY = timedelta(minutes=10)
"""How often a question whose experts were all busy is offered again (escalation job)."""


@dataclass(frozen=True)
class QaSettings:
    """How questions are routed. The time zone (quiet hours) is the bot's own: ``ctx.timezone``
    in a handler, ``JobRuntime.timezone`` in a job (``DCC_TIMEZONE``)."""

    k: int = DEFAULT_K
    escalate_after: timedelta = ESCALATE_AFTER
    offers_per_asker: int = (
        DEFAULT_PER_ASKER  # open offers of one member's questions an expert holds
    )


def qa_settings(extras: dict[str, object]) -> QaSettings:
    found = extras.get("qa")
    return found if isinstance(found, QaSettings) else QaSettings()
