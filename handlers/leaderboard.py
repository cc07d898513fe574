"""/leaderboard: the community's top contributors this month, by the reputation points
their answers earned this month (Cambodia time); and the monthly thank-you to the previous
month's top three.

Experts who answer without their name ("an expert") are listed that way here too. The
thank-you goes out on the 1st at 09:00 (scheduler) and at start-up for a month whose time
has passed (a catch-up); each has a key (month, member), so it comes once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from bot.core.dispatch import Router
from bot.core.i18n import N_, Translations, Translator
from bot.core.text import clip, escape
from handlers.competitions.rules import (
    THANKED_PLACES,
    Standing,
    month_of,
    month_window,
    standings,
    thanks_due_month,
)
from handlers.context import Ctx
from handlers.notices import notify
from handlers.questions.settings import ACCEPTED_POINTS, HELPFUL_POINTS
from storage.outbox import THANKS_KEY
from storage.reputation import Contributor, Placed
from storage.uow import UnitOfWork

router = Router("leaderboard")
SHOWN = 10
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def month_name(t: Translator, month: date) -> str:
    return t.date(month, "MMMM y")


def display_name(t: Translator, contributor: Contributor) -> str:
    if contributor.anonymous or not contributor.name:
        return t.gettext(N_("An expert"))
    return escape(clip(contributor.name, 40))


async def month_standings(
    uow: UnitOfWork, month: date, tz: ZoneInfo
) -> tuple[list[Standing], dict[int, Contributor]]:
    start, end = month_window(month, tz)
    contributors = {c.member_id: c for c in await uow.reputation.points_between(start, end)}
    return standings((c.member_id, c.points) for c in contributors.values()), contributors


def standing_line(t: Translator, placed: Placed) -> str:
    medal = MEDALS.get(placed.place, f"{t.number(placed.place)}.")
    total = placed.contributor.points
    points = t.ngettext("{place} {name}: {points} point", "{place} {name}: {points} points", total)
    return points.format(
        place=medal, name=display_name(t, placed.contributor), points=t.number(total)
    )


@router.command("leaderboard", N_("This month's top contributors"))
async def leaderboard_command(ctx: Ctx) -> None:
    tz = ctx.timezone
    month = month_of(ctx.clock.now(), tz)
    member = await ctx.member()
    found = await ctx.session.reputation.placed_between(
        *month_window(month, tz), SHOWN, member.id if member else None
    )
    lines = [
        "🏅 <b>"
        + ctx._(N_("Top contributors of {month}")).format(month=month_name(ctx.t, month))
        + "</b>",
        ctx._(
            N_(
                "Points earned this month with answers: {helpful} for a helpful one, {accepted} for an accepted one."
            )
        ).format(helpful=HELPFUL_POINTS, accepted=ACCEPTED_POINTS),
        "",
    ]
    if not found:
        lines.append(ctx._(N_("Nobody has earned points this month yet.")))
    lines += [standing_line(ctx.t, p) for p in found if p.position <= SHOWN]
    if member is not None:
        mine = next((p for p in found if p.contributor.member_id == member.id), None)
        if mine is None:
            lines += [
                "",
                ctx._(N_("You have no points this month yet: answering questions earns them.")),
            ]
        elif mine.position > SHOWN:
            points = mine.contributor.points
            lines += [
                "",
                ctx.ngettext(
                    "Your place: {place}, with {points} point.",
                    "Your place: {place}, with {points} points.",
                    points,
                ).format(place=ctx.t.number(mine.place), points=ctx.t.number(points)),
            ]
    await ctx.reply("\n".join(lines))


def thanks_message(t: Translator, month: date, standing: Standing) -> tuple[str, None]:
    return "🏅 " + t.ngettext(
        "Thank you! In {month} you were number {place} among the community's top contributors, with {points} point. Your answers help members across Cambodia.",
        "Thank you! In {month} you were number {place} among the community's top contributors, with {points} points. Your answers help members across Cambodia.",
        standing.points,
    ).format(
        month=month_name(t, month), place=t.number(standing.place), points=t.number(standing.points)
    ), None


async def thank_top_contributors(
    uow_factory: Callable[[], UnitOfWork], translations: Translations, now: datetime, tz: ZoneInfo
) -> int:
    """The thank-you to the top three (places 1–3, ties included) of the latest month whose
    thank-you time has come; messages queued (none on a rerun: their keys)."""
    month = thanks_due_month(now, tz)
    async with uow_factory() as uow:
        if await uow.outbox.queued_any(f"{THANKS_KEY}{month:%Y-%m}:"):
            return 0  # thanked already: standings counted again later may have moved
        found, contributors = await month_standings(uow, month, tz)
        queued = 0
        for standing in found:
            contributor = contributors[standing.member_id]
            if standing.place > THANKED_PLACES or contributor.telegram_id is None:
                continue
            await notify(
                uow, translations, contributor.telegram_id, contributor.language,
                partial(thanks_message, month=month, standing=standing), now,
                dedupe_key=f"{THANKS_KEY}{month:%Y-%m}:{standing.member_id}",
            )  # fmt: skip
            queued += 1
        await uow.commit()
    return queued
