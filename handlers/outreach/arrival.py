"""Where a deep link takes someone: the job, event, competition or item it names, or a
check-in at an event. A member gets it at once; a newcomer right after signing up (the
arrival waits in the sign-up conversation, ``handlers.signup``)."""

from __future__ import annotations

from datetime import timedelta

from bot.core.i18n import N_
from handlers.competitions.entries import card_and_buttons as competition_card
from handlers.content.browse import send_item
from handlers.content.cards import title_of
from handlers.content.operations import NO_LONGER_AVAILABLE
from handlers.context import Ctx
from handlers.jobs.browse import send_job
from handlers.outreach.payload import Arrival

# An event's QR code checks members in from a while before it starts until it is surely
# over: a photo of the code shared days later checks nobody in.
CHECK_IN_OPENS = timedelta(hours=3)  # before the start
CHECK_IN_CLOSES = timedelta(hours=12)  # after the start


async def arrive(ctx: Ctx, arrival: Arrival) -> None:
    """Show what ``arrival`` names, or check the member in; a source alone shows nothing."""
    if arrival.target == "job":
        await send_job(ctx, arrival.id)
    elif arrival.target == "item":
        await send_item(ctx, arrival.id)
    elif arrival.target == "event":
        item = await ctx.session.content.get(arrival.id)
        if item is None or item.kind != "event":
            await ctx.reply(ctx._(NO_LONGER_AVAILABLE))
            return
        await send_item(ctx, arrival.id)
    elif arrival.target == "competition":
        competition = await ctx.session.competitions.get(arrival.id)
        if competition is None:
            await ctx.reply(ctx._(N_("This competition no longer exists.")))
            return
        await ctx.reply(*await competition_card(ctx, competition))
    elif arrival.target == "checkin":
        await check_in(ctx, arrival.id)


async def check_in(ctx: Ctx, item_id: int) -> None:
    """Count the member at the event, once (the key of the attendance row), and tell them."""
    member = await ctx.member()
    item = await ctx.session.content.get(item_id)
    if member is None:  # only a signed-up member arrives here
        return
    if item is None or item.kind != "event" or item.hidden or item.event_at is None:
        await ctx.reply(ctx._(NO_LONGER_AVAILABLE))
        return
    title = "<b>" + title_of(ctx.t, item) + "</b>"
    now = ctx.clock.now()
    if not item.event_at - CHECK_IN_OPENS <= now <= item.event_at + CHECK_IN_CLOSES:
        await ctx.reply(
            ctx._(
                N_("Check-in for {title} opens 3 hours before it starts and closes 12 hours after.")
            ).format(title=title)
        )
        return
    if await ctx.session.outreach.check_in(item.id, member.id, now):
        text = N_("✅ You are checked in at {title}. Welcome!")
    else:
        text = N_("You are checked in at {title} already.")
    await ctx.reply(ctx._(text).format(title=title))
