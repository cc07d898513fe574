"""Broadcasts: compose one (both languages, the link, its category, the audience with the
bot's criteria), see it as members will and how many it reaches (members who switched its
category off are not counted), send it now or at a time in Cambodia, free or Paid (fast)
with its cost estimate (``handlers.broadcast.paid``, as /broadcast shows it);
follow the broadcasts going out, stop or cancel one, read a broadcast's report and download
the recipients it could not reach; duplicate an old one into a new draft.

Every change goes through ``handlers.broadcast.operations`` (as /broadcast and ``dcc-bot
broadcast`` do); the preview is the bot's own message (``broadcast_message``, split as
``split_message`` would) shown through ``web.telegram_html``; the count is storage's
``count_by_language``, the figures ``delivery`` and the bot's report texts. A small script
(``static/broadcasts.js``) refreshes the preview, the count and the progress in place; every
page works without it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from bot.core.html import split_message
from bot.core.i18n import N_, Translator
from bot.core.text import clean_text, clip, telegram_length
from handlers.acting import NotAllowed
from handlers.admin.console import BROADCAST_STATUS
from handlers.broadcast import operations
from handlers.broadcast.audience import describe
from handlers.broadcast.message import (
    TEXT_MAX,
    broadcast_message,
    progress_text,
    report_text,
    text_for,
)
from handlers.broadcast.paid import estimate, estimate_text, parts_by_language
from handlers.broadcast.rules import check_audience, check_category
from handlers.categories import CATEGORIES, OFFICIAL, category_name
from handlers.invalid import Invalid
from handlers.profile.labels import ROLE_NAMES
from handlers.web_address import parse_web_address
from storage.broadcasts import (
    CANCELLED,
    DONE,
    SCHEDULED,
    SENDING_NOW,
    STOPPED_BY_ADMIN,
    Audience,
    Delivery,
)
from storage.member_export import cell
from storage.models import Broadcast, Tag
from storage.seed.provinces import ABROAD, PROVINCES
from web.acting import acting, refusal_text
from web.console import console_of, page, translator_of, uow_of
from web.rendering import refuse, render, see_other
from web.telegram_html import safe_html

LISTED = 30  # the newest broadcasts on the list
LANGUAGE_LABELS = (("km", "ខ្មែរ"), ("en", "English"))
NO_MOMENT = N_("Choose the date and time it goes out (Cambodia time).")
NO_SUCH = N_("There is no broadcast #{number}.")


# -- the draft as the form holds it --------------------------------------------------------
@dataclass
class Draft:
    """What the compose form holds, as typed (kept when a send is refused)."""

    km: str = ""
    en: str = ""
    link: str = ""
    roles: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    experts: bool = False
    companies: bool = False
    category: str = OFFICIAL
    send_at: str = ""  # as <input type="datetime-local"> sends it: 2026-12-25T18:00
    paid: bool = False  # Paid (fast); a Duplicate starts free: spending Stars is chosen anew

    @classmethod
    def of(cls, values: MultiMapping[Any]) -> Draft:
        def text(name: str) -> str:
            value = values.get(name, "")
            return value if isinstance(value, str) else ""

        def chosen(name: str) -> list[str]:
            return [v for v in values.getall(name, []) if isinstance(v, str)]

        return cls(
            km=text("km"), en=text("en"), link=text("link").strip(),
            roles=chosen("role"), provinces=chosen("province"), tags=chosen("tag"),
            experts=bool(text("experts")), companies=bool(text("companies")),
            category=text("category").strip() or OFFICIAL, send_at=text("send_at").strip(),
            paid=bool(text("paid")),
        )  # fmt: skip

    @classmethod
    def copy_of(cls, broadcast: Broadcast) -> Draft:
        """A new draft of an old broadcast: its texts, link and audience; no time."""
        audience = Audience.from_json(broadcast.audience)
        return cls(
            km=broadcast.text_km, en=broadcast.text_en, link=broadcast.link_url or "",
            roles=list(audience.roles), provinces=list(audience.provinces),
            tags=list(audience.tags), experts=audience.experts, companies=audience.companies,
            category=broadcast.category,
        )  # fmt: skip

    async def counts(self, request: web.Request) -> dict[str, int]:
        """Who it reaches, by language, leaving out members who switched its category off;
        ``Invalid`` for an unknown criterion or category."""
        audience = check_audience(self.audience)
        return await uow_of(request).broadcasts.count_by_language(
            audience, check_category(self.category)
        )

    @property
    def audience(self) -> Audience:
        return Audience(
            tuple(self.roles), tuple(self.provinces), tuple(self.tags),
            self.experts, self.companies,
        )  # fmt: skip


def moment_of(raw: str, request: web.Request) -> datetime:
    """A datetime-local value read in the community's time zone; ``Invalid`` when empty or
    not a date and time (whether it is still to come is the operation's check)."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid(NO_MOMENT) from None
    if moment.tzinfo is not None:
        raise Invalid(NO_MOMENT)
    return moment.replace(tzinfo=console_of(request).timezone)


def _number(raw: str) -> int | None:
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None


# -- what the page shows ---------------------------------------------------------------------
@dataclass
class Preview:
    """One language's message as its readers will see it."""

    language: str
    label: str
    parts: list[Any]  # Markup, one a Telegram message
    button: str | None
    link_url: str | None
    length: int
    over: bool
    readers: int


def previews(
    request: web.Request, km: str, en: str, link: str, counts: dict[str, int]
) -> tuple[list[Preview], str | None]:
    """Each language's message rendered by the bot's own rules, and what is wrong with the
    link (None when it is fine or empty)."""
    translations = console_of(request).translations
    link_url, link_error = None, None
    if link:
        try:
            link_url = parse_web_address(link)
        except Invalid as error:
            link_error = refusal_text(request, error)
    shown = []
    for language, label in LANGUAGE_LABELS:
        reader = translations.for_language(language)
        text = clean_text(km if language == "km" else en)
        message, keyboard = broadcast_message(reader, text, link_url)
        buttons = keyboard.buttons() if keyboard else []
        shown.append(
            Preview(
                language, label, [safe_html(part) for part in split_message(message, reader)],
                buttons[0].text if buttons else None, link_url, telegram_length(text),
                telegram_length(text) > TEXT_MAX, counts.get(language, 0),
            )
        )  # fmt: skip
    return shown, link_error


def reach_text(t: Translator, counts: dict[str, int]) -> str:
    return t.gettext(N_("Recipients: {count} ({km} reading Khmer, {en} reading English)")).format(
        count=t.number(sum(counts.values())),
        km=t.number(counts.get("km", 0)),
        en=t.number(counts.get("en", 0)),
    )


def paid_text(request: web.Request, draft: Draft, counts: dict[str, int]) -> str:
    """The Paid (fast) estimate for the audience counted (the console sends no poster: one
    message a recipient)."""
    translations = console_of(request).translations
    parts = parts_by_language(translations, clean_text(draft.km), clean_text(draft.en), False)
    found = estimate(counts, parts, console_of(request).broadcast_rates)
    return estimate_text(translator_of(request), found)


def figures(t: Translator, broadcast: Broadcast, delivery: Delivery) -> dict[str, Any]:
    """A broadcast's line on the list (and in the progress the script polls)."""
    return {
        "id": broadcast.id,
        "status": broadcast.status,
        "state": t.gettext(BROADCAST_STATUS.get(broadcast.status, broadcast.status)),
        "total": t.number(delivery.total),
        "sent": t.number(delivery.sent),
        "left": t.number(delivery.left if broadcast.status == SENDING_NOW else 0),
        "blocked": t.number(delivery.unreachable),
        "failed": t.number(delivery.failed),
        "not_sent": t.number(delivery.stopped),
        "left_out": t.number(delivery.left_out),
        "done": delivery.done,
        "of": delivery.total,
    }


async def listing(request: web.Request) -> list[dict[str, Any]]:
    t = translator_of(request)
    uow = uow_of(request)
    tags = await uow.tags.all()
    rows = []
    for broadcast in await uow.broadcasts.recent(LISTED):
        delivery = await uow.broadcasts.delivery(broadcast)
        rows.append(
            {
                **figures(t, broadcast, delivery),
                "when": broadcast.send_at,
                "audience": describe(t, Audience.from_json(broadcast.audience), tags),
                "paid": broadcast.paid,
                "text": clip(broadcast.text_km if t.language == "km" else broadcast.text_en, 80),
            }
        )
    return rows


def choices(t: Translator, tags: list[Tag]) -> dict[str, list[tuple[str, str]]]:
    """The audience's choices, as /broadcast offers them."""
    return {
        "roles": [(slug, t.gettext(label)) for slug, label in ROLE_NAMES.items()],
        "provinces": [(p.slug, p.name(t.language)) for p in PROVINCES]
        + [(ABROAD, t.gettext(N_("Abroad")))],
        "tags": [(tag.slug, tag.name(t.language)) for tag in tags],
        "categories": [(c, category_name(t, c)) for c in CATEGORIES],
    }


async def compose_page(
    request: web.Request, draft: Draft, status: int = 200, error: str | None = None
) -> web.Response:
    t = translator_of(request)
    uow = uow_of(request)
    console = console_of(request)
    try:
        counts = await draft.counts(request)
    except Invalid as refused:
        counts, error = {}, error or refusal_text(request, refused)
    shown, link_error = previews(request, draft.km, draft.en, draft.link, counts)
    earliest = console.now().astimezone(console.timezone).strftime("%Y-%m-%dT%H:%M")
    return render(
        request,
        "broadcast_compose.html",
        status=status,
        title=t.gettext(N_("New broadcast")),
        draft=draft,
        error=error,
        choices=choices(t, await uow.tags.all()),
        reach=reach_text(t, counts),
        paid_estimate=paid_text(request, draft, counts),
        previews=shown,
        link_error=link_error,
        limit=TEXT_MAX,
        earliest=earliest,
    )


# -- the list, and following a broadcast ----------------------------------------------------
@page("/broadcasts", N_("Broadcasts"), "admin")
async def broadcasts_list(request: web.Request) -> web.Response:
    return await list_page(request)


async def list_page(
    request: web.Request, status: int = 200, error: str | None = None
) -> web.Response:
    t = translator_of(request)
    return render(
        request,
        "broadcasts.html",
        status=status,
        title=t.gettext(N_("Broadcasts")),
        rows=await listing(request),
        error=error,
    )


@page("/broadcasts/progress", None, "admin")
async def progress(request: web.Request) -> web.Response:
    """The list's figures, for the script that keeps them current while one goes out."""
    t = translator_of(request)
    uow = uow_of(request)
    rows = [
        figures(t, b, await uow.broadcasts.delivery(b)) for b in await uow.broadcasts.recent(LISTED)
    ]
    return json_response({"broadcasts": rows})


@page("/broadcasts/new", None, "admin")
async def new_broadcast(request: web.Request) -> web.Response:
    """A blank draft, or with ``?from=N`` a copy of broadcast N (Duplicate)."""
    source = _number(request.query.get("from", ""))
    if source is None:
        return await compose_page(request, Draft())
    broadcast = await uow_of(request).broadcasts.get(source)
    if broadcast is None:
        t = translator_of(request)
        return await compose_page(request, Draft(), 404, t.gettext(NO_SUCH).format(number=source))
    return await compose_page(request, Draft.copy_of(broadcast))


@page("/broadcasts/count", None, "admin")
async def count(request: web.Request) -> web.Response:
    """How many members the audience of the query reaches, leaving out those who switched
    its category off, and the Paid (fast) estimate for them (the compose page's script)."""
    t = translator_of(request)
    draft = Draft.of(request.query)
    try:
        counts = await draft.counts(request)
    except Invalid as error:
        return json_response({"error": refusal_text(request, error)}, status=400)
    return json_response(
        {
            "total": sum(counts.values()),
            "km": counts.get("km", 0),
            "en": counts.get("en", 0),
            "text": reach_text(t, counts),
            "paid": paid_text(request, draft, counts),
        }
    )


@page("/broadcasts/preview", None, "admin", method="POST")
async def preview(request: web.Request) -> web.Response:
    """The previews of the form as posted, as the HTML the compose page shows them in (the
    script puts it in place as the texts are typed). Changes nothing."""
    draft = Draft.of(await request.post())
    try:
        counts = await draft.counts(request)
    except Invalid:
        counts = {}
    shown, link_error = previews(request, draft.km, draft.en, draft.link, counts)
    return render(
        request,
        "broadcast_previews.html",
        previews=shown,
        link_error=link_error,
        limit=TEXT_MAX,
    )


@page("/broadcasts/new", None, "admin", method="POST")
async def create(request: web.Request) -> web.Response:
    """Preview and count (re-shows the form), Send now, or Schedule."""
    form = await request.post()
    draft = Draft.of(form)
    action = form.get("action")
    if action not in ("send", "schedule"):
        return await compose_page(request, draft)
    try:
        send_at = moment_of(draft.send_at, request) if action == "schedule" else None
        broadcast = await operations.create(
            acting(request), draft.km, draft.en, draft.link or None, draft.audience, send_at,
            draft.category, paid=draft.paid,
        )  # fmt: skip
    except NotAllowed:
        return await refuse(request, "role")
    except Invalid as error:
        return await compose_page(request, draft, 400, refusal_text(request, error))
    return see_other(f"/broadcasts/{broadcast.id}")


async def act(request: web.Request, name: str) -> web.Response:
    """Stop or Cancel from the list or a broadcast's page; back to where it was pressed."""
    form = await request.post()
    raw = form.get("number")
    number = _number(raw if isinstance(raw, str) else "")
    try:
        if number is None:
            raise Invalid(NO_SUCH, {"number": raw if isinstance(raw, str) else ""})
        if name == "stop":
            await operations.stop(acting(request), number)
        else:
            await operations.cancel(acting(request), number)
    except NotAllowed:
        return await refuse(request, "role")
    except Invalid as error:
        if form.get("back") == "report" and number is not None:
            return await report_page(request, number, 400, refusal_text(request, error))
        return await list_page(request, 400, refusal_text(request, error))
    return see_other(f"/broadcasts/{number}" if form.get("back") == "report" else "/broadcasts")


@page("/broadcasts/stop", None, "admin", method="POST")
async def stop(request: web.Request) -> web.Response:
    return await act(request, "stop")


@page("/broadcasts/cancel", None, "admin", method="POST")
async def cancel(request: web.Request) -> web.Response:
    return await act(request, "cancel")


# -- one broadcast -----------------------------------------------------------------------------
@page("/broadcasts/{number}", None, "admin")
async def broadcast_page(request: web.Request) -> web.Response:
    number = _number(request.match_info["number"])
    return await report_page(request, number or 0)


async def report_page(
    request: web.Request, number: int, status: int = 200, error: str | None = None
) -> web.Response:
    t = translator_of(request)
    uow = uow_of(request)
    broadcast = await uow.broadcasts.get(number) if number else None
    if broadcast is None:
        return render(
            request,
            "refused.html",
            status=404,
            title=t.gettext(N_("Not found")),
            explanation=t.gettext(NO_SUCH).format(number=number),
            signed_out=False,
        )
    delivery = await uow.broadcasts.delivery(broadcast)
    if broadcast.status in (DONE, STOPPED_BY_ADMIN):
        report = report_text(t, broadcast, delivery)
    elif broadcast.status == SENDING_NOW:
        report = progress_text(t, broadcast, delivery, console_of(request).now())
    else:
        report = None
    author = await uow.members.get(broadcast.created_by) if broadcast.created_by else None
    translations = console_of(request).translations
    sent = []
    for language, label in LANGUAGE_LABELS:
        reader = translations.for_language(language)
        message, keyboard = broadcast_message(
            reader, text_for(broadcast, language), broadcast.link_url
        )
        buttons = keyboard.buttons() if keyboard else []
        sent.append(
            Preview(
                language, label, [safe_html(part) for part in split_message(message, reader)],
                buttons[0].text if buttons else None, broadcast.link_url,
                telegram_length(text_for(broadcast, language)), False, 0,
            )
        )  # fmt: skip
    return render(
        request,
        "broadcast.html",
        status=status,
        title=t.gettext(N_("Broadcast #{number}")).format(number=broadcast.id),
        error=error,
        broadcast=broadcast,
        row=figures(t, broadcast, delivery),
        audience=describe(t, Audience.from_json(broadcast.audience), await uow.tags.all()),
        category=category_name(t, broadcast.category),
        official=broadcast.category == OFFICIAL,
        author=author.full_name if author and author.full_name else None,
        report=safe_html(report) if report else None,
        unreached=delivery.unreachable + delivery.failed,
        previews=sent,
        scheduled=broadcast.status == SCHEDULED,
        sending=broadcast.status == SENDING_NOW,
        cancelled=broadcast.status == CANCELLED,
    )


@page("/broadcasts/{number}/unreached.csv", None, "admin")
async def unreached_csv(request: web.Request) -> web.StreamResponse:
    """The recipients the broadcast could not reach: Telegram id, name, why (blocked: they
    blocked the bot or left Telegram; failed: Telegram refused after the retries). Audited
    (``broadcast-unreached-exported``): personal data leaves the bot."""
    number = _number(request.match_info["number"]) or 0
    try:
        rows = await operations.export_unreached(acting(request), number)
    except NotAllowed:
        return await refuse(request, "role")
    except Invalid:
        return await report_page(request, number)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(("telegram_id", "full_name", "reason"))
    writer.writerows(
        (cell(str(telegram_id)), cell(name), reason) for telegram_id, name, reason in rows
    )
    response = web.Response(
        body=out.getvalue().encode("utf-8-sig"),  # a BOM, so spreadsheets read Khmer right
        content_type="text/csv",
        charset="utf-8",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="dcc-broadcast-{number}-unreached.csv"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def json_response(data: dict[str, Any], status: int = 200) -> web.Response:
    response = web.json_response(data, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response
