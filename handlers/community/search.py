"""/community: find members in the directory by skill, place and role, five cards a page.

Steps (flow ``community``): tag → province → role → results; from a card, [Connect] asks
for the note (step ``note``, handlers.community.connect) and [Report] for the reason (step
``reason``, handlers.community.reports); both come back to ``results``, so the cards
already shown keep working. Cards never carry a contact: handles are exchanged only when a
request is accepted.
"""

from __future__ import annotations

from bot.core.context import row_id
from bot.core.flow import Step
from bot.core.i18n import N_
from bot.core.keyboards import InlineKeyboard
from bot.core.text import escape
from handlers.community.blocks import show_blocked
from handlers.community.cards import card
from handlers.community.connect import connect_pressed
from handlers.community.reports import report_from_card
from handlers.community.rules import PAGE
from handlers.context import Ctx, signing_up
from handlers.jobs.labels import job_location_name
from handlers.profile.labels import ROLE_NAMES, role_name
from storage.models import Tag
from storage.seed.choices import ROLES
from storage.seed.provinces import ABROAD, PROVINCES
from storage.seed.tags import SLUGS

ANY = "any"
BLOCKED = "blocked"
PLACES = {p.slug for p in PROVINCES} | {ABROAD}


async def community_command(ctx: Ctx) -> None:
    if await signing_up(ctx):
        return
    if await ctx.member() is None:
        await ctx.reply(ctx._(N_("You have not signed up yet. Send /start to join.")))
        return
    await ctx.start_flow("community", "tag", {"page": 0})


async def ask_tag(ctx: Ctx) -> None:
    member = await ctx.member()
    buttons = [ctx.button(ctx._(N_("Any skill")), ANY)]
    buttons += [ctx.button(t.name(ctx.language), t.slug) for t in await ctx.session.tags.all()]
    blocked = await ctx.session.community.count_blocked_by(member.id) if member else 0
    if blocked:
        label = ctx._(N_("Blocked members ({count})")).format(count=ctx.t.number(blocked))
        buttons.append(ctx.button("🚫 " + label, BLOCKED))
    await ctx.reply(
        "🔎 " + ctx._(N_("Find members of the community. Which skill should they have?")),
        ctx.keyboard(buttons, 2),
    )


async def tag_chosen(ctx: Ctx) -> None:
    if ctx.value == BLOCKED:
        await show_blocked(ctx)
        return
    if ctx.value != ANY and ctx.value not in SLUGS:
        await ctx.reprompt()
        return
    ctx.data["tag"] = None if ctx.value == ANY else ctx.value
    await ctx.clear_buttons()
    await ctx.goto("province")


async def ask_province(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(N_("Anywhere")), ANY)]
    buttons += [ctx.button(p.name(ctx.language), p.slug) for p in PROVINCES]
    buttons.append(ctx.button(ctx._(N_("Abroad")), ABROAD))
    await ctx.reply(ctx._(N_("Where should they live?")), ctx.keyboard(buttons, 2))


async def province_chosen(ctx: Ctx) -> None:
    if ctx.value != ANY and ctx.value not in PLACES:
        await ctx.reprompt()
        return
    ctx.data["province"] = None if ctx.value == ANY else ctx.value
    await ctx.clear_buttons()
    await ctx.goto("role")


async def ask_role(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(N_("Any role")), ANY)]
    buttons += [ctx.button(ctx._(ROLE_NAMES[slug]), slug) for slug in ROLES]
    await ctx.reply(ctx._(N_("And their role?")), ctx.keyboard(buttons, 2))


async def role_chosen(ctx: Ctx) -> None:
    if ctx.value != ANY and ctx.value not in ROLES:
        await ctx.reprompt()
        return
    ctx.data["role"], ctx.data["page"] = (None if ctx.value == ANY else ctx.value), 0
    await ctx.clear_buttons()
    await ctx.goto("results")


async def show_results(ctx: Ctx) -> None:
    member = await ctx.member()
    if member is None:  # erased meanwhile
        ctx.end_flow()
        return
    page = ctx.data.get("page", 0)
    found, total = await ctx.session.community.directory(
        member.id, ctx.data.get("tag"), ctx.data.get("province"), ctx.data.get("role"),
        page * PAGE, PAGE,
    )  # fmt: skip
    tags = await ctx.session.tags.all()
    await ctx.reply("<b>" + _heading(ctx, tags, total) + "</b>")
    for other in found:
        await ctx.reply(
            await card(ctx.session, ctx.t, other, tags),
            ctx.keyboard(
                [
                    ctx.button("🤝 " + ctx._(N_("Connect")), f"con-{other.id}"),
                    ctx.button("⚠️ " + ctx._(N_("Report")), f"rep-{other.id}"),
                ]
            ),
        )
    buttons = []
    if page > 0:
        buttons.append(ctx.button("« " + ctx._(N_("Previous")), "prev"))
    if (page + 1) * PAGE < total:
        buttons.append(ctx.button(ctx._(N_("Next")) + " »", "next"))
    buttons.append(ctx.button("🔎 " + ctx._(N_("New search")), "new"))
    if total:
        pages = (total + PAGE - 1) // PAGE
        text = ctx._(N_("Page {page} of {pages}.")).format(
            page=ctx.t.number(page + 1), pages=ctx.t.number(pages)
        )
    else:
        text = ctx._(N_("No member matches these filters yet. Try a new search."))
    await ctx.reply(text, InlineKeyboard.of([buttons]))


def _heading(ctx: Ctx, tags: list[Tag], total: int) -> str:
    names = {t.slug: t.name(ctx.language) for t in tags}
    tag, province, role = ctx.data.get("tag"), ctx.data.get("province"), ctx.data.get("role")
    found = ctx.ngettext("{count} member found", "{count} members found", total)
    return " · ".join(
        [
            found.format(count=ctx.t.number(total)),
            escape(names.get(tag, tag)) if tag else ctx._(N_("Any skill")),
            escape(job_location_name(ctx.t, province)) if province else ctx._(N_("Anywhere")),
            role_name(ctx.t, role) if role else ctx._(N_("Any role")),
        ]
    )


async def result_pressed(ctx: Ctx) -> None:
    value = ctx.value
    if value in ("prev", "next"):
        ctx.data["page"] = max(0, ctx.data.get("page", 0) + (1 if value == "next" else -1))
        await ctx.clear_buttons()
        await ctx.reprompt()
    elif value == "new":
        await ctx.clear_buttons()
        ctx.data.update(page=0, tag=None, province=None, role=None)
        await ctx.goto("tag")
    elif value.startswith("con-") and row_id(value[4:]):
        await connect_pressed(ctx, row_id(value[4:]))
    elif value.startswith("rep-") and row_id(value[4:]):
        await report_from_card(ctx, row_id(value[4:]))
    else:
        await ctx.reprompt()


SEARCH_STEPS = {
    "tag": Step(ask_tag, N_("Please choose a skill with one of the buttons."), on_button=tag_chosen, next=("province",)),
    "province": Step(ask_province, N_("Please choose a place with one of the buttons."), on_button=province_chosen, next=("role",)),
    "role": Step(ask_role, N_("Please choose a role with one of the buttons."), on_button=role_chosen, next=("results",)),
    "results": Step(show_results, N_("Please use the buttons."), on_button=result_pressed, next=("tag", "note", "reason"), ends=True),
}  # fmt: skip
