"""Staff roles in the bot: who is a moderator or an administrator; grant a role (forward a
message from the person, or type their Telegram id) and revoke one.

Flow ``grant``: who → role. The grant and the revoke are the operations of
handlers/admin/operations.py, which check the administrator role when they write (the
``ad:`` buttons' guard checks it at every press too) and keep an administrator from taking
away their own administrator role. For an expert the role step also offers [Remove expert
status].
"""

from __future__ import annotations

from bot.config import TELEGRAM_ID_MAX
from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clean_line, escape, western_digits
from handlers.acting import NotAllowed
from handlers.admin.buttons import GRANT, REVOKE
from handlers.admin.operations import grant_role, revoke_role
from handlers.context import Ctx, acting, is_admin, refuse, staff_role
from handlers.invalid import Invalid
from handlers.questions.operations import remove_expert

ROLE_NAMES = {"admin": N_("Administrator"), "moderator": N_("Moderator")}
ROLE_CODES = {"admin": "a", "moderator": "m"}  # in callback data
ROLES_BY_CODE = {code: role for role, code in ROLE_CODES.items()}
NOT_EXPERT = "not-expert"  # the role step's value for taking expert status away


async def show_roles(ctx: Ctx) -> None:
    lines = ["👥 <b>" + ctx._(N_("Staff roles")) + "</b>"]
    buttons = []
    for staff in await ctx.session.staff.everyone():
        member = await ctx.session.members.get(staff.telegram_id)
        who = escape(member.full_name or "") if member and member.full_name else "—"
        role = ctx._(ROLE_NAMES.get(staff.role, staff.role))
        lines.append(
            ctx._(N_("{role}: {name} ({telegram_id})")).format(
                role=role, name=who, telegram_id=staff.telegram_id
            )
        )
        buttons.append(
            REVOKE.button(
                "✖️ " + ctx._(N_("Revoke")) + f" {role} {staff.telegram_id}",
                ROLE_CODES.get(staff.role, "m"),
                staff.telegram_id,
            )
        )
    buttons.append(GRANT.button("➕ " + ctx._(N_("Grant a role"))))
    await ctx.reply("\n".join(lines), InlineKeyboard.columns(buttons, 1))


async def grant_pressed(ctx: Ctx) -> None:
    """[Grant a role]: the group's guard has checked the administrator role."""
    await ctx.answer()
    await ctx.start_flow("grant", "who")


async def ask_who(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("Forward here a message from the person, or send their Telegram id (digits)."))
    )


async def receive_who(ctx: Ctx) -> None:
    if ctx.event.forwarded:
        if ctx.event.forwarded_from is None:
            await ctx.reply(
                ctx._(
                    N_(
                        "That person hides their account in forwarded messages. Please send their Telegram id instead."
                    )
                )
            )
            return
        ctx.data["who"] = ctx.event.forwarded_from
    else:
        digits = western_digits(clean_line(ctx.event.text))
        if not digits.isdecimal() or not 0 < int(digits) < TELEGRAM_ID_MAX:
            await ctx.reply(
                ctx._(N_("Please forward a message from the person, or send digits only."))
            )
            return
        ctx.data["who"] = int(digits)
    await ctx.goto("role")


async def ask_role(ctx: Ctx) -> None:
    member = await ctx.session.members.get(ctx.data["who"])
    who = escape(member.full_name or "") if member and member.full_name else str(ctx.data["who"])
    buttons = [ctx.button(ctx._(name), role) for role, name in ROLE_NAMES.items()]
    if member is not None and await ctx.session.questions.expert_profile(member.id):
        buttons.append(ctx.button("🎓 " + ctx._(N_("Remove expert status")), NOT_EXPERT))
    await ctx.reply(
        ctx._(N_("Which role for {name}?")).format(name=who),
        ctx.keyboard([*buttons, ctx.button(ctx._(N_("Cancel")), "cancel")]),
    )


async def role_chosen(ctx: Ctx) -> None:
    await ctx.clear_buttons()
    if ctx.value == NOT_EXPERT:
        await expert_removed(ctx)
        return
    if ctx.value not in ROLE_NAMES:
        ctx.end_flow()
        await ctx.reply(ctx._(N_("Cancelled. Send /help to see what you can do.")))
        return
    who, role = ctx.data["who"], ctx.value
    ctx.end_flow()
    try:
        granted = await grant_role(acting(ctx), who, role)
    except NotAllowed as refused:
        await refuse(ctx, refused.message)
        return
    except Invalid as invalid:
        await ctx.reply(ctx._(invalid.message).format(**invalid.params))
        return
    if not granted:
        await ctx.reply(ctx._(N_("They already have this role.")))
        return
    await staff_menu(ctx, who)
    await ctx.reply(ctx._(N_("Done: the role is granted.")))
    await show_roles(ctx)


async def expert_removed(ctx: Ctx) -> None:
    """[Remove expert status] at the role step (``handlers.questions.operations.remove_expert``)."""
    if not await is_admin(ctx):
        ctx.end_flow()
        return
    who = ctx.data["who"]
    ctx.end_flow()
    try:
        await remove_expert(acting(ctx), who)
    except NotAllowed as error:
        await refuse(ctx, error.message)
        return
    except Invalid as error:  # not an expert
        await ctx.reply(ctx._(error.message))
        return
    await ctx.reply(
        ctx._(N_("Done: they are no longer an expert; the questions offered to them move on."))
    )


async def staff_menu(ctx: Ctx, who: int) -> None:
    """The person's chat menu after a grant or a revoke: their strongest role's, or (with
    none left) back to the menu of their Telegram app's language."""
    role = await staff_role(ctx.session.staff, who)
    if role is None:
        await ctx.messenger.clear_commands(who)
        return
    member = await ctx.session.members.get(who)
    language = member.language if member else "en"
    await ctx.messenger.set_commands(ctx.menu(language, role), chat_id=who)


async def revoke_pressed(ctx: Ctx, code: str, who: int) -> None:
    """[Revoke] on the roles list: ``code`` names the role (``ROLE_CODES``)."""
    role = ROLES_BY_CODE.get(code)
    if role is None:
        await ctx.answer(ctx._(N_("That button is from an older message.")))
        return
    try:
        revoked = await revoke_role(acting(ctx), who, role)
    except NotAllowed as refused:
        await refuse(ctx, refused.message)
        return
    if revoked:
        await staff_menu(ctx, who)
        await ctx.answer(ctx._(N_("Done: the role is revoked.")))
    else:
        await ctx.answer(ctx._(N_("They no longer have this role.")))
    await ctx.clear_buttons()
    await show_roles(ctx)


grant_flow = Flow(
    "grant",
    {
        "who": Step(ask_who, N_("Please forward a message from the person, or send their Telegram id."), on_text=receive_who, next=("role",)),
        "role": Step(ask_role, N_("Please answer with one of the buttons."), on_button=role_chosen, ends=True),
    },
    entry=("who",),
)  # fmt: skip
