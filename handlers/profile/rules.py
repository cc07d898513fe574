"""What a member may type for each profile field: pure functions, shared by sign-up,
/profile and the CSV import, so the same input is accepted everywhere."""

from __future__ import annotations

from typing import Any

import regex

from bot.core.i18n import N_
from bot.core.text import clean_line, has_letters, too_long, western_digits
from handlers.invalid import Invalid
from storage.seed.choices import ALERT_FREQUENCIES, ROLES
from storage.seed.provinces import ABROAD, BY_SLUG
from storage.seed.tags import SLUGS

# In grapheme clusters, what a member counts; twice as many code points at most, which is
# what the database columns hold (a cluster can carry any number of combining marks).
NAME_MAX = 100
ORGANISATION_MAX = 100
COUNTRY_MAX = 50
YEARS_MAX = 60

# The order sign-up asks in; "country" and "freq" are asked only when they apply.
FIELD_ORDER = (
    "name", "role", "org", "location", "country", "skills",
    "years", "open", "freq", "visible", "phone",
)  # fmt: skip


def _line(text: str, limit: int, empty: str) -> str:
    value = clean_line(text)
    if not value:
        raise Invalid(empty)
    if too_long(value, limit):
        raise Invalid(
            N_("That is too long: please send at most {limit} characters."), {"limit": limit}
        )
    return value


def parse_name(text: str) -> str:
    value = _line(text, NAME_MAX, N_("Please type your full name."))
    if not has_letters(value):
        raise Invalid(N_("A name needs letters. Please type your full name."))
    return value


def parse_organisation(text: str) -> str:
    return _line(text, ORGANISATION_MAX, N_("Please type the name of your organisation or school."))


def parse_country(text: str) -> str:
    value = _line(text, COUNTRY_MAX, N_("Please type the country you live in."))
    if not has_letters(value):
        raise Invalid(N_("Please type the country's name in letters, for example Japan."))
    return value


def parse_years(text: str) -> int:
    """Years of experience: a whole number, Khmer digits welcome (៣ = 3)."""
    value = western_digits(clean_line(text))
    match = regex.fullmatch(r"(\d{1,3})(?:\s*[\p{L}\p{M}]+)?", value)  # "3 years", "៣ ឆ្នាំ"
    if match is None or int(match.group(1)) > YEARS_MAX:
        raise Invalid(
            N_("Please send a number of years from 0 to {max}, for example 3."), {"max": YEARS_MAX}
        )
    return int(match.group(1))


def is_role(value: str) -> bool:
    return value in ROLES


def is_location(value: str) -> bool:
    return value == ABROAD or value in BY_SLUG


def is_frequency(value: str) -> bool:
    return value in ALERT_FREQUENCIES


def is_skill(value: str) -> bool:
    return value in SLUGS


def next_field(step: str, draft: dict[str, Any], editing: bool) -> str | None:
    """The step after ``step``: a follow-up question first, else the next field in order.

    When editing one field from a summary only its follow-up is asked; None means the
    summary comes next.
    """
    if step == "location" and draft.get("province") == ABROAD:
        return "country"
    if step == "open" and draft.get("open"):
        return "freq"
    if step == "freq" and editing and draft.get("freq") != "off":
        return "area"  # the alerts' area filter: a /profile setting, sign-up stays short
    if editing or step not in FIELD_ORDER:
        return None
    for candidate in FIELD_ORDER[FIELD_ORDER.index(step) + 1 :]:
        if candidate in ("country", "freq"):
            continue  # asked only as a follow-up above
        return candidate
    return None


def fields_after(step: str) -> tuple[str, ...]:
    """Every step ``next_field`` may choose after ``step`` ("summary" for None): the step's
    declared edges, read off the same rules for each draft that changes the answer."""
    drafts: list[dict[str, Any]] = [{}, {"province": ABROAD}, {"open": True}, {"freq": "off"}]
    found = {next_field(step, d, editing) or "summary" for d in drafts for editing in (True, False)}
    return tuple(sorted(found))


def parse_quiet_hours(text: str) -> tuple[str, str]:
    """ "21:00-07:00", "21-7", "២១:០០–០៧:០០" → ("21:00", "07:00"); an expert's quiet hours."""
    value = western_digits(clean_line(text)).replace("–", "-").replace("—", "-")
    match = regex.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?", value)
    if match is None:
        raise Invalid(N_("Please send the hours as from-to, for example 21:00-07:00."))
    start_h, start_m, end_h, end_m = (int(g or 0) for g in match.groups())
    if start_h > 23 or end_h > 23 or start_m > 59 or end_m > 59:
        raise Invalid(N_("Please send the hours as from-to, for example 21:00-07:00."))
    return f"{start_h:02d}:{start_m:02d}", f"{end_h:02d}:{end_m:02d}"


# -- phone numbers ---------------------------------------------------------------------------
PHONE_FORMAT = N_(
    "Please send a phone number, for example 012 345 678 or +855 12 345 678 (a number abroad with + and its country code), or press Skip."
)
CAMBODIA = "855"
_PHONE_MARKS = regex.compile(r"[\s\-.()\u00a0]")  # written between digit groups


def parse_phone(text: str) -> str:
    """A phone number typed as text, stored in E.164 (``+85512345678``).

    Cambodian forms: ``012 345 678``, ``0XX…`` (0 and 8 or 9 digits), ``855…`` and
    ``+855 12 345 678`` (8 or 9 digits after 855, the first not 0), with spaces, dashes,
    dots or brackets between groups, Khmer digits welcome. Another country: ``+`` (or
    ``00``) and 8 to 15 digits in all, the first not 0. Anything else: ``Invalid``.
    """
    value = _PHONE_MARKS.sub("", western_digits(clean_line(text)))
    if value.startswith("00"):
        value = "+" + value[2:]
    international = value.startswith("+")
    digits = value[1:] if international else value
    if not regex.fullmatch(r"[0-9]+", digits):
        raise Invalid(PHONE_FORMAT)
    if not international and digits.startswith("0"):  # Cambodian, national form
        digits = CAMBODIA + digits[1:]
    elif not international and not digits.startswith(CAMBODIA):
        raise Invalid(PHONE_FORMAT)
    if digits.startswith(CAMBODIA):
        national = digits[len(CAMBODIA) :]
        if national.startswith("0"):  # "+855 (0)12 345 678": the trunk 0 kept by habit
            national = national[1:]
            digits = CAMBODIA + national
        if not regex.fullmatch(r"[1-9][0-9]{7,8}", national):
            raise Invalid(PHONE_FORMAT)
    elif not regex.fullmatch(r"[1-9][0-9]{7,14}", digits):
        raise Invalid(PHONE_FORMAT)
    return "+" + digits
