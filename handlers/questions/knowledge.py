"""What the community already knows: tag suggestions, similar answered questions, /search.

The search index is built from the stored tokens of answered questions and of published
content items the first time it is needed, and kept by the process. A new answer adds or
replaces its question's document and a new item adds its own; a hide builds the index
again, in a worker thread (at a hundred thousand answered questions that takes seconds of
CPU; the event loop still gets its turns), and so do replacements once they outnumber the
documents. In the index a question is its number and an item is its number made negative,
so one ranking serves both.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from dataclasses import dataclass

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
# An answer's or item's id is taken when it is written and seen at its commit, so one that
# commits after a newer one is below the newest id the index has read. When the newest
# answer (or item) moves, the index reads again the documents of this many ids below the
# one it had (skipping those it holds unchanged): more than others can write while one
# transaction is open. Answers come one an update (eight at most a transaction); a feed's
# poll writes up to 200 items in one.
ANSWERS_OVERLAP = 200
ITEMS_OVERLAP = 2_000


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


@dataclass(frozen=True)
class _Version:
    """What /search could find: the newest answer and item (growing: their documents are
    added) and the hidden rows' counts (nothing undoes a hide: any change builds again)."""

    newest_answer: int
    newest_item: int
    hidden: tuple[int, int, int]

    def grown_from(self, older: _Version) -> bool:
        return (
            self.hidden == older.hidden
            and self.newest_answer >= older.newest_answer
            and self.newest_item >= older.newest_item
        )


# By database (one in a process that serves; several in tests and tools).
_kept: weakref.WeakKeyDictionary[object, tuple[_Version, SearchIndex]] = weakref.WeakKeyDictionary()
_changing: weakref.WeakKeyDictionary[object, asyncio.Lock] = weakref.WeakKeyDictionary()


async def search_index(uow: UnitOfWork) -> SearchIndex:
    """Answered questions and content items as they are now. The version is read every time
    (another process's answer counts at once), the documents only when it moved, and one
    update at a time brings the index up to date: the others wait for it rather than each
    reading and building their own."""
    database = uow.database
    version, kept = await _version(uow), _kept.get(database)
    if kept is not None and kept[0] == version:
        return kept[1]
    async with _changing.setdefault(database, asyncio.Lock()):
        if _kept.get(database) is not kept:  # brought up to date while this one waited
            version, kept = await _version(uow), _kept.get(database)
            if kept is not None and kept[0] == version:
                return kept[1]
        if kept is not None and version.grown_from(kept[0]):
            index = kept[1]
            if index.retired <= len(index):
                old = kept[0]  # only what moved is read again
                answers = old.newest_answer - ANSWERS_OVERLAP
                items = old.newest_item - ITEMS_OVERLAP
                documents = await _documents(
                    uow,
                    answers if version.newest_answer != old.newest_answer else None,
                    items if version.newest_item != old.newest_item else None,
                )
                index.add(_split(documents))
                _kept[database] = (version, index)
                return index
        documents = await _documents(uow, 0, 0)
        index = await asyncio.to_thread(lambda: SearchIndex(_split(documents)))
        _kept[database] = (version, index)
        return index


async def _version(uow: UnitOfWork) -> _Version:
    newest_answer, hidden_answers, hidden_questions = await uow.questions.search_version()
    newest_item, hidden_items = await uow.content.search_version()
    return _Version(newest_answer, newest_item, (hidden_answers, hidden_questions, hidden_items))


async def _documents(
    uow: UnitOfWork, after_answer: int | None, after_item: int | None
) -> list[tuple[int, str]]:
    """Questions with a visible answer after ``after_answer`` and items after ``after_item``
    (ids; None: none of them), with their stored tokens; ``SearchIndex.add`` skips those it
    holds unchanged."""
    documents = [] if after_answer is None else await uow.questions.answered_documents(after_answer)
    if after_item is not None:
        documents += [(-n, text) for n, text in await uow.content.searchable(after_item)]
    return documents


def _split(documents: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    return [(n, text.split()) for n, text in documents]


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
