"""The context every handler of ours receives: the core's, with our unit of work."""

from __future__ import annotations

from typing import TypeAlias

from bot.core.context import Context
from storage.models import Member
from storage.uow import UnitOfWork

Ctx: TypeAlias = Context[UnitOfWork]


async def current_member(ctx: Ctx) -> Member | None:
    return await ctx.session.members.get(ctx.user_id)
