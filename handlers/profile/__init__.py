"""A member's own data: /profile (see and edit), /mydata (a JSON copy), /deleteme (erase).

Steps (flow ``profile``): summary (the card with edit buttons) → any field step → summary;
each answered field is saved at once. Flow ``deleteme``: confirm.
"""

from __future__ import annotations

import json

from bot.core.dispatch import Router
from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from handlers.context import Ctx, signing_up
from handlers.profile.card import show_card, skill_names
from handlers.profile.cooldown import COOLDOWN, local_moment, own_erased_key
from handlers.profile.draft import apply_draft, draft_of
from handlers.profile.erasure import erase
from handlers.profile.expert_settings import EXPERT_BUTTONS, EXPERT_STEPS, expert_lines
from handlers.profile.fields import FIELD_STEPS, draft

router = Router("profile")

CLOSE = "close"


async def _require_member(ctx: Ctx) -> bool:
    if await ctx.member() is not None:
        return True
    if not await signing_up(ctx):
        await ctx.reply(ctx._(N_("You have not signed up yet. Send /start to join.")))
    return False


@router.command("profile", N_("See and edit your profile"))
async def profile(ctx: Ctx) -> None:
    member = await ctx.member()
    if not await _require_member(ctx) or member is None:
        return
    skills = await ctx.session.members.skills(member.id)
    await ctx.start_flow("profile", "summary", {"profile": draft_of(member, skills)})


async def show_profile(ctx: Ctx) -> None:
    """Save what the last step changed, then show the card again."""
    member = await ctx.member()
    if member is None:  # erased meanwhile
        ctx.end_flow()
        return
    profile = draft(ctx)
    if ctx.data.pop("editing", False):
        apply_draft(member, profile, ctx.clock.now())
        if member.directory_visible and await ctx.session.community.hidden_by_moderators(
            member.id
        ):  # hidden while this edit was open: the moderators' decision stands
            member.directory_visible = profile["visible"] = False
        await ctx.session.members.set_skills(member.id, profile.get("skills", []))
        await ctx.reply(ctx._(N_("Saved.")))
    extra = [(ctx._(N_("Reputation")), ctx.t.number(member.reputation))]
    buttons: tuple[tuple[str, str], ...] = ()
    expert = await ctx.session.questions.expert_profile(member.id)
    if expert is not None:
        tags = await skill_names(ctx, await ctx.session.questions.expert_tags(member.id))
        extra += expert_lines(ctx.t, expert, ", ".join(tags))
        buttons = EXPERT_BUTTONS
    await show_card(
        ctx, ctx._(N_("Your profile")), ("✔️ " + ctx._(N_("Close")), CLOSE), extra, buttons
    )


async def edit_or_close(ctx: Ctx) -> None:
    await ctx.clear_buttons()
    if ctx.value == CLOSE:
        ctx.end_flow()
        await ctx.reply(ctx._(N_("Your profile is up to date. Send /help to see what you can do.")))
        return
    field = ctx.value.removeprefix("edit-")
    if field in EXPERT_STEPS:
        member = await ctx.member()
        if member is None or await ctx.session.questions.expert_profile(member.id) is None:
            await ctx.answer(ctx._(N_("Only experts have these settings.")), alert=True)
            await ctx.reprompt()
            return
        await ctx.goto(field)
        return
    if field not in FIELD_STEPS:
        await ctx.reprompt()
        return
    ctx.data["editing"] = True
    await ctx.goto(field)


router.flow(
    Flow(
        "profile",
        {
            **FIELD_STEPS,
            **EXPERT_STEPS,
            "summary": Step(
                show_profile,
                N_("Please tap a field to change it, or Close."),
                on_button=edit_or_close,
                next=(*FIELD_STEPS, *EXPERT_STEPS),
                ends=True,
            ),
        },
        entry=("summary",),
    )
)


@router.command("mydata", N_("Get a copy of your data"))
async def my_data(ctx: Ctx) -> None:
    member = await ctx.member()
    if not await _require_member(ctx) or member is None:
        return
    data = await ctx.session.members.personal_data(member)
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await ctx.messenger.send_document(
        ctx.event.chat_id,
        "dcc-my-data.json",
        content,
        ctx._(N_("Everything DCC Bot stores about you. /deleteme erases it.")),
    )


# -- /deleteme ---------------------------------------------------------------------------
@router.command("deleteme", N_("Erase your personal data"))
async def delete_me(ctx: Ctx) -> None:
    if await ctx.member() is None:
        if ctx.conversation.flow == "signup":
            await ctx.forget_user()
            await ctx.reply(
                ctx._(N_("Your unfinished sign-up is erased. Nothing about you is kept."))
            )
        else:
            await ctx.reply(ctx._(N_("There is no profile to erase: nothing about you is stored.")))
        return
    await ctx.start_flow("deleteme", "confirm")


async def ask_delete(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "This erases your profile: name, organisation, location, skills, preferences and phone number, and with it your expert profile, your place as a company representative and your job applications not answered yet. Questions and answers you wrote stay in the community without your name. This cannot be undone.\n\nErase your data?"
            )
        ),
        ctx.keyboard(
            [
                ctx.button(ctx._(N_("Yes, erase my data")), "yes"),
                ctx.button(ctx._(N_("No, keep it")), "no"),
            ],
            1,
        ),
    )


async def confirm_delete(ctx: Ctx) -> None:
    if ctx.value not in ("yes", "no"):
        await ctx.reprompt()
        return
    await ctx.clear_buttons()
    member = await ctx.member()
    if ctx.value == "no" or member is None:
        ctx.end_flow()
        await ctx.reply(ctx._(N_("Nothing was erased.")))
        return
    language, now = ctx.language, ctx.clock.now()
    await erase(ctx.session, member, now, own_erased_key(ctx))
    ctx.remember_member(None)
    await ctx.forget_user()
    ctx.use_language(language)
    await ctx.reply(
        ctx._(
            N_(
                "Your personal data is erased. Thank you for being part of the community. You can send /start to join again from {time}."
            )
        ).format(time=local_moment(ctx, now + COOLDOWN))
    )


router.flow(
    Flow(
        "deleteme",
        {
            "confirm": Step(
                ask_delete,
                N_("Please answer with one of the buttons."),
                on_button=confirm_delete,
                ends=True,
            )
        },
        entry=("confirm",),
    )
)
