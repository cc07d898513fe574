"""The Khmer catalog reads as the ministry writes: one orthography, Khmer punctuation, no English.

Each rule names the msgids that break it. `locales/GLOSSARY.md` explains the choices; the
terms themselves are checked by `test_glossary.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PROJECT = Path(__file__).resolve().parents[2]
KHMER_PO = PROJECT / "locales" / "km" / "LC_MESSAGES" / "messages.po"
ENGLISH_PO = PROJECT / "locales" / "en" / "LC_MESSAGES" / "messages.po"


def catalog_rows(path: Path = KHMER_PO) -> list[tuple[str, str, str]]:
    """(msgid, English, Khmer) of every message; a plural message gives one row a Khmer form."""
    with path.open("rb") as po:
        catalog = read_po(po, locale="km")
    rows = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            rows.append((str(ids[0]), str(ids[-1]), str(form or "")))
    return rows


ROWS = catalog_rows()

# --- What is not Khmer prose: kept as it is, and left out of the punctuation rules ----------
CODE = re.compile(
    r"""
      \{[^{}]*\}                          # a placeholder
    | </?[a-z]+[^>]*>                     # an HTML tag
    | &(?:[a-z]+|\#\d+);                  # an HTML entity
    | https?://[^\s«»()។]+                # a web address
    | (?<![\w/])/[a-z_]+                  # a /command
    | @\w+                                # a username
    | (?<!\d)\d{1,2}:\d{2}(?!\d)          # a time, 09:00
    | dcc-bot(?:\ [a-z]+)+(?:\ [A-Z]+)?   # an operator's command line
    """,
    re.VERBOSE,
)


def prose(text: str) -> str:
    """The text with its code (placeholders, tags, addresses, commands, times) blanked out."""
    return CODE.sub(" ", text)


# --- One spelling of the subscript DA/TA (្ដ/្ត), as the Chuon Nath dictionary writes it ----
# The dictionary writes the subscript as it sounds: DA where it is pronounced /d/ (ផ្ដល់,
# ម្ដង, សប្ដាហ៍), TA where it is /t/, which is most words from Pali and Sanskrit (សន្តិសុខ,
# ព្រឹត្តិការណ៍, ខេត្ត). Every subscript DA or TA in the catalog must sit in one of these
# words, so a new word is classified here before it can ship.
WITH_DA = (
    "ផ្ដល់", "ផ្ដើម", "ផ្ដាច់", "ផ្ដោត", "ប្ដូរ", "ស្ដី", "ស្ដាប់", "ក្ដី", "ម្ដង", "សម្ដែង", "បណ្ដាញ",
    "បណ្ដុះ", "បណ្ដាល", "កណ្ដាល", "សប្ដាហ៍", "ឧត្ដរមានជ័យ",  # the province's official name
)  # fmt: skip
WITH_TA = (
    "សន្តិសុខ", "បន្ត", "បន្តិច", "ប៉ុន្តែ", "មន្ត្រី", "ប្រវត្តិ", "ព្រឹត្តិ", "វត្តមាន", "ខេត្ត",
    "កិត្តិ", "ចិត្ត", "ប្រតិបត្តិ", "សាស្ត្រ", "អន្តរ", "ឧត្តម", "បញ្ញត្តិ",
)  # fmt: skip
DA, TA = "\u17d2\u178a", "\u17d2\u178f"


def other_spelling(word: str) -> str:
    return word.replace(DA, "\0").replace(TA, DA).replace("\0", TA)


def subscript_faults(text: str) -> list[str]:
    faults = [
        f"{other_spelling(w)} (write {w})" for w in WITH_DA + WITH_TA if other_spelling(w) in text
    ]
    covered = [False] * len(text)
    for word in WITH_DA + WITH_TA:
        for found in re.finditer(f"{re.escape(word)}|{re.escape(other_spelling(word))}", text):
            covered[found.start() : found.end()] = [True] * len(word)
    for mark in re.finditer(f"{DA}|{TA}", text):
        if not covered[mark.start()]:
            before = re.findall(r"[\u1780-\u17ff]*$", text[: mark.start()])[0]
            faults.append(f"unlisted subscript in …{before}{mark.group()}…")
    return faults


# --- Exceptions, each with its reason ------------------------------------------------------
QUOTE_EXCEPTIONS = {
    # The message names the CSV quote character itself, which a spreadsheet writes as ".
    'line {line}: the header has a quoted field that is never closed (a " is missing)',
    'the row has a quoted field that is never closed (a " is missing)',
}
LATIN_EXCEPTIONS = {
    # The language menu must be readable whatever language the member reads.
    "Language / ភាសា",
}
# Latin words that stay Latin on a Khmer screen: names and file formats.
ALLOWED_LATIN = {
    "DCC", "Bot", "Telegram", "RSS", "Atom", "Word", "PowerPoint", "ISO",
    "CSV", "UTF-8", "PDF", "DOC", "DOCX", "ODT", "ODP", "ZIP", "JPEG", "PNG", "MB", "CV",
}  # fmt: skip
# What an administrator types as it is, allowed only in a message whose English has it too: the
# member CSV's column names and values, the characters of a username, a feed's example source.
TYPED_AS_IS = {
    "telegram_id", "full_name", "username", "role", "province", "country", "language",
    "alert_frequency", "created_at", "years_experience", "abroad", "true", "false",
    "a-z", "rupp-2026",
}  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*(?<!-)")


def quote_faults(text: str) -> list[str]:
    marks = sorted(set(re.findall("[\"'“”‘’]", prose(text))))
    faults = [f"{mark} (quote with «…»)" for mark in marks]
    if text.count("«") != text.count("»"):
        faults.append("unbalanced «…»")
    return faults


def punctuation_faults(english: str, text: str) -> list[str]:
    plain = prose(text)
    faults = []
    if ":" in plain:
        faults.append("ASCII : (write ៖)")
    if ";" in plain:
        faults.append("ASCII ; (Khmer has none: end the sentence with ។ or join with ហើយ)")
    if re.search(r"\.(?=\s|$)", plain) and not re.match(r"\{place\}\. ", text):
        faults.append("ASCII . ending a sentence (write ។)")
    if re.search(r"\s[។៖]", text):
        faults.append("a space before ។ or ៖")
    if english.rstrip().endswith(".") and not text.rstrip().endswith("។"):
        faults.append("a sentence that does not end with ។")
    if english.rstrip().endswith(":") and not text.rstrip().endswith("៖"):
        faults.append("an introduction to a value that does not end with ៖")
    if not re.search(r"[.!?:…)]$", english.rstrip()) and text.rstrip().endswith("។"):
        faults.append("a label or fragment ending with ។")
    return faults


def latin_faults(text: str, english: str = "") -> list[str]:
    words = dict.fromkeys(LATIN_WORD.findall(prose(text)))
    typed = {
        word for word in TYPED_AS_IS if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", english)
    }
    return [word for word in words if word not in ALLOWED_LATIN | typed]


def offenders(check: Callable[[str, str, str], list[str]]) -> dict[str, list[str]]:
    found = {}
    for msgid, english, khmer in ROWS:
        faults = check(msgid, english, khmer)
        if faults:
            found[msgid] = faults
    return found


def test_the_catalog_spells_each_subscript_one_way() -> None:
    assert offenders(lambda _m, _e, khmer: subscript_faults(khmer)) == {}


def test_the_catalog_uses_khmer_punctuation() -> None:
    assert offenders(lambda _m, english, khmer: punctuation_faults(english, khmer)) == {}


def test_the_catalog_quotes_with_khmer_quotation_marks() -> None:
    found = offenders(
        lambda msgid, _e, khmer: [] if msgid in QUOTE_EXCEPTIONS else quote_faults(khmer)
    )
    assert found == {}


def test_the_catalog_shows_no_english_beyond_names_and_commands() -> None:
    found = offenders(
        lambda msgid, english, khmer: (
            [] if msgid in LATIN_EXCEPTIONS else latin_faults(khmer, english)
        )
    )
    assert found == {}


def test_no_message_sends_the_reader_to_the_readme() -> None:
    """Members and administrators never see the README: a message says what they need."""
    mentions = [msgid for msgid, _english, khmer in ROWS if "README" in msgid + khmer]
    assert mentions == []


@pytest.mark.parametrize(
    ("rule", "text", "english"),
    [
        (subscript_faults, "ចាប់ផ្តើម", ""),
        (subscript_faults, "សន្ដិសុខ", ""),
        (subscript_faults, "ឧត្ដមភាព ស្ដែង", ""),
        (quote_faults, 'ចុច "បិទ"', ""),
        (quote_faults, "ចុច «បិទ", ""),
        (latin_faults, "សូមផ្ញើ feed", ""),
        (latin_faults, "ភាសា language", ""),
        (punctuation_faults, "ម៉ោង: {value}", "Time: {value}"),
        (punctuation_faults, "បាទ ({value}; ទេ)", "Yes"),
        (punctuation_faults, "បានរក្សាទុក", "Saved."),
        (punctuation_faults, "បានរក្សាទុក.", "Saved."),
        (punctuation_faults, "បិទ។", "Close"),
    ],
)
def test_each_rule_finds_what_it_forbids(
    rule: Callable[..., list[str]], text: str, english: str
) -> None:
    faults = rule(english, text) if rule is punctuation_faults else rule(text)
    assert faults


@pytest.mark.parametrize(
    "text",
    [
        "ម៉ោង 09:00 ដល់ 21:00។",
        "សូមផ្ញើ /search ដើម្បីស្វែងរក។",
        "ឧទាហរណ៍ https://example.com/jobs។",
        "<b>{name}</b>៖ {value}។",
        "ឯកសារ CSV ជា UTF-8 សម្រាប់ DCC Bot នៅលើ Telegram។",
        "នាំចូលដោយប្រើ dcc-bot members import។",
    ],
)
def test_code_inside_khmer_is_left_alone(text: str) -> None:
    assert punctuation_faults("It is.", text) == []
    assert latin_faults(text) == []
    assert quote_faults(text) == []
