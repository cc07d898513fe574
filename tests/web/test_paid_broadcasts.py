"""Paid (fast) in the console's compose page: a checkbox for administrators with the cost
estimate beside it (and in the live count's answer), stored paid and audited from the web
like /broadcast's; refused without the administrator role or the form token, with nothing
written; the broadcast's page says whether it was paid; a Duplicate starts free."""

# ruff: noqa: F811 - the console tests' ``world`` fixture, imported, is every test's argument
from __future__ import annotations

from collections.abc import Callable
from typing import cast

from bot.config import Settings
from bot.core.i18n import Translations
from handlers.broadcast.paid import Rates
from storage.members import utc_now
from storage.uow import UnitOfWork
from tests.web.test_broadcasts import add_members, audit, broadcasts, form
from tests.web.test_console import ADMIN, MODERATOR, World, world  # noqa: F401
from web.server import console_for

CHECKBOX = '<input type="checkbox" name="paid" value="1" aria-describedby="paid-estimate"'
ESTIMATE = "Paid (fast): about 0.5 Stars, about 1 second instead of 1 second"  # 5 members


def test_the_console_estimates_at_the_configured_rates() -> None:
    settings = Settings(send_rate=30.0, paid_send_rate=500.0)
    no_database = cast(Callable[[], UnitOfWork], None)  # the rates need none
    found = console_for(settings, no_database, Translations(settings.locales_dir), utc_now)
    assert found.broadcast_rates == Rates(free=30.0, paid=500.0)


async def test_an_admin_ticks_paid_fast_sees_the_estimate_and_the_broadcast_is_paid(
    world: World,
) -> None:
    await add_members(world)
    csrf = await world.sign_in(ADMIN)
    page = await (await world.client.get("/broadcasts/new")).text()
    assert CHECKBOX + ">" in page  # offered, not ticked
    assert f'<output id="paid-estimate">{ESTIMATE}</output>' in page
    count = await (await world.client.get("/broadcasts/count?role=student")).json()
    assert count["paid"] == "Paid (fast): about 0.2 Stars, about 1 second instead of 1 second"
    refused = await world.client.post("/broadcasts/new", data=form(csrf, "send", km="", paid="1"))
    assert refused.status == 400 and CHECKBOX + " checked>" in await refused.text()  # kept
    sent = await world.client.post(
        "/broadcasts/new", data=form(csrf, "send", paid="1"), allow_redirects=False
    )
    assert sent.status == 303
    free = await world.client.post(
        "/broadcasts/new", data=form(csrf, "send"), allow_redirects=False
    )
    assert free.status == 303
    assert [(b.id, b.paid) for b in await broadcasts(world)] == [(1, True), (2, False)]
    lines = await audit(world, "broadcast-created")
    assert [(line.channel, line.detail.get("paid")) for line in lines] == [
        ("web", True), ("web", None)
    ]  # fmt: skip
    shown = await (await world.client.get("/broadcasts/1")).text()
    assert '⚡ Paid (fast)</th><td id="paid">Yes</td>' in shown
    shown = await (await world.client.get("/broadcasts/2")).text()
    assert '<td id="paid">No</td>' in shown
    listed = await (await world.client.get("/broadcasts")).text()
    assert listed.count('<span class="paid" title="Paid (fast)">⚡</span>') == 1
    copy = await (await world.client.get("/broadcasts/new?from=1")).text()
    assert CHECKBOX + ">" in copy  # spending Stars is chosen anew


async def test_paid_fast_is_refused_without_the_admin_role_or_the_form_token(
    world: World,
) -> None:
    await add_members(world)
    moderator = await world.new_client()
    mod_csrf = await world.sign_in(MODERATOR, moderator)
    refused = await moderator.post(
        "/broadcasts/new", data=form(mod_csrf, "send", paid="1"), allow_redirects=False
    )
    assert refused.status == 403
    assert (await moderator.get("/broadcasts/new", allow_redirects=False)).status == 403
    await moderator.close()
    csrf = await world.sign_in(ADMIN)
    for token in ("", "wrong"):
        data = form(token, "send", paid="1")
        if not token:
            del data["csrf"]
        refused = await world.client.post("/broadcasts/new", data=data, allow_redirects=False)
        assert refused.status == 403
    async with world.uow() as uow:  # demoted in the bot: the next click is refused
        await uow.staff.revoke(ADMIN, "admin")
        await uow.commit()
    refused = await world.client.post(
        "/broadcasts/new", data=form(csrf, "send", paid="1"), allow_redirects=False
    )
    assert refused.status == 403
    assert await broadcasts(world) == [] and await audit(world, "broadcast-created") == []
