"""Turn a Khmer, English or mixed question into the tokens that tagging and search compare.

Khmer writes no spaces between words, so Khmer runs are cut into words by ``khmercut`` (a CRF
model shipped in its wheel; see /work/shared/KHMER.md for why it beat khmer-nltk and PyICU).
Everything else is split on letters and digits with ``regex``, lowercased and stemmed, so
"networks" finds "network".

Both sides of every comparison go through ``tokens()``, so the normalisation only has to be
consistent, not linguistically perfect:

- NFC; U+200B/U+200C/U+200D/U+FEFF and the invisible inherent vowels U+17B4/U+17B5 are removed
  (typists put zero-width spaces inside words); Khmer digits become western digits ("៥G" is 5G).
- Subscript DA ``្ដ`` is folded to subscript TA ``្ត``: they look the same and both are typed
  (ប្ដូរ/ប្តូរ), and NFC does not unify them. The fold happens before segmentation, so both
  spellings are also cut the same way.
- "ការ" (and "ភាព") turn a verb or adjective into a noun: ការរចនា (design, the noun) and រចនា
  (to design) are one search term. So "ការ" alone is a stopword and a leading "ការ" is removed
  from a longer word, except in the few words where it is part of the stem (ការពារ "protect",
  ការងារ "work") or is followed by a vowel sign (ការិយាល័យ "office").
- English stopwords and Khmer function words are dropped. Two-letter technical words ("ai",
  "ux", "5g") are kept; one-letter words are dropped except the languages "c" and "r", and
  "c++", "c#", ".net" become "cpp", "csharp", "dotnet". A one-letter hyphenated prefix is joined
  ("e-commerce" is "ecommerce", "wi-fi" is "wifi").
- Words of three letters or fewer and words with digits are not stemmed ("ios", "aws", "sms").

``khmercut`` shares one CRF tagger per process and is not thread-safe: call ``tokens()`` from
one thread (the event loop is fine; if you offload it, use a thread pool of one).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

import khmercut
import regex
import snowballstemmer

__all__ = ["ENGLISH_STOPWORDS", "KHMER_STOPWORDS", "khmer_runs", "search_tokens", "tokens"]

_DROP: Final = {ord(c): None for c in "\u200b\u200c\u200d\ufeff\u17b4\u17b5"}
_TRANSLATE: Final = _DROP | str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_COENG_DA: Final = "\u17d2\u178a"  # ្ដ
_COENG_TA: Final = "\u17d2\u178f"  # ្ត

# A Khmer run: consonants, vowels, signs and subscripts (U+1780–U+17D3, U+17DC, U+17DD). The
# Khmer punctuation (។ ៕ ៖ ៗ …, U+17D4–U+17DA) and currency sign are not in it, so they split
# runs and never reach the segmenter. A Latin (or any other script) word: letters, marks and
# digits, not Khmer, possibly hyphenated.
_WORD: Final = r"[^\W_\u1780-\u17ff\u19e0-\u19ff]+"
_RUNS: Final = regex.compile(rf"([\u1780-\u17d3\u17dc\u17dd]+)|({_WORD}(?:-{_WORD})*)")
_SPECIAL: Final = regex.compile(r"(?<![\w+#.])(?:c\+\+|c#|\.net)(?![\w+#])")
_SPECIAL_NAMES: Final = {"c++": " cpp ", "c#": " csharp ", ".net": " dotnet "}

ENGLISH_STOPWORDS: Final = frozenset(
    """
    a about above after again against all also am among an and any anyone are aren as ask at be
    been before being below between both but by can could did didn do does doesn doing don done
    during each either for from get getting had has have having he hello her here hey hi him
    his how however i if in into is isn it its just know let ll me might more most must my need
    no not now of off on only or other our out over please re really she should shouldn so some
    someone something such tell than thank thanks that the their them then there these they
    this those through to too under until up us ve very want was wasn way we were what when
    where whether which while who whom why will with without won would wouldn you your yours
    """.split()
)
"""Function words and question fillers ("please", "how", "want"); no technical words."""

KHMER_STOPWORDS: Final = frozenset(
    word.replace(_COENG_DA, _COENG_TA)
    for word in """
    និង ហើយនិង ដែល នៅ ក្នុង របស់ ជា មាន ទេ បាន បានជា ខ្ញុំ អ្នក តើ យ៉ាងដូចម្តេច
    ដូចម្តេច ម៉េច យ៉ាងម៉េច យ៉ាងណា របៀប ដើម្បី ពី ឬ រឺ នេះ នោះ ការ ភាព គឺ ដល់ ទៅ មក
    ហើយ ក៏ ដូច ដូចជា នឹង ត្រូវ អាច ចង់ ធ្វើ យើង គាត់ វា គេ ដែរ ណាស់ ផង បាទ ចាស ឲ្យ
    ឱ្យ អោយ ជាមួយ ដោយ ព្រោះ ប៉ុន្តែ តែ បើ ទាំងអស់ ខ្លះ អំពី អ្វី ហ្នឹង ថា គួរ សូម
    អរគុណ ជួយ ណា ឯណា មួយ បង ប្អូន នៃ តាម សម្រាប់ ហេតុ ទៀត អ្នកណា ដឹង សួរ ប្រាប់ លោក
    ស្តីពី ពេលណា មិន កំពុង នៅតែ
    """.split()
)
"""Pronouns, particles, prepositions and question words, as ``khmercut`` returns them (folded
to subscript TA like the text). "ការ" and "ភាព" are nominalisers, not content."""

_NOMINALISER: Final = "ការ"
_KA_STEMS: Final = frozenset({"ការពារ", "ការងារ"})
_KEEP_SINGLE: Final = frozenset({"c", "r"})


def _normalised(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE).lower()
    if _COENG_DA in text:
        text = text.replace(_COENG_DA, _COENG_TA)
    return text


def khmer_runs(text: str) -> list[str]:
    """The Khmer runs of ``text`` before segmentation, normalised like ``tokens()``: where
    tagging looks for keywords the segmenter cut across (ម៉ាស៊ីន|មេក្លោ|ដ)."""
    return [khmer for khmer, _word in _RUNS.findall(_normalised(text)) if khmer]


def tokens(text: str) -> list[str]:
    """The normalised search and tagging tokens of ``text``, in text order, repeats kept.

    Repeats and order matter to BM25 (term frequency) and to phrase matching in tagging.
    """
    text = _normalised(text)
    if "+" in text or "#" in text or ".net" in text:
        text = _SPECIAL.sub(lambda m: _SPECIAL_NAMES[m[0]], text)
    out: list[str] = []
    for khmer, word in _RUNS.findall(text):
        if khmer:
            out.extend(_khmer_words(khmer))
        elif "-" in word:
            out.extend(_english(w) for w in _join_hyphenated(word.split("-")) if _keep_english(w))
        elif _keep_english(word):
            out.append(_english(word))
    return out


def search_tokens(*texts: str | None) -> str:
    """What a question or a published item stores for /search: the tokens of its texts (its
    titles and summaries, or a question and its visible answers), space-joined. Every place
    that stores or rebuilds them calls this, so /post, the command line, feeds and the demo
    store the same tokens for the same words."""
    return " ".join(tokens(" ".join(text or "" for text in texts)))


def _khmer_words(run: str) -> list[str]:
    words = []
    for word in khmercut.tokenize(run):
        if word in KHMER_STOPWORDS or len(word) < 2:
            continue
        if (
            word.startswith(_NOMINALISER)
            and len(word) > 4
            and "\u1780" <= word[3] <= "\u17b3"  # a consonant or independent vowel follows
            and word not in _KA_STEMS
        ):
            word = word[3:]
            if word in KHMER_STOPWORDS:
                continue
        words.append(word)
    return words


def _join_hyphenated(parts: list[str]) -> list[str]:
    """Join a short prefix: e-commerce → ecommerce, wi-fi → wifi; ai-powered stays two words."""
    joined = [parts[0]]
    for part in parts[1:]:
        last = joined[-1]
        if len(last) == 1 or (len(last) <= 2 and len(part) <= 2):
            joined[-1] = last + part
        else:
            joined.append(part)
    return joined


def _keep_english(word: str) -> bool:
    return (len(word) > 1 or word in _KEEP_SINGLE) and word not in ENGLISH_STOPWORDS


_STEMMER: Final = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65_536)
def _english(word: str) -> str:
    """Stemmed, cached: the pure-Python stemmer costs ~18 µs a word and vocabulary repeats."""
    if len(word) <= 3 or not word.isalpha():
        return word
    return str(_STEMMER.stemWord(word))
