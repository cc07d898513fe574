"""Content: publish an item of any kind (as /post does), the items published (newest first,
hidden ones marked) with Unpublish, and the feeds with their last poll, items and errors:
add, pause, resume, remove.

Every change calls ``handlers.content.operations`` with the signed-in administrator; the
form only turns what the browser sends into the operation's values (an event's start and
an opportunity's last day are read in Cambodia time, and only for their kind).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.core.i18n import N_, Translator
from handlers.acting import NotAllowed
from handlers.content import operations
from handlers.content.cards import ONLY_IN, in_language
from handlers.content.kinds import KINDS, kind_name
from handlers.invalid import Invalid
from handlers.profile.labels import LANGUAGE_NAMES
from storage.models import ContentItem
from web.acting import acting, refusal_text
from web.console import console_of, page, translator_of, uow_of
from web.form_values import MOMENT_TYPED, local_day, local_moment, row_number
from web.rendering import render, see_other

PAGE_SIZE = 20
TEXT_FIELDS = ("kind", "title_km", "title_en", "summary_km", "summary_en", "link")
DAY_FORMAT = N_("Dates are written like 2026-11-25.")
DONE = {
    "published": N_("Published: members find it in the lists, /search and their digest."),
    "hidden": N_("Unpublished: members no longer see it."),
    "feed-added": N_("Feed added: it is read within five minutes, then every half hour."),
    "feed-paused": N_("Feed paused: it is not read until you resume it."),
    "feed-resumed": N_("Feed resumed: it is read within five minutes."),
    "feed-removed": N_("Feed removed; the items it brought stay."),
}


def _done(request: web.Request) -> str | None:
    key = request.query.get("done", "")
    return translator_of(request).gettext(DONE[key]) if key in DONE else None


# -- items -----------------------------------------------------------------------------------
@page("/content", N_("Content"), "admin")
async def content(request: web.Request) -> web.Response:
    return await _content_page(request, {"kind": "news", "tags": []})


@page("/content", None, "admin", "POST")
async def publish(request: web.Request) -> web.Response:
    form = await request.post()
    typed: dict[str, Any] = {f: _text(form, f) for f in (*TEXT_FIELDS, "event_at", "deadline")}
    typed["tags"] = [v for v in form.getall("tags", []) if isinstance(v, str)]
    kind = typed["kind"]
    event_at = deadline = None
    error: str | None = None
    t = translator_of(request)
    if kind == "event" and typed["event_at"].strip():
        event_at = local_moment(typed["event_at"], console_of(request).timezone)
        error = None if event_at else t.gettext(MOMENT_TYPED)
    if kind == "opportunity" and typed["deadline"].strip():
        deadline = local_day(typed["deadline"])
        error = error or (None if deadline else t.gettext(DAY_FORMAT))
    if error is None:
        try:
            await operations.publish(
                acting(request), kind, (typed["title_km"], typed["title_en"]),
                (typed["summary_km"], typed["summary_en"]), typed["link"].strip() or None,
                typed["tags"], event_at=event_at, deadline=deadline,
            )  # fmt: skip
        except (NotAllowed, Invalid) as refused:
            error = refusal_text(request, refused)
        else:
            return see_other("/content?done=published")
    return await _content_page(request, typed, error, status=400)


@page("/content/hide", None, "admin", "POST")
async def unpublish(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        await operations.hide(acting(request), row_number(form.get("item")) or 0)
    except (NotAllowed, Invalid) as refused:
        return await _content_page(
            request, {"kind": "news", "tags": []}, refusal_text(request, refused), status=400
        )
    return see_other("/content?done=hidden")


async def _content_page(
    request: web.Request, typed: dict[str, Any], error: str | None = None, status: int = 200
) -> web.Response:
    t = translator_of(request)
    uow = uow_of(request)
    number = max(row_number(request.query.get("page", "")) or 1, 1)
    total = await uow.content.count()
    items = await uow.content.latest(PAGE_SIZE, (number - 1) * PAGE_SIZE)
    tags = await uow.content.tags_of([i.id for i in items])
    names = {tag.slug: tag.name(t.language) for tag in await uow.tags.all()}
    return render(
        request,
        "content.html",
        status=status,
        title=t.gettext(N_("Content")),
        kinds=[(k, kind_name(t, k)) for k in KINDS],
        topics=list(names.items()),
        typed=typed,
        error=error,
        done=_done(request),
        items=[_row(t, item, [names.get(s, s) for s in tags.get(item.id, [])]) for item in items],
        total=total,
        page_number=number,
        newer=f"/content?page={number - 1}" if number > 1 else None,
        older=f"/content?page={number + 1}" if number * PAGE_SIZE < total else None,
    )


def _row(t: Translator, item: ContentItem, topics: list[str]) -> dict[str, Any]:
    """An item as the list shows it: its title in the page's language, else the other's
    with the marker members see."""
    title, other = in_language(t, item.title_km, item.title_en)
    return {
        "id": item.id,
        "kind": kind_name(t, item.kind),
        "title": title,
        "only_in": t.gettext(ONLY_IN[other]) if other else "",
        "published_at": item.published_at,
        "event_at": item.event_at,
        "deadline": t.date(item.deadline) if item.deadline else "",
        "link": item.link,
        "topics": ", ".join(topics),
        "from_feed": item.feed_id is not None,
        "hidden": item.hidden,
    }


def _text(form: MultiDictProxy[Any], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


# -- feeds -----------------------------------------------------------------------------------
@page("/content/feeds", N_("Feeds"), "admin")
async def feeds(request: web.Request) -> web.Response:
    return await _feeds_page(request, {"kind": "news", "language": "km", "url": ""})


@page("/content/feeds", None, "admin", "POST")
async def add_feed(request: web.Request) -> web.Response:
    form = await request.post()
    typed = {f: _text(form, f) for f in ("url", "kind", "language")}
    try:
        await operations.add_feed(acting(request), typed["url"], typed["kind"], typed["language"])
    except (NotAllowed, Invalid) as refused:
        return await _feeds_page(request, typed, refusal_text(request, refused), status=400)
    return see_other("/content/feeds?done=feed-added")


@page("/content/feeds/pause", None, "admin", "POST")
async def pause_feed(request: web.Request) -> web.Response:
    form = await request.post()
    paused = form.get("paused") == "1"
    try:
        await operations.pause_feed(acting(request), row_number(form.get("feed")) or 0, paused)
    except (NotAllowed, Invalid) as refused:
        return await _feeds_page(request, None, refusal_text(request, refused), status=400)
    return see_other("/content/feeds?done=" + ("feed-paused" if paused else "feed-resumed"))


@page("/content/feeds/remove", None, "admin", "POST")
async def remove_feed(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        await operations.remove_feed(acting(request), row_number(form.get("feed")) or 0)
    except (NotAllowed, Invalid) as refused:
        return await _feeds_page(request, None, refusal_text(request, refused), status=400)
    return see_other("/content/feeds?done=feed-removed")


async def _feeds_page(
    request: web.Request,
    typed: dict[str, str] | None,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    t = translator_of(request)
    rows = [
        {
            "id": f.id,
            "url": f.url,
            "kind": kind_name(t, f.kind),
            "language": LANGUAGE_NAMES.get(f.language, f.language),
            "last_ok_at": f.last_ok_at,
            "item_count": t.number(f.items),
            "last_error": f.last_error,
            "failures": f.failures,
            "paused_at": f.paused_at,
        }
        for f in await uow_of(request).content.feeds()
    ]
    return render(
        request,
        "feeds.html",
        status=status,
        title=t.gettext(N_("Feeds")),
        feeds=rows,
        kinds=[(k, kind_name(t, k)) for k in operations.FEED_KINDS],
        languages=[(lang, LANGUAGE_NAMES[lang]) for lang in operations.FEED_LANGUAGES],
        typed=typed or {"kind": "news", "language": "km", "url": ""},
        error=error,
        done=_done(request),
    )
