"""Suggest topic tags for a question from the tags' names and keywords, in Khmer and English.

Scoring (a transparent keyword score, not a model; its accuracy on labelled questions is
measured by ``bench/tag_accuracy.py``):

- A tag's terms are the ``tokens()`` of its English and Khmer names and keywords, so they are
  normalised and segmented exactly like the question: English words are compared whole and
  stemmed ("descriptions" is ``descript``, never "script"), Khmer words as the segmenter cuts
  them. A name that lists two topics ("Cloud & DevOps", "បណ្ដាញ និងទូរគមនាគមន៍") counts as two.
- Each distinct question token that is a term of a tag adds the term's weight
  ``ln(1 + N / df)``: N tags, df of them have the term. A term only one tag has ("figma") counts
  about twice as much as one shared by six tags; repeating a word in the question adds nothing.
- A keyword written ``~word`` is weak (counts ``WEAK``): a word that hints at a topic but is
  often about something else ("bank" in a question about a scholarship). One written ``!word``
  is strong (counts ``STRONG``): a word that settles the topic whatever else the question
  names ("hacked": a hacked Facebook page is a security incident, not marketing). The marks
  survive the database's comma-separated keyword columns; ``tokens()`` ignores them.
- A name or keyword of several tokens ("machine learning", "ពាក្យសម្ងាត់" → ពាក្យ|សម្ងាត់) is a
  phrase. A token a tag has only inside phrases ("script" of "khmer script", "learn", the
  Khmer រៀន of ការរៀនម៉ាស៊ីន) counts nothing on its own: it is no evidence. When the phrase's
  tokens appear in a row in the question (stopwords removed on both sides) it adds their full
  weights, and half again for its tokens that are terms of the tag on their own.
- A Khmer phrase also matches as one word (the segmenter is contextual: គ្រីប្តូ is cut alone,
  but often kept whole in a sentence), and the segmenter sometimes cuts a keyword across
  words: ម៉ាស៊ីនមេក្លោដ ("cloud server") comes out as ម៉ាស៊ីន|មេក្លោ|ដ. So a Khmer name or
  keyword of two grapheme clusters or more (not a fragment of a phrase) also counts when it
  stands in the unsegmented Khmer text between two cluster boundaries, as if it were a token;
  a Khmer phrase found so counts once, as that word, not again as a phrase.
- Suggestions are the tags with a score above 0, best first; equal scores keep the order the
  tags were given in, so results are deterministic. ``preselected`` says which of them /ask
  ticks for the asker: the first, only when it is clearly ahead.

Call from one thread: ``tokens()`` shares ``khmercut``'s tagger.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import regex

from handlers.text_search.tokens import khmer_runs, tokens
from storage.seed.tags import TAGS

__all__ = ["TagTerms", "preselected", "seed_tag_terms", "suggest_tags", "tag_terms"]

PHRASE_BONUS: Final = 0.5
"""A matched phrase adds this share of the weights of its tokens that count on their own."""
WEAK: Final = 0.5
"""What a ``~keyword`` counts, as a share of its weight."""
STRONG: Final = 2.0
"""What a ``!keyword`` counts, as a share of its weight."""
PRESELECT_MIN: Final = 2.5
"""The least score of a suggestion /ask ticks for the asker: one term of one tag (2.94 with 18
tags) is enough, a weak one or a term three tags share is not."""
PRESELECT_LEAD: Final = 1.5
"""How many times the second suggestion's score the first must have to be ticked."""

_NAME_PARTS: Final = regex.compile(r"\s*[&/]\s*|\s+និង")
_KHMER_WORD: Final = regex.compile(r"[\u1780-\u17d3\u17dc\u17dd]+")


@dataclass(frozen=True)
class TagTerms:
    """A tag as tagging sees it: normalised tokens, never raw names."""

    slug: str
    terms: tuple[str, ...]
    """Every distinct token of the tag's names and keywords."""
    phrases: tuple[tuple[str, ...], ...] = ()
    """Names and keywords of two or more tokens, matched as a run of question tokens."""
    loose: tuple[str, ...] = ()
    """Terms that occur only inside phrases: on their own they count nothing."""
    weights: tuple[tuple[str, float], ...] = ()
    """Terms of ``~weak`` or ``!strong`` keywords and the share they count (others count 1)."""
    phrase_weights: tuple[float, ...] = ()
    """The share each of ``phrases`` counts, in order (empty: all 1)."""


def tag_terms(slug: str, names: Sequence[str], keywords: Sequence[str]) -> TagTerms:
    """Normalise a tag's names (any language) and keywords; the handler does this for DB tags."""
    parts = [part for name in names for part in _NAME_PARTS.split(name)]
    terms: dict[str, None] = {}
    single: dict[str, float] = {}
    phrases: dict[tuple[str, ...], float] = {}
    for entry in (*parts, *keywords):
        entry = entry.strip()
        share = WEAK if entry.startswith("~") else STRONG if entry.startswith("!") else 1.0
        words = _entry_tokens(entry)
        terms.update(dict.fromkeys(words))
        if len(words) == 1:
            single[words[0]] = max(share, single.get(words[0], 0.0))
        elif len(words) > 1:
            phrases[tuple(words)] = max(share, phrases.get(tuple(words), 0.0))
            if _KHMER_WORD.fullmatch(whole := "".join(words)):
                # The segmenter is contextual: គ្រីប្តូ alone is គ្រី|ប្តូ, inside a sentence
                # often one word. Matching the joined form as a word covers both.
                terms[whole] = None
                single[whole] = max(share, single.get(whole, 0.0))
    loose = tuple(t for t in terms if t not in single)
    weights = tuple((t, w) for t, w in single.items() if w != 1.0)
    phrase_weights = tuple(phrases.values())
    if all(w == 1.0 for w in phrase_weights):
        phrase_weights = ()
    return TagTerms(slug, tuple(terms), tuple(phrases), loose, weights, phrase_weights)


@lru_cache(maxsize=4096)
def _entry_tokens(entry: str) -> tuple[str, ...]:
    """Names and keywords repeat each time the handler rebuilds tags from the database."""
    return tuple(tokens(entry))


def seed_tag_terms() -> list[TagTerms]:
    """The seed taxonomy's tags, names and keywords in both languages."""
    return [
        tag_terms(t.slug, (t.name_en, t.name_km), (*t.keywords_en, *t.keywords_km)) for t in TAGS
    ]


def suggest_tags(text: str, tags: Sequence[TagTerms], limit: int = 3) -> list[tuple[str, float]]:
    """At most ``limit`` (slug, score) pairs with score > 0, best first, ties in ``tags`` order."""
    if limit <= 0 or not tags:
        return []
    words = tokens(text)
    if not words:
        return []
    index = _compile(tuple(tags))
    scores = [0.0] * len(tags)
    found = set(words) | _khmer_terms_in(khmer_runs(text), index.khmer_terms)
    for word in found:
        for i, weight in index.weights.get(word, ()):
            scores[i] += weight
    matched: set[tuple[int, tuple[str, ...]]] = set()
    for start, word in enumerate(words):
        for phrase, i, bonus, whole in index.phrases.get(word, ()):
            if (i, phrase) in matched or (whole and whole in found):
                continue  # a Khmer phrase found as one word counted as that word
            if tuple(words[start : start + len(phrase)]) == phrase:
                matched.add((i, phrase))
                scores[i] += bonus
    ranked = sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: (-scores[i], i))
    return [(tags[i].slug, round(scores[i], 3)) for i in ranked[:limit]]


def preselected(suggestions: Sequence[tuple[str, float]]) -> list[str]:
    """The slugs /ask ticks for the asker among ``suggestions`` (best first): the first alone,
    when it scores at least ``PRESELECT_MIN`` and ``PRESELECT_LEAD`` times the second; else
    none, and the asker picks from the suggestions, which the keyboard shows first."""
    if not suggestions:
        return []
    (slug, score), rest = suggestions[0], suggestions[1:]
    if score < PRESELECT_MIN or (rest and score < PRESELECT_LEAD * rest[0][1]):
        return []
    return [slug]


@dataclass(frozen=True, slots=True)
class _Index:
    weights: dict[str, list[tuple[int, float]]]
    """term → (tag position, weight) for each tag that has it."""
    phrases: dict[str, list[tuple[tuple[str, ...], int, float, str]]]
    """first token → (phrase, tag position, bonus, its joined form if all Khmer else "")."""
    khmer_terms: tuple[str, ...]
    """Khmer terms of two clusters or more, not phrase fragments: looked for unsegmented."""


@lru_cache(maxsize=8)
def _compile(tags: tuple[TagTerms, ...]) -> _Index:
    """Weights depend on the whole tag set; cached because the set rarely changes."""
    df: dict[str, int] = {}
    for tag in tags:
        for term in set(tag.terms):
            df[term] = df.get(term, 0) + 1
    idf = {term: math.log(1 + len(tags) / n) for term, n in df.items()}
    weights: dict[str, list[tuple[int, float]]] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], int, float, str]]] = {}
    for i, tag in enumerate(tags):
        loose = set(tag.loose)
        shares = dict(tag.weights)
        for term in dict.fromkeys(tag.terms):
            if term not in loose:
                weights.setdefault(term, []).append((i, idf[term] * shares.get(term, 1.0)))
        phrase_shares = tag.phrase_weights or (1.0,) * len(tag.phrases)
        for phrase, share in zip(tag.phrases, phrase_shares, strict=True):
            bonus = share * sum(
                idf.get(t, 0.0) * (1.0 if t in loose else PHRASE_BONUS) for t in set(phrase)
            )
            whole = "".join(phrase) if _KHMER_WORD.fullmatch("".join(phrase)) else ""
            phrases.setdefault(phrase[0], []).append((phrase, i, bonus, whole))
    khmer = {
        term
        for tag in tags
        for term in set(tag.terms) - set(tag.loose)
        if _KHMER_WORD.fullmatch(term) and len(regex.findall(r"\X", term)) >= 2
    }
    return _Index(weights, phrases, tuple(sorted(khmer)))


_COENG: Final = "\u17d2"


def _cluster_starts_at(run: str, i: int) -> bool:
    """Whether a grapheme cluster of the Khmer ``run`` starts at ``i`` (or the run ends):
    a consonant or independent vowel there, not written below the one before it."""
    return i == len(run) or ("\u1780" <= run[i] <= "\u17b3" and (i == 0 or run[i - 1] != _COENG))


def _khmer_terms_in(runs: list[str], terms: tuple[str, ...]) -> set[str]:
    """The ``terms`` found in the unsegmented Khmer ``runs`` on cluster boundaries."""
    found = set()
    for run in runs:
        for term in terms:
            start = run.find(term)
            while start != -1:
                if _cluster_starts_at(run, start) and _cluster_starts_at(run, start + len(term)):
                    found.add(term)
                    break
                start = run.find(term, start + 1)
    return found
