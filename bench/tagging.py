"""Benchmark tag suggestion: the target is 1,000 questions a second on one thread.

    .venv/bin/python bench/tagging.py [--questions 2000] [--target 1000] [--seed 7]

Generates realistic member questions (1–3 sentences: a greeting, some context, the question,
about a topic from every tag, with some English product names mixed into the Khmer ones),
then times ``suggest_tags`` over them, Khmer and English separately, single-threaded, as the
bot calls it: the tag set built once, segmentation, normalisation and scoring each time. It
prints questions/s per language (best of ``--rounds``) and exits 1 on FAIL (either language
under ``--target``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Sequence

from handlers.questions.tagging import TagTerms, seed_tag_terms, suggest_tags

KHMER_OPENERS = (
    "", "", "", "សួស្តីបងប្អូនទាំងអស់គ្នា។ ", "ជម្រាបសួរ។ ", "សុំសួរបន្តិចបង។ ",
    "សួស្តីអ្នកជំនាញ។ ", "អរគុណទុកជាមុន។ ",
)  # fmt: skip
KHMER_CONTEXTS = (
    "", "", "ខ្ញុំជានិស្សិតឆ្នាំទីពីរនៅសាកលវិទ្យាល័យភូមិន្ទភ្នំពេញ។ ",
    "ខ្ញុំធ្វើការនៅក្រុមហ៊ុនតូចមួយនៅខេត្តសៀមរាប។ ", "ខ្ញុំទើបតែចាប់ផ្តើមរៀនអំពី{topic}កាលពីខែមុន។ ",
    "ក្រុមហ៊ុនរបស់យើងមានបុគ្គលិកប្រហែលម្ភៃនាក់ ហើយយើងចង់ប្រើ{topic}។ ",
    "ខ្ញុំបានស្វែងរកនៅលើ Google ច្រើនដងហើយ តែនៅតែមិនយល់។ ", "ម្តាយខ្ញុំលក់ទំនិញនៅផ្សារ។ ",
)  # fmt: skip
KHMER_QUESTIONS = (
    "តើខ្ញុំគួរចាប់ផ្តើមរៀន{topic}ពីណា?", "តើមាននរណាស្គាល់អ្នកជំនាញផ្នែក{topic}ដែលអាចជួយបានទេ?",
    "តើ{topic}មានសារៈសំខាន់យ៉ាងណាសម្រាប់អាជីវកម្មខ្នាតតូច?", "តើត្រូវចំណាយប៉ុន្មានដើម្បីប្រើ{topic}?",
    "តើមានវគ្គខ្លីៗអំពី{topic}នៅភ្នំពេញទេ?", "ហេតុអ្វីបានជា{topic}របស់ខ្ញុំមិនដំណើរការ?",
    "តើ{topic}ពិបាករៀនដែរឬទេ សម្រាប់អ្នកមិនចេះភាសាអង់គ្លេស?", "សូមណែនាំសៀវភៅល្អៗអំពី{topic}ផង។",
)  # fmt: skip
KHMER_TOPICS = (
    "ការសរសេរកូដ", "ភាសា Python", "គេហទំព័រ", "កម្មវិធីទូរស័ព្ទ", "ការវិភាគទិន្នន័យ",
    "បញ្ញាសិប្បនិម្មិត", "ChatGPT", "សន្តិសុខអ៊ីនធឺណិត", "ពាក្យសម្ងាត់", "បណ្តាញវ៉ាយហ្វាយ",
    "ម៉ាស៊ីនមេក្លោដ", "សេវាសាធារណៈឌីជីថល", "ការទូទាត់តាមបាគង", "KHQR", "ការរចនាចំណុចប្រទាក់",
    "ឧបករណ៍ចាប់សញ្ញា", "ប្លុកឆេន", "ការផ្សព្វផ្សាយតាមបណ្តាញសង្គម", "ច្បាប់ការពារទិន្នន័យ",
    "អាជីវកម្មថ្មី", "វគ្គបណ្តុះបណ្តាល", "ពុម្ពអក្សរខ្មែរ", "ក្តារចុចខ្មែរ", "Excel",
)  # fmt: skip
ENGLISH_OPENERS = (
    "", "", "", "Hi everyone! ", "Hello, ", "Quick question. ", "Sorry if this was asked before. ",
)  # fmt: skip
ENGLISH_CONTEXTS = (
    "", "", "I'm a second-year student at RUPP. ", "I work for a small NGO in Battambang. ",
    "I started learning {topic} last month. ", "Our company has about 20 staff and wants to use {topic}. ",
    "I searched Google many times but I still don't get it. ", "My mother sells clothes at the market. ",
)  # fmt: skip
ENGLISH_QUESTIONS = (
    "Where should I start with {topic}?", "Does anyone know an expert in {topic} who could help?",
    "How important is {topic} for a small business?", "How much does it cost to use {topic}?",
    "Are there short courses on {topic} in Phnom Penh?", "Why does my {topic} not work?",
    "Is {topic} hard to learn if my English is not good?", "Can you recommend good books about {topic}?",
)  # fmt: skip
ENGLISH_TOPICS = (
    "programming", "Python", "web development", "mobile apps", "data analysis", "machine learning",
    "ChatGPT", "cybersecurity", "password managers", "office Wi-Fi", "cloud hosting on AWS",
    "e-government services", "KHQR payments", "UX/UI design in Figma", "IoT sensors", "blockchain",
    "Facebook ads", "the data protection law", "startup funding", "online courses",
    "Khmer Unicode fonts", "a Khmer keyboard", "Excel dashboards", "Docker",
)  # fmt: skip


def questions(language: str, count: int, rng: random.Random) -> list[str]:
    parts: tuple[tuple[str, ...], ...] = (
        (KHMER_OPENERS, KHMER_CONTEXTS, KHMER_QUESTIONS, KHMER_TOPICS)
        if language == "km"
        else (ENGLISH_OPENERS, ENGLISH_CONTEXTS, ENGLISH_QUESTIONS, ENGLISH_TOPICS)
    )
    openers, contexts, asks, topics = parts
    made = []
    for _ in range(count):
        topic = rng.choice(topics)
        text = rng.choice(openers) + rng.choice(contexts) + rng.choice(asks)
        made.append(text.format(topic=topic))
    return made


def rate(texts: Sequence[str], tags: Sequence[TagTerms], rounds: int) -> tuple[float, int]:
    """Best questions/s over ``rounds`` passes, and how many questions got a suggestion."""
    best = 0.0
    tagged = 0
    for _ in range(rounds):
        start = time.perf_counter()
        tagged = sum(1 for text in texts if suggest_tags(text, tags))
        best = max(best, len(texts) / (time.perf_counter() - start))
    return best, tagged


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=2000, help="per language")
    parser.add_argument("--target", type=float, default=1000.0, help="questions/s")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    tags = seed_tag_terms()
    suggest_tags("ការចាប់ផ្តើម", tags)  # load the CRF model outside the timing
    ok = True
    print(f"{'language':<9}{'questions':>10}{'chars':>7}{'tagged':>8}{'q/s':>8}  result")
    for language in ("km", "en"):
        texts = questions(language, args.questions, rng)
        per_second, tagged = rate(texts, tags, args.rounds)
        passed = per_second >= args.target
        ok &= passed
        chars = statistics.mean(len(t) for t in texts)
        print(
            f"{language:<9}{len(texts):>10}{chars:>7.0f}{tagged:>8}{per_second:>8,.0f}  "
            f"{'PASS' if passed else 'FAIL'} (target {args.target:,.0f}/s)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
