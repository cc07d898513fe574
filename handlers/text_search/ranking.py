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
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = ["K1", "B", "SearchIndex"]

K1: Final = 1.5
B: Final = 0.75


class SearchIndex:
    """An inverted index of (document id, tokens) that grows by ``add``.

    What depends on the whole corpus (idf, the average length in each document's norm) is
    worked out at search time from running totals, the norms once after each growth, so a
    new answer adds or replaces its question's document instead of rebuilding the rest. A
    replaced document's postings stay, marked retired, until the index is built again
    (``retired`` says how many); taking a document out means building a new index."""

    def __init__(
        self, documents: Iterable[tuple[int, Sequence[str]]] = (), k1: float = K1, b: float = B
    ) -> None:
        self._k1, self._b = k1, b
        self._ids: list[int] = []  # by position; a replaced document keeps its old position
        self._lengths: list[int] = []
        self._distinct: list[tuple[str, ...]] = []  # each position's words, to retire them
        self._retired: set[int] = set()
        self._current: dict[int, tuple[int, int]] = {}  # id -> (position, hash of its words)
        self._postings: dict[str, list[tuple[int, int]]] = {}
        self._df: dict[str, int] = {}  # documents holding the word, retired ones apart
        self._words = 0  # the current documents' lengths together
        self._norms: list[float] = []
        self.add(documents)

    def __len__(self) -> int:
        return len(self._current)

    @property
    def retired(self) -> int:
        return len(self._retired)

    def add(self, documents: Iterable[tuple[int, Sequence[str]]]) -> None:
        """Index ``documents``. One whose id is indexed already replaces it when its words
        changed (an answer adds its words to its question's) and is skipped when not (told
        by a hash of its words: a collision, one in 2**64, would keep the older words)."""
        for doc_id, words in documents:
            signature = hash(tuple(words))
            held = self._current.get(doc_id)
            if held is not None:
                if held[1] == signature:
                    continue
                self._retire(held[0])
            position = len(self._ids)
            counts = Counter(words)
            self._ids.append(doc_id)
            self._lengths.append(len(words))
            self._distinct.append(tuple(counts))
            self._current[doc_id] = (position, signature)
            self._words += len(words)
            for word, count in counts.items():
                self._postings.setdefault(word, []).append((position, count))
                self._df[word] = self._df.get(word, 0) + 1
            self._norms = []  # the average length moved: made again at the next search

    def _retire(self, position: int) -> None:
        self._retired.add(position)
        self._words -= self._lengths[position]
        for word in self._distinct[position]:
            self._df[word] -= 1

    def search(
        self, query_tokens: Sequence[str], limit: int | None = None, min_score: float = 0.0
    ) -> list[tuple[int, float]]:
        """(document id, score) of documents matching any query token, best first.

        ``min_score`` drops weak matches (e.g. for "similar questions"); ``limit=None`` is all.
        """
        if (limit is not None and limit <= 0) or not self._current:
            return []
        total, k1, retired = len(self._current), self._k1, self._retired
        norms = self._norms or self._length_norms()
        scores: dict[int, float] = {}
        for word in set(query_tokens):
            found = self._df.get(word)
            if not found:
                continue
            idf = math.log(1 + (total - found + 0.5) / (found + 0.5))
            for position, count in self._postings[word]:
                if retired and position in retired:
                    continue
                gain = idf * count * (k1 + 1) / (count + norms[position])
                scores[position] = scores.get(position, 0.0) + gain
        ranked = sorted(
            ((self._ids[p], s) for p, s in scores.items() if s >= min_score),
            key=lambda hit: (-hit[1], -hit[0]),
        )
        return ranked if limit is None else ranked[:limit]

    def _length_norms(self) -> list[float]:
        """The length part of each document's BM25 denominator, for the current average."""
        average, k1, b = self._words / len(self._current), self._k1, self._b
        self._norms = [k1 * (1 - b + b * n / average) if average else k1 for n in self._lengths]
        return self._norms
