"""/newcompetition: an administrator creates a competition in a conversation.

Steps (flow ``newcomp``): title_km → title_en → rules_km → rules_en → tags → deadline →
prizes_km → prizes_en → entries (1, 3 or no limit) → judges (administrators and experts, at least one) →
preview, with an edit button a field; an edited field goes back to the preview. Being an
administrator is checked at the start and again at Create (by the operation,
``handlers.competitions.operations``), and so are the deadline (still to come) and the
judges (still administrators or experts); a term refused then is asked for again. ``start_new_competition`` is the
flow's door for any menu that offers it.

The same flow edits a competition while it is open (``data["competition"]`` is its id; the
card's [Edit the competition], for administrators): it starts at the preview, filled in,
and Save checks all of the above again, and that entries are still open: after the
deadline the judges have the entries, and what they judge does not change under them.
Save writes only over the revision the form was opened on (``data["revision"]``): two
administrators editing at once cannot undo each other's changes unseen; the second is told.
Reminders not yet begun follow the new deadline; the members who entered are told.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clean_line, clean_text, clip, escape, telegram_length
from handlers.acting import NotAllowed
from handlers.competitions.cards import (
    PRIZES_MAX,
    RULES_MAX,
    TITLE_MAX,
    competition_card,
    entries_allowed_name,
    local_moment,
)
from handlers.competitions.operations import (
    CLOSED_FOR_CHANGES,
    CompetitionTerms,
    create_competition,
    edit_competition,
)
from handlers.competitions.rules import ENTRY_LIMITS, open_for_changes
from handlers.context import Ctx, acting, is_admin, refuse, signing_up
from handlers.dates import MOMENT_FORMAT, MOMENT_PAST, MOMENT_TOO_FAR, read_moment, still_to_come
from handlers.invalid import Invalid
from handlers.tag_keyboard import DONE, tag_keyboard, toggle
from storage.competitions import JudgeCandidate
from storage.models import Competition
from storage.seed.tags import SLUGS

JUDGES_PAGE = 20
NO_JUDGES = N_(
    "No administrator or expert has signed up as a member yet, so nobody could judge. Ask them to sign up with /start first."
)
DEADLINE_PASSED = N_(
    "The deadline you sent, {moment}, has passed. Please send a date and time still to come."
)
DEADLINE_TOO_FAR = N_(
    "The deadline you sent, {moment}, is more than a year ahead. Please send a nearer date and time."
)
NEXT = {
    "title_km": "title_en", "title_en": "rules_km", "rules_km": "rules_en",
    "rules_en": "tags", "tags": "deadline", "deadline": "prizes_km",
    "prizes_km": "prizes_en", "prizes_en": "entries",
    "entries": "judges", "judges": "preview",
}  # fmt: skip
EDIT_BUTTONS = (
    ("title_km", N_("Khmer title")),
    ("title_en", N_("English title")),
    ("rules_km", N_("Khmer rules")),
    ("rules_en", N_("English rules")),
    ("tags", N_("Topics")),
    ("deadline", N_("Deadline")),
    ("prizes_km", N_("Khmer prizes")),
    ("prizes_en", N_("English prizes")),
    ("entries", N_("Entries per member")),
    ("judges", N_("Judges")),
)


async def start_new_competition(ctx: Ctx) -> None:
    """Start the creation flow for an administrator (anyone else is told it is for them)."""
    if await signing_up(ctx) or not await is_admin(ctx):
        return
    if not await ctx.session.competitions.judge_candidates(limit=1):
        await ctx.reply(ctx._(NO_JUDGES))
        return
    await ctx.start_flow("newcomp", "title_km", {"tags": [], "judges": [], "judge_page": 0})


def goes(key: str) -> tuple[str, ...]:
    """The steps ``following`` may choose after ``key``: the next one, or the preview."""
    return tuple(dict.fromkeys((NEXT[key], "preview")))


def following(ctx: Ctx, key: str) -> str:
    return "preview" if ctx.data.get("editing") else NEXT[key]


def text_step(key: str, question: str, hint: str, limit: int) -> Step:
    """A title (one line) or a longer text (rules, prizes)."""

    async def ask(ctx: Ctx) -> None:
        await ctx.reply(ctx._(question))

    async def receive(ctx: Ctx) -> None:
        text = clean_line(ctx.event.text) if key.startswith("title") else clean_text(ctx.event.text)
        if not text or telegram_length(text) > limit:  # as Telegram counts
            await ctx.reply(ctx._(N_("Please send 1 to {limit} characters.")).format(limit=limit))
            return
        ctx.data[key] = text
        await ctx.goto(following(ctx, key))

    return Step(ask, hint, on_text=receive, next=goes(key))


# -- topics, deadline, entries ---------------------------------------------------------------
def done_label(ctx: Ctx) -> str:
    return ctx._(N_("Done")) + " ✔️"


async def ask_tags(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "Which topics is it about? Members with these skills or digest topics are reminded of it. Tap them, then press Done."
            )
        ),
        await tag_keyboard(ctx, ctx.data["tags"], done_label(ctx)),
    )


async def tag_pressed(ctx: Ctx) -> None:
    if ctx.value == DONE:
        if not ctx.data["tags"]:
            await ctx.answer(ctx._(N_("Please choose at least one topic.")), alert=True)
            return
        await ctx.clear_buttons()
        await ctx.goto(following(ctx, "tags"))
        return
    if ctx.value not in SLUGS:
        await ctx.reprompt()
        return
    await toggle(ctx, ctx.data["tags"], done_label(ctx))


async def ask_deadline(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "Until when can members enter? Send the date and time in Cambodia, for example 31/12/2026 18:00."
            )
        )
    )


async def receive_deadline(ctx: Ctx) -> None:
    """The deadline typed; one refused for its moment says the date and time it was read
    as, so the administrator sees which part (often the time) to change."""
    try:
        moment = read_moment(ctx.event.text, ctx.clock.now(), ctx.timezone)
    except Invalid as error:
        await ctx.reply(ctx._(error.message).format(**error.params))
        return
    try:
        still_to_come(moment, ctx.clock.now())
    except Invalid as error:
        await ctx.reply(deadline_refused(ctx, error, moment))
        return
    ctx.data["deadline"] = moment.isoformat()
    await ctx.goto(following(ctx, "deadline"))


def deadline_refused(ctx: Ctx, error: Invalid, moment: datetime) -> str:
    """Why a deadline is refused, with the date and time read (not the date alone)."""
    shown = local_moment(ctx.t, moment, ctx.timezone)
    if error.message == MOMENT_TOO_FAR:
        return ctx._(DEADLINE_TOO_FAR).format(moment=shown)
    if error.message == MOMENT_PAST:
        return ctx._(DEADLINE_PASSED).format(moment=shown)
    return ctx._(error.message).format(**error.params)


async def ask_entries(ctx: Ctx) -> None:
    buttons = [ctx.button(entries_allowed_name(ctx.t, n), str(n)) for n in ENTRY_LIMITS]
    await ctx.reply(ctx._(N_("How many entries may each member send?")), ctx.keyboard(buttons, 3))


async def entries_chosen(ctx: Ctx) -> None:
    if not ctx.value.isdecimal() or int(ctx.value) not in ENTRY_LIMITS:
        await ctx.reprompt()
        return
    ctx.data["entries"] = int(ctx.value)
    await ctx.clear_buttons()
    await ctx.goto(following(ctx, "entries"))


# -- judges ----------------------------------------------------------------------------------
def judge_label(ctx: Ctx, candidate: JudgeCandidate) -> str:
    role = ctx._(N_("administrator")) if candidate.admin else ctx._(N_("expert"))
    return f"{clip(candidate.name, 28)} · {role}"


async def judges_keyboard(ctx: Ctx) -> InlineKeyboard:
    """The picker's page: its candidates, and one more read to know whether a next page is."""
    page = ctx.data.get("judge_page", 0)
    found = await ctx.session.competitions.judge_candidates(page * JUDGES_PAGE, JUDGES_PAGE + 1)
    shown = found[:JUDGES_PAGE]
    chosen = set(ctx.data["judges"])
    buttons = [
        ctx.button(("✅ " if c.member_id in chosen else "") + judge_label(ctx, c), str(c.member_id))
        for c in shown
    ]
    paging = []
    if page > 0:
        paging.append(ctx.button("« " + ctx._(N_("Previous")), "prev"))
    if len(found) > JUDGES_PAGE:
        paging.append(ctx.button(ctx._(N_("Next")) + " »", "next"))
    return InlineKeyboard.of(
        [*ctx.keyboard(buttons, 1).rows, tuple(paging), (ctx.button(done_label(ctx), DONE),)]
    )


async def ask_judges(ctx: Ctx) -> None:
    if not await ctx.session.competitions.judge_candidates(limit=1):
        ctx.end_flow()
        await ctx.reply(ctx._(NO_JUDGES))
        return
    await ctx.reply(
        ctx._(
            N_(
                "Who judges the entries? Tap administrators and experts (at least one), then press Done. Judges never see who wrote an entry."
            )
        ),
        await judges_keyboard(ctx),
    )


async def judge_pressed(ctx: Ctx) -> None:
    competitions = ctx.session.competitions
    chosen: list[int] = ctx.data["judges"]
    if ctx.value == DONE:
        ids = {c.member_id for c in await competitions.judge_candidates_among(chosen)}
        chosen[:] = [m for m in chosen if m in ids]
        if not chosen:
            await ctx.answer(ctx._(N_("Please choose at least one judge.")), alert=True)
            return
        await ctx.clear_buttons()
        await ctx.goto(following(ctx, "judges"))
        return
    if ctx.value in ("prev", "next"):
        ctx.data["judge_page"] = max(
            0, ctx.data.get("judge_page", 0) + (1 if ctx.value == "next" else -1)
        )
    elif ctx.value.isdecimal() and await competitions.judge_candidates_among([int(ctx.value)]):
        member_id = int(ctx.value)
        if member_id in chosen:
            chosen.remove(member_id)
        else:
            chosen.append(member_id)
    else:
        await ctx.reprompt()
        return
    await ctx.answer()
    if ctx.event.message_id is not None:
        await ctx.messenger.edit_keyboard(
            ctx.event.chat_id, ctx.event.message_id, await judges_keyboard(ctx)
        )


# -- preview and create ----------------------------------------------------------------------
def draft(ctx: Ctx) -> Competition:
    """The competition as it will be stored (not added to the session): for the preview."""
    d = ctx.data
    return Competition(
        id=0, title_km=d["title_km"], title_en=d["title_en"], rules_km=d["rules_km"],
        rules_en=d["rules_en"], prizes_km=prizes_of(d)[0], prizes_en=prizes_of(d)[1],
        entries_allowed=d["entries"],
        deadline_at=datetime.fromisoformat(d["deadline"]), created_at=ctx.clock.now(),
    )  # fmt: skip


async def change_pressed(ctx: Ctx, competition_id: int) -> None:
    """[Edit the competition] on an open competition's card (``cp:change:<id>``)."""
    if await signing_up(ctx) or not await is_admin(ctx):
        return
    competition = await ctx.session.competitions.get(competition_id)
    if competition is None or not open_for_changes(
        ctx.clock.now(), competition.deadline_at, competition.judging_at
    ):
        await ctx.answer(ctx._(CLOSED_FOR_CHANGES), alert=True)
        return
    await ctx.answer()
    c = competition
    judges = [m.id for m in await ctx.session.competitions.judges(c.id)]
    await ctx.start_flow(
        "newcomp", "preview",
        {
            "competition": c.id, "title_km": c.title_km, "title_en": c.title_en,
            "rules_km": c.rules_km, "rules_en": c.rules_en, "prizes_km": c.prizes_km,
            "prizes_en": c.prizes_en,
            "tags": await ctx.session.competitions.tags_of(c.id),
            "deadline": c.deadline_at.isoformat(), "entries": c.entries_allowed,
            "judges": judges, "judge_page": 0, "revision": c.revision,
        },
    )  # fmt: skip


async def show_preview(ctx: Ctx) -> None:
    ctx.data["editing"] = True
    competition = draft(ctx)
    tz = ctx.timezone
    tags = await ctx.session.tags.all()
    now = ctx.clock.now()
    existing = ctx.data.get("competition")
    counts = await ctx.session.competitions.entry_counts([existing] if existing else [])
    entered = counts.get(existing, 0) if existing else 0
    for language, label in (("km", "ខ្មែរ"), ("en", "English")):
        t = ctx.translators.for_language(language)
        names = ", ".join(tag.name(language) for tag in tags if tag.slug in ctx.data["tags"])
        card = competition_card(t, competition, names, entered, now, tz)
        await ctx.reply(
            ctx._(N_("As members reading {language} will see it:")).format(language=label)
            + "\n\n"
            + card
        )
    chosen = await ctx.session.competitions.judge_candidates_among(ctx.data["judges"])
    by_id = {c.member_id: c for c in chosen}
    judges = ", ".join(escape(by_id[m].name) for m in ctx.data["judges"] if m in by_id)
    buttons = [ctx.button("✏️ " + ctx._(label), f"e-{step}") for step, label in EDIT_BUTTONS]
    keyboard = InlineKeyboard.of(
        [
            *ctx.keyboard(buttons, 2).rows,
            (
                ctx.button(
                    "✅ " + ctx._(N_("Save changes") if existing else N_("Create")), "create"
                ),
                ctx.button(ctx._(N_("Cancel")), "cancel"),
            ),
        ]
    )
    question = (
        ctx._(N_("Save these changes to competition #{number}?")).format(number=existing)
        if existing
        else ctx._(N_("Create this competition?"))
    )
    await ctx.reply(ctx._(N_("Judges: {names}")).format(names=judges) + "\n\n" + question, keyboard)


async def preview_pressed(ctx: Ctx) -> None:
    if ctx.value.startswith("e-") and ctx.value[2:] in NEXT:
        await ctx.clear_buttons()
        await ctx.goto(ctx.value[2:])
    elif ctx.value == "create":
        await ctx.clear_buttons()
        await create(ctx)
    elif ctx.value == "cancel":
        await ctx.clear_buttons()
        existing = ctx.data.get("competition")
        ctx.end_flow()
        await ctx.reply(
            ctx._(N_("Cancelled: competition #{number} stays as it was.")).format(number=existing)
            if existing
            else ctx._(N_("Cancelled: nothing was created."))
        )
    else:
        await ctx.reprompt()


def prizes_of(d: dict[str, Any]) -> tuple[str, str]:
    """The Khmer and English prizes of the form (one opened before the prizes had two
    languages holds ``prizes``: both, until changed)."""
    return (d.get("prizes_km", d.get("prizes", "")), d.get("prizes_en", d.get("prizes", "")))


def terms(ctx: Ctx) -> CompetitionTerms:
    """The form's answers, for the operation that creates or edits the competition."""
    d = ctx.data
    return CompetitionTerms(
        titles=(d["title_km"], d["title_en"]), rules=(d["rules_km"], d["rules_en"]),
        prizes=prizes_of(d), deadline_at=datetime.fromisoformat(d["deadline"]),
        entries_allowed=d["entries"], tags=d["tags"], judges=d["judges"],
    )  # fmt: skip


async def create(ctx: Ctx) -> None:
    """[Create] or [Save changes]: the operation checks the role and the terms again, and
    for an edit that entries are still open and nobody saved since the form was opened. A
    term refused is asked again (its step); anything else ends the form."""
    existing = ctx.data.get("competition")
    try:
        if existing:
            revision = ctx.data.get("revision", -1)
            competition = await edit_competition(acting(ctx), existing, revision, terms(ctx))
        else:
            competition = await create_competition(acting(ctx), terms(ctx))
    except NotAllowed as error:
        ctx.end_flow()
        await refuse(ctx, error.message)
        return
    except Invalid as error:
        step = error.params.get("field")
        if step not in NEXT:
            ctx.end_flow()
            await ctx.reply(ctx._(error.message).format(**error.params))
            return
        if step == "judges":
            ctx.data["judges"] = []
        if step == "deadline":
            typed = datetime.fromisoformat(ctx.data["deadline"])
            await ctx.reply(deadline_refused(ctx, error, typed))
        else:
            await ctx.reply(ctx._(error.message).format(**error.params))
        await ctx.goto(step)
        return
    ctx.end_flow()
    moment = local_moment(ctx.t, competition.deadline_at, ctx.timezone)
    if existing:
        await ctx.reply(
            ctx._(N_("Competition #{number} is saved; entries are open until {moment}.")).format(
                number=competition.id, moment=moment
            )
        )
        return
    await ctx.reply(
        ctx._(
            N_(
                "Competition #{number} is open for entries until {moment}. Members find it in /competitions; the judges are told at the deadline."
            )
        ).format(number=competition.id, moment=moment)
    )


new_competition_flow = Flow(
    "newcomp",
    {
        "title_km": text_step("title_km", N_("The competition's title in Khmer?"), N_("Please type the Khmer title."), TITLE_MAX),
        "title_en": text_step("title_en", N_("Its title in English?"), N_("Please type the English title."), TITLE_MAX),
        "rules_km": text_step("rules_km", N_("The rules in Khmer: what to make or write, who may take part, how entries are judged."), N_("Please type the Khmer rules."), RULES_MAX),
        "rules_en": text_step("rules_en", N_("The rules in English?"), N_("Please type the English rules."), RULES_MAX),
        "tags": Step(ask_tags, N_("Please tap the topics, then press Done."), on_button=tag_pressed, next=goes("tags")),
        "deadline": Step(ask_deadline, MOMENT_FORMAT, on_text=receive_deadline, next=goes("deadline")),
        "prizes_km": text_step("prizes_km", N_("The prizes in Khmer? For example: 1st place 1,000,000 riel, 2nd place a laptop."), N_("Please type the Khmer prizes."), PRIZES_MAX),
        "prizes_en": text_step("prizes_en", N_("The prizes in English?"), N_("Please type the English prizes."), PRIZES_MAX),
        "entries": Step(ask_entries, N_("Please choose with one of the buttons."), on_button=entries_chosen, next=goes("entries")),
        "judges": Step(ask_judges, N_("Please tap the judges, then press Done."), on_button=judge_pressed, next=goes("judges"), ends=True),
        "preview": Step(show_preview, N_("Please answer with one of the buttons."), on_button=preview_pressed, next=tuple(NEXT), ends=True),
    },
    entry=("title_km", "preview"),
)  # fmt: skip
