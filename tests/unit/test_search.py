"""Finding answered questions with BM25 over Khmer, English and mixed tokens."""

from __future__ import annotations

from handlers.text_search.ranking import SearchIndex
from handlers.text_search.tokens import search_tokens, tokens


def index_of(*questions: str) -> SearchIndex:
    """Question n (from 1) is the n-th text, tokenised as the bot stores it."""
    return SearchIndex([(n, tokens(text)) for n, text in enumerate(questions, start=1)])


def ids(index: SearchIndex, query: str) -> list[int]:
    """The ids found for what a member typed, best first."""
    return [n for n, _ in index.search(tokens(query))]


def test_a_question_with_the_rare_word_ranks_above_one_with_only_the_common_word() -> None:
    index = index_of(
        "How do I reset my password?",
        "Password rules for the ministry portal",
        "Password manager for a small office",
        "Which password manager works offline?",
        "Updating the router firmware bricked it",
    )
    # "password" is in four questions, "firmware" only in the fifth (a longer one, too).
    found = ids(index, "password firmware")
    assert found[0] == 5
    assert sorted(found[1:]) == [1, 2, 3, 4]


def test_a_khmer_word_is_found_inside_a_longer_run_of_khmer() -> None:
    index = index_of(
        "ខ្ញុំភ្លេចពាក្យសម្ងាត់អ៊ីមែលរបស់ខ្ញុំ តើត្រូវធ្វើដូចម្តេច?",  # no spaces around the word
        "តើវគ្គសិក្សាសរសេរកូដនៅភ្នំពេញមាននៅឯណា?",
    )
    assert ids(index, "ពាក្យសម្ងាត់") == [1]
    assert ids(index, "សរសេរកូដ") == [2]


def test_khmer_spelled_with_subscript_da_finds_subscript_ta() -> None:
    index = index_of("តើត្រូវប្តូររ៉ោតទ័រទេ?", "តើកម្មវិធីទូរស័ព្ទណាល្អ?")
    assert ids(index, "ប្ដូរ") == [1]


def test_a_mixed_query_finds_a_mixed_question() -> None:
    index = index_of(
        "Facebook account hacked, password changed",
        "តើខ្ញុំអាចប្តូរពាក្យសម្ងាត់ Facebook យ៉ាងម៉េច?",
        "តើខ្ញុំអាចរៀន Python នៅឯណា?",
    )
    assert ids(index, "reset Facebook ពាក្យសម្ងាត់")[0] == 2
    assert ids(index, "រៀន Python") == [3]


def test_english_words_match_across_inflections() -> None:
    index = index_of("How to secure a home network", "Best laptop for students")
    assert ids(index, "networks") == [1]
    assert ids(index, "securing networking") == [1]


def test_there_is_no_substring_matching() -> None:
    index = index_of("How to secure a home network", "ពាក្យសម្ងាត់")
    assert ids(index, "work") == []
    assert ids(index, "net") == []
    assert index.search(["ពាក្យសម្ង"]) == []


def test_an_empty_corpus_finds_nothing() -> None:
    empty = SearchIndex([])
    assert len(empty) == 0
    assert empty.search(tokens("password")) == []


def test_a_query_of_only_stopwords_finds_nothing() -> None:
    index = index_of("How do I reset my password?", "តើខ្ញុំអាចរៀននៅឯណា?")
    assert tokens("how do I? តើខ្ញុំ") == []
    assert index.search(tokens("how do I? តើខ្ញុំ")) == []
    assert index.search([]) == []


def test_equal_scores_put_the_newer_question_first() -> None:
    index = SearchIndex([(3, ["wifi"]), (10, ["wifi"]), (7, ["wifi"])])
    assert [n for n, _ in index.search(["wifi"])] == [10, 7, 3]


def test_a_shorter_question_about_the_word_ranks_above_a_longer_one() -> None:
    index = index_of(
        "wifi slow",
        "wifi slow in the office after the new printer, the laptops and phones all came",
    )
    assert ids(index, "wifi") == [1, 2]


def test_limit_and_minimum_score_trim_the_results() -> None:
    index = index_of("wifi router", "wifi", "router firmware update", "laptop")
    everything = index.search(tokens("wifi router"))
    assert [n for n, _ in everything] == [1, 2, 3]
    assert index.search(tokens("wifi router"), limit=2) == everything[:2]
    assert index.search(tokens("wifi router"), limit=0) == []
    threshold = everything[1][1]
    assert index.search(tokens("wifi router"), min_score=threshold) == everything[:2]


def test_repeating_a_query_word_does_not_change_the_ranking() -> None:
    index = index_of("wifi router", "wifi", "router firmware update")
    assert index.search(["wifi", "wifi", "router"]) == index.search(["wifi", "router"])


def test_search_tokens_are_the_tokens_of_every_text_in_order() -> None:
    """What /post, the command line, feeds and the demo store for one item: its texts'
    tokens, space-joined, a missing title or summary skipped."""
    texts = ("សុវត្ថិភាពបណ្តាញ", None, "Networks security", "")
    assert search_tokens(*texts) == " ".join(t for text in texts for t in tokens(text or ""))
    assert search_tokens("Networks", None).split() == tokens("Networks")
    assert search_tokens(None, "") == ""
