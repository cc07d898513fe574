"""What the operator and administrators do with outreach links, whichever surface asks
(``dcc-bot links add``): register a source of sign-ups. Checks the role, validates,
writes and audits; the caller commits and shows the link and its QR code."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.text import clean_line, too_long
from handlers.acting import Acting
from handlers.invalid import Invalid
from handlers.outreach.payload import SOURCE

LABEL_MAX = 100
NOT_A_SOURCE = N_(
    "A source is 1 to 32 lowercase Latin letters, digits and hyphens, starting with a letter or a digit, such as rupp-2026."
)
LABEL_TOO_LONG = N_("A label is at most {limit} characters.")
SOURCE_KNOWN = N_("The source {source} is registered already.")


async def add_link(acting: Acting, source: str, label: str | None) -> str:
    """Register ``source`` (the ``s_<source>`` of its link) with an optional label saying
    what it is; once (a second add of the same source is refused). The source, cleaned."""
    await acting.require("admin")
    source = source.strip()
    if not SOURCE.fullmatch(source):
        raise Invalid(NOT_A_SOURCE)
    text = clean_line(label or "") or None
    if text is not None and too_long(text, LABEL_MAX):
        raise Invalid(LABEL_TOO_LONG, {"limit": LABEL_MAX})
    if not await acting.uow.outreach.add_link(source, text, acting.now):
        raise Invalid(SOURCE_KNOWN, {"source": source})
    await acting.audit("link-added", {"source": source})
    return source
