"""Competitions with prizes: administrators create them (/newcompetition), members read
and enter them (/competitions), judges score the entries after the deadline, an
administrator decides the winners and may announce them as a broadcast.

The ``cp:`` buttons arrive on messages of any age and any chat, so each action checks the
presser's right when pressed: a member to enter, the entry's author to edit it, a judge of
that competition to score, an administrator to edit an open competition, for the ranking,
the winners and the announcement. They are declared in ``buttons``.
"""

from __future__ import annotations

from bot.core.dispatch import Router
from bot.core.i18n import N_
from handlers.competitions import buttons, create, entries, judging
from handlers.competitions.buttons import COMPETITIONS

router = Router("competitions")
router.command("competitions", N_("Competitions with prizes: read, enter"))(
    entries.competitions_command
)
router.command("newcompetition", N_("Create a competition (admins only)"), staff="admin")(
    create.start_new_competition
)
for flow in (create.new_competition_flow, entries.entry_flow, judging.winners_flow):
    router.flow(flow)

for press, handler in (
    (buttons.OPEN_CARD, entries.open_pressed),
    (buttons.ENTER, entries.enter_pressed),
    (buttons.EDIT_ENTRY, entries.edit_pressed),
    (buttons.CHANGE, create.change_pressed),
    (buttons.SCORE, judging.score_pressed),
    (buttons.SCORE_GIVEN, judging.score_given),
    (buttons.RANKING, judging.ranking_pressed),
    (buttons.ANNOUNCE, judging.announce_pressed),
):
    COMPETITIONS.on(press, handler)
router.buttons(COMPETITIONS)
