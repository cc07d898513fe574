"""Ministry broadcasts: /broadcast composes one (admins), the scheduler delivers it, the
admin follows the delivery in one message and may stop it.

The Stop button arrives on a message of any age: being an administrator is checked when it
is pressed, whoever presses it.
"""

from __future__ import annotations

from bot.core.dispatch import Router
from bot.core.i18n import N_
from handlers.broadcast import compose
from handlers.broadcast.delivery import queue_report
from handlers.broadcast.message import PREFIX, report_text
from handlers.context import Ctx, is_admin

router = Router("broadcast")
router.command("broadcast", N_("Send a message to members (admins only)"), staff="admin")(
    compose.broadcast_command
)
router.flow(compose.broadcast_flow)


@router.callback(PREFIX)
async def on_button(ctx: Ctx) -> None:
    action, _, ctx.value = ctx.value.partition(":")
    if action != "stop":
        await ctx.answer(ctx._(N_("That button is from an older message.")))
        return
    if not await is_admin(ctx):
        return
    broadcast = await ctx.session.broadcasts.get(ctx.value_id)
    if broadcast is None or broadcast.status != "sending":
        await ctx.answer(ctx._(N_("This broadcast is no longer being sent.")), alert=True)
        await ctx.clear_buttons()
        return
    now = ctx.clock.now()
    await ctx.session.broadcasts.stop(broadcast, now)
    await ctx.session.staff.audit(ctx.user_id, "broadcast-stopped", {"broadcast": broadcast.id})
    delivery = await ctx.session.broadcasts.delivery(broadcast)
    if ctx.event.message_id is not None:
        await ctx.messenger.edit_message(
            ctx.event.chat_id, ctx.event.message_id, report_text(ctx.t, broadcast, delivery)
        )
    await queue_report(ctx.session, ctx.translators, broadcast, now)
    await ctx.answer(ctx._(N_("Stopped: nothing more is sent.")))
