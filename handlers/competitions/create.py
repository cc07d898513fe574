"""/newcompetition: an administrator creates a competition in a conversation.

Steps (flow ``newcomp``): title_km → title_en → rules_km → rules_en → tags → deadline →
prizes → entries (1, 3 or no limit) → judges (administrators and experts, at least one) →
preview, with an edit button a field; an edited field goes back to the preview. Being an
administrator is checked at the start and again at Create, and so are the deadline (still
to come) and the judges (still administrators or experts). ``start_new_competition`` is the
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
from functools import partial
from zoneinfo import ZoneInfo

from bot.core.flow import Flow, Step
from bot.core.i18n import N_, Translator
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clean_line, clean_text, clip, escape, telegram_length
from handlers.competitions.cards import (
    PRIZES_MAX,
    RULES_MAX,
    TITLE_MAX,
    competition_card,
    entries_allowed_name,
    local_moment,
    open_button,
)
from handlers.competitions.rules import ENTRY_LIMITS, reminder_due_times
from handlers.context import Ctx, is_admin, signing_up
from handlers.dates import MOMENT_FORMAT, MOMENT_PAST, parse_moment
from handlers.invalid import Invalid
from handlers.notices import notify_member
from handlers.tag_keyboard import DONE, tag_keyboard, toggle
from storage.competitions import JudgeCandidate
from storage.models import Competition
from storage.seed.tags import SLUGS

JUDGES_PAGE = 20
NO_JUDGES = N_(
    "No administrator or expert has signed up as a member yet, so nobody could judge. Ask them to sign up with /start first."
)
NEXT = {
    "title_km": "title_en", "title_en": "rules_km", "rules_km": "rules_en",
    "rules_en": "tags", "tags": "deadline", "deadline": "prizes", "prizes": "entries",
    "entries": "judges", "judges": "preview",
}  # fmt: skip
EDIT_BUTTONS = (
    ("title_km", N_("Khmer title")),
    ("title_en", N_("English title")),
    ("rules_km", N_("Khmer rules")),
    ("rules_en", N_("English rules")),
    ("tags", N_("Topics")),
    ("deadline", N_("Deadline")),
    ("prizes", N_("Prizes")),
    ("entries", N_("Entries per member")),
    ("judges", N_("Judges")),
)


async def start_new_competition(ctx: Ctx) -> None:
    """Start the creation flow for an administrator (anyone else is told it is for them)."""
    if await signing_up(ctx) or not await is_admin(ctx):
        return
    if not await ctx.session.competitions.judge_candidates():
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
    try:
        moment = parse_moment(ctx.event.text, ctx.clock.now(), ctx.timezone)
    except Invalid as error:
        await ctx.reply(ctx._(error.message).format(**error.params))
        return
    ctx.data["deadline"] = moment.isoformat()
    await ctx.goto(following(ctx, "deadline"))


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


async def judges_keyboard(ctx: Ctx, candidates: list[JudgeCandidate]) -> InlineKeyboard:
    page = ctx.data.get("judge_page", 0)
    shown = candidates[page * JUDGES_PAGE : (page + 1) * JUDGES_PAGE]
    chosen = set(ctx.data["judges"])
    buttons = [
        ctx.button(("✅ " if c.member_id in chosen else "") + judge_label(ctx, c), str(c.member_id))
        for c in shown
    ]
    paging = []
    if page > 0:
        paging.append(ctx.button("« " + ctx._(N_("Previous")), "prev"))
    if (page + 1) * JUDGES_PAGE < len(candidates):
        paging.append(ctx.button(ctx._(N_("Next")) + " »", "next"))
    return InlineKeyboard.of(
        [*ctx.keyboard(buttons, 1).rows, tuple(paging), (ctx.button(done_label(ctx), DONE),)]
    )


async def ask_judges(ctx: Ctx) -> None:
    candidates = await ctx.session.competitions.judge_candidates()
    if not candidates:
        ctx.end_flow()
        await ctx.reply(ctx._(NO_JUDGES))
        return
    await ctx.reply(
        ctx._(
            N_(
                "Who judges the entries? Tap administrators and experts (at least one), then press Done. Judges never see who wrote an entry."
            )
        ),
        await judges_keyboard(ctx, candidates),
    )


async def judge_pressed(ctx: Ctx) -> None:
    candidates = await ctx.session.competitions.judge_candidates()
    ids = {c.member_id for c in candidates}
    chosen: list[int] = ctx.data["judges"]
    if ctx.value == DONE:
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
    elif ctx.value.isdecimal() and int(ctx.value) in ids:
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
            ctx.event.chat_id, ctx.event.message_id, await judges_keyboard(ctx, candidates)
        )


# -- preview and create ----------------------------------------------------------------------
def draft(ctx: Ctx) -> Competition:
    """The competition as it will be stored (not added to the session): for the preview."""
    d = ctx.data
    return Competition(
        id=0, title_km=d["title_km"], title_en=d["title_en"], rules_km=d["rules_km"],
        rules_en=d["rules_en"], prizes=d["prizes"], entries_allowed=d["entries"],
        deadline_at=datetime.fromisoformat(d["deadline"]), created_at=ctx.clock.now(),
    )  # fmt: skip


async def change_pressed(ctx: Ctx) -> None:
    """[Edit the competition] on an open competition's card (``cp:change:<id>``)."""
    if await signing_up(ctx) or not await is_admin(ctx):
        return
    competition = await ctx.session.competitions.get(ctx.value_id)
    if competition is None or not open_for_changes(competition, ctx.clock.now()):
        await ctx.answer(ctx._(CLOSED_FOR_CHANGES), alert=True)
        return
    await ctx.answer()
    c = competition
    judges = [m.id for m in await ctx.session.competitions.judges(c.id)]
    await ctx.start_flow(
        "newcomp", "preview",
        {
            "competition": c.id, "title_km": c.title_km, "title_en": c.title_en,
            "rules_km": c.rules_km, "rules_en": c.rules_en, "prizes": c.prizes,
            "tags": await ctx.session.competitions.tags_of(c.id),
            "deadline": c.deadline_at.isoformat(), "entries": c.entries_allowed,
            "judges": judges, "judge_page": 0, "revision": c.revision,
        },
    )  # fmt: skip


def open_for_changes(competition: Competition, now: datetime) -> bool:
    return competition.judging_at is None and competition.deadline_at > now


CLOSED_FOR_CHANGES = N_(
    "This competition can no longer be changed: its deadline has passed and the judges have the entries."
)
CHANGED_MEANWHILE = N_(
    "Another administrator has changed this competition since you opened it, so nothing was saved. Open it again in /competitions to see their changes."
)


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
    by_id = {c.member_id: c for c in await ctx.session.competitions.judge_candidates()}
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


async def create(ctx: Ctx) -> None:
    if not await is_admin(ctx):
        ctx.end_flow()
        return
    now = ctx.clock.now()
    stored = None
    if ctx.data.get("competition"):
        stored = await ctx.session.competitions.get(ctx.data["competition"])
        if stored is None or not open_for_changes(stored, now):
            ctx.end_flow()
            await ctx.reply(ctx._(CLOSED_FOR_CHANGES))
            return
    competition = draft(ctx)
    if competition.deadline_at <= now:
        await ctx.reply(ctx._(MOMENT_PAST))
        await ctx.goto("deadline")
        return
    ids = {c.member_id for c in await ctx.session.competitions.judge_candidates()}
    judges = [m for m in ctx.data["judges"] if m in ids]
    if not judges:
        ctx.data["judges"] = []
        await ctx.reply(ctx._(N_("Please choose at least one judge.")))
        await ctx.goto("judges")
        return
    d = ctx.data
    if stored is not None:
        await save_changes(ctx, stored, competition.deadline_at, judges)
        return
    created = await ctx.session.competitions.add(
        (d["title_km"], d["title_en"]), (d["rules_km"], d["rules_en"]), d["prizes"],
        competition.deadline_at, d["entries"], d["tags"], judges,
        reminder_due_times(competition.deadline_at, now), ctx.user_id, now,
    )  # fmt: skip
    await ctx.session.staff.audit(
        ctx.user_id, "competition-created",
        {"competition": created.id, "deadline": created.deadline_at.isoformat(), "judges": judges},
    )  # fmt: skip
    ctx.end_flow()
    await ctx.reply(
        ctx._(
            N_(
                "Competition #{number} is open for entries until {moment}. Members find it in /competitions; the judges are told at the deadline."
            )
        ).format(
            number=created.id,
            moment=local_moment(ctx.t, created.deadline_at, ctx.timezone),
        )
    )


async def save_changes(
    ctx: Ctx, competition: Competition, deadline_at: datetime, judges: list[int]
) -> None:
    """Write an edit to the stored competition (its entries still open: ``create`` checked)."""
    d, now = ctx.data, ctx.clock.now()
    ctx.end_flow()
    before = terms(competition)
    saved = await ctx.session.competitions.change(
        competition, d.get("revision", -1), now, (d["title_km"], d["title_en"]),
        (d["rules_km"], d["rules_en"]), d["prizes"], deadline_at, d["entries"], d["tags"],
        judges, reminder_due_times(deadline_at, now),
    )  # fmt: skip
    if not saved:  # edited by another, or closed, since the form was opened
        await ctx.reply(ctx._(CHANGED_MEANWHILE))
        return
    await ctx.session.staff.audit(
        ctx.user_id, "competition-edited",
        {"competition": competition.id, "deadline": deadline_at.isoformat(), "judges": judges},
    )  # fmt: skip
    tz = ctx.timezone
    if terms(competition) != before:
        for member_id in await ctx.session.competitions.entrant_ids(competition.id):
            await notify_member(
                ctx.session, ctx.translators, member_id,
                partial(changed_notice, competition, tz), now,
                dedupe_key=f"competition-changed:{competition.id}:{member_id}:{now.isoformat()}",
            )  # fmt: skip
    await ctx.reply(
        ctx._(N_("Competition #{number} is saved; entries are open until {moment}.")).format(
            number=competition.id, moment=local_moment(ctx.t, deadline_at, tz)
        )
    )


def terms(c: Competition) -> tuple[object, ...]:
    """What members who entered go by (not the topics, nor the judges)."""
    return (
        c.deadline_at,
        c.title_km,
        c.title_en,
        c.rules_km,
        c.rules_en,
        c.prizes,
        c.entries_allowed,
    )


def changed_notice(
    competition: Competition, tz: ZoneInfo, t: Translator
) -> tuple[str, InlineKeyboard]:
    """To a member who entered: the competition they entered was changed."""
    text = t.gettext(
        N_(
            "Competition #{number}, {title}, has been changed by its organisers: entries are open until {moment}. Please read it again."
        )
    ).format(
        number=competition.id,
        title="<b>" + escape(competition.title(t.language)) + "</b>",
        moment=local_moment(t, competition.deadline_at, tz),
    )
    return text, open_button(t, competition.id)


new_competition_flow = Flow(
    "newcomp",
    {
        "title_km": text_step("title_km", N_("The competition's title in Khmer?"), N_("Please type the Khmer title."), TITLE_MAX),
        "title_en": text_step("title_en", N_("Its title in English?"), N_("Please type the English title."), TITLE_MAX),
        "rules_km": text_step("rules_km", N_("The rules in Khmer: what to make or write, who may take part, how entries are judged."), N_("Please type the Khmer rules."), RULES_MAX),
        "rules_en": text_step("rules_en", N_("The rules in English?"), N_("Please type the English rules."), RULES_MAX),
        "tags": Step(ask_tags, N_("Please tap the topics, then press Done."), on_button=tag_pressed, next=goes("tags")),
        "deadline": Step(ask_deadline, MOMENT_FORMAT, on_text=receive_deadline, next=goes("deadline")),
        "prizes": text_step("prizes", N_("The prizes? For example: 1st place 1,000,000 riel, 2nd place a laptop."), N_("Please type the prizes."), PRIZES_MAX),
        "entries": Step(ask_entries, N_("Please choose with one of the buttons."), on_button=entries_chosen, next=goes("entries")),
        "judges": Step(ask_judges, N_("Please tap the judges, then press Done."), on_button=judge_pressed, next=goes("judges"), ends=True),
        "preview": Step(show_preview, N_("Please answer with one of the buttons."), on_button=preview_pressed, next=tuple(NEXT), ends=True),
    },
    entry=("title_km", "preview"),
)  # fmt: skip
