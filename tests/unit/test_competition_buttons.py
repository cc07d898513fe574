"""The cp: buttons: every declared action is handled, and the data is what the buttons on
members' older messages carry (the judges' score button carries the entry and the score)."""

from __future__ import annotations

from handlers.competitions import buttons, router
from handlers.competitions.buttons import COMPETITIONS


def test_every_competition_button_has_a_handler_and_the_router_routes_the_prefix() -> None:
    assert COMPETITIONS.unhandled() == []
    assert router.callbacks["cp"] == COMPETITIONS.route


def test_the_data_is_as_before_the_buttons_were_declared() -> None:
    assert sorted(p.code for p in COMPETITIONS.presses()) == sorted(
        ["open", "enter", "edit", "change", "score", "sc", "rank", "ann"]
    )
    assert buttons.SCORE_GIVEN.data(12, 10) == "cp:sc:12:10"
    assert buttons.SCORE_GIVEN.read(["12", "7"]) == (12, 7)
    assert buttons.SCORE_GIVEN.read(["12", "x"]) is None
    assert buttons.RANKING.data(3) == "cp:rank:3"
