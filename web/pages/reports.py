"""Reports: what members reported (questions, answers, profiles) and the members the
moderators hid from the directory, for moderators and administrators.

The lists are /reports' queries (``open_reports``, ``hidden_members``) showing what its
messages show, as plain text (autoescaped); questions and answers are clipped as there. A
decision is the bot's operation with the signed-in moderator acting through the web:
``handlers.questions.operations.decide_report`` (Hide / Keep),
``handlers.community.operations.decide_report`` (Hide from the directory / Keep) and
``undo_hide``. The first decision counts, and a moderator never decides about themselves:
the operation refuses, and the page says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.core.i18n import N_
from bot.core.text import clip
from handlers.acting import NotAllowed
from handlers.community import operations as community
from handlers.community.cards import card_parts
from handlers.invalid import Invalid
from handlers.profile.summary import Summary
from handlers.questions import operations as questions
from storage.models import Member, ProfileReport, Report
from web.acting import acting, refusal_text
from web.console import page, translator_of, uow_of
from web.rendering import render, see_other

SHOWN = 100  # the bot's messages show 10; a page holds more
TEXT_SHOWN = 1500  # as much of a reported question or answer as the bot's report message
NOT_HIDDEN = N_("This member is not hidden any more.")
NO_DECISION = N_("Choose Hide or Keep.")
DONE = {
    "hidden": N_("Hidden."),
    "kept": N_("Kept."),
    "hidden-profile": N_("Hidden from the directory."),
    "restored": N_("Hide undone: the member may show their profile again."),
}


@dataclass(frozen=True)
class ItemReport:
    report: Report
    kind: str  # "a question" / "an answer", translated
    text: str


@dataclass(frozen=True)
class ProfileReported:
    report: ProfileReport
    summary: Summary


@dataclass(frozen=True)
class Hidden:
    member: Member
    summary: Summary


async def _page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    t = translator_of(request)
    uow = uow_of(request)
    tags = await uow.tags.all()
    profiles = []
    for profile_report in await uow.community.open_reports(limit=SHOWN):
        member = await uow.members.by_id(profile_report.member_id)
        if member is not None and member.deleted_at is None:
            profiles.append(ProfileReported(profile_report, await card_parts(uow, t, member, tags)))
    items = []
    for report in await uow.questions.open_reports(limit=SHOWN):
        target = await questions.reported(uow, report.target, report.target_id)
        if target is not None:
            kind = N_("a question") if report.target == "question" else N_("an answer")
            items.append(ItemReport(report, t.gettext(kind), clip(target.text, TEXT_SHOWN)))
    hidden = [
        Hidden(member, await card_parts(uow, t, member, tags))
        for member in await uow.community.hidden_members(limit=SHOWN)
    ]
    done = request.query.get("done", "")
    return render(
        request,
        "reports.html",
        status=status,
        title=t.gettext(N_("Reports")),
        items=items,
        profiles=profiles,
        hidden=hidden,
        error=error,
        done=t.gettext(DONE[done]) if done in DONE and not error else "",
    )


@page("/reports", N_("Reports"), "moderator")
async def reports(request: web.Request) -> web.Response:
    return await _page(request)


def _hide(chosen: object) -> bool | None:
    """True for Hide, False for Keep, None for anything else (nothing is decided)."""
    return {"hide": True, "keep": False}.get(chosen) if isinstance(chosen, str) else None


def _number(raw: object) -> int:
    """A row's id from a form; 0 (no such row) for anything else."""
    return int(raw) if isinstance(raw, str) and raw.isdecimal() and len(raw) < 12 else 0


async def _refused(request: web.Request, message: str) -> web.Response:
    return await _page(request, translator_of(request).gettext(message), status=400)


@page("/reports/item", None, "moderator", method="POST")
async def decide_item(request: web.Request) -> web.Response:
    """Hide / Keep a reported question or answer."""
    form = await request.post()
    hide = _hide(form.get("decision"))
    if hide is None:
        return await _refused(request, NO_DECISION)
    try:
        await questions.decide_report(acting(request), _number(form.get("report")), hide)
    except (NotAllowed, Invalid) as error:
        return await _page(request, refusal_text(request, error), status=400)
    return see_other("/reports?done=" + ("hidden" if hide else "kept"))


@page("/reports/profile", None, "moderator", method="POST")
async def decide_profile(request: web.Request) -> web.Response:
    """Hide from the directory / Keep a reported member."""
    form = await request.post()
    hide = _hide(form.get("decision"))
    if hide is None:
        return await _refused(request, NO_DECISION)
    try:
        decided = await community.decide_report(acting(request), _number(form.get("report")), hide)
    except NotAllowed as error:
        return await _page(request, refusal_text(request, error), status=400)
    if not decided:
        return await _refused(request, questions.REPORT_HANDLED)
    return see_other("/reports?done=" + ("hidden-profile" if hide else "kept"))


@page("/reports/undo-hide", None, "moderator", method="POST")
async def undo_hide(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        undone = await community.undo_hide(acting(request), _number(form.get("member")))
    except NotAllowed as error:
        return await _page(request, refusal_text(request, error), status=400)
    if not undone:
        return await _refused(request, NOT_HIDDEN)
    return see_other("/reports?done=restored")
