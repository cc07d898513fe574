"""The /admin menu and its lists: broadcasts, published content, the audit log."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clip, escape
from handlers.acting import NotAllowed
from handlers.admin.buttons import (
    AUDIT,
    BROADCASTS,
    CANCEL_BROADCAST,
    COMPETITIONS,
    CONTENT,
    EXPORT,
    HIDE_ITEM,
    LINKS,
    NEW_BROADCAST,
    NEW_COMPETITION,
    PENDING,
    POST,
    REPORTS,
    ROLES,
    STATS,
)
from handlers.admin.pending import counts
from handlers.admin.web_console import console_button
from handlers.broadcast import operations as broadcast_operations
from handlers.broadcast.message import PAID
from handlers.competitions.buttons import RANKING
from handlers.competitions.cards import listing_entry
from handlers.content import operations as content_operations
from handlers.content.cards import title_of
from handlers.context import Ctx, acting, refuse
from handlers.invalid import Invalid
from handlers.outreach.payload import start_link
from handlers.outreach.share import EXTRAS_KEY as USERNAME_KEY

AUDIT_SHOWN = 20
SURFACES = {"web": N_("Web console"), "cli": N_("Command line")}  # an audit line's channel
ITEMS_SHOWN = 10
BROADCAST_STATUS = {
    "scheduled": N_("scheduled"),
    "sending": N_("sending"),
    "done": N_("delivered"),
    "stopped": N_("stopped"),
    "cancelled": N_("cancelled"),
}


async def show_menu(ctx: Ctx) -> None:
    companies, applications, reports = await counts(ctx)
    n = ctx.t.number
    rows = [
        [PENDING.button("⏳ " + ctx._(N_("Approvals ({count})")).format(count=n(companies + applications))),
         REPORTS.button("⚠️ " + ctx._(N_("Reports ({count})")).format(count=n(reports)))],
        [BROADCASTS.button("📤 " + ctx._(N_("Broadcasts"))), CONTENT.button("📰 " + ctx._(N_("Content")))],
        [COMPETITIONS.button("🏆 " + ctx._(N_("Competitions"))), ROLES.button("👥 " + ctx._(N_("Roles")))],
        [STATS.button("📊 " + ctx._(N_("Statistics"))), EXPORT.button("📄 " + ctx._(N_("Export members")))],
        [AUDIT.button("🧾 " + ctx._(N_("Audit log"))), LINKS.button("🔗 " + ctx._(N_("Links")))],
        [console_button(ctx)],
    ]  # fmt: skip
    await ctx.reply("🛠 <b>" + ctx._(N_("Administration")) + "</b>", InlineKeyboard.of(rows))


async def show_broadcasts(ctx: Ctx) -> None:
    tz = ctx.timezone
    lines = ["📤 <b>" + ctx._(N_("Broadcasts")) + "</b>"]
    broadcasts = await ctx.session.broadcasts.recent(ITEMS_SHOWN)
    for broadcast in broadcasts:
        delivery = await ctx.session.broadcasts.delivery(broadcast)
        lines.append(
            ctx._(N_("#{number} · {status} · {moment} · delivered {sent} of {total}")).format(
                number=broadcast.id,
                status=ctx._(BROADCAST_STATUS.get(broadcast.status, broadcast.status)),
                moment=ctx.t.moment(broadcast.send_at.astimezone(tz)),
                sent=ctx.t.number(delivery.sent),
                total=ctx.t.number(delivery.total),
            )
            + (" · ⚡ " + ctx._(PAID) if broadcast.paid else "")
            + "\n   "
            + escape(clip(broadcast.text_en, 60))
        )
    if len(lines) == 1:
        lines.append(ctx._(N_("No broadcast yet.")))
    buttons = [
        CANCEL_BROADCAST.button("✖️ " + ctx._(N_("Cancel #{number}")).format(number=b.id), b.id)
        for b in broadcasts
        if b.status == "scheduled"
    ]
    buttons.append(NEW_BROADCAST.button("➕ " + ctx._(N_("New broadcast"))))
    await ctx.reply("\n".join(lines), InlineKeyboard.columns(buttons, 2))


async def cancel_broadcast(ctx: Ctx, broadcast_id: int) -> None:
    try:
        await broadcast_operations.cancel(acting(ctx), broadcast_id)
    except NotAllowed as error:
        await refuse(ctx, error.message)
        return
    except Invalid as error:
        await ctx.answer(ctx._(error.message).format(**error.params), alert=True)
        return
    await ctx.answer(ctx._(N_("Cancelled: nothing was sent.")))
    await ctx.clear_buttons()


async def show_content(ctx: Ctx) -> None:
    lines = ["📰 <b>" + ctx._(N_("Published items")) + "</b>"]
    buttons = []
    for item in await ctx.session.content.latest(ITEMS_SHOWN):
        shown = ctx._(N_("hidden")) if item.hidden else ""
        lines.append(f"#{ctx.t.digits(str(item.id))} {title_of(ctx.t, item)} {shown}".rstrip())
        if not item.hidden:
            buttons.append(HIDE_ITEM.button("🙈 " + ctx._(N_("Hide")) + f" #{item.id}", item.id))
    if len(lines) == 1:
        lines.append(ctx._(N_("Nothing has been published yet.")))
    buttons.append(POST.button("➕ " + ctx._(N_("Publish an item"))))
    await ctx.reply("\n".join(lines), InlineKeyboard.columns(buttons, 2))


async def hide_item(ctx: Ctx, item_id: int) -> None:
    try:
        await content_operations.hide(acting(ctx), item_id)
    except NotAllowed as error:
        await refuse(ctx, error.message)
        return
    except Invalid as error:
        await ctx.answer(ctx._(error.message).format(**error.params))
        return
    await ctx.answer(ctx._(N_("Hidden.")))
    await ctx.clear_buttons()


async def show_audit(ctx: Ctx) -> None:
    tz = ctx.timezone
    lines = ["🧾 <b>" + ctx._(N_("Audit log: the latest actions")) + "</b>"]
    for entry in await ctx.session.staff.recent_audit(AUDIT_SHOWN):
        actor = (
            str(entry.actor_telegram_id) if entry.actor_telegram_id else ctx._(N_("command line"))
        )
        if entry.actor_telegram_id and entry.channel in SURFACES:  # not the bot: say where
            actor += f" ({ctx._(SURFACES[entry.channel])})"
        detail = ", ".join(f"{k}={v}" for k, v in entry.detail.items())
        lines.append(
            f"{ctx.t.moment(entry.created_at.astimezone(tz))} · {escape(actor)} · "
            f"<code>{escape(entry.action)}</code> {escape(clip(detail, 80))}"
        )
    if len(lines) == 1:
        lines.append(ctx._(N_("Nothing yet.")))
    await ctx.reply("\n".join(lines))


async def show_links(ctx: Ctx) -> None:
    """The outreach links, most sign-ups first, each with its link when the bot's username
    is known (its QR code: ``dcc-bot links add``)."""
    username = ctx.extras.get(USERNAME_KEY)
    lines = ["🔗 <b>" + ctx._(N_("Outreach links and their sign-ups")) + "</b>"]
    for link, signups in await ctx.session.outreach.links():
        label = f" · {escape(clip(link.label, 60))}" if link.label else ""
        lines.append(
            f"\n<b>{escape(link.source)}</b>{label}\n"
            + ctx._(N_("Sign-ups: {count}")).format(count=ctx.t.number(signups))
        )
        if username:
            lines.append(escape(start_link(username, f"s_{link.source}")))
    if len(lines) == 1:
        lines.append(ctx._(N_("No link yet. The operator adds one with: dcc-bot links add SOURCE")))
    await ctx.reply("\n".join(lines))


async def show_competitions(ctx: Ctx) -> None:
    """Open, being judged and lately decided; a judged one has its ranking a tap away."""
    tz = ctx.timezone
    now = ctx.clock.now()
    open_, judging, decided = await ctx.session.competitions.listing(now)
    open_, judging = open_[:ITEMS_SHOWN], judging[:ITEMS_SHOWN]  # one message, few buttons
    every = [*open_, *judging, *decided]
    counts = await ctx.session.competitions.entry_counts([c.id for c in every])
    lines = ["🏆 <b>" + ctx._(N_("Competitions")) + "</b>"]
    lines += ["\n" + listing_entry(ctx.t, c, counts.get(c.id, 0), now, tz) for c in every]
    if not every:
        lines.append(ctx._(N_("No competition yet.")))
    buttons = [
        RANKING.button("📊 " + ctx._(N_("Ranking #{number}")).format(number=c.id), c.id)
        for c in (*judging, *decided)
    ]
    buttons.append(NEW_COMPETITION.button("➕ " + ctx._(N_("New competition"))))
    await ctx.reply("\n".join(lines), InlineKeyboard.columns(buttons, 2))
