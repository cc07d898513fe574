"""Staff roles in the bot: who is a moderator or an administrator; grant a role (forward a
message from the person, or type their Telegram id) and revoke one.

Flow ``grant``: who → role. Being an administrator is checked at every step's action, and
an administrator cannot take away their own administrator role (nobody locks themselves
out; ``DCC_ADMIN_IDS`` gives the role back at each start anyway). For an expert the role
step also offers [Remove expert status].
"""

from __future__ import annotations

from functools import partial

from bot.config import TELEGRAM_ID_MAX
from bot.core.flow import Flow, Step
from bot.core.i18n import N_, Translator
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import clean_line, escape, western_digits
from handlers.acting import NotAllowed
from handlers.context import Ctx, acting, is_admin, refuse, staff_role
from handlers.invalid import Invalid
from handlers.notices import notify
from handlers.questions.operations import remove_expert

PREFIX = "ad"
ROLE_NAMES = {"admin": N_("Administrator"), "moderator": N_("Moderator")}
ROLE_CODES = {"admin": "a", "moderator": "m"}  # in callback data
NOT_EXPERT = "not-expert"  # the role step's value for taking expert status away


async def show_roles(ctx: Ctx) -> None:
    lines = ["👥 <b>" + ctx._(N_("Staff roles")) + "</b>"]
    buttons = []
    for staff in await ctx.session.staff.everyone():
        member = await ctx.session.members.get(staff.telegram_id)
        who = escape(member.full_name or "") if member and member.full_name else "—"
        role = ctx._(ROLE_NAMES.get(staff.role, staff.role))
        lines.append(f"{role}: {who} ({staff.telegram_id})")
        buttons.append(
            Button(
                "✖️ " + ctx._(N_("Revoke")) + f" {role} {staff.telegram_id}",
                f"{PREFIX}:rv:{ROLE_CODES.get(staff.role, 'm')}:{staff.telegram_id}",
            )
        )
    buttons.append(Button("➕ " + ctx._(N_("Grant a role")), f"{PREFIX}:grant"))
    await ctx.reply("\n".join(lines), InlineKeyboard.columns(buttons, 1))


async def grant_pressed(ctx: Ctx) -> None:
    if await is_admin(ctx):
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
    if not await is_admin(ctx):
        ctx.end_flow()
        return
    who, role = ctx.data["who"], ctx.value
    ctx.end_flow()
    if not await ctx.session.staff.grant(who, role, granted_by=ctx.user_id):
        await ctx.reply(ctx._(N_("They already have this role.")))
        return
    member = await ctx.session.members.get(who)
    await staff_menu(ctx, who)
    if member is not None:
        await notify(
            ctx.session, ctx.translators, who, member.language,
            partial(new_role_message, role=role), ctx.clock.now(),
            dedupe_key=f"role:{role}:{who}:{ctx.event.update_id}",
        )  # fmt: skip
    await ctx.reply(ctx._(N_("Done: the role is granted.")))
    await show_roles(ctx)


NEW_ROLE = {
    "admin": N_("You are now an administrator of DCC Bot. Send /admin to open the console."),
    "moderator": N_(
        "You are now a moderator of DCC Bot: reports on questions, answers and profiles will reach you here, and /reports lists those waiting and the members hidden from the directory."
    ),
}


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


def new_role_message(t: Translator, role: str) -> tuple[str, None]:
    return t.gettext(NEW_ROLE[role]), None


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


async def revoke_pressed(ctx: Ctx) -> None:
    """``value``: a|m:TELEGRAM_ID."""
    if not await is_admin(ctx):
        return
    code, _, raw = ctx.value.partition(":")
    roles = {c: r for r, c in ROLE_CODES.items()}
    if code not in roles or not raw.isdecimal() or not 0 < int(raw) < TELEGRAM_ID_MAX:
        await ctx.answer(ctx._(N_("That button is from an older message.")))
        return
    role, who = roles[code], int(raw)
    if role == "admin" and who == ctx.user_id:
        await ctx.answer(ctx._(N_("You cannot take away your own administrator role.")), alert=True)
        return
    if await ctx.session.staff.revoke(who, role, revoked_by=ctx.user_id):
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
