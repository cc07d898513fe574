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
from handlers.admin import buttons, console, pending, roles, stats, web_console
from handlers.broadcast.compose import broadcast_command
from handlers.competitions.create import start_new_competition
from handlers.content.posting import post_command
from handlers.context import Ctx, is_admin, is_moderator

router = Router("admin")
router.flow(roles.grant_flow)

ADMIN = router.buttons(buttons.ADMIN)  # guarded: administrators only, at every press
ADMIN.on(buttons.PENDING, pending.show_pending)
ADMIN.on(buttons.REPORTS, pending.show_reports)
ADMIN.on(buttons.BROADCASTS, console.show_broadcasts)
ADMIN.on(buttons.NEW_BROADCAST, broadcast_command)
ADMIN.on(buttons.CANCEL_BROADCAST, console.cancel_broadcast)
ADMIN.on(buttons.CONTENT, console.show_content)
ADMIN.on(buttons.POST, post_command)
ADMIN.on(buttons.HIDE_ITEM, console.hide_item)
ADMIN.on(buttons.ROLES, roles.show_roles)
ADMIN.on(buttons.GRANT, roles.grant_pressed)
ADMIN.on(buttons.REVOKE, roles.revoke_pressed)
ADMIN.on(buttons.STATS, stats.send_stats)
ADMIN.on(buttons.EXPORT, stats.send_export)
ADMIN.on(buttons.AUDIT, console.show_audit)
ADMIN.on(buttons.LINKS, console.show_links)
ADMIN.on(buttons.COMPETITIONS, console.show_competitions)
ADMIN.on(buttons.NEW_COMPETITION, start_new_competition)
router.buttons(buttons.WEB).on(buttons.WEB_CONSOLE, web_console.send_link)  # staff


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
        await web_console.offer_to_moderators(ctx)
