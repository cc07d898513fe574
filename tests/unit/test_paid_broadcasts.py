"""Paid (fast) broadcasts on the creating side: the cost estimate every surface shows (Stars
for every message of every recipient, the time at DCC_PAID_SEND_RATE next to the time at
DCC_SEND_RATE), and the create operation: administrators only, nothing written for anyone
else, stored paid, audited ``"paid": true``; the progress and report messages say so."""

# ruff: noqa: F811 - the operations tests' ``uow_factory`` fixture, imported, is an argument

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.core.i18n import Translations
from handlers.acting import Acting, NotAllowed
from handlers.broadcast import operations
from handlers.broadcast.message import progress_text, report_text
from handlers.broadcast.paid import (
    STARS_PER_MESSAGE,
    Rates,
    estimate,
    estimate_text,
    parts_by_language,
    rates,
)
from storage.broadcasts import Audience, Delivery
from storage.models import Broadcast
from tests.unit.test_broadcast_operations import (  # noqa: F401 - uow_factory, the fixture
    ADMIN,
    MEMBER,
    MODERATOR,
    NOW,
    Factory,
    as_,
    attempt,
    audit_lines,
    uow_factory,
    written,
)

LONG_KM = "សហគមន៍ឌីជីថលកម្ពុជា " * 60  # 1,260 units: more than a caption's 1,024


# -- the estimate ----------------------------------------------------------------------------
def test_the_fee_is_telegrams_tenth_of_a_star_a_message() -> None:
    assert STARS_PER_MESSAGE == Decimal("0.1")
    assert rates({}) == Rates(free=30.0, paid=1000.0)  # DCC_SEND_RATE, DCC_PAID_SEND_RATE
    assert rates({"broadcast_rates": Rates(30.0, 500.0)}) == Rates(30.0, 500.0)


def test_the_estimate_charges_every_message_and_times_both_rates(
    translations: Translations,
) -> None:
    found = estimate({"km": 100_000, "en": 24_000}, {"km": 1, "en": 1}, Rates(25.0, 1000.0))
    assert (found.recipients, found.messages, found.stars) == (124_000, 124_000, Decimal("12400"))
    assert (found.seconds, found.free_seconds) == (124.0, 4960.0)
    en = translations.for_language("en")
    assert estimate_text(en, found) == (
        "Paid (fast): about 12,400 Stars, about 2 minutes instead of 1 hour 23 minutes"
    )
    km = translations.for_language("km")
    shown = estimate_text(km, found)
    assert "១២,៤០០" in shown and "Paid" not in shown and "១ ម៉ោង ២៣ នាទី" in shown


def test_a_poster_with_a_text_too_long_for_its_caption_is_two_messages_a_recipient(
    translations: Translations,
) -> None:
    assert parts_by_language(translations, "សួស្ដី", "Hello", poster=False) == {"km": 1, "en": 1}
    assert parts_by_language(translations, "សួស្ដី", "Hello", poster=True) == {"km": 1, "en": 1}
    parts = parts_by_language(translations, LONG_KM, "Hello", poster=True)
    assert parts == {"km": 2, "en": 1}
    # a text message of the same length is one message: 3,500 units fit with the heading
    assert parts_by_language(translations, LONG_KM, "Hello", poster=False) == {"km": 1, "en": 1}
    found = estimate({"km": 10, "en": 5}, parts, Rates(25.0, 1000.0))
    assert (found.messages, found.stars) == (25, Decimal("2.5"))
    assert estimate_text(translations.for_language("en"), found).startswith(
        "Paid (fast): about 2.5 Stars, about 1 second instead of 1 second"
    )


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.3, "1 second"),
        (124, "2 minutes"),
        (3600, "1 hour"),
        (4960, "1 hour 23 minutes"),
        (7190, "2 hours"),  # 119.8 minutes: 2 hours, not "1 hour 60 minutes"
        (4 * 3600 + 60, "4 hours 1 minute"),
    ],
)
def test_a_span_of_an_hour_or_more_keeps_its_minutes(
    translations: Translations, seconds: float, shown: str
) -> None:
    assert translations.for_language("en").span(seconds) == shown


# -- the operation ---------------------------------------------------------------------------
@pytest.mark.parametrize("person", [MODERATOR, MEMBER])
async def test_a_paid_broadcast_is_refused_to_anyone_but_an_admin_and_nothing_is_written(
    uow_factory: Factory, translations: Translations, person: int
) -> None:
    async def create_paid(acting: Acting) -> Broadcast:
        return await operations.create(acting, "k", "e", None, Audience(), paid=True)

    refused = await attempt(uow_factory, translations, person, create_paid)
    assert isinstance(refused, NotAllowed)
    assert refused.message == "Only administrators can do this."
    assert await written(uow_factory) == {"broadcasts": [], "outbox": {}, "audit": 0}


async def test_an_admins_paid_broadcast_is_stored_paid_and_audited_so(
    uow_factory: Factory, translations: Translations
) -> None:
    async with uow_factory() as uow:
        paid = await operations.create(
            as_(uow, translations, ADMIN), "សួស្ដី", "Hello", None, Audience(), paid=True
        )
        free = await operations.create(
            as_(uow, translations, None, "cli"), "សួស្ដី", "Hello", None, Audience()
        )
        await uow.commit()
    async with uow_factory() as uow:
        stored = [await uow.broadcasts.get(b.id) for b in (paid, free)]
    assert [b.paid for b in stored if b is not None] == [True, False]
    (_, _, paid_detail, channel), (_, _, free_detail, _) = await audit_lines(uow_factory)
    assert paid_detail["paid"] is True and channel == "chat"
    assert "paid" not in free_detail  # a free broadcast's audit line is as it was


def test_the_progress_and_the_report_of_a_paid_broadcast_say_paid(
    translations: Translations,
) -> None:
    en = translations.for_language("en")
    delivery = Delivery(total=3, sent=1)
    paid = Broadcast(id=7, paid=True, category="official", status="sending", started_at=NOW)
    free = Broadcast(id=8, paid=False, category="official", status="sending", started_at=NOW)
    assert progress_text(en, paid, delivery, NOW).splitlines()[1] == "⚡ Paid (fast)"
    assert "Paid" not in progress_text(en, free, delivery, NOW)
    paid.status = "done"
    assert report_text(en, paid, delivery).splitlines()[1] == "⚡ Paid (fast)"
    km = translations.for_language("km")
    assert report_text(km, paid, delivery).splitlines()[1] == "⚡ " + km.gettext("Paid (fast)")
