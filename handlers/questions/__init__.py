"""Questions and answers: members ask by topic tag, verified experts answer.

One router: the commands, the flows of each part, and the ``qa:`` buttons that arrive on
messages sent through the outbox (offers, answers, applications, reports), dispatched here
by their action code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from bot.core.dispatch import Router
from bot.core.i18n import N_
from handlers.context import Ctx, button_actions
from handlers.questions import answers, ask, experts, moderation
from handlers.questions.offers import PREFIX

router = Router("questions")
router.commands.update(ask.router.commands)
router.flows.update(ask.router.flows)
for flow in (*answers.FLOWS, experts.expert_flow):
    router.flow(flow)

router.command("expert", N_("Apply to answer questions as an expert"))(experts.apply)

ACTIONS: dict[str, Callable[[Ctx], Awaitable[None]]] = {
    "a": answers.answer_pressed,
    "p": answers.pass_pressed,
    "h": answers.helpful_pressed,
    "c": answers.accept_pressed,
    "f": answers.followup_pressed,
    "y": answers.reply_pressed,
    "x": ask.close_pressed,
    "v": ask.read_pressed,
    "m": ask.page_pressed,
    "ok": partial(experts.decide, approve=True),
    "no": partial(experts.decide, approve=False),
    "rq": partial(moderation.report_pressed, target="question"),
    "ra": partial(moderation.report_pressed, target="answer"),
    "hide": partial(moderation.moderate, hide_it=True),
    "keep": partial(moderation.moderate, hide_it=False),
}


router.callback(PREFIX)(button_actions(ACTIONS))
