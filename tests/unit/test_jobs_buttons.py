"""The jb: buttons: every declared action is handled, and the data is what the buttons on
members' older messages carry."""

from __future__ import annotations

from handlers.jobs import buttons, router
from handlers.jobs.buttons import JOBS


def test_every_jobs_button_has_a_handler_and_the_router_routes_the_prefix() -> None:
    assert JOBS.unhandled() == []
    assert router.callbacks["jb"] == JOBS.route


def test_the_data_is_as_before_the_buttons_were_declared() -> None:
    assert sorted(p.code for p in JOBS.presses()) == sorted(
        ["new", "cok", "cno", "invite", "join", "nojoin", "post", "mine", "edit", "close",
         "apply", "iv", "dc", "talent", "ia", "id"]
    )  # fmt: skip
    assert buttons.REGISTER.data(0) == "jb:new:0"
    assert buttons.APPROVE_COMPANY.data(7) == "jb:cok:7"
    assert buttons.DECLINE_INTRO.data(2**31 - 1) == "jb:id:2147483647"
