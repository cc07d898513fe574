"""The signed-in staff member as the person performing an operation through the console.

Pages that change something call the same operation as the chat and the command line
(``handlers/<feature>/operations.py``) with this ``Acting``; the operation checks the role
again, writes, audits with the channel "web" and queues the notices; the console's
middleware commits after the page returns (so a page returns ``see_other``, never raises
one). An operation's refusal (``NotAllowed``, ``Invalid``) is shown on the page in the staff
member's language by ``refusal_text``.
"""

from __future__ import annotations

from aiohttp import web

from handlers.acting import Acting, NotAllowed
from handlers.invalid import Invalid
from web.console import console_of, staff_of, translator_of, uow_of


def acting(request: web.Request) -> Acting:
    console = console_of(request)
    return Acting(
        staff_of(request).telegram_id, "web", uow_of(request), console.translations,
        console.now(), console.timezone,
    )  # fmt: skip


def refusal_text(request: web.Request, error: NotAllowed | Invalid) -> str:
    """An operation's refusal, translated, its placeholders filled."""
    message = translator_of(request).gettext(error.message)
    params = getattr(error, "params", {})
    return message.format(**params) if params else message
