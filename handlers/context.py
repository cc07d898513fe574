"""The context every handler of ours receives: the core's, with our unit of work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TypeAlias

from bot.core.context import Context
from bot.core.i18n import N_
from storage.models import Member
from storage.uow import UnitOfWork

Ctx: TypeAlias = Context[UnitOfWork]
Action: TypeAlias = Callable[[Ctx], Awaitable[None]]


def button_actions(actions: Mapping[str, Action]) -> Action:
    """A feature's buttons that work from any message, data ``PREFIX:action:value``: the
    action's handler gets ``ctx.value``; an action no longer known is an older message."""

    async def on_button(ctx: Ctx) -> None:
        action, _, ctx.value = ctx.value.partition(":")
        handler = actions.get(action)
        if handler is None:
            await ctx.answer(ctx._(N_("That button is from an older message.")))
            return
        await handler(ctx)

    return on_button


async def current_member(ctx: Ctx) -> Member | None:
    return await ctx.session.members.get(ctx.user_id)


async def signing_up(ctx: Ctx) -> bool:
    """True (and the member is asked to finish) while a sign-up is half done: starting
    another flow would replace the sign-up's answers, which live in the conversation."""
    if ctx.conversation.flow != "signup":
        return False
    await ctx.reply(ctx._(N_("Please finish signing up first.")))
    await ctx.reprompt()
    return True


async def is_admin(ctx: Ctx) -> bool:
    """True for an administrator; anyone else is told so (as a popup for a button)."""
    if await ctx.session.staff.has_role(ctx.user_id, "admin"):
        return True
    await _refuse(ctx, N_("Only administrators can do this."))
    return False


async def is_moderator(ctx: Ctx) -> bool:
    """True for a moderator or an administrator; anyone else is told so, as by ``is_admin``."""
    staff = ctx.session.staff
    if await staff.has_role(ctx.user_id, "moderator") or await staff.has_role(ctx.user_id, "admin"):
        return True
    await _refuse(ctx, N_("Only moderators can do this."))
    return False


async def _refuse(ctx: Ctx, message: str) -> None:
    await ctx.answer(ctx._(message), alert=True)
    if not ctx.event.callback_id:
        await ctx.reply(ctx._(message))


async def menu_for(ctx: Ctx, language: str) -> list[tuple[str, str]]:
    """The command menu for this user's chat: administrators' lists their commands too."""
    return ctx.menu(language, await ctx.session.staff.has_role(ctx.user_id, "admin"))
