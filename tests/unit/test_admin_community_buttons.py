"""The declared buttons of the admin console (``ad:``), the member network (``cm:``) and the
language choice (``lang:``): each has a handler, each router routes its group, the console's
group checks the administrator role, and the data is what messages already sent carry."""

from __future__ import annotations

from bot.core.buttons import Buttons
from handlers import admin, community, language
from handlers.admin import buttons as ad
from handlers.community import buttons as cm
from handlers.context import is_admin

GROUPS: list[Buttons] = [ad.ADMIN, cm.COMMUNITY, language.LANGUAGE]


def test_every_declared_button_has_a_handler_and_its_router() -> None:
    for group in GROUPS:
        assert group.unhandled() == [], group.prefix
    assert admin.router.callbacks["ad"] == ad.ADMIN.route
    assert community.router.callbacks["cm"] == cm.COMMUNITY.route
    assert language.router.callbacks["lang"] == language.LANGUAGE.route
    assert ad.ADMIN.guard is is_admin and cm.COMMUNITY.guard is None


def test_the_data_is_byte_for_byte_what_earlier_messages_carry() -> None:
    assert [p.data() for p in ad.ADMIN.presses() if not p.args] == [
        "ad:pending", "ad:reports", "ad:bc", "ad:newbc", "ad:content", "ad:post", "ad:roles",
        "ad:grant", "ad:stats", "ad:export", "ad:audit", "ad:links", "ad:comp", "ad:newcp",
    ]  # fmt: skip
    assert ad.CANCEL_BROADCAST.data(12) == "ad:bcx:12"
    assert ad.HIDE_ITEM.data(3) == "ad:hide:3"
    assert ad.REVOKE.data("a", 1601) == "ad:rv:a:1601"
    assert ad.REVOKE.data("m", 2**52 - 1) == f"ad:rv:m:{2**52 - 1}"
    assert [p.data(7) for p in cm.COMMUNITY.presses()] == [
        "cm:a:7", "cm:d:7", "cm:b:7", "cm:r:7", "cm:ub:7", "cm:hide:7", "cm:keep:7", "cm:show:7",
    ]  # fmt: skip
    assert [p.data() for p in language.LANGUAGE.presses()] == ["lang:km", "lang:en"]
