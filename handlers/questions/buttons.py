"""Every ``qa:`` button of questions and answers, declared once.

These buttons arrive on messages sent through the outbox (offers, answers, follow-ups,
applications, reports) and on /myquestions, and work from a message of any age: their data
(``qa:<code>:<id>``) is what members already have on their phones, so the codes never
change. The renderers build them from here and ``handlers/questions/__init__.py`` says which
handler each press reaches. This module imports no handler, so renderers and operations may
import it.
"""

from __future__ import annotations

from bot.core.buttons import NUMBER, ROW, Buttons

PREFIX = "qa"
QA = Buttons(PREFIX)

# an expert's offer (the assignment), and the reply to a follow-up (the answer it follows)
ANSWER = QA.action("a", ROW)
PASS = QA.action("p", ROW)
REPLY = QA.action("y", ROW)
# the asker, on an answer
HELPFUL = QA.action("h", ROW)
ACCEPT = QA.action("c", ROW)
FOLLOW_UP = QA.action("f", ROW)
# the asker, in /myquestions (a question; the page's offset)
CLOSE = QA.action("x", ROW)
READ = QA.action("v", ROW)
PAGE = QA.action("m", NUMBER)
# an administrator, on an expert application
APPROVE = QA.action("ok", ROW)
REJECT = QA.action("no", ROW)
# anyone, on a question or an answer shown to them
REPORT_QUESTION = QA.action("rq", ROW)
REPORT_ANSWER = QA.action("ra", ROW)
REPORTS = {"question": REPORT_QUESTION, "answer": REPORT_ANSWER}
# a moderator, on a report
HIDE = QA.action("hide", ROW)
KEEP = QA.action("keep", ROW)
