"""The profile questions as flow steps, shared by sign-up and /profile.

Each step reads and writes the draft in ``ctx.data["profile"]``. When a field is answered,
``field_done`` asks its follow-up (country after Abroad, frequency after "open to work") or
moves on: to the next question during sign-up, or back to the card when editing one field.
What happens at the card is up to the flow that owns the ``summary`` step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from bot.core.flow import Step
from bot.core.i18n import N_
from bot.core.keyboards import InlineKeyboard, RemoveKeyboard, ReplyButton, ReplyKeyboard
from bot.core.text import escape
from handlers.context import Ctx
from handlers.invalid import Invalid
from handlers.profile.labels import FREQUENCY_NAMES, ROLE_NAMES, location_name
from handlers.profile.rules import (
    fields_after,
    is_frequency,
    is_location,
    is_role,
    is_skill,
    next_field,
    parse_country,
    parse_name,
    parse_organisation,
    parse_phone,
    parse_years,
)
from handlers.tag_keyboard import DONE, tag_keyboard, toggle
from storage.seed.provinces import ABROAD, PROVINCES

SKIP = "skip"


def draft(ctx: Ctx) -> dict[str, Any]:
    return ctx.data.setdefault("profile", {})


async def field_done(ctx: Ctx) -> None:
    step = ctx.conversation.step or ""
    following = next_field(step, draft(ctx), editing=bool(ctx.data.get("editing")))
    await ctx.goto(following or "summary")


async def refuse(ctx: Ctx, error: Invalid) -> None:
    await ctx.reply(ctx._(error.message).format(**error.params))


def text_field(parse: Callable[[str], Any], key: str) -> Callable[[Ctx], Awaitable[None]]:
    async def on_text(ctx: Ctx) -> None:
        try:
            draft(ctx)[key] = parse(ctx.event.text)
        except Invalid as error:
            await refuse(ctx, error)
            return
        await field_done(ctx)

    return on_text


def current(ctx: Ctx, key: str) -> str:
    """A reminder of the present value when a member edits a field."""
    value = draft(ctx).get(key)
    if not ctx.data.get("editing") or value in (None, ""):
        return ""
    return "\n" + ctx._(N_("Now: {value}")).format(value=escape(str(value)))


# -- name --------------------------------------------------------------------------------
async def ask_name(ctx: Ctx) -> None:
    await ctx.reply(ctx._(N_("What is your full name?")) + current(ctx, "name"))


NAME = Step(ask_name, N_("Please type your full name."), on_text=text_field(parse_name, "name"))


# -- role --------------------------------------------------------------------------------
async def ask_role(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(label), slug) for slug, label in ROLE_NAMES.items()]
    await ctx.reply(ctx._(N_("What is your role?")), ctx.keyboard(buttons, 2))


def choice(key: str, valid: Callable[[str], bool]) -> Callable[[Ctx], Awaitable[None]]:
    """A button step: a valid value is stored under ``key`` and the flow moves on."""

    async def on_button(ctx: Ctx) -> None:
        if not valid(ctx.value):
            await ctx.reprompt()
            return
        draft(ctx)[key] = ctx.value
        if key == "province" and ctx.value != ABROAD:
            draft(ctx)["country"] = None
        await ctx.clear_buttons()
        await field_done(ctx)

    return on_button


ROLE = Step(
    ask_role,
    N_("Please choose your role with one of the buttons."),
    on_button=choice("role", is_role),
)


# -- organisation --------------------------------------------------------------------------
async def ask_organisation(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("Which organisation or school are you with? Type its name, or press Skip."))
        + current(ctx, "org"),
        ctx.keyboard([ctx.button(ctx._(N_("Skip")), SKIP)]),
    )


async def skip_organisation(ctx: Ctx) -> None:
    if ctx.value != SKIP:
        await ctx.reprompt()
        return
    draft(ctx)["org"] = None
    await ctx.clear_buttons()
    await field_done(ctx)


ORGANISATION = Step(
    ask_organisation,
    N_("Please type the name of your organisation or school, or press Skip."),
    on_text=text_field(parse_organisation, "org"),
    on_button=skip_organisation,
)


# -- location ------------------------------------------------------------------------------
async def ask_location(ctx: Ctx) -> None:
    buttons = [ctx.button(p.name(ctx.language), p.slug) for p in PROVINCES]
    buttons.append(ctx.button(ctx._(N_("Abroad")), ABROAD))
    await ctx.reply(
        ctx._(N_("Where do you live? Choose the capital or your province, or Abroad.")),
        ctx.keyboard(buttons, 2),
    )


LOCATION = Step(
    ask_location,
    N_("Please choose where you live with one of the buttons."),
    on_button=choice("province", is_location),
)


async def ask_country(ctx: Ctx) -> None:
    await ctx.reply(ctx._(N_("Which country do you live in?")) + current(ctx, "country"))


COUNTRY = Step(
    ask_country,
    N_("Please type the country you live in."),
    on_text=text_field(parse_country, "country"),
)


# -- skills (a toggle keyboard edited in place) --------------------------------------------
async def ask_skills(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("Which are your skills? Tap every one that fits, then press Done.")),
        await tag_keyboard(ctx, draft(ctx).get("skills", []), done_label(ctx)),
    )


def done_label(ctx: Ctx) -> str:
    return ctx._(N_("Done")) + " ✔️"


async def toggle_skill(ctx: Ctx) -> None:
    skills: list[str] = draft(ctx).setdefault("skills", [])
    if ctx.value == DONE:
        if not skills:
            await ctx.answer(ctx._(N_("Choose at least one skill, then press Done.")), alert=True)
            return
        await ctx.answer()
        await ctx.clear_buttons()
        await field_done(ctx)
        return
    if not is_skill(ctx.value):
        await ctx.reprompt()
        return
    await toggle(ctx, skills, done_label(ctx))


SKILLS = Step(
    ask_skills,
    N_("Please tap the buttons to choose your skills, then press Done."),
    on_button=toggle_skill,
)


# -- years of experience -------------------------------------------------------------------
async def ask_years(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "How many years of experience do you have in digital technology? Send a number, for example 3."
            )
        )
        + current(ctx, "years")
    )


YEARS = Step(
    ask_years,
    N_("Please send a number of years, for example 3."),
    on_text=text_field(parse_years, "years"),
)


# -- yes/no questions ----------------------------------------------------------------------
def yes_no_buttons(ctx: Ctx) -> InlineKeyboard:
    return ctx.keyboard([ctx.button(ctx._(N_("Yes")), "yes"), ctx.button(ctx._(N_("No")), "no")])


def yes_no_choice(key: str) -> Callable[[Ctx], Awaitable[None]]:
    async def on_button(ctx: Ctx) -> None:
        if ctx.value not in ("yes", "no"):
            await ctx.reprompt()
            return
        draft(ctx)[key] = ctx.value == "yes"
        if key == "open" and ctx.value == "no":
            draft(ctx)["freq"] = "off"
        await ctx.clear_buttons()
        await field_done(ctx)

    return on_button


async def ask_open(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_("Are you open to job opportunities? We can send you jobs that match your skills.")
        ),
        yes_no_buttons(ctx),
    )


OPEN = Step(
    ask_open, N_("Please answer with the Yes or No button."), on_button=yes_no_choice("open")
)


async def ask_frequency(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(label), slug) for slug, label in FREQUENCY_NAMES.items()]
    await ctx.reply(ctx._(N_("How often should we send you job alerts?")), ctx.keyboard(buttons, 2))


FREQUENCY = Step(
    ask_frequency,
    N_("Please choose how often with one of the buttons."),
    on_button=choice("freq", is_frequency),
)


async def ask_area(ctx: Ctx) -> None:
    d = draft(ctx)
    place = escape(location_name(ctx.t, d.get("province"), d.get("country")))
    question = (
        ctx._(
            N_(
                "Which jobs should the alerts bring: jobs from anywhere, or only jobs abroad and remote jobs?"
            )
        )
        if d.get("province") == ABROAD
        else ctx._(
            N_(
                "Which jobs should the alerts bring: jobs from anywhere, or only jobs in your area ({place}) and remote jobs?"
            )
        ).format(place=place)
    )
    await ctx.reply(
        question,
        ctx.keyboard(
            [
                ctx.button(ctx._(N_("From anywhere")), "any"),
                ctx.button(ctx._(N_("My area and remote")), "mine"),
            ],
            1,
        ),
    )


async def area_chosen(ctx: Ctx) -> None:
    if ctx.value not in ("any", "mine"):
        await ctx.reprompt()
        return
    draft(ctx)["area"] = ctx.value == "mine"
    await ctx.clear_buttons()
    await field_done(ctx)


AREA = Step(ask_area, N_("Please answer with one of the buttons."), on_button=area_chosen)


async def ask_visible(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "Show you in the member directory? Other members would see your name, role, organisation, skills and province, never your contacts."
            )
        ),
        yes_no_buttons(ctx),
    )


async def visible_chosen(ctx: Ctx) -> None:
    if ctx.value == "yes" and await hidden_by_moderators(ctx):
        await ctx.clear_buttons()
        await ctx.reply(ctx._(HIDDEN_BY_MODERATORS))
        draft(ctx)["visible"] = False
        await field_done(ctx)
        return
    await yes_no_choice("visible")(ctx)


async def hidden_by_moderators(ctx: Ctx) -> bool:
    member = await ctx.member()  # None while signing up
    return member is not None and await ctx.session.community.hidden_by_moderators(member.id)


HIDDEN_BY_MODERATORS = N_(
    "Moderators have hidden your profile from the member directory after a report, so it stays hidden."
)
VISIBLE = Step(
    ask_visible, N_("Please answer with the Yes or No button."), on_button=visible_chosen
)


# -- phone (Telegram's contact button) -----------------------------------------------------
async def ask_phone(ctx: Ctx) -> None:
    share = ReplyKeyboard(((ReplyButton(ctx._(N_("📱 Share my phone number")), True),),))
    await ctx.reply(
        ctx._(
            N_(
                "You may share your phone number with the button below, or type it (for example 012 345 678). It is optional: a company sees it only when you apply for one of its jobs."
            )
        ),
        share,
    )
    await ctx.reply(
        ctx._(N_("Prefer not to share it?")),
        ctx.keyboard([ctx.button(ctx._(N_("Skip")), SKIP)]),
    )


async def receive_contact(ctx: Ctx) -> None:
    if ctx.event.contact_user_id != ctx.user_id:  # someone else's card, or no Telegram user
        await ctx.reply(ctx._(N_("Please share your own number with the button, or press Skip.")))
        return
    shared = ctx.event.contact_phone
    try:  # Telegram sends "85512345678" or "+855…": stored as a typed one is
        phone = parse_phone(shared if shared.startswith("+") else "+" + shared)
    except Invalid:
        phone = shared[:32]
    draft(ctx)["phone"] = phone
    await ctx.reply(ctx._(N_("Thank you, your phone number is saved.")), RemoveKeyboard())
    await field_done(ctx)


async def receive_phone_text(ctx: Ctx) -> None:
    """A number typed instead of shared: checked (``rules.parse_phone``) and stored in
    E.164; anything else is refused with the forms to send."""
    try:
        phone = parse_phone(ctx.event.text)
    except Invalid as error:
        await ctx.reply(ctx._(error.message))
        return
    draft(ctx)["phone"] = phone
    await ctx.reply(
        ctx._(N_("Thank you, your phone number {phone} is saved.")).format(phone=phone),
        RemoveKeyboard(),
    )
    await field_done(ctx)


async def skip_phone(ctx: Ctx) -> None:
    if ctx.value != SKIP:
        await ctx.reprompt()
        return
    draft(ctx)["phone"] = None
    await ctx.clear_buttons()
    await ctx.reply(ctx._(N_("No phone number kept.")), RemoveKeyboard())
    await field_done(ctx)


PHONE = Step(
    ask_phone,
    N_("Please press “Share my phone number” below, type your number, or press Skip."),
    on_text=receive_phone_text,
    on_button=skip_phone,
    on_contact=receive_contact,
)


_FIELD_STEPS: dict[str, Step] = {
    "name": NAME,
    "role": ROLE,
    "org": ORGANISATION,
    "location": LOCATION,
    "country": COUNTRY,
    "skills": SKILLS,
    "years": YEARS,
    "open": OPEN,
    "freq": FREQUENCY,
    "area": AREA,
    "visible": VISIBLE,
    "phone": PHONE,
}
# Each field goes where ``field_done`` (``next_field``) may send it; the owning flow has the
# ``summary`` step.
FIELD_STEPS: dict[str, Step] = {
    name: replace(step, next=fields_after(name)) for name, step in _FIELD_STEPS.items()
}
