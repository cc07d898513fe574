"""What the community already knows: tag suggestions, similar answered questions, /search.

The search index is built from the stored tokens of answered questions and of published
content items when it is needed; it stays small next to the member count (a few thousand
documents), and building it is a list scan. A large deployment would keep it in the
database's full-text index. In the index a question is its number and an item is its
number made negative, so one ranking serves both.
"""

from __future__ import annotations

import functools

from bot.core.i18n import N_
from handlers.context import Ctx
from handlers.questions.settings import SIMILAR_SHOWN
from handlers.questions.tagging import TagTerms, suggest_tags, tag_terms
from handlers.questions.thread import expert_name, render_thread
from handlers.text_search.ranking import SearchIndex
from handlers.text_search.tokens import tokens
from storage.models import Answer, Question
from storage.uow import UnitOfWork

SIMILAR_MIN_SCORE = 1.0


TagsAsStored = tuple[tuple[str, str, str, str, str], ...]


async def terms_of_tags(uow: UnitOfWork) -> list[TagTerms]:
    """The tags as tagging sees them. Normalising them (segmenting the Khmer names and
    keywords) is most of a question's suggestion time, and they change only when the seed
    is synced or an admin edits one: the terms are kept with the tags' stored names and
    keywords, and made again when those differ (read each time, so another process's
    change counts at once)."""
    tags = await uow.tags.all()
    stored = tuple((t.slug, t.name_en, t.name_km, t.keywords_en, t.keywords_km) for t in tags)
    return list(_terms_of(stored))


@functools.lru_cache(maxsize=1)
def _terms_of(stored: TagsAsStored) -> tuple[TagTerms, ...]:
    return tuple(
        tag_terms(
            slug,
            [name_en, name_km],
            [k for k in (keywords_en + "," + keywords_km).split(",") if k.strip()],
        )
        for slug, name_en, name_km, keywords_en, keywords_km in stored
    )


async def suggest(ctx: Ctx, text: str) -> list[tuple[str, float]]:
    return suggest_tags(text, await terms_of_tags(ctx.session))


_cached: tuple[object, SearchIndex] | None = None


async def search_index(uow: UnitOfWork) -> SearchIndex:
    """Answered questions and content items, rebuilt only when an answer, an item or a hide
    changed what may be found."""
    global _cached
    version = (await uow.questions.search_version(), await uow.content.search_version())
    if _cached is None or _cached[0] != version:
        documents = [(n, text.split()) for n, text in await uow.questions.answered_documents()]
        documents += [(-n, text.split()) for n, text in await uow.content.searchable()]
        _cached = (version, SearchIndex(documents))
    return _cached[1]


async def similar_questions(ctx: Ctx, text: str) -> list[tuple[int, str]]:
    """(number, excerpt) of up to three answered questions close to ``text``."""
    index = await search_index(ctx.session)
    found = [
        (number, score)
        for number, score in index.search(tokens(text), min_score=SIMILAR_MIN_SCORE)
        if number > 0
    ][:SIMILAR_SHOWN]
    similar = []
    for question_id, _score in found:
        question = await ctx.session.questions.question(question_id)
        if question is not None:
            similar.append((question.id, question.text))
    return similar


async def authors(uow: UnitOfWork, ctx: Ctx, answers: list[Answer]) -> list[tuple[Answer, str]]:
    """Each answer with its author as shown: "an expert" when it was given anonymously,
    whatever the expert chose since."""
    named = []
    for answer in answers:
        expert = await uow.members.by_id(answer.expert_id)
        named.append((answer, expert_name(ctx.t, expert, answer.anonymous)))
    return named


async def send_thread(ctx: Ctx, question_id: int) -> None:
    question: Question | None = await ctx.session.questions.question(question_id)
    if question is None or question.hidden:
        await ctx.reply(ctx._(N_("This question is no longer available.")))
        return
    everything = await ctx.session.questions.answers_to(question.id)
    answers = [a for a in everything if a.reply_to_id is None]
    replies = {a.reply_to_id: a for a in everything if a.reply_to_id is not None}
    named = await authors(ctx.session, ctx, answers)
    for text, keyboard in render_thread(ctx.t, question, named, replies):
        await ctx.reply(text, keyboard)
