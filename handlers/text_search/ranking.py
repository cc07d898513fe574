"""BM25 ranking of answered questions and published items over ``tokens()``, in pure Python.

Written here rather than taken from rank-bm25, which needs numpy for a few hundred lines of
arithmetic over a corpus of a few thousand questions.

Choices:

- ``k1 = 1.5`` (a word said twice counts more, saturating quickly: questions are short) and
  ``b = 0.75`` (a long question that mentions a word is less about it than a short one), the
  usual defaults.
- idf is ``ln(1 + (N - df + 0.5) / (df + 0.5))`` (Lucene's form): always positive, so a word in
  most questions still counts a little instead of pushing a document down.
- Each distinct query token counts once: typing a word twice does not change the ranking.
- Only documents sharing at least one token with the query are scored; there is no substring
  or prefix matching (segmentation and stemming already turned text into whole words).
- Best first; equal scores put the higher id, the newer question, first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Final

__all__ = ["K1", "B", "SearchIndex"]

K1: Final = 1.5
B: Final = 0.75


class SearchIndex:
    """An immutable inverted index of (document id, tokens); build a new one when data changes."""

    def __init__(
        self, documents: Sequence[tuple[int, Sequence[str]]], k1: float = K1, b: float = B
    ) -> None:
        self._ids = [doc_id for doc_id, _ in documents]
        lengths = [len(words) for _, words in documents]
        average = sum(lengths) / len(lengths) if lengths else 0.0
        # The length part of BM25's denominator depends only on the document: computed once.
        self._norms = [k1 * (1 - b + b * n / average) if average else k1 for n in lengths]
        self._k1 = k1
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for position, (_, words) in enumerate(documents):
            for word, count in Counter(words).items():
                self._postings.setdefault(word, []).append((position, count))
        total = len(documents)
        self._idf = {
            word: math.log(1 + (total - len(found) + 0.5) / (len(found) + 0.5))
            for word, found in self._postings.items()
        }

    def __len__(self) -> int:
        return len(self._ids)

    def search(
        self, query_tokens: Sequence[str], limit: int | None = None, min_score: float = 0.0
    ) -> list[tuple[int, float]]:
        """(document id, score) of documents matching any query token, best first.

        ``min_score`` drops weak matches (e.g. for "similar questions"); ``limit=None`` is all.
        """
        if limit is not None and limit <= 0:
            return []
        scores: dict[int, float] = {}
        for word in set(query_tokens):
            postings = self._postings.get(word)
            if not postings:
                continue
            idf = self._idf[word]
            for position, count in postings:
                gain = idf * count * (self._k1 + 1) / (count + self._norms[position])
                scores[position] = scores.get(position, 0.0) + gain
        ranked = sorted(
            ((self._ids[p], s) for p, s in scores.items() if s >= min_score),
            key=lambda hit: (-hit[1], -hit[0]),
        )
        return ranked if limit is None else ranked[:limit]
