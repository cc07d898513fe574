"""After the deadline: judges score the entries, an administrator decides the winners and
may announce them as a broadcast.

A judge gets the entries one at a time, by their anonymous number, never their own, with
buttons 1–10; each judge's score of an entry is stored once: the first tap counts, a
second one (an old message) changes nothing and says so. The ranking (rules.rank_entries)
shows the entrants' names to administrators only; the places 1–3 with a score are
preselected, the administrator toggles the winners and confirms (flow ``cpwin``: pick).
Every ``cp:`` button checks the presser's right when pressed: a judge of that competition
for scoring, an administrator for the ranking, the decision and the announcement.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from bot.core.events import FileRef
from bot.core.flow import Flow, Step
from bot.core.i18n import N_, Translations, Translator
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import clip, escape
from handlers.broadcast.compose import start_prefilled
from handlers.competitions.buttons import ANNOUNCE, RANKING, SCORE_GIVEN
from handlers.competitions.cards import (
    LEFT_MEMBER,
    local_moment,
    open_button,
    winner_line,
)
from handlers.competitions.rules import (
    DECIDED,
    JUDGING,
    OPEN,
    SCORES,
    EntryScores,
    Ranked,
    competition_state,
    judge_may_score,
    preselected_winners,
    rank_entries,
)
from handlers.context import Ctx, is_admin
from handlers.notices import (
    Render,
    notify,
    notify_member,
    notify_staff,
    staff_language,
)
from storage.models import Competition, CompetitionEntry, Member
from storage.uow import UnitOfWork

RANKED_SHOWN = 20  # entries in the ranking message and its winner buttons (one message)
ONLY_JUDGES = N_("Only the judges of this competition can score its entries.")
STALE = N_("That button is from an older message.")


def state_of(ctx: Ctx, competition: Competition) -> str:
    return competition_state(ctx.clock.now(), competition.deadline_at, competition.decided_at)


# -- judges ----------------------------------------------------------------------------------
async def judge_of(ctx: Ctx, competition_id: int) -> tuple[Member, Competition] | None:
    """The presser and the competition, if they judge it; else they are refused."""
    member = await ctx.member()
    competition = await ctx.session.competitions.get(competition_id)
    if (
        member is None
        or competition is None
        or not await ctx.session.competitions.is_judge(competition.id, member.id)
    ):
        await ctx.answer(ctx._(ONLY_JUDGES), alert=True)
        return None
    state = state_of(ctx, competition)
    if state == OPEN:
        tz = ctx.timezone
        await ctx.answer(
            ctx._(N_("Scoring starts at the deadline, {moment}.")).format(
                moment=local_moment(ctx.t, competition.deadline_at, tz)
            ),
            alert=True,
        )
        return None
    if state == DECIDED:
        await ctx.answer(ctx._(N_("The winners are decided: scoring is over.")), alert=True)
        await ctx.clear_buttons()
        return None
    return member, competition


async def score_pressed(ctx: Ctx, competition_id: int) -> None:
    found = await judge_of(ctx, competition_id)
    if found is None:
        if not ctx.callback_answered:
            await ctx.answer(ctx._(ONLY_JUDGES), alert=True)
        return
    member, competition = found
    await ctx.answer()
    await send_next_entry(ctx, competition, member.id)


def entry_for_judge(
    t: Translator, competition: Competition, entry: CompetitionEntry, left: int
) -> tuple[str, InlineKeyboard]:
    """An entry as a judge sees it: its number, never its author."""
    lines = [
        f"⚖️ <b>{escape(competition.title(t.language))}</b>",
        t.gettext(N_("Entry №{number} · {left} left to score")).format(
            number=entry.number, left=t.number(left)
        ),
        "",
        escape(entry.text),
    ]
    if entry.link:
        lines += ["", "🔗 " + escape(entry.link)]
    lines += ["", t.gettext(N_("Your score, from 1 (weak) to 10 (excellent):"))]
    buttons = [SCORE_GIVEN.button(str(n), entry.id, n) for n in SCORES]
    rows = [buttons[:5], buttons[5:]]
    if entry.link:
        rows.append([Button("🔗 " + t.gettext(N_("Open the link")), url=entry.link)])
    return "\n".join(lines), InlineKeyboard.of(rows)


async def send_next_entry(ctx: Ctx, competition: Competition, judge_id: int) -> bool:
    """The judge's next entry; False (and thanks) when they have scored every one."""
    repo = ctx.session.competitions
    entry = await repo.next_to_score(competition.id, judge_id)
    if entry is None:
        await ctx.reply(
            ctx._(N_("You have scored every entry of {title}. Thank you!")).format(
                title=f"<b>{escape(competition.title(ctx.language))}</b>"
            )
        )
        return False
    left = await repo.left_to_score(competition.id, judge_id)
    text, keyboard = entry_for_judge(ctx.t, competition, entry, left)
    file = await ctx.session.attachments.get(entry.attachment_id)
    if file is None:
        await ctx.reply(text, keyboard)
    else:  # the entry's file, its text the caption
        await ctx.reply_file(FileRef(file.kind, file.file_id), text, keyboard)
    return True


async def score_given(ctx: Ctx, entry_id: int, score: int) -> None:
    entry = await ctx.session.competitions.entry(entry_id)
    if entry is None or score not in SCORES:
        await ctx.answer(ctx._(STALE))
        return
    found = await judge_of(ctx, entry.competition_id)
    if found is None:
        return
    judge, competition = found
    if not judge_may_score(judge.id, entry.member_id, score):
        await ctx.answer(ctx._(N_("You cannot score your own entry.")), alert=True)
        return
    now = ctx.clock.now()
    if not await ctx.session.competitions.add_score(entry.id, judge.id, score, now):
        given = await ctx.session.competitions.score_of(entry.id, judge.id)
        await ctx.answer(
            ctx._(N_("You already gave entry №{number} {score}: the first score counts.")).format(
                number=entry.number, score=given
            ),
            alert=True,
        )
        await ctx.clear_buttons()
        return
    await ctx.answer(ctx._(N_("Saved: {score}.")).format(score=score))
    await ctx.clear_buttons()
    if not await send_next_entry(ctx, competition, judge.id):
        await tell_admins_when_all_scored(ctx, competition)


async def tell_admins_when_all_scored(ctx: Ctx, competition: Competition) -> None:
    repo = ctx.session.competitions
    for judge in await repo.judges(competition.id):
        if await repo.left_to_score(competition.id, judge.id):
            return
    await notify_admins(
        ctx.session, ctx.translators, competition,
        partial(all_scored_notice, competition=competition), ctx.clock.now(),
        f"cp-scored:{competition.id}",
    )  # fmt: skip


def all_scored_notice(t: Translator, competition: Competition) -> tuple[str, InlineKeyboard]:
    return "⚖️ " + t.gettext(N_("Every judge has scored the entries of {title}.")).format(
        title=f"<b>{escape(competition.title(t.language))}</b>"
    ), ranking_button(t, competition.id)


def ranking_button(t: Translator, competition_id: int) -> InlineKeyboard:
    return InlineKeyboard.of([[RANKING.button("📊 " + t.gettext(N_("Ranking")), competition_id)]])


async def notify_admins(
    uow: UnitOfWork,
    translations: Translations,
    competition: Competition,
    render: Render,
    now: datetime,
    dedupe: str,
) -> None:
    """The administrator who created the competition, or every administrator when that
    one is no longer an administrator."""
    creator = competition.created_by
    if creator is not None and await uow.staff.has_role(creator, "admin"):
        await notify(
            uow, translations, creator, await staff_language(uow, creator), render, now,
            dedupe_key=f"{dedupe}:{creator}",
        )  # fmt: skip
    else:
        await notify_staff(uow, translations, "admin", render, now, dedupe)


# -- the ranking and the winners -------------------------------------------------------------
async def ranked_entries(
    uow: UnitOfWork, competition: Competition
) -> tuple[list[Ranked], dict[int, CompetitionEntry]]:
    entries = await uow.competitions.entries(competition.id)
    scores = await uow.competitions.scores(competition.id)
    ranked = rank_entries(
        EntryScores(e.id, e.number, e.created_at, tuple(scores.get(e.id, ()))) for e in entries
    )
    return ranked, {e.id: e for e in entries}


async def entrant_names(
    uow: UnitOfWork, t: Translator, entries: dict[int, CompetitionEntry]
) -> dict[int, str]:
    """Who sent each entry (for administrators only: judges see numbers)."""
    names: dict[int, str] = {}
    for entry in entries.values():
        member = await uow.members.by_id(entry.member_id)
        names[entry.id] = (
            member.full_name if member and member.full_name else t.gettext(LEFT_MEMBER)
        )
    return names


def ranking_text(
    t: Translator,
    competition: Competition,
    ranked: list[Ranked],
    names: dict[int, str],
    judges_done: tuple[int, int],
) -> str:
    lines = [
        "📊 <b>" + t.gettext(N_("Ranking: {title}")).format(
            title=escape(competition.title(t.language))
        ) + "</b>",
        t.gettext(N_("Judges who have scored every entry: {done} of {total}")).format(
            done=t.number(judges_done[0]), total=t.number(judges_done[1])
        ),
        "",
    ]  # fmt: skip
    for r in ranked[:RANKED_SHOWN]:
        name = escape(clip(names.get(r.entry.entry_id, ""), 30))
        if r.entry.average is None:
            line = t.gettext(N_("{place}. Entry №{number} · {name}: no score yet"))
        else:
            line = t.ngettext(
                "{place}. Entry №{number} · {name}: average {average} from {count} score",
                "{place}. Entry №{number} · {name}: average {average} from {count} scores",
                len(r.entry.scores),
            )
        lines.append(
            line.format(
                place=t.number(r.place),
                number=r.entry.number,
                name=name,
                average=t.number(round(float(r.entry.average or 0), 2)),
                count=t.number(len(r.entry.scores)),
            )
        )
    if not ranked:
        lines.append(t.gettext(N_("No entries.")))
    if len(ranked) > RANKED_SHOWN:
        lines.append(
            t.ngettext(
                "And {count} more entry with a lower score.",
                "And {count} more entries with lower scores.",
                len(ranked) - RANKED_SHOWN,
            ).format(count=t.number(len(ranked) - RANKED_SHOWN))
        )
    lines += ["", t.gettext(N_("Equal averages share a place."))]
    return "\n".join(lines)


async def judges_done(uow: UnitOfWork, competition: Competition) -> tuple[int, int]:
    """How many of the competition's judges have scored every entry, of how many."""
    judges = await uow.competitions.judges(competition.id)
    done = 0
    for judge in judges:
        if not await uow.competitions.left_to_score(competition.id, judge.id):
            done += 1
    return done, len(judges)


async def ranking_pressed(ctx: Ctx, competition_id: int) -> None:
    if not await is_admin(ctx):
        return
    competition = await ctx.session.competitions.get(competition_id)
    if competition is None:
        await ctx.answer(ctx._(N_("This competition no longer exists.")), alert=True)
        return
    state = state_of(ctx, competition)
    if state == OPEN:
        await ctx.answer(
            ctx._(N_("The ranking comes after the deadline, {moment}.")).format(
                moment=local_moment(ctx.t, competition.deadline_at, ctx.timezone)
            ),
            alert=True,
        )
        return
    await ctx.answer()
    if state == JUDGING:
        ranked, _entries = await ranked_entries(ctx.session, competition)
        await ctx.start_flow(
            "cpwin", "pick", {"competition": competition.id, "winners": preselected_winners(ranked)}
        )
        return
    ranked, entries = await ranked_entries(ctx.session, competition)
    names = await entrant_names(ctx.session, ctx.t, entries)
    winners = [
        winner_line(ctx.t, e.place or 0, names[e.id])
        for e in sorted(entries.values(), key=lambda e: (e.place or 0, e.number))
        if e.place
    ]
    text = ranking_text(
        ctx.t, competition, ranked, names, await judges_done(ctx.session, competition)
    )
    if not winners:  # it ended without any entry
        await ctx.reply(text)
        return
    await ctx.reply(
        text + "\n\n🥇 <b>" + ctx._(N_("Winners")) + "</b>\n" + "\n".join(winners),
        announce_button(ctx.t, competition.id),
    )


async def ask_winners(ctx: Ctx) -> None:
    competition = await ctx.session.competitions.get(ctx.data["competition"])
    if competition is None:
        ctx.end_flow()
        return
    ranked, entries = await ranked_entries(ctx.session, competition)
    names = await entrant_names(ctx.session, ctx.t, entries)
    await ctx.reply(
        ranking_text(ctx.t, competition, ranked, names, await judges_done(ctx.session, competition))
        + "\n"
        + ctx._(N_("Tap the winners (✅), then press Confirm the winners.")),
        winners_keyboard(ctx, ranked),
    )


def winners_keyboard(ctx: Ctx, ranked: list[Ranked]) -> InlineKeyboard:
    chosen = set(ctx.data["winners"])
    buttons = [
        ctx.button(
            ("✅ " if r.entry.entry_id in chosen else "")
            + ctx._(N_("№{number}")).format(number=r.entry.number),
            str(r.entry.entry_id),
        )
        for r in ranked[:RANKED_SHOWN]
    ]
    return InlineKeyboard.of(
        [
            *ctx.keyboard(buttons, 5).rows,
            (ctx.button("🏆 " + ctx._(N_("Confirm the winners")), "confirm"),),
            (ctx.button(ctx._(N_("Cancel")), "cancel"),),
        ]
    )


async def winner_pressed(ctx: Ctx) -> None:
    competition = await ctx.session.competitions.get(ctx.data["competition"])
    if competition is None:
        ctx.end_flow()
        return
    if ctx.value == "cancel":
        await ctx.clear_buttons()
        ctx.end_flow()
        await ctx.reply(ctx._(N_("Cancelled: no winner was decided.")))
        return
    if ctx.value == "confirm":
        await decide(ctx, competition)
        return
    ranked, _entries = await ranked_entries(ctx.session, competition)
    shown = {str(r.entry.entry_id): r.entry.entry_id for r in ranked[:RANKED_SHOWN]}
    if ctx.value not in shown:
        await ctx.reprompt()
        return
    chosen: list[int] = ctx.data["winners"]
    entry_id = shown[ctx.value]
    if entry_id in chosen:
        chosen.remove(entry_id)
    else:
        chosen.append(entry_id)
    await ctx.answer()
    if ctx.event.message_id is not None:
        await ctx.messenger.edit_keyboard(
            ctx.event.chat_id, ctx.event.message_id, winners_keyboard(ctx, ranked)
        )


async def decide(ctx: Ctx, competition: Competition) -> None:
    if not await is_admin(ctx):
        ctx.end_flow()
        return
    if state_of(ctx, competition) != JUDGING:
        await ctx.clear_buttons()
        ctx.end_flow()
        await ctx.reply(ctx._(N_("This competition is already decided.")))
        return
    ranked, entries = await ranked_entries(ctx.session, competition)
    places = {r.entry.entry_id: r.place for r in ranked}
    winners = [entry_id for entry_id in ctx.data["winners"] if entry_id in entries]
    if not winners:
        await ctx.answer(ctx._(N_("Please choose at least one winner.")), alert=True)
        return
    await ctx.clear_buttons()
    now = ctx.clock.now()
    for entry_id in winners:
        entries[entry_id].place = places[entry_id]
    competition.decided_at = now
    await ctx.session.staff.audit(
        ctx.user_id, "competition-decided",
        {"competition": competition.id, "winners": {str(e): places[e] for e in winners}},
    )  # fmt: skip
    for entry_id in winners:
        entry = entries[entry_id]
        await notify_member(
            ctx.session, ctx.translators, entry.member_id,
            partial(winner_notice, competition=competition, entry=entry), now,
            dedupe_key=f"cp-won:{entry.id}",
        )  # fmt: skip
    ctx.end_flow()
    await ctx.reply(
        ctx._(
            N_(
                "The winners of {title} are decided and told in their language. Announce the result to every member?"
            )
        ).format(title=f"<b>{escape(competition.title(ctx.language))}</b>"),
        announce_button(ctx.t, competition.id),
    )


def winner_notice(
    t: Translator, competition: Competition, entry: CompetitionEntry
) -> tuple[str, InlineKeyboard]:
    text = (
        "🏆 "
        + t.gettext(
            N_("Congratulations! Your entry №{number} to {title} won place {place}.")
        ).format(
            number=entry.number,
            title=f"<b>{escape(competition.title(t.language))}</b>",
            place=t.number(entry.place or 0),
        )
        + "\n🎁 "
        + t.gettext(N_("Prizes: {prizes}")).format(prizes=escape(competition.prizes(t.language)))
        + "\n\n"
        + t.gettext(N_("The ministry will contact you about your prize."))
    )
    return text, open_button(t, competition.id)


# -- the announcement ------------------------------------------------------------------------
def announce_button(t: Translator, competition_id: int) -> InlineKeyboard:
    return InlineKeyboard.of(
        [[ANNOUNCE.button("📢 " + t.gettext(N_("Announce as a broadcast")), competition_id)]]
    )


def announcement(t: Translator, competition: Competition, winners: list[tuple[int, str]]) -> str:
    """The broadcast's text in ``t``'s language: plain text (the broadcast escapes it)."""
    lines = [
        "🏆 " + t.gettext(N_("Results: {title}")).format(title=competition.title(t.language)),
        "",
    ]
    lines += [
        t.gettext(N_("Place {place}: {name}")).format(place=t.number(place), name=clip(name, 60))
        for place, name in winners
    ]
    lines += [
        "",
        t.gettext(N_("Congratulations to the winners, and thank you to everyone who took part!")),
    ]
    return "\n".join(lines)


async def announce_pressed(ctx: Ctx, competition_id: int) -> None:
    if not await is_admin(ctx):
        return
    competition = await ctx.session.competitions.get(competition_id)
    if competition is None or state_of(ctx, competition) != DECIDED:
        await ctx.answer(ctx._(N_("Decide the winners first.")), alert=True)
        return
    await ctx.answer()
    entries = [e for e in await ctx.session.competitions.entries(competition.id) if e.place]
    winners: list[tuple[int, int]] = sorted((e.place or 0, e.member_id) for e in entries)
    texts = {}
    for language in ("km", "en"):
        t = ctx.translators.for_language(language)
        named = []
        for place, member_id in winners:
            member = await ctx.session.members.by_id(member_id)
            name = member.full_name if member and member.full_name else t.gettext(LEFT_MEMBER)
            named.append((place, name))
        texts[language] = announcement(t, competition, named)
    await start_prefilled(ctx, texts["km"], texts["en"], category="competitions")


winners_flow = Flow(
    "cpwin",
    {"pick": Step(ask_winners, N_("Please tap the winners, then press Confirm the winners."), on_button=winner_pressed, ends=True)},
    entry=("pick",),
)  # fmt: skip
