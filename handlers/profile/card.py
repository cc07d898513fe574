"""The profile card: the sign-up summary and /profile show the same thing."""

from __future__ import annotations

from typing import Any

from bot.core.i18n import N_, Translator
from bot.core.text import escape
from handlers.context import Ctx
from handlers.profile.fields import draft
from handlers.profile.labels import frequency_name, location_name, role_name, yes_no
from storage.seed.provinces import ABROAD

# Field → the button label that edits it (country and alert frequency ride along).
EDIT_BUTTONS = (
    ("name", N_("Name")),
    ("role", N_("Role")),
    ("org", N_("Organisation")),
    ("location", N_("Location")),
    ("skills", N_("Skills")),
    ("years", N_("Experience")),
    ("open", N_("Job alerts")),
    ("visible", N_("Directory")),
    ("phone", N_("Phone")),
)


def render_card(
    t: Translator,
    draft: dict[str, Any],
    skill_names: list[str],
    extra: list[tuple[str, str]] | None = None,
) -> str:
    """HTML; every member-typed value is escaped."""
    _ = t.gettext
    none = "—"
    frequency = frequency_name(t, draft.get("freq"))
    if not draft.get("open"):
        jobs = _(N_("No"))
    elif draft.get("area") and draft.get("freq") != "off" and draft.get("province") == ABROAD:
        # "jobs abroad", never "jobs in Abroad: Japan": the filter is abroad, any country
        jobs = _(N_("Yes ({frequency}; jobs abroad and remote jobs only)")).format(
            frequency=frequency
        )
    elif draft.get("area") and draft.get("freq") != "off":
        place = location_name(t, draft.get("province"), draft.get("country"))
        jobs = _(N_("Yes ({frequency}; jobs in {place} and remote jobs only)")).format(
            frequency=frequency, place=escape(place)
        )
    else:
        jobs = _(N_("Yes ({frequency})")).format(frequency=frequency)
    lines = [
        (_(N_("Name")), escape(draft.get("name") or none)),
        (_(N_("Role")), role_name(t, draft.get("role"))),
        (_(N_("Organisation")), escape(draft.get("org") or none)),
        (_(N_("Location")), escape(location_name(t, draft.get("province"), draft.get("country")))),
        (_(N_("Skills")), escape(", ".join(skill_names)) or none),
        (
            _(N_("Years of experience")),
            none if draft.get("years") is None else t.number(draft["years"]),
        ),
        (_(N_("Open to job opportunities")), jobs),
        (_(N_("Visible in the member directory")), yes_no(t, bool(draft.get("visible")))),
        (_(N_("Phone")), escape(draft.get("phone") or _(N_("Not shared")))),
    ]
    lines += extra or []
    line = _(N_("<b>{label}:</b> {value}"))  # Khmer writes ៖ where English writes a colon
    return "\n".join(line.format(label=label, value=value) for label, value in lines)


async def skill_names(ctx: Ctx, slugs: list[str]) -> list[str]:
    """The names of the chosen skills in the member's language, in taxonomy order."""
    chosen = set(slugs)
    return [t.name(ctx.language) for t in await ctx.session.tags.all() if t.slug in chosen]


async def show_card(
    ctx: Ctx,
    title: str,
    final: tuple[str, str],
    extra: list[tuple[str, str]] | None = None,
    extra_buttons: tuple[tuple[str, str], ...] = (),
) -> None:
    """The card with one edit button a field and the flow's final button."""
    profile = draft(ctx)
    fields = (*EDIT_BUTTONS, *extra_buttons)
    edit = [ctx.button("✏️ " + ctx._(label), f"edit-{field}") for field, label in fields]
    keyboard = ctx.keyboard([*edit, ctx.button(*final)], 2)
    card = render_card(ctx.t, profile, await skill_names(ctx, profile.get("skills", [])), extra)
    await ctx.reply(f"<b>{title}</b>\n\n{card}", keyboard)
