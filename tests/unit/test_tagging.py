"""Suggesting topic tags for questions members ask in Khmer, English or both.

Each example is a question as a member would type it, with the tags a person would pick,
the first being the one they would pick first. On these 44 examples the person's first tag is
the top suggestion 41 times (93 % top-1) and always among the top three (100 % top-3). The
three top-1 misses are fair arguments: a Figma question about "mobile app screens" (mobile,
then design), an ISP licence question that names a ministry (digital-gov, then policy), and
hosting a website on AWS (web and cloud tie). "ម៉ាស៊ីនមេក្លោដ" (cloud server), which the
segmenter cuts as ម៉ាស៊ីន|មេក្លោ|ដ, is found because Khmer keywords are also looked for in the
unsegmented text.
"""

from __future__ import annotations

import pytest

from handlers.questions.tagging import TagTerms, seed_tag_terms, suggest_tags, tag_terms
from handlers.text_search.tokens import tokens

Example = tuple[str, tuple[str, ...]]

KHMER: list[Example] = [
    ("តើខ្ញុំគួររៀនសរសេរកូដភាសាអ្វីមុនគេ?", ("software-dev",)),
    (
        "ខ្ញុំភ្លេចពាក្យសម្ងាត់គណនីហ្វេសប៊ុក ហើយគេលួចចូលគណនីខ្ញុំ។ តើត្រូវធ្វើដូចម្តេច?",
        ("cybersecurity",),
    ),
    ("តើការបង្កើតគេហទំព័រសម្រាប់ហាងតូចមួយត្រូវចំណាយប៉ុន្មាន?", ("web", "ecommerce")),
    ("អ៊ីនធឺណិតនៅផ្ទះខ្ញុំយឺតណាស់ តើត្រូវប្តូររ៉ោតទ័រឬទេ?", ("networking",)),
    ("តើបញ្ញាសិប្បនិម្មិតនឹងជំនួសការងាររបស់មនុស្សដែរឬទេ?", ("ai",)),
    ("តើមានវគ្គសិក្សាឥតគិតថ្លៃសម្រាប់រៀនជំនាញឌីជីថលនៅភ្នំពេញទេ?", ("education",)),
    ("ខ្ញុំចង់វិភាគទិន្នន័យលក់ប្រចាំខែ តើគួរប្រើកម្មវិធីអ្វី?", ("data",)),
    ("តើហាងលក់អនឡាញអាចទទួលការទូទាត់តាមបាគងដោយរបៀបណា?", ("ecommerce",)),
    (
        "ពុម្ពអក្សរខ្មែរនៅលើកុំព្យូទ័ររបស់ខ្ញុំបង្ហាញខុស តើត្រូវដំឡើងយូនីកូដយ៉ាងម៉េច?",
        ("khmer-computing",),
    ),
    ("តើច្បាប់ស្តីពីការការពារទិន្នន័យផ្ទាល់ខ្លួននៅកម្ពុជាចូលជាធរមាននៅពេលណា?", ("policy", "data")),
    ("តើខ្ញុំអាចស្នើសុំសេវាសាធារណៈរបស់ក្រសួងតាមអនឡាញបានទេ?", ("digital-gov",)),
    ("ខ្ញុំចង់បង្កើតអាជីវកម្មថ្មី តើរកអ្នកវិនិយោគនៅឯណា?", ("startups",)),
    ("តើការផ្សព្វផ្សាយតាមបណ្តាញសង្គមសម្រាប់ផលិតផលថ្មីគួរចាប់ផ្តើមពីណា?", ("digital-marketing",)),
    ("តើម៉ាស៊ីនមេក្លោដណាដែលល្អសម្រាប់ដាក់គេហទំព័រ?", ("cloud", "web")),
    (
        "តើខ្ញុំគួរការពារម៉ាស៊ីនមេក្លោដ និងអ៊ីមែលរបស់ក្រុមហ៊ុនយ៉ាងដូចម្តេច?",
        ("cloud", "cybersecurity"),
    ),
    (
        "តើការរចនាចំណុចប្រទាក់អ្នកប្រើសម្រាប់កម្មវិធីទូរស័ព្ទគួរចាប់ផ្តើមយ៉ាងដូចម្តេច?",
        ("design", "mobile"),
    ),
    ("តើប្លុកឆេនអាចប្រើក្នុងវិស័យកសិកម្មបានទេ?", ("blockchain",)),
    ("ខ្ញុំចង់បង្កើតប្រព័ន្ធស្រោចទឹកស្វ័យប្រវត្តិដោយប្រើសេនស័រសំណើមដី", ("iot",)),
]

ENGLISH: list[Example] = [
    ("What's the best way to learn Python as a complete beginner?", ("software-dev",)),
    (
        "Someone hacked my Telegram account and changed the password. How do I get it back?",
        ("cybersecurity",),
    ),
    (
        "Which hosting provider is cheapest for a small WordPress website in Cambodia?",
        ("web", "cloud"),
    ),
    (
        "Our office wifi keeps dropping every afternoon, could the router be the problem?",
        ("networking",),
    ),
    ("Is there a good course on machine learning that explains the math?", ("ai", "education")),
    ("How can I accept KHQR payments on my online shop?", ("ecommerce",)),
    (
        "Which database should I use for a school attendance app: MySQL or PostgreSQL?",
        ("data", "software-dev"),
    ),
    ("Is Figma better than Adobe XD for designing mobile app screens?", ("design", "mobile")),
    ("What sensors do I need to monitor temperature in a fish farm with an Arduino?", ("iot",)),
    (
        "Do I need a license from the ministry to run a small internet service provider?",
        ("policy", "networking"),
    ),
    ("How do I set up a Docker container and deploy it to AWS?", ("cloud",)),
    (
        "Can I renew my business registration online through the government portal?",
        ("digital-gov",),
    ),
    ("What is a smart contract and how is it different from a normal contract?", ("blockchain",)),
    ("How do I grow my Facebook page followers without paying for ads?", ("digital-marketing",)),
    (
        "Looking for a co-founder with tech skills for my agritech startup, where should I pitch?",
        ("startups",),
    ),
    ("How do I type Khmer Unicode on a Mac keyboard?", ("khmer-computing",)),
    ("Should I build my app with Flutter or native Kotlin for Android?", ("mobile",)),
]

MIXED: list[Example] = [
    ("តើខ្ញុំគួររៀន Python ឬ JavaScript មុនគេ?", ("software-dev",)),
    ("ខ្ញុំចង់ដាក់ website របស់ខ្ញុំលើ AWS តើត្រូវចំណាយប៉ុន្មានក្នុងមួយខែ?", ("cloud", "web")),
    ("តើ ChatGPT អាចសរសេរជាភាសាខ្មែរបានល្អទេ?", ("ai", "khmer-computing")),
    ("តើការទូទាត់តាម KHQR សម្រាប់ហាងអនឡាញត្រូវបង់កម្រៃប៉ុន្មាន?", ("ecommerce",)),
    ("Router Wi-Fi របស់ខ្ញុំចេញសញ្ញាខ្សោយណាស់ ជួយណែនាំផង", ("networking",)),
    ("ខ្ញុំចង់រៀន UX/UI design តើមានវគ្គសិក្សានៅភ្នំពេញទេ?", ("design", "education")),
    ("តើ SQL និង Excel មួយណាល្អសម្រាប់វិភាគទិន្នន័យ?", ("data",)),
    ("Phishing link ក្នុង Telegram ធ្វើឲ្យគណនីខ្ញុំត្រូវគេហេគ", ("cybersecurity",)),
    ("តើ startup នៅកម្ពុជាអាចរកដើមទុនពីណា?", ("startups",)),
]

EXAMPLES = KHMER + ENGLISH + MIXED
SEED_TAGS = seed_tag_terms()


def first_slugs(text: str, tags: list[TagTerms] = SEED_TAGS, limit: int = 3) -> list[str]:
    return [slug for slug, _score in suggest_tags(text, tags, limit)]


# -- the examples --------------------------------------------------------------------------
def test_the_examples_cover_each_language_and_every_seed_tag() -> None:
    assert len(KHMER) >= 12 and len(ENGLISH) >= 12 and len(MIXED) >= 6
    assert {tags[0] for _, tags in EXAMPLES} == {tag.slug for tag in SEED_TAGS}


@pytest.mark.parametrize(("question", "picked"), EXAMPLES, ids=[q[:40] for q, _ in EXAMPLES])
def test_the_tag_a_person_picks_first_is_among_the_top_three(
    question: str, picked: tuple[str, ...]
) -> None:
    assert picked[0] in first_slugs(question)


def test_most_of_the_time_it_is_the_top_suggestion() -> None:
    hits = sum(first_slugs(q, limit=1) == [picked[0]] for q, picked in EXAMPLES)
    assert hits / len(EXAMPLES) >= 0.85  # 41 of 44 when written


# -- normalisation -------------------------------------------------------------------------
def test_a_zero_width_space_typed_inside_a_word_changes_nothing() -> None:
    plain = "ខ្ញុំភ្លេចពាក្យសម្ងាត់"
    assert tokens("ខ្ញុំភ្លេចពាក្យ\u200bសម្ង\u200bាត់\ufeff") == tokens(plain)
    assert first_slugs("ពាក្យ\u200bសម្ងាត់") == first_slugs("ពាក្យសម្ងាត់") == ["cybersecurity"]


def test_subscript_da_and_subscript_ta_spellings_are_the_same_word() -> None:
    assert tokens("ប្ដូរ") == tokens("ប្តូរ") == ["ប្តូរ"]
    assert tokens("បណ្ដាញសង្គម") == tokens("បណ្តាញសង្គម")
    assert first_slugs("ក្ដារចុចខ្មែរ") == first_slugs("ក្តារចុចខ្មែរ")
    assert first_slugs("ក្ដារចុចខ្មែរ")[0] == "khmer-computing"


def test_khmer_is_cut_into_words_and_function_words_and_punctuation_are_dropped() -> None:
    assert tokens("ខ្ញុំចង់ប្តូរពាក្យសម្ងាត់ Facebook របស់ខ្ញុំ។ តើធ្វើយ៉ាងដូចម្តេច?") == [
        "ប្តូរ",
        "ពាក្យ",
        "សម្ងាត់",
        "facebook",
    ]


def test_the_nominaliser_ka_joins_a_noun_to_its_verb() -> None:
    assert tokens("ការរចនា") == tokens("រចនា") == ["រចនា"]
    assert tokens("ការពារ ការិយាល័យ") == ["ការពារ", "ការិយាល័យ"]  # ការ is part of these words


def test_english_is_lowercased_stemmed_and_stripped_of_stopwords() -> None:
    assert tokens("How do I secure my Networks?") == ["secur", "network"]
    assert tokens("Hello, how are you?") == []


def test_short_technical_words_survive() -> None:
    assert tokens("AI, UX, UI, IoT, SQL, iOS, 4G, 5G and KHQR") == [
        "ai", "ux", "ui", "iot", "sql", "ios", "4g", "5g", "khqr"
    ]  # fmt: skip
    assert tokens("C++, C# or R for e-commerce over Wi-Fi?") == [
        "cpp", "csharp", "r", "ecommerc", "wifi"
    ]  # fmt: skip


def test_khmer_digits_read_as_western_digits() -> None:
    assert tokens("បណ្តាញ ៥G") == ["បណ្តាញ", "5g"]


# -- what is suggested ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "small_talk",
    [
        "",
        "?!។",
        "Hello, how are you?",
        "What time does the meetup start tomorrow?",
        "Where can I park my motorbike near the venue?",
        "សួស្តី! អ្នកសុខសប្បាយទេ?",
        "ថ្ងៃនេះអាកាសធាតុក្តៅណាស់",
    ],
)
def test_a_question_with_no_technical_content_gets_no_suggestion(small_talk: str) -> None:
    assert suggest_tags(small_talk, SEED_TAGS) == []


def test_no_more_suggestions_than_the_limit() -> None:
    broad = "Python app with SQL database, hosted on AWS, with KHQR payments, Figma design, and AI"
    assert len(suggest_tags(broad, SEED_TAGS)) == 3
    assert len(suggest_tags(broad, SEED_TAGS, limit=5)) == 5
    assert len(suggest_tags(broad, SEED_TAGS, limit=1)) == 1
    assert suggest_tags(broad, SEED_TAGS, limit=0) == []


def test_suggestions_come_best_first_with_positive_scores() -> None:
    suggestions = suggest_tags("I forgot my password and my router wifi is slow", SEED_TAGS)
    scores = [score for _slug, score in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)
    assert {slug for slug, _ in suggestions} == {"cybersecurity", "networking"}


def test_a_phrase_counts_more_than_its_words_apart() -> None:
    tags = [tag_terms("ai", ["AI"], ["machine learning"]), tag_terms("edu", ["Education"], [])]
    together = suggest_tags("machine learning", tags)
    apart = suggest_tags("learning about a machine", tags)
    assert together[0][0] == apart[0][0] == "ai"
    assert together[0][1] > apart[0][1]


def test_a_khmer_keyword_the_segmenter_cuts_across_words_is_still_found() -> None:
    question = "ការពារម៉ាស៊ីនមេក្លោដ និងអ៊ីមែល"  # protect the cloud server and email
    assert "ក្លោដ" not in tokens(question)  # ម៉ាស៊ីន|មេក្លោ|ដ
    assert first_slugs(question, limit=1) == ["cloud"]
    cloud = tag_terms("cloud", ["Cloud"], ["ក្លោដ"])
    assert first_slugs("គណនីក្លោដ", [cloud]) == ["cloud"]
    assert first_slugs("ក្លោដិ", [cloud]) == []  # not on a cluster boundary: another word


def test_a_khmer_keyword_the_segmenter_splits_is_a_phrase() -> None:
    security = tag_terms("security", ["Security"], ["ពាក្យសម្ងាត់"])
    assert ("ពាក្យ", "សម្ងាត់") in security.phrases
    assert first_slugs("ខ្ញុំភ្លេចពាក្យសម្ងាត់អ៊ីមែល", [security]) == ["security"]


def test_a_term_many_tags_share_counts_less_than_a_term_of_one_tag() -> None:
    tags = [
        tag_terms("web", ["Web"], ["online", "html"]),
        tag_terms("shop", ["Shops"], ["online"]),
        tag_terms("ads", ["Ads"], ["online"]),
    ]
    assert first_slugs("online html", tags) == ["web", "shop", "ads"]
    [(_, shared)] = suggest_tags("online", tags, limit=1)
    [(_, own)] = suggest_tags("html", tags, limit=1)
    assert own > shared


def test_equal_scores_keep_the_order_the_tags_were_given_in() -> None:
    first, second = tag_terms("b-tag", ["B"], ["cloud"]), tag_terms("a-tag", ["A"], ["cloud"])
    assert first_slugs("cloud", [first, second]) == ["b-tag", "a-tag"]
    assert first_slugs("cloud", [second, first]) == ["a-tag", "b-tag"]


def test_tags_from_the_database_work_like_the_seed_tags() -> None:
    from_db = [
        tag_terms("web", ["Web", "គេហទំព័រ"], ["website", "វេបសាយ"]),
        tag_terms("data", ["Data", "ទិន្នន័យ"], ["database"]),
    ]
    assert first_slugs("តើវេបសាយរបស់ខ្ញុំត្រូវការ database ទេ?", from_db) == ["web", "data"]
