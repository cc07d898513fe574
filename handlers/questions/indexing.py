"""What /search knows of a question: the tokens of its text and of its visible answers.

The one place a question's search tokens are made: asking stores them, an answer and a
hidden answer rebuild them. Callers give text (or the question), never tokens, so every
path stores the same tokens for the same words.
"""

from __future__ import annotations

from collections.abc import Iterable

from handlers.text_search.tokens import search_tokens
from storage.models import Question
from storage.uow import UnitOfWork


def question_tokens(text: str, answers: Iterable[str] = ()) -> str:
    """The search tokens of a question's ``text`` and its visible ``answers``."""
    return search_tokens(text, *answers)


async def reindex(uow: UnitOfWork, question: Question) -> None:
    """Rebuild the question's tokens from its text and the answers still shown (replies to
    follow-ups included): after an answer is given, or one is hidden."""
    visible = [a.text for a in await uow.questions.answers_to(question.id)]
    question.search_tokens = question_tokens(question.text, visible)
