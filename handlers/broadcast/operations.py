"""What administrators and the operator do to broadcasts, whichever surface asks
(/broadcast, its Stop button and the admin console in the chat, ``dcc-bot broadcast``, the
web console): create one (now or at a set time), cancel a scheduled one, stop one being
sent, export the recipients one could not reach (the web console). Each checks the role, validates, writes, writes the audit line and queues the
notices; the caller commits and shows the outcome."""

from __future__ import annotations

from datetime import datetime

from bot.core.events import FileRef
from bot.core.i18n import N_
from handlers.acting import Acting
from handlers.broadcast.delivery import queue_report
from handlers.broadcast.rules import broadcast_text, check_audience, check_category
from handlers.dates import still_to_come
from handlers.invalid import Invalid
from handlers.web_address import parse_web_address
from storage.broadcasts import CANCELLED, Audience
from storage.models import Broadcast
from storage.outbox import UNREACHABLE
from storage.seed.choices import OFFICIAL

NO_SUCH_BROADCAST = N_("There is no broadcast #{number}.")
STARTED_ALREADY = N_("This broadcast has started already; Stop it instead.")
CANCELLED_ALREADY = N_("This broadcast is cancelled already.")
NOT_BEING_SENT = N_("This broadcast is no longer being sent.")
NO_SUCH_EVENT = N_("There is no event #{number}.")


async def create(
    acting: Acting,
    text_km: str | None,
    text_en: str | None,
    link: str | None,
    audience: Audience,
    send_at: datetime | None = None,
    category: str = OFFICIAL,
    file: FileRef | None = None,
    protect: bool = False,
    pin: bool = False,
    upload: tuple[str, str] | None = None,
    paid: bool = False,
) -> Broadcast:
    """A broadcast of a text in each language (within TEXT_MAX as Telegram counts), with an
    optional link button, to ``audience`` (known roles, provinces and skills, events that
    exist): sent now (``send_at`` None), or at ``send_at``, still to come and at most a year
    ahead. Its ``category`` (storage.seed.choices.CATEGORIES) leaves out the members who
    switched it off; official announcements reach everyone. The delivery job sends it; the
    acting admin follows it in one message. ``file``: a poster photo or a PDF Telegram holds,
    each language's text its caption (a text too long for a caption follows the file in
    messages of its own); ``protect``: no forwarding or saving; ``pin``: pinned
    in each member's chat. ``upload`` (the command line): a file's kind and local path
    instead, uploaded by the first message sent and then sent by the file_id it gets.
    ``paid``: sent fast, up to DCC_PAID_SEND_RATE a second, with Telegram's paid broadcasts,
    which spend the bot's Stars (``handlers.broadcast.paid``): administrators only, as every
    broadcast, and audited ``"paid": true``."""
    await acting.require("admin")  # a paid broadcast spends the bot's Stars: never a lesser role
    km, en = broadcast_text(text_km), broadcast_text(text_en)
    url = parse_web_address(link) if link else None
    check_audience(audience)
    check_category(category)
    for number in audience.attended:  # "members who attended event N": a real event
        item = await acting.uow.content.get(number)
        if item is None or item.kind != "event":
            raise Invalid(NO_SUCH_EVENT, {"number": number})
    moment = acting.now if send_at is None else still_to_come(send_at, acting.now)
    broadcast = await acting.uow.broadcasts.add(
        km, en, url, audience, moment, acting.person, acting.now, category,
        (file.kind, file.file_id) if file else None, protect, pin, upload, paid,
    )  # fmt: skip
    details = {
        "broadcast": broadcast.id, "send_at": moment.isoformat(),
        "audience": audience.to_json(), "category": category,
    }  # fmt: skip
    kind = file.kind if file else upload[0] if upload else None
    if kind is not None or protect or pin:
        details |= {"file": kind, "protect": protect, "pin": pin}
    if paid:
        details["paid"] = True
    await acting.audit("broadcast-created", details)
    return broadcast


async def cancel(acting: Acting, broadcast_id: int) -> Broadcast:
    """Call off a scheduled broadcast before it starts: nothing of it is sent."""
    await acting.require("admin")
    broadcast = await acting.uow.broadcasts.get(broadcast_id)
    if broadcast is None:
        raise Invalid(NO_SUCH_BROADCAST, {"number": broadcast_id})
    if not await acting.uow.broadcasts.cancel(broadcast, acting.now):
        raise Invalid(CANCELLED_ALREADY if broadcast.status == CANCELLED else STARTED_ALREADY)
    await acting.audit("broadcast-cancelled", {"broadcast": broadcast.id})
    return broadcast


async def stop(acting: Acting, broadcast_id: int) -> Broadcast:
    """Stop a broadcast being sent: nothing more goes out, and its admin gets the final
    report (what reached whom) through the outbox."""
    await acting.require("admin")
    broadcast = await acting.uow.broadcasts.get(broadcast_id)
    if broadcast is None or not await acting.uow.broadcasts.stop(broadcast, acting.now):
        raise Invalid(NOT_BEING_SENT)
    await acting.audit("broadcast-stopped", {"broadcast": broadcast.id})
    await queue_report(acting.uow, acting.translations, broadcast, acting.now)
    return broadcast


async def export_unreached(acting: Acting, broadcast_id: int) -> list[tuple[int, str, str]]:
    """The recipients a broadcast could not reach — (Telegram id, name, "blocked" or
    "failed") — for an administrator to follow up. Personal data leaving the bot, so it is
    audited like the member export."""
    await acting.require("admin")
    broadcast = await acting.uow.broadcasts.get(broadcast_id)
    if broadcast is None:
        raise Invalid(NO_SUCH_BROADCAST, {"number": broadcast_id})
    rows = [
        (telegram_id, name, "blocked" if status == UNREACHABLE else "failed")
        for telegram_id, name, status in await acting.uow.broadcasts.unreached(broadcast.id)
    ]
    await acting.audit(
        "broadcast-unreached-exported", {"broadcast": broadcast.id, "recipients": len(rows)}
    )
    return rows
