"""An expert's settings in /profile: availability, quiet hours, question cap, anonymity.

They are steps of the ``profile`` flow; each answer is saved at once and the card shown
again. Only members with an expert profile see the buttons, each step checks it too, and
the write itself (``update_expert_settings``) holds only while they are an expert. Expert
status is not set here: ``handlers.questions.operations`` grants and removes it.
"""

from __future__ import annotations

from bot.core.flow import Step
from bot.core.i18n import N_, Translator
from bot.core.text import escape
from handlers.context import Ctx
from handlers.invalid import Invalid
from handlers.profile.rules import parse_quiet_hours
from storage.models import ExpertProfile

CAPS = ("1", "2", "3", "5", "10")
EXPERT_BUTTONS = (
    ("avail", N_("Availability")),
    ("quiet", N_("Quiet hours")),
    ("cap", N_("Question limit")),
    ("anon", N_("Name on answers")),
)


def expert_lines(t: Translator, profile: ExpertProfile, tags: str) -> list[tuple[str, str]]:
    _ = t.gettext
    quiet = (
        f"{profile.quiet_start}–{profile.quiet_end}"
        if profile.quiet_start and profile.quiet_end and profile.quiet_start != profile.quiet_end
        else _(N_("none"))
    )
    return [
        (_(N_("Expert for")), escape(tags)),
        (_(N_("Availability")), _(N_("Available")) if profile.available else _(N_("Away"))),
        (_(N_("Quiet hours")), quiet),
        (_(N_("Open questions at most")), t.number(profile.cap)),
        (_(N_("Name on answers")), _(N_("Anonymous")) if profile.anonymous else _(N_("Shown"))),
    ]


async def _profile(ctx: Ctx) -> ExpertProfile | None:
    member = await ctx.member()
    return await ctx.session.questions.expert_profile(member.id) if member else None


async def _save(ctx: Ctx, profile: ExpertProfile, **values: object) -> None:
    """Saved, and the card shown again; back to the card, unsaved, when their expert status
    was taken away meanwhile (the write's own condition)."""
    if not await ctx.session.questions.update_expert_settings(profile.member_id, **values):
        await ctx.goto("summary")
        return
    await ctx.clear_buttons()
    await ctx.reply(ctx._(N_("Saved.")))
    await ctx.goto("summary")


async def ask_availability(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("Can you take new questions now? While you are away, none are sent to you.")),
        ctx.keyboard(
            [ctx.button(ctx._(N_("Available")), "yes"), ctx.button(ctx._(N_("Away")), "no")]
        ),
    )


async def choose_availability(ctx: Ctx) -> None:
    profile = await _profile(ctx)
    if profile is None or ctx.value not in ("yes", "no"):
        await ctx.goto("summary")
        return
    await _save(ctx, profile, available=ctx.value == "yes")


async def ask_quiet(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "When should questions wait until morning? Send your quiet hours as from-to in Cambodia time, for example 21:00-07:00, or press No quiet hours."
            )
        ),
        ctx.keyboard([ctx.button(ctx._(N_("No quiet hours")), "none")]),
    )


async def quiet_typed(ctx: Ctx) -> None:
    profile = await _profile(ctx)
    if profile is None:
        await ctx.goto("summary")
        return
    try:
        start, end = parse_quiet_hours(ctx.event.text)
    except Invalid as error:
        await ctx.reply(ctx._(error.message))
        return
    await _save(ctx, profile, quiet_start=start, quiet_end=end)


async def no_quiet(ctx: Ctx) -> None:
    profile = await _profile(ctx)
    if profile is not None and ctx.value == "none":
        await _save(ctx, profile, quiet_start=None, quiet_end=None)
    else:
        await ctx.goto("summary")


async def ask_cap(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("How many unanswered questions may wait for you at once?")),
        ctx.keyboard([ctx.button(c, c) for c in CAPS], 5),
    )


async def choose_cap(ctx: Ctx) -> None:
    profile = await _profile(ctx)
    if profile is None or ctx.value not in CAPS:
        await ctx.goto("summary")
        return
    await _save(ctx, profile, cap=int(ctx.value))


async def ask_anonymity(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("Should members see your name on your answers, or “an expert”?")),
        ctx.keyboard(
            [
                ctx.button(ctx._(N_("Show my name")), "name"),
                ctx.button(ctx._(N_("Anonymous")), "anon"),
            ]
        ),
    )


async def choose_anonymity(ctx: Ctx) -> None:
    profile = await _profile(ctx)
    if profile is None or ctx.value not in ("name", "anon"):
        await ctx.goto("summary")
        return
    await _save(ctx, profile, anonymous=ctx.value == "anon")


BACK = ("summary",)  # each setting goes back to the profile card
EXPERT_STEPS = {
    "avail": Step(ask_availability, N_("Please answer with one of the buttons."), on_button=choose_availability, next=BACK),
    "quiet": Step(
        ask_quiet,
        N_("Please send the hours as from-to, for example 21:00-07:00."),
        on_text=quiet_typed,
        on_button=no_quiet,
        next=BACK,
    ),
    "cap": Step(ask_cap, N_("Please answer with one of the buttons."), on_button=choose_cap, next=BACK),
    "anon": Step(ask_anonymity, N_("Please answer with one of the buttons."), on_button=choose_anonymity, next=BACK),
}  # fmt: skip
