"""/news, /policies, /opportunities, /events: published items a page at a time; open one to
read it, follow its link, or (events) say you will attend.

Steps (flow ``content``): list (page and open buttons). The RSVP button works from any
message at any time (``buttons.RSVP``): it checks the presser is a member and the event is
still to come.
"""

from __future__ import annotations

from bot.core.context import row_id
from bot.core.events import FileRef
from bot.core.flow import Flow, Handler, Step
from bot.core.i18n import N_
from bot.core.keyboards import InlineKeyboard
from handlers.content.cards import in_language, item_card, item_entry, item_keyboard
from handlers.content.kinds import BROWSE
from handlers.context import Ctx, signing_up
from handlers.outreach.share import share_button
from storage.models import ContentItem

PAGE = 5
TITLES = {
    "news": N_("News and announcements ({total})"),
    "policies": N_("Policies ({total})"),
    "opportunities": N_("Opportunities: training, scholarships and more ({total})"),
    "events": N_("Coming events ({total})"),
}
EMPTY = {
    "news": N_("No news or announcement has been published yet."),
    "policies": N_("No policy has been published yet."),
    "opportunities": N_("No open opportunity right now."),
    "events": N_("No event is coming up right now."),
}


def browse_command(name: str) -> Handler:
    async def command(ctx: Ctx) -> None:
        if await signing_up(ctx):
            return
        await ctx.start_flow("content", "list", {"browse": name, "page": 0})

    return command


async def show_list(ctx: Ctx) -> None:
    name = ctx.data["browse"]
    page = ctx.data.get("page", 0)
    tz = ctx.timezone
    items, total = await ctx.session.content.browse(
        BROWSE[name], ctx.clock.now(), page * PAGE, PAGE
    )
    if not items and page == 0:
        ctx.end_flow()
        await ctx.reply(await empty_list(ctx, name))
        return
    lines = ["<b>" + ctx._(TITLES[name]).format(total=ctx.t.number(total)) + "</b>"]
    lines += ["\n" + item_entry(ctx.t, item, tz) for item in items]
    buttons = [ctx.button(ctx.t.digits(f"#{item.id}"), f"open-{item.id}") for item in items]
    paging = []
    if page > 0:
        paging.append(ctx.button("« " + ctx._(N_("Previous")), "prev"))
    if (page + 1) * PAGE < total:
        paging.append(ctx.button(ctx._(N_("Next")) + " »", "next"))
    rows = [*ctx.keyboard(buttons, 5).rows, tuple(paging)]
    await ctx.reply("\n".join(lines), InlineKeyboard.of(rows))


async def empty_list(ctx: Ctx, name: str) -> str:
    """An empty list says so, and what the other lists hold instead, each with its count
    and command ("Policies (3) /policies"), so a member is not left thinking nothing exists."""
    now = ctx.clock.now()
    elsewhere = []
    for other, kinds in BROWSE.items():
        if other != name:
            _items, total = await ctx.session.content.browse(kinds, now, 0, 0)
            if total:
                title = ctx._(TITLES[other]).format(total=ctx.t.number(total))
                elsewhere.append(f"• {title} /{other}")
    text = ctx._(EMPTY[name])
    if elsewhere:
        text += "\n\n" + ctx._(N_("You will find these instead:")) + "\n" + "\n".join(elsewhere)
    return text


async def list_pressed(ctx: Ctx) -> None:
    if ctx.value in ("prev", "next"):
        ctx.data["page"] = max(0, ctx.data.get("page", 0) + (1 if ctx.value == "next" else -1))
        await ctx.clear_buttons()
        await ctx.reprompt()
    elif ctx.value.startswith("open-") and ctx.value[5:].isdecimal():
        await ctx.answer()
        await send_item(ctx, row_id(ctx.value[5:]))
    else:
        await ctx.reprompt()


async def send_item(ctx: Ctx, item_id: int) -> None:
    item = await ctx.session.content.get(item_id)
    if item is None or item.hidden:
        await ctx.reply(ctx._(N_("This item is no longer available.")))
        return
    card, keyboard = await card_and_buttons(ctx, item)
    poster = poster_of(item)
    if poster is None:
        await ctx.reply(card, keyboard)
    else:  # the card its caption; what a caption cannot hold follows, the buttons last
        await ctx.reply_file(poster, card, keyboard)


def poster_of(item: ContentItem) -> FileRef | None:
    """The poster published with the item, if any."""
    if item.file_kind is None or item.file_id is None:
        return None
    return FileRef(item.file_kind, item.file_id)


async def card_and_buttons(ctx: Ctx, item: ContentItem) -> tuple[str, InlineKeyboard | None]:
    names = {t.slug: t.name(ctx.language) for t in await ctx.session.tags.all()}
    slugs = (await ctx.session.content.tags_of([item.id])).get(item.id, [])
    card = item_card(ctx.t, item, ", ".join(names.get(s, s) for s in slugs), ctx.timezone)
    going: bool | None = None
    if item.kind == "event" and item.event_at is not None and item.event_at > ctx.clock.now():
        member = await ctx.member()
        going = member is not None and await ctx.session.content.going(item.id, member.id)
        count = await ctx.session.content.rsvp_count(item.id)
        card += "\n\n" + ctx._(N_("Members going: {count}")).format(count=ctx.t.number(count))
    keyboard = item_keyboard(ctx.t, item, going)
    title, _language = in_language(ctx.t, item.title_km, item.title_en)
    share = share_button(ctx, "event" if item.kind == "event" else "item", item.id, title)
    if share is None:
        return card, keyboard
    return card, InlineKeyboard.of([*(keyboard.rows if keyboard else ()), (share,)])


async def rsvp_pressed(ctx: Ctx, item_id: int) -> None:
    member = await ctx.member()
    item = await ctx.session.content.get(item_id)
    if member is None:
        await ctx.answer(ctx._(N_("You have not signed up yet. Send /start to join.")), alert=True)
        return
    if (
        item is None
        or item.kind != "event"
        or item.hidden
        or item.event_at is None
        or item.event_at <= ctx.clock.now()
    ):
        await ctx.answer(ctx._(N_("This event is over.")), alert=True)
        await ctx.clear_buttons()
        return
    going = await ctx.session.content.toggle_rsvp(item.id, member.id, ctx.clock.now())
    await ctx.answer(
        ctx._(N_("You are on the list: we will remind you the day before."))
        if going
        else ctx._(N_("You are no longer on the list."))
    )
    if ctx.event.message_id is not None:
        text, keyboard = await card_and_buttons(ctx, item)
        if poster_of(item) is None:
            await ctx.messenger.edit_message(
                ctx.event.chat_id, ctx.event.message_id, text, keyboard
            )
        else:  # a caption (or the part that followed it): only the buttons change
            await ctx.messenger.edit_keyboard(ctx.event.chat_id, ctx.event.message_id, keyboard)


content_flow = Flow(
    "content",
    {"list": Step(show_list, N_("Please use the buttons to open an item or turn the page."), on_button=list_pressed, ends=True)},
    entry=("list",),
)  # fmt: skip
