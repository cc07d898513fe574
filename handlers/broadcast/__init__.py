"""Ministry broadcasts: /broadcast composes one (admins), the scheduler delivers it, the
admin follows the delivery in one message and may stop it.

The Stop button (``buttons.STOP``) arrives on a message of any age: the stop operation
checks the administrator role when it is pressed, whoever presses it.
"""

from __future__ import annotations

from bot.core.dispatch import Router
from bot.core.i18n import N_
from handlers.acting import NotAllowed
from handlers.broadcast import compose, operations
from handlers.broadcast.buttons import BROADCAST, STOP
from handlers.broadcast.message import report_text
from handlers.context import Ctx, acting, refuse
from handlers.invalid import Invalid

router = Router("broadcast")
router.command("broadcast", N_("Send a message to members (admins only)"), staff="admin")(
    compose.broadcast_command
)
router.flow(compose.broadcast_flow)
router.buttons(BROADCAST)


@BROADCAST.handles(STOP)
async def stop_pressed(ctx: Ctx, broadcast_id: int) -> None:
    try:
        broadcast = await operations.stop(acting(ctx), broadcast_id)
    except NotAllowed as error:
        await refuse(ctx, error.message)
        return
    except Invalid as error:
        await ctx.answer(ctx._(error.message), alert=True)
        await ctx.clear_buttons()
        return
    delivery = await ctx.session.broadcasts.delivery(broadcast)
    if ctx.event.message_id is not None:
        await ctx.messenger.edit_message(
            ctx.event.chat_id, ctx.event.message_id, report_text(ctx.t, broadcast, delivery)
        )
    await ctx.answer(ctx._(N_("Stopped: nothing more is sent.")))
