"""Sign-up: /start, language, consent, the profile questions, summary and confirm.

Nothing is stored as a member until the summary is confirmed; until then the answers live in
the conversation row, so a sign-up resumes where it stopped after the member leaves or the
bot restarts. Declining consent or /cancel keeps nothing. Someone who erased their data
signs up again only a day later (handlers.profile.cooldown), checked at /start and at
Confirm.

A deep link (``/start PAYLOAD``, handlers.outreach.payload) is kept in the conversation
through the sign-up: the registered source the newcomer came by is stored with the member,
and the job, event, competition or item it names is shown right after Confirm (a check-in
link checks them in). A member gets the thing at once.

Steps (flow ``signup``)::

    language → consent → name → role → org → location [→ country] → skills → years
             → open [→ freq] → visible → phone → summary → (member created)
"""

from __future__ import annotations

from datetime import datetime

from bot.core.dispatch import Router
from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from bot.core.text import escape
from handlers.context import Ctx, menu_for
from handlers.outreach.arrival import arrive
from handlers.outreach.payload import Arrival, read_payload
from handlers.profile.card import show_card
from handlers.profile.cooldown import COOLDOWN, own_erased_key, refused_after_erasure
from handlers.profile.draft import apply_draft, is_complete
from handlers.profile.fields import FIELD_STEPS, draft
from handlers.profile.labels import LANGUAGE_NAMES
from storage.models import Member

router = Router("signup")

CONFIRM = "confirm"
ARRIVAL = "arrival"  # the deep link's payload, read (handlers.outreach.payload)


@router.command("start", N_("Start, or continue signing up"))
async def start(ctx: Ctx) -> None:
    arrival = read_payload(ctx.event.args)
    member = await ctx.member()
    if member is not None and arrival is not None and arrival.target is not None:
        await arrive(ctx, arrival)
        return
    if member is not None:
        await ctx.reply(
            ctx._(N_("Welcome back, {name}! Send /help to see what you can do.")).format(
                name=escape(member.full_name or "")
            )
        )
        await ctx.reprompt()
        return
    if await refused_after_erasure(ctx):  # a day after /deleteme (handlers.profile.cooldown)
        return
    if arrival is not None and arrival.source is not None:
        if await ctx.session.outreach.link(arrival.source) is None:
            arrival = None  # only registered sources are counted: anyone can type a link
    if ctx.conversation.flow == "signup":
        if arrival is not None:
            ctx.data[ARRIVAL] = arrival.to_json()
        await ctx.reply(ctx._(N_("Welcome back! Let's continue your sign-up where you stopped.")))
        await ctx.reprompt()
        return
    data = {ARRIVAL: arrival.to_json()} if arrival is not None else {}
    if ctx.conversation.language:  # chosen with /language already
        await ctx.start_flow("signup", "consent", data)
    else:
        await ctx.start_flow("signup", "language", data)


# -- language and consent --------------------------------------------------------------
async def ask_language(ctx: Ctx) -> None:
    buttons = [ctx.button(name, code) for code, name in LANGUAGE_NAMES.items()]
    await ctx.reply(
        ctx._(
            N_(
                "Welcome to DCC Bot, the Digital Community of Cambodia of the Ministry of Post and Telecommunications!"
            )
        )
        + "\n\n"
        + ctx._(N_("Which language do you prefer?")),
        ctx.keyboard(buttons),
    )


async def choose_language(ctx: Ctx) -> None:
    if ctx.value not in LANGUAGE_NAMES:
        await ctx.reprompt()
        return
    ctx.conversation.language = ctx.value
    ctx.use_language(ctx.value)
    await ctx.clear_buttons()
    await ctx.messenger.set_commands(await menu_for(ctx, ctx.value), chat_id=ctx.event.chat_id)
    await ctx.goto("consent")


async def ask_consent(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "<b>Before we start: your data</b>\nWe store what you tell us here (name, role, organisation, location, skills, experience, job preferences and, if you choose, your phone number) to connect you with experts, jobs and news of the community. Other members see your profile only if you choose to be in the directory, and never your contacts. The Ministry of Post and Telecommunications manages the data. You can see it with /mydata and erase it with /deleteme at any time.\n\nDo you agree?"
            )
        ),
        ctx.keyboard(
            [ctx.button(ctx._(N_("I agree")), "yes"), ctx.button(ctx._(N_("No, thanks")), "no")]
        ),
    )


async def answer_consent(ctx: Ctx) -> None:
    if ctx.value not in ("yes", "no"):
        await ctx.reprompt()
        return
    await ctx.clear_buttons()
    if ctx.value == "no":
        await ctx.forget_user()
        await ctx.reply(
            ctx._(
                N_("Understood: nothing about you was kept. Send /start if you change your mind.")
            )
        )
        return
    ctx.data["consent_at"] = ctx.clock.now().isoformat()
    await ctx.goto("name")


# -- summary and confirmation ----------------------------------------------------------
async def ask_confirmation(ctx: Ctx) -> None:
    ctx.data["editing"] = True
    await show_card(
        ctx,
        ctx._(N_("Please check your profile. Tap a field to change it, or confirm.")),
        ("✅ " + ctx._(N_("Confirm")), CONFIRM),
    )


async def edit_or_confirm(ctx: Ctx) -> None:
    if ctx.value.startswith("edit-") and ctx.value[5:] in FIELD_STEPS:
        await ctx.clear_buttons()
        await ctx.goto(ctx.value[5:])
        return
    if ctx.value != CONFIRM:
        await ctx.reprompt()
        return
    profile = draft(ctx)
    if not is_complete(profile):  # only a hand-edited database gets here; ask again
        ctx.data["editing"] = False
        await ctx.goto("name")
        return
    now = ctx.clock.now()
    consent = ctx.data.get("consent_at")
    arrival = Arrival.from_json(ctx.data.get(ARRIVAL))
    member = Member(
        telegram_id=ctx.user_id,
        username=ctx.event.user.username,
        language=ctx.language,
        consent_at=datetime.fromisoformat(consent) if consent else now,
        created_at=now,
        source=arrival.source if arrival is not None else None,
    )
    apply_draft(member, profile, now)
    stored = await ctx.session.members.add_unless_erased(
        member, own_erased_key(ctx), now - COOLDOWN
    )
    if stored is None:  # erased less than a day ago: the answers wait on the summary
        await refused_after_erasure(ctx)
        return
    member = stored
    ctx.remember_member(member)
    await ctx.session.members.set_skills(member.id, profile["skills"], new=True)
    ctx.end_flow()
    ctx.conversation.language = None  # the member row holds it from now on
    await ctx.clear_buttons()
    await ctx.reply(
        ctx._(
            N_(
                "Welcome to the Digital Community of Cambodia, {name}! Your profile is saved.\n\nSend /help to see what you can do, or /profile to change your profile."
            )
        ).format(name=escape(member.full_name or ""))
    )
    if arrival is not None and arrival.target is not None:
        await arrive(ctx, arrival)


signup = router.flow(
    Flow(
        "signup",
        {
            "language": Step(
                ask_language,
                N_("Please choose a language with one of the buttons."),
                on_button=choose_language,
                next=("consent",),
            ),
            "consent": Step(
                ask_consent,
                N_("Please answer with one of the buttons: I agree, or No, thanks."),
                on_button=answer_consent,
                next=("name",),
                ends=True,
            ),
            **FIELD_STEPS,
            "summary": Step(
                ask_confirmation,
                N_("Please tap a field to change it, or Confirm."),
                on_button=edit_or_confirm,
                next=tuple(FIELD_STEPS),
                ends=True,
            ),
        },
        entry=("language", "consent"),
    )
)
