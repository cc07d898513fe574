"""Questions and answers: members ask by topic tag, verified experts answer.

One router: the commands, the flows of each part, and the ``qa:`` buttons that arrive on
messages sent through the outbox (offers, answers, applications, reports), declared in
``buttons.py`` and given their handlers here.
"""

from __future__ import annotations

from bot.core.dispatch import Router
from bot.core.i18n import N_
from handlers.questions import answers, ask, buttons, experts, moderation
from handlers.questions.buttons import QA

router = Router("questions")
router.commands.update(ask.router.commands)
router.flows.update(ask.router.flows)
for flow in (*answers.FLOWS, experts.expert_flow):
    router.flow(flow)

router.command("expert", N_("Apply to answer questions as an expert"))(experts.apply)

QA.on(buttons.ANSWER, answers.answer_pressed)
QA.on(buttons.PASS, answers.pass_pressed)
QA.on(buttons.REPLY, answers.reply_pressed)
QA.on(buttons.HELPFUL, answers.helpful_pressed)
QA.on(buttons.ACCEPT, answers.accept_pressed)
QA.on(buttons.FOLLOW_UP, answers.followup_pressed)
QA.on(buttons.CLOSE, ask.close_pressed)
QA.on(buttons.READ, ask.read_pressed)
QA.on(buttons.PAGE, ask.page_pressed)
QA.on(buttons.APPROVE, experts.approve_pressed)
QA.on(buttons.REJECT, experts.reject_pressed)
QA.on(buttons.REPORT_QUESTION, moderation.report_question)
QA.on(buttons.REPORT_ANSWER, moderation.report_answer)
QA.on(buttons.HIDE, moderation.hide_pressed)
QA.on(buttons.KEEP, moderation.keep_pressed)
router.buttons(QA)
