"""The admin console: /admin opens a menu of what administrators look after; /stats and
/export are commands of their own too.

Administrators only: every command and every ``ad:`` button checks the staff table when it
is used, whoever uses it and from whatever message. The exception is /reports, the
console's Reports for moderators too (their buttons check the moderator role themselves).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.dispatch import Router
from bot.core.i18n import N_
from handlers.admin import console, pending, roles, stats
from handlers.broadcast.compose import broadcast_command
from handlers.competitions.create import start_new_competition
from handlers.content.posting import post_command
from handlers.context import Ctx, is_admin, is_moderator

router = Router("admin")
router.flow(roles.grant_flow)

ACTIONS: dict[str, Callable[[Ctx], Awaitable[None]]] = {
    "pending": pending.show_pending,
    "reports": pending.show_reports,
    "bc": console.show_broadcasts,
    "newbc": broadcast_command,
    "bcx": console.cancel_broadcast,
    "content": console.show_content,
    "post": post_command,
    "hide": console.hide_item,
    "roles": roles.show_roles,
    "grant": roles.grant_pressed,
    "rv": roles.revoke_pressed,
    "stats": stats.send_stats,
    "export": stats.send_export,
    "audit": console.show_audit,
    "comp": console.show_competitions,
    "newcp": start_new_competition,
}


def admin_only(action: Callable[[Ctx], Awaitable[None]]) -> Callable[[Ctx], Awaitable[None]]:
    async def checked(ctx: Ctx) -> None:
        if await is_admin(ctx):
            await action(ctx)

    return checked


router.command("admin", N_("Administration (admins only)"), staff="admin")(
    admin_only(console.show_menu)
)
router.command("stats", N_("The community in figures (admins only)"), staff="admin")(
    admin_only(stats.send_stats)
)
router.command("export", N_("All members as a CSV file (admins only)"), staff="admin")(
    admin_only(stats.send_export)
)


@router.command("reports", N_("Reports waiting for a decision (moderators)"), staff="moderator")
async def reports_command(ctx: Ctx) -> None:
    if await is_moderator(ctx):
        await pending.show_reports(ctx)


@router.callback(roles.PREFIX)
async def on_button(ctx: Ctx) -> None:
    action, _, ctx.value = ctx.value.partition(":")
    handler = ACTIONS.get(action)
    if handler is None:
        await ctx.answer(ctx._(N_("That button is from an older message.")))
        return
    if not await is_admin(ctx):
        return
    await handler(ctx)
    await ctx.answer()
