"""Audiences as the admin chooses them (buttons) and the operator writes them (CLI)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.buttons import ROW
from bot.core.i18n import N_, Translator
from handlers.profile.labels import ROLE_NAMES, role_name
from storage.broadcasts import Audience
from storage.models import Tag
from storage.seed.choices import ROLES
from storage.seed.provinces import BY_SLUG
from storage.seed.tags import SLUGS

SPEC_HELP = "all, role:SLUG, province:SLUG, tag:SLUG, attended:EVENT, experts or companies"


def parse_audience(specs: Iterable[str]) -> Audience:
    """``["role:student", "province:siem-reap"]`` → students in Siem Reap; ValueError on a
    spec that is not understood (its message is one line for the CLI)."""
    roles: list[str] = []
    provinces: list[str] = []
    tags: list[str] = []
    attended: list[int] = []
    experts = companies = False
    for raw in specs:
        spec = raw.strip().lower()
        kind, _, value = spec.partition(":")
        if spec == "all":
            continue
        if spec == "experts":
            experts = True
        elif spec in ("companies", "company-representatives"):
            companies = True
        elif kind == "role" and value in ROLES:
            roles.append(value)
        elif kind == "province" and (value in BY_SLUG or value == "abroad"):
            provinces.append(value)
        elif kind == "tag" and value in SLUGS:
            tags.append(value)
        elif kind == "attended" and ROW.read(value) is not None:
            attended.append(int(value))  # the event's number; checked by the operation
        else:
            raise ValueError(f"audience {raw!r} is not one of {SPEC_HELP} with a known slug")
    return Audience(
        tuple(roles), tuple(provinces), tuple(tags), experts, companies, tuple(attended)
    )


def describe(t: Translator, audience: Audience, tags: list[Tag]) -> str:
    """The audience in words, in ``t``'s language (plain text: every part is ours)."""
    if audience == Audience():
        return t.gettext(N_("All members"))
    parts = []
    if audience.roles:
        parts.append(", ".join(role_name(t, r) for r in audience.roles if r in ROLE_NAMES))
    if audience.provinces:
        parts.append(
            ", ".join(
                BY_SLUG[p].name(t.language) if p in BY_SLUG else t.gettext(N_("Abroad"))
                for p in audience.provinces
            )
        )
    if audience.tags:
        names = {tag.slug: tag.name(t.language) for tag in tags}
        parts.append(", ".join(names.get(s, s) for s in audience.tags))
    if audience.attended:
        parts.append(
            t.gettext(N_("attended event {events}")).format(
                events=", ".join(t.digits(f"#{number}") for number in audience.attended)
            )
        )
    if audience.experts:
        parts.append(t.gettext(N_("experts")))
    if audience.companies:
        parts.append(t.gettext(N_("company representatives")))
    return " · ".join(parts)
