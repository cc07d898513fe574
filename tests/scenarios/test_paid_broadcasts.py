"""Paid (fast) in /broadcast: an administrator chooses it at the preview and sees the cost
estimate (Stars, the time at DCC_PAID_SEND_RATE next to the time at DCC_SEND_RATE), sends,
and is told the estimate again; the broadcast is stored paid and its progress and report
say so. The choice is offered to administrators only, and the role is checked again when
Paid (fast) is pressed and at the send: an administrator demoted meanwhile gets nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.i18n import Translations
from handlers.broadcast.paid import EXTRAS_KEY, Rates
from storage.models import AuditEntry, Broadcast
from tests.scenarios.harness import Scenario, add_member
from tests.scenarios.test_broadcasts import ADMIN, KM_TEXT, add_members, compose, deliver

ESTIMATE = "⚡ Paid (fast): about 0.7 Stars, about 1 second instead of 2 minutes"


def slow_free_rate(scenario: Scenario) -> None:
    """The estimate as DCC_SEND_RATE=0.05 gives it (7 messages: 140 seconds free); the
    scenario's sender keeps its own fast rate."""
    assert scenario.app is not None
    settings = scenario.app.settings
    assert scenario.app.dispatcher.extras[EXTRAS_KEY] == Rates(
        settings.send_rate, settings.paid_send_rate
    )  # what the composition root gives the handlers
    scenario.app.dispatcher.extras[EXTRAS_KEY] = Rates(free=0.05, paid=1000.0)


async def stored(scenario: Scenario) -> list[tuple[int, bool]]:
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        rows = await session.execute(select(Broadcast.id, Broadcast.paid).order_by(Broadcast.id))
        return [(number, paid) for number, paid in rows]


async def test_an_admin_chooses_paid_sees_the_estimate_sends_and_follows_it_as_paid(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ADMIN, staff="admin")
    await add_members(scenario, 6)
    slow_free_rate(scenario)
    await compose(scenario, same=True)
    replies = await scenario.press(ADMIN, "Next")
    assert "⚡ Paid (fast)" in scenario.buttons(ADMIN) and "Stars" not in replies[-1]
    assert await scenario.press(ADMIN, "Paid (fast)") == [
        f"Category: Official announcements\n{ESTIMATE}\n\nSend it to 7 members?"
    ]
    assert "✅ ⚡ Paid (fast)" in scenario.buttons(ADMIN)
    assert await scenario.press(ADMIN, "Send now") == [
        f"Broadcast #1 is on its way. Its progress follows here.\n{ESTIMATE}"
    ]
    assert await stored(scenario) == [(1, True)]
    await deliver(scenario)
    texts = [m.text or "" for m in scenario.emulator.messages(ADMIN.id)]
    report = next(t for t in texts if t.startswith("✅ <b>Broadcast #1 is delivered."))
    assert report.splitlines()[1] == "⚡ Paid (fast)"
    assert scenario.app is not None
    async with scenario.app.sessionmaker() as session:
        (detail,) = await session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "broadcast-created")
        )
    assert detail["paid"] is True
    await scenario.say(ADMIN, "/admin")
    (listed,) = await scenario.press(ADMIN, "Broadcasts")
    assert listed.splitlines()[1].endswith(" · delivered 7 of 7 · ⚡ Paid (fast)")


async def test_paid_pressed_twice_is_free_again_and_scheduling_keeps_the_choice(
    scenario: Scenario,
) -> None:
    await add_member(scenario, ADMIN, staff="admin")
    await add_members(scenario, 2)
    await compose(scenario, same=True)
    await scenario.press(ADMIN, "Next")
    await scenario.press(ADMIN, "Paid (fast)")
    replies = await scenario.press(ADMIN, "Paid (fast)")
    assert "Stars" not in replies[-1] and "✅ ⚡ Paid (fast)" not in scenario.buttons(ADMIN)
    await scenario.press(ADMIN, "Send now")
    await compose(scenario, same=True)
    await scenario.press(ADMIN, "Next")
    await scenario.press(ADMIN, "Paid (fast)")
    await scenario.press(ADMIN, "Schedule")
    (said,) = await scenario.say(ADMIN, "26/11/2026 18:30")
    assert said.startswith("Broadcast #2 is scheduled for 26 November 2026 18:30.\n⚡ Paid (fast)")
    assert await stored(scenario) == [(1, False), (2, True)]


async def test_a_khmer_admin_sees_the_estimate_in_khmer(
    scenario: Scenario, translations: Translations
) -> None:
    km = translations.for_language("km")
    await add_member(scenario, ADMIN, "km", staff="admin")
    await add_members(scenario, 6)
    slow_free_rate(scenario)
    await scenario.say(ADMIN, "/broadcast")
    await scenario.say(ADMIN, KM_TEXT)
    await scenario.press(ADMIN, km.gettext("Same text for both"))
    await scenario.press(ADMIN, km.gettext("No link"))
    await scenario.press(ADMIN, km.gettext("No file"))
    await scenario.press(ADMIN, km.gettext("Official announcements"))
    await scenario.press(ADMIN, km.gettext("Next"))
    (replies,) = await scenario.press(ADMIN, km.gettext("Paid (fast)"))
    estimate = km.gettext("Paid (fast): about {stars} Stars, about {paid} instead of {free}")
    shown = estimate.format(stars="០.៧", paid=km.duration(1), free=km.duration(120))
    assert "⚡ " + shown in replies.splitlines()


async def test_an_admin_demoted_at_the_preview_is_offered_no_paid_choice_and_sends_nothing(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    await add_members(scenario, 3)
    await compose(scenario, same=True)
    await scenario.press(ADMIN, "Next")
    await scenario.press(ADMIN, "Paid (fast)")  # chosen while an administrator
    async with scenario.app.unit_of_work() as uow:
        await uow.staff.revoke(ADMIN.id, "admin")
        await uow.commit()
    replies = await scenario.press(ADMIN, "Protect")  # the preview's last message again
    assert "Stars" not in replies[-1]
    assert not any("Paid (fast)" in label for label in scenario.buttons(ADMIN))
    await scenario.press(ADMIN, "Send now")
    assert scenario.toasts()[-1] == "Only administrators can do this."
    assert await stored(scenario) == []


async def test_paid_pressed_or_sent_by_an_admin_demoted_meanwhile_is_refused(
    scenario: Scenario,
) -> None:
    assert scenario.app is not None
    await add_member(scenario, ADMIN, staff="admin")
    await add_members(scenario, 3)
    for press in ("Paid (fast)", "Send now"):
        async with scenario.app.unit_of_work() as uow:
            await uow.staff.grant(ADMIN.id, "admin", None)
            await uow.commit()
        await compose(scenario, same=True)
        await scenario.press(ADMIN, "Next")
        if press == "Send now":
            await scenario.press(ADMIN, "Paid (fast)")
        async with scenario.app.unit_of_work() as uow:
            await uow.staff.revoke(ADMIN.id, "admin")
            await uow.commit()
        assert await scenario.press(ADMIN, press) == []
        assert scenario.toasts()[-1] == "Only administrators can do this."
        assert await stored(scenario) == []
    async with scenario.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0
