"""Competitions with prizes: administrators create them (/newcompetition), members read
and enter them (/competitions), judges score the entries after the deadline, an
administrator decides the winners and may announce them as a broadcast.

The ``cp:`` buttons arrive on messages of any age and any chat, so each action checks the
presser's right when pressed: a member to enter, the entry's author to edit it, a judge of
that competition to score, an administrator to edit an open competition, for the ranking,
the winners and the announcement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.dispatch import Router
from bot.core.i18n import N_
from handlers.competitions import create, entries, judging
from handlers.competitions.cards import PREFIX
from handlers.context import Ctx, button_actions

router = Router("competitions")
router.command("competitions", N_("Competitions with prizes: read, enter"))(
    entries.competitions_command
)
router.command("newcompetition", N_("Create a competition (admins only)"), staff="admin")(
    create.start_new_competition
)
for flow in (create.new_competition_flow, entries.entry_flow, judging.winners_flow):
    router.flow(flow)

ACTIONS: dict[str, Callable[[Ctx], Awaitable[None]]] = {
    "open": entries.open_pressed,
    "enter": entries.enter_pressed,
    "edit": entries.edit_pressed,
    "change": create.change_pressed,
    "score": judging.score_pressed,
    "sc": judging.score_given,
    "rank": judging.ranking_pressed,
    "ann": judging.announce_pressed,
}


router.callback(PREFIX)(button_actions(ACTIONS))
