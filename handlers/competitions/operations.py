"""What administrators do to competitions, whichever surface asks: create one, and edit one
while its entries are open (today /newcompetition's flow and the card's [Edit the
competition], next the web console).

Each checks the administrator role first, then the terms as the flow does: both titles and
both rules, both prizes, at least one topic, a deadline still to come (at most a year ahead),
the entries per member (1, 3 or no limit), and at least one judge who is still an
administrator or an expert. An ``Invalid`` names the term refused in ``params["field"]``
(the flow's step for it), so the chat can ask for that term again. The caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

from bot.core.i18n import N_
from bot.core.text import clean_line, clean_text, telegram_length
from handlers.acting import Acting
from handlers.competitions.cards import PRIZES_MAX, RULES_MAX, TITLE_MAX, changed_notice
from handlers.competitions.rules import ENTRY_LIMITS, open_for_changes, reminder_due_times
from handlers.dates import MOMENT_PAST, MOMENT_TOO_FAR
from handlers.invalid import Invalid
from handlers.notices import notify_member
from storage.models import Competition
from storage.seed.tags import SLUGS

CLOSED_FOR_CHANGES = N_(
    "This competition can no longer be changed: its deadline has passed and the judges have the entries."
)
CHANGED_MEANWHILE = N_(
    "Another administrator has changed this competition since you opened it, so nothing was saved. Open it again in /competitions to see their changes."
)
TEXT_LENGTH = N_("Please send 1 to {limit} characters.")
CHOOSE_A_TOPIC = N_("Please choose at least one topic.")
CHOOSE_ENTRIES = N_("Please choose with one of the buttons.")
CHOOSE_A_JUDGE = N_("Please choose at least one judge.")
DEADLINE_AHEAD_MAX = timedelta(days=366)  # as handlers.dates.parse_moment allows


@dataclass(frozen=True)
class CompetitionTerms:
    """A competition as an administrator sets it."""

    titles: tuple[str, str]  # Khmer, English
    rules: tuple[str, str]  # Khmer, English
    prizes: tuple[str, str]  # Khmer, English
    deadline_at: datetime  # timezone-aware
    entries_allowed: int  # 1, 3 or 0: no limit (rules.ENTRY_LIMITS)
    tags: Sequence[str]  # topic slugs
    judges: Sequence[int]  # member ids of administrators and experts


async def create_competition(acting: Acting, terms: CompetitionTerms) -> Competition:
    """A new competition, open for entries until its deadline, with its reminders."""
    await acting.require("admin")
    terms = await _checked(acting, terms)
    t = terms
    created = await acting.uow.competitions.add(
        t.titles, t.rules, t.prizes, t.deadline_at, t.entries_allowed, t.tags, t.judges,
        reminder_due_times(t.deadline_at, acting.now), acting.person, acting.now,
    )  # fmt: skip
    await acting.audit(
        "competition-created",
        {"competition": created.id, "deadline": created.deadline_at.isoformat(),
         "judges": list(t.judges)},
    )  # fmt: skip
    return created


async def edit_competition(
    acting: Acting, competition_id: int, revision: int, terms: CompetitionTerms
) -> Competition:
    """Change a competition while its entries are open, over the ``revision`` the form was
    opened on: an edit by another administrator in between, or the deadline passing, makes
    it write nothing (the write's own condition). Reminders not yet begun follow the new
    deadline; the members who entered are told when what they go by changed."""
    await acting.require("admin")
    uow = acting.uow
    competition = await uow.competitions.get(competition_id)
    if competition is None or not open_for_changes(
        acting.now, competition.deadline_at, competition.judging_at
    ):
        raise Invalid(CLOSED_FOR_CHANGES)
    terms = await _checked(acting, terms)
    t = terms
    before = _entrants_terms(competition)
    if not await uow.competitions.change(
        competition, revision, acting.now, t.titles, t.rules, t.prizes, t.deadline_at,
        t.entries_allowed, t.tags, t.judges, reminder_due_times(t.deadline_at, acting.now),
    ):  # fmt: skip
        raise Invalid(CHANGED_MEANWHILE)
    await acting.audit(
        "competition-edited",
        {"competition": competition.id, "deadline": t.deadline_at.isoformat(),
         "judges": list(t.judges)},
    )  # fmt: skip
    if _entrants_terms(competition) != before:
        now = acting.now
        for member_id in await uow.competitions.entrant_ids(competition.id):
            await notify_member(
                uow, acting.translations, member_id,
                partial(changed_notice, competition, acting.timezone), now,
                dedupe_key=f"competition-changed:{competition.id}:{member_id}:{now.isoformat()}",
            )  # fmt: skip
    return competition


def _entrants_terms(c: Competition) -> tuple[object, ...]:
    """What members who entered go by (not the topics, nor the judges)."""
    return (
        c.deadline_at,
        c.title_km,
        c.title_en,
        c.rules_km,
        c.rules_en,
        c.prizes_km,
        c.prizes_en,
        c.entries_allowed,
    )


async def _checked(acting: Acting, terms: CompetitionTerms) -> CompetitionTerms:
    """The terms with their texts cleaned, topics in the taxonomy and judges still
    administrators or experts; ``Invalid`` (naming the field) for what cannot be kept."""
    t = terms
    title_km, title_en = (
        _text(clean_line(v), TITLE_MAX, f) for v, f in zip(t.titles, TITLES, strict=True)
    )
    rules_km, rules_en = (
        _text(clean_text(v), RULES_MAX, f) for v, f in zip(t.rules, RULES, strict=True)
    )
    prizes_km, prizes_en = (
        _text(clean_text(v), PRIZES_MAX, f) for v, f in zip(t.prizes, PRIZES, strict=True)
    )
    tags = [slug for slug in dict.fromkeys(t.tags) if slug in SLUGS]
    if not tags:
        raise Invalid(CHOOSE_A_TOPIC, {"field": "tags"})
    if t.deadline_at <= acting.now:
        raise Invalid(MOMENT_PAST, {"field": "deadline"})
    if t.deadline_at > acting.now + DEADLINE_AHEAD_MAX:
        raise Invalid(MOMENT_TOO_FAR, {"field": "deadline"})
    if t.entries_allowed not in ENTRY_LIMITS:
        raise Invalid(CHOOSE_ENTRIES, {"field": "entries"})
    judging = await acting.uow.competitions.judge_candidates_among(t.judges)
    candidates = {c.member_id for c in judging}
    judges = [m for m in dict.fromkeys(t.judges) if m in candidates]
    if not judges:
        raise Invalid(CHOOSE_A_JUDGE, {"field": "judges"})
    return replace(
        t, titles=(title_km, title_en), rules=(rules_km, rules_en), prizes=(prizes_km, prizes_en),
        tags=tags,
        judges=judges,
    )  # fmt: skip


TITLES, RULES = ("title_km", "title_en"), ("rules_km", "rules_en")
PRIZES = ("prizes_km", "prizes_en")


def _text(value: str, limit: int, field: str) -> str:
    if not value or telegram_length(value) > limit:  # as Telegram counts
        raise Invalid(TEXT_LENGTH, {"limit": limit, "field": field})
    return value
