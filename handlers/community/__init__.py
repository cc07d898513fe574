"""The member network (/community): find members in the directory, ask to connect, and
exchange Telegram handles when the other member accepts; block and report.

One router: the command, the search flow (its note and reason steps included), the flow
of a report made from a request, and the ``cm:`` buttons of messages sent through the
outbox (requests, reports to moderators) and of the blocked list. Each ``cm:`` button
checks when pressed that the presser may use it: the member a request is for, a
moderator for a report's decision, the blocker for an unblock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial

from bot.core.dispatch import Router
from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from handlers.community import blocks, connect, reports, search
from handlers.community.connect import PREFIX
from handlers.community.rules import NOTE_EMPTY
from handlers.context import Ctx, button_actions

router = Router("community")
router.command("community", N_("Find members and connect with them"))(search.community_command)

# After a note or a reason the search waits at its results again (``back_to_results``).
AFTER = ("results",)
community_flow = router.flow(
    Flow(
        "community",
        {
            **search.SEARCH_STEPS,
            "note": Step(connect.ask_note, NOTE_EMPTY, on_text=connect.note_typed, on_button=connect.note_pressed, next=AFTER, ends=True),
            "reason": replace(reports.REASON_STEP, next=AFTER),
        },
        entry=("tag",),
    )
)  # fmt: skip
router.flow(reports.report_flow)

ACTIONS: dict[str, Callable[[Ctx], Awaitable[None]]] = {
    "a": connect.accept,
    "d": connect.decline,
    "b": connect.block,
    "r": reports.report_from_request,
    "ub": blocks.unblock,
    "hide": partial(reports.moderate, hide=True),
    "keep": partial(reports.moderate, hide=False),
    "show": reports.lift_hide,
}


router.callback(PREFIX)(button_actions(ACTIONS))
