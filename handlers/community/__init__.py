"""The member network (/community): find members in the directory, ask to connect, and
exchange Telegram handles when the other member accepts; block and report.

One router: the command, the search flow (its note and reason steps included), the flow
of a report made from a request, and the ``cm:`` buttons of messages sent through the
outbox (requests, reports to moderators) and of the blocked list. Each ``cm:`` button
checks when pressed that the presser may use it: the member a request is for, a
moderator for a report's decision, the blocker for an unblock.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from bot.core.dispatch import Router
from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from handlers.community import blocks, buttons, connect, reports, search
from handlers.community.rules import NOTE_EMPTY

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

COMMUNITY = router.buttons(buttons.COMMUNITY)  # each handler checks who presses
COMMUNITY.on(buttons.ACCEPT, connect.accept)
COMMUNITY.on(buttons.DECLINE, connect.decline)
COMMUNITY.on(buttons.BLOCK, connect.block)
COMMUNITY.on(buttons.REPORT, reports.report_from_request)
COMMUNITY.on(buttons.UNBLOCK, blocks.unblock)
COMMUNITY.on(buttons.HIDE, partial(reports.moderate, hide=True))
COMMUNITY.on(buttons.KEEP, partial(reports.moderate, hide=False))
COMMUNITY.on(buttons.UNDO_HIDE, reports.lift_hide)
