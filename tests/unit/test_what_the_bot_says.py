"""The rules behind what the bot says: phone numbers typed, button labels typed, the job
alerts' area for a member abroad, and who asked on an approval card."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.i18n import Translations
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.ports import Conversation
from bot.core.typed import LabelTwins, label_key, pressed, remember
from handlers.invalid import Invalid
from handlers.profile.card import render_card
from handlers.profile.rules import PHONE_FORMAT, parse_phone
from handlers.requester import asked_by
from storage.models import Member


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("012 345 678", "+85512345678"),
        ("012-345-678", "+85512345678"),
        ("0123456789", "+855123456789"),
        ("០១២ ៣៤៥ ៦៧៨", "+85512345678"),
        ("+855 12 345 678", "+85512345678"),
        ("+855 (0)12 345 678", "+85512345678"),
        ("855 97 555 1234", "+855975551234"),
        ("00855 12 345 678", "+85512345678"),
        ("(023) 724 810", "+85523724810"),
        ("+81 90-1234-5678", "+819012345678"),
        ("+1 202 555 0143", "+12025550143"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+៨៥៥ ១២ ៣៤៥ ៦៧៨", "+85512345678"),
    ],
)
def test_a_phone_number_in_a_cambodian_or_international_form_is_kept_in_e164(
    typed: str, stored: str
) -> None:
    assert parse_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "", "12345", "012 34", "0123 456 789 01", "call me", "+", "+1 23", "+0 123 456 789",
        "+855 123", "+855 1234567890", "12 345 678", "+1234567890123456", "012 345 678 ext 2",
        "+855 12 345 678; 099", "٠١٢٣٤٥٦٧٨",
    ],
)  # fmt: skip
def test_anything_else_is_refused_with_the_forms_to_send(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_phone(typed)
    assert refused.value.message == PHONE_FORMAT


def test_a_label_key_leaves_out_case_spaces_punctuation_and_emoji() -> None:
    assert label_key("✅ Create") == label_key("  create ") == label_key("CREATE") == "create"
    assert label_key("Next ➡️") == "next" and label_key("បន្ទាប់ ➡️") == "បន្ទាប់"
    assert label_key("« Back to the list") == "backtothelist"
    assert label_key("#១២") == label_key("#12") == "12"
    assert label_key("✅") == ""


def conversation(step: str = "tags") -> Conversation:
    return Conversation(1, flow="expert", step=step, token="tok")


def test_a_typed_label_is_the_press_of_the_current_steps_button(
    translations: Translations,
) -> None:
    twins = LabelTwins(translations.pairs())
    conv = conversation()
    remember(
        conv,
        InlineKeyboard.of(
            [[Button("ទិន្នន័យ", "f:tok:tags:data"), Button("បន្ទាប់ ➡️", "f:tok:tags:done")],
             [Button("🔗 Site", url="https://example.com")]]
        ),
    )  # fmt: skip
    assert pressed(conv, "ទិន្នន័យ", twins) == "f:tok:tags:data"
    assert pressed(conv, " NEXT ", twins) == "f:tok:tags:done"  # the English label
    assert pressed(conv, "បន្ទាប់", twins) == "f:tok:tags:done"
    assert pressed(conv, "site", twins) is None  # a link is no press
    assert pressed(conv, "data please", twins) is None
    conv.step = "note"  # another step: its buttons are not those
    assert pressed(conv, "ទិន្នន័យ", twins) is None
    conv.step, conv.token = "tags", "new"  # the same step of another run of the flow
    assert pressed(conv, "ទិន្នន័យ", twins) is None


def test_a_label_two_buttons_share_presses_neither(translations: Translations) -> None:
    twins = LabelTwins(translations.pairs())
    conv = conversation()
    remember(
        conv, InlineKeyboard.of([[Button("Yes", "f:tok:tags:a"), Button("yes", "f:tok:tags:b")]])
    )
    remember(conv, InlineKeyboard.of([[Button("No", "f:tok:tags:n")]]))  # kept with the others
    assert pressed(conv, "yes", twins) is None
    assert pressed(conv, "no", twins) == "f:tok:tags:n"


def test_no_flow_no_labels() -> None:
    conv = Conversation(1)
    remember(conv, InlineKeyboard.of([[Button("Yes", "ad:x")]]))
    assert conv.data == {}


def draft(**fields: Any) -> dict[str, Any]:
    return {"open": True, "freq": "instant", "area": True, **fields}


def test_a_member_abroad_reads_jobs_abroad_not_jobs_in_abroad(translations: Translations) -> None:
    en, km = translations.for_language("en"), translations.for_language("km")
    abroad = draft(province="abroad", country="ជប៉ុន")
    assert "Yes (As they come; jobs abroad and remote jobs only)" in render_card(en, abroad, [])
    assert "in Abroad" not in render_card(en, abroad, [])
    khmer = render_card(km, abroad, [])
    assert "នៅ នៅបរទេស" not in khmer and "តែការងារនៅបរទេស" in khmer
    at_home = render_card(en, draft(province="battambang"), [])
    assert "jobs in Battambang and remote jobs only" in at_home


def member(**columns: Any) -> Member:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    defaults: dict[str, Any] = {
        "telegram_id": 5551234, "full_name": "Sok <Dara>", "username": "sokdara",
        "deleted_at": None, "created_at": now, "updated_at": now,
    }  # fmt: skip
    return Member(**{**defaults, **columns})


def test_an_approval_card_names_who_asked_or_says_they_have_left(
    translations: Translations,
) -> None:
    en, km = translations.for_language("en"), translations.for_language("km")
    assert asked_by(en, member()) == "Asked by Sok &lt;Dara&gt; · @sokdara · Telegram id 5551234"
    assert asked_by(en, member(username=None)) == "Asked by Sok &lt;Dara&gt; · Telegram id 5551234"
    left = "Asked by a member who has left the community."
    assert asked_by(en, None) == left
    assert asked_by(en, member(deleted_at=datetime(2026, 11, 26, tzinfo=UTC))) == left
    assert asked_by(en, member(telegram_id=None)) == left
    assert "5551234" in asked_by(km, member()) and "@sokdara" in asked_by(km, member())
