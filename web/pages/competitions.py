"""Competitions: the list (open, being judged, recently decided) with their entries, a
competition's page with its terms, judges and, after the deadline, the ranking the bot's
[Ranking] shows (handlers.competitions.judging), and the form that creates one or edits
one while its entries are open.

Create and edit call ``handlers.competitions.operations`` with the bot's terms and checks;
an edit carries the revision the form was opened on, so a change saved meanwhile by
another administrator is refused with the operation's message. A refused term is named on
the form, and everything typed is shown again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.core.i18n import N_, Translator
from handlers.acting import NotAllowed
from handlers.competitions.cards import STATE_NAMES, entries_allowed_name
from handlers.competitions.create import EDIT_BUTTONS
from handlers.competitions.judging import entrant_names, judges_done, ranked_entries
from handlers.competitions.operations import (
    CompetitionTerms,
    create_competition,
    edit_competition,
)
from handlers.competitions.rules import ENTRY_LIMITS, OPEN, competition_state, open_for_changes
from handlers.invalid import Invalid
from storage.models import Competition
from web.acting import acting, refusal_text
from web.console import console_of, page, translator_of, uow_of
from web.form_values import MOMENT_TYPED, local_moment, picker_moment, row_number
from web.rendering import render, see_other

LABELS = dict(EDIT_BUTTONS)  # the form's fields, named as the bot's edit buttons name them
TEXTS = (
    "title_km", "title_en", "rules_km", "rules_en", "prizes_km", "prizes_en", "deadline",
    "entries",
)  # fmt: skip
NO_SUCH_COMPETITION = N_("There is no competition #{number}.")
DONE = {
    "created": N_("Competition #{number} is open for entries; members find it in /competitions."),
    "saved": N_("Competition #{number} is saved."),
}


# -- the list and one competition ------------------------------------------------------------
@page("/competitions", N_("Competitions"), "admin")
async def competitions(request: web.Request) -> web.Response:
    t = translator_of(request)
    uow = uow_of(request)
    if "id" in request.query:
        return await _competition_page(request, row_number(request.query["id"]))
    now = console_of(request).now()
    open_, judging, decided = await uow.competitions.listing(now)
    counts = await uow.competitions.entry_counts([c.id for c in (*open_, *judging, *decided)])
    groups = [
        (t.gettext(N_("Open for entries")), open_),
        (t.gettext(N_("Being judged")), judging),
        (t.gettext(N_("Recently decided")), decided),
    ]
    return render(
        request,
        "competitions.html",
        title=t.gettext(N_("Competitions")),
        groups=[
            (heading, [_summary(t, c, counts.get(c.id, 0), now) for c in group])
            for heading, group in groups
        ],
    )


async def _competition_page(
    request: web.Request, competition_id: int | None, status: int = 200, **form: Any
) -> web.Response:
    t = translator_of(request)
    uow = uow_of(request)
    console = console_of(request)
    competition = await uow.competitions.get(competition_id) if competition_id else None
    if competition is None:
        return render(
            request,
            "competition.html",
            status=404,
            title=t.gettext(N_("Competitions")),
            missing=t.gettext(NO_SUCH_COMPETITION).format(number=competition_id or "?"),
        )
    c = competition
    now = console.now()
    counts = await uow.competitions.entry_counts([c.id])
    names = {tag.slug: tag.name(t.language) for tag in await uow.tags.all()}
    judges = await uow.competitions.judges(c.id)
    ranking: list[dict[str, Any]] = []
    winners: list[dict[str, Any]] = []
    done_judging: tuple[str, str] | None = None
    if competition_state(now, c.deadline_at, c.decided_at) != OPEN:
        ranked, entries = await ranked_entries(uow, c)
        entrants = await entrant_names(uow, t, entries)
        ranking = [
            {
                "place": t.number(r.place),
                "number": r.entry.number,
                "name": entrants.get(r.entry.entry_id, ""),
                "average": (
                    t.number(round(float(r.entry.average), 2))
                    if r.entry.average is not None else ""
                ),
                "scores": t.number(len(r.entry.scores)),
            }
            for r in ranked
        ]  # fmt: skip
        winners = [
            {"place": t.number(e.place or 0), "number": e.number, "name": entrants[e.id]}
            for e in sorted(entries.values(), key=lambda e: (e.place or 0, e.number))
            if e.place
        ]
        done, total = await judges_done(uow, c)
        done_judging = (t.number(done), t.number(total))
    editable = open_for_changes(now, c.deadline_at, c.judging_at)
    if editable and "typed" not in form:
        form["typed"] = {
            "id": str(c.id), "revision": str(c.revision), "title_km": c.title_km,
            "title_en": c.title_en, "rules_km": c.rules_km, "rules_en": c.rules_en,
            "prizes_km": c.prizes_km, "prizes_en": c.prizes_en,
            "deadline": picker_moment(c.deadline_at, console.timezone),
            "entries": str(c.entries_allowed), "tags": await uow.competitions.tags_of(c.id),
            "judges": [str(j.id) for j in judges],
        }  # fmt: skip
    return render(
        request,
        "competition.html",
        status=status,
        title=c.title(t.language),
        competition=_summary(t, c, counts.get(c.id, 0), now),
        rules=c.rules(t.language),
        topic_names=", ".join(names.get(s, s) for s in await uow.competitions.tags_of(c.id)),
        judge_names=", ".join(j.full_name or "" for j in judges),
        ranking=ranking,
        winners=winners,
        done_judging=done_judging,
        editable=editable,
        done=_done(request, c.id),
        **(await _form_values(request, **form) if editable else _closed(request, **form)),
    )


def _closed(request: web.Request, refused: NotAllowed | Invalid | None = None, **_: Any) -> dict:
    """No form on a competition closed for changes; an edit refused for that says so."""
    return {"error": refusal_text(request, refused) if refused else None}


def _summary(t: Translator, c: Competition, entries: int, now: datetime) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title(t.language),
        "state": t.gettext(STATE_NAMES[competition_state(now, c.deadline_at, c.decided_at)]),
        "deadline_at": c.deadline_at,
        "prizes": c.prizes(t.language),
        "entries_allowed": entries_allowed_name(t, c.entries_allowed),
        "entries": t.number(entries),
        "decided_at": c.decided_at,
    }


def _done(request: web.Request, number: int) -> str | None:
    key = request.query.get("done", "")
    if key not in DONE:
        return None
    return translator_of(request).gettext(DONE[key]).format(number=number)


# -- the form ------------------------------------------------------------------------------
@page("/competitions/new", None, "admin")
async def new_competition(request: web.Request) -> web.Response:
    t = translator_of(request)
    return render(
        request,
        "competition_form.html",
        title=t.gettext(N_("New competition")),
        **await _form_values(request, {"entries": "1", "tags": [], "judges": []}),
    )


@page("/competitions/new", None, "admin", "POST")
async def create(request: web.Request) -> web.Response:
    t = translator_of(request)
    typed = await _typed(request)
    try:
        created = await create_competition(acting(request), _terms(request, typed))
    except (NotAllowed, Invalid) as refused:
        return render(
            request,
            "competition_form.html",
            status=400,
            title=t.gettext(N_("New competition")),
            **await _form_values(request, typed, refused),
        )
    return see_other(f"/competitions?id={created.id}&done=created")


@page("/competitions/edit", None, "admin", "POST")
async def edit(request: web.Request) -> web.Response:
    typed = await _typed(request)
    number = row_number(typed["id"]) or 0
    revision = row_number(typed["revision"])
    try:
        await edit_competition(
            acting(request), number, -1 if revision is None else revision, _terms(request, typed)
        )
    except (NotAllowed, Invalid) as refused:
        return await _competition_page(request, number, 400, typed=typed, refused=refused)
    return see_other(f"/competitions?id={number}&done=saved")


async def _typed(request: web.Request) -> dict[str, Any]:
    form: MultiDictProxy[Any] = await request.post()
    typed: dict[str, Any] = {}
    for name in (*TEXTS, "id", "revision"):
        value = form.get(name, "")
        typed[name] = value if isinstance(value, str) else ""
    for name in ("tags", "judges"):
        typed[name] = [v for v in form.getall(name, []) if isinstance(v, str)]
    return typed


def _terms(request: web.Request, typed: dict[str, Any]) -> CompetitionTerms:
    deadline = local_moment(typed["deadline"], console_of(request).timezone)
    if deadline is None:
        raise Invalid(MOMENT_TYPED, {"field": "deadline"})  # no date: the operation is not asked
    entries = row_number(typed["entries"])
    return CompetitionTerms(
        titles=(typed["title_km"], typed["title_en"]),
        rules=(typed["rules_km"], typed["rules_en"]),
        prizes=(typed["prizes_km"], typed["prizes_en"]),
        deadline_at=deadline,
        entries_allowed=-1 if entries is None else entries,
        tags=typed["tags"],
        judges=[j for j in (row_number(v) for v in typed["judges"]) if j is not None],
    )


async def _form_values(
    request: web.Request,
    typed: dict[str, Any] | None = None,
    refused: NotAllowed | Invalid | None = None,
) -> dict[str, Any]:
    """What the form template needs: the values typed (or stored), the choices, and the
    refusal with the field it names."""
    t = translator_of(request)
    uow = uow_of(request)
    return {
        "typed": typed or {},
        "labels": {field: t.gettext(label) for field, label in LABELS.items()},
        "entry_limits": [(str(n), entries_allowed_name(t, n)) for n in ENTRY_LIMITS],
        "topics": [(tag.slug, tag.name(t.language)) for tag in await uow.tags.all()],
        "candidates": [
            (str(c.member_id), c.name, c.admin, c.expert)
            for c in await uow.competitions.judge_candidates()
        ],
        "error": refusal_text(request, refused) if refused else None,
        "refused_field": getattr(refused, "params", {}).get("field") if refused else None,
    }
