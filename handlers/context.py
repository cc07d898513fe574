"""The context every handler of ours receives: the core's, with our unit of work."""

from __future__ import annotations

from typing import TypeAlias

from bot.core.context import Context
from bot.core.i18n import N_
from handlers.acting import REFUSALS, Acting, staff_role
from storage.models import Member
from storage.uow import UnitOfWork

Ctx: TypeAlias = Context[UnitOfWork, Member]


async def signing_up(ctx: Ctx) -> bool:
    """True (and the member is asked to finish) while a sign-up is half done: starting
    another flow would replace the sign-up's answers, which live in the conversation."""
    if ctx.conversation.flow != "signup":
        return False
    await ctx.reply(ctx._(N_("Please finish signing up first.")))
    await ctx.reprompt()
    return True


def acting(ctx: Ctx) -> Acting:
    """The member pressing or typing, as the person performing an operation in the chat."""
    return Acting(ctx.user_id, "chat", ctx.session, ctx.translators, ctx.clock.now(), ctx.timezone)


async def is_admin(ctx: Ctx) -> bool:
    """True for an administrator; anyone else is told so (as a popup for a button). For
    showing a menu or starting a flow: the operation checks again when it writes."""
    if await ctx.session.staff.has_role(ctx.user_id, "admin"):
        return True
    await refuse(ctx, REFUSALS["admin"])
    return False


async def is_moderator(ctx: Ctx) -> bool:
    """True for a moderator or an administrator; anyone else is told so, as by ``is_admin``."""
    if await staff_role(ctx.session.staff, ctx.user_id) is not None:
        return True
    await refuse(ctx, REFUSALS["moderator"])
    return False


async def about_themselves(ctx: Ctx, member_id: int | None) -> bool:
    """True (and the moderator is told another must decide) when a report is about the
    moderator's own profile, question or answer."""
    member = await ctx.member()
    if member is None or member.id != member_id:
        return False
    await refuse(ctx, N_("This report is about you: another moderator will decide it."))
    return True


async def refuse(ctx: Ctx, message: str) -> None:
    """Tell the person (a popup for a button, a message for a command) what they may not
    do; ``message`` is a msgid, e.g. a ``NotAllowed``'s."""
    await ctx.answer(ctx._(message), alert=True)
    if not ctx.event.callback_id:
        await ctx.reply(ctx._(message))


async def menu_for(ctx: Ctx, language: str) -> list[tuple[str, str]]:
    """The command menu for this user's chat: staff's lists their commands too."""
    return ctx.menu(language, await staff_role(ctx.session.staff, ctx.user_id))
