"""/competitions: open ones first, then those being judged, then the recently decided;
open one to read it and enter, or edit an entry, while it is open.

Flow ``cpentry``: text → link → file → confirm, for a new entry or an edited one
(``data["entry"]`` is its id). The file (a photo or a document, ``handlers.files.ENTRY_FILE``)
is optional and reaches the judges with the entry. The deadline, the number of entries allowed and the entry's owner are checked
again when saving, not only when the button was shown: a form left open past the deadline
saves nothing.
"""

from __future__ import annotations

from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import clean_text, escape, telegram_length
from handlers.competitions.buttons import CHANGE, EDIT_ENTRY, ENTER, OPEN_CARD, RANKING, SCORE
from handlers.competitions.cards import (
    LEFT_MEMBER,
    competition_card,
    listing_entry,
    local_moment,
)
from handlers.competitions.rules import (
    DECIDED,
    JUDGING,
    OPEN,
    competition_state,
    may_add_entry,
)
from handlers.context import Ctx, signing_up
from handlers.files import ENTRY_FILE, take_file
from handlers.invalid import Invalid
from handlers.links import parse_web_address
from handlers.outreach.share import share_button
from storage.models import Competition, CompetitionEntry

ENTRY_MAX = 2000  # UTF-16 units (what Telegram counts) of an entry's text
SHOWN = 10  # competitions listed in each part of /competitions
KEEP, NO_LINK, NO_FILE = "keep", "none", "nofile"
NOT_SIGNED_UP = N_("You have not signed up yet. Send /start to join.")
CLOSED = N_("This competition is closed for entries.")


def state_of(ctx: Ctx, competition: Competition) -> str:
    return competition_state(ctx.clock.now(), competition.deadline_at, competition.decided_at)


async def competitions_command(ctx: Ctx) -> None:
    if await signing_up(ctx):
        return
    now = ctx.clock.now()
    tz = ctx.timezone
    open_, judging, decided = await ctx.session.competitions.listing(now)
    if not (open_ or judging or decided):
        await ctx.reply(ctx._(N_("There is no competition yet. Watch this space!")))
        return
    counts = await ctx.session.competitions.entry_counts(
        [c.id for c in (*open_, *judging, *decided)]
    )
    lines: list[str] = []
    shown: list[Competition] = []
    for title, part in (
        (N_("Open for entries"), open_),
        (N_("Being judged"), judging),
        (N_("Decided"), decided),
    ):
        if part:
            lines += ["", f"<b>{ctx._(title)}</b>"]
            lines += [listing_entry(ctx.t, c, counts.get(c.id, 0), now, tz) for c in part[:SHOWN]]
            shown += part[:SHOWN]
    buttons = [OPEN_CARD.button(ctx.t.digits(f"#{c.id}"), c.id) for c in shown]
    await ctx.reply(
        "🏆 <b>" + ctx._(N_("Competitions")) + "</b>\n" + "\n".join(lines),
        InlineKeyboard.columns(buttons, 5),
    )


async def open_pressed(ctx: Ctx, competition_id: int) -> None:
    competition = await ctx.session.competitions.get(competition_id)
    if competition is None:
        await ctx.answer(ctx._(N_("This competition no longer exists.")), alert=True)
        return
    await ctx.answer()
    await ctx.reply(*await card_and_buttons(ctx, competition))


async def card_and_buttons(ctx: Ctx, competition: Competition) -> tuple[str, InlineKeyboard | None]:
    c = competition
    state = state_of(ctx, c)
    names = {t.slug: t.name(ctx.language) for t in await ctx.session.tags.all()}
    tag_names = ", ".join(names.get(s, s) for s in await ctx.session.competitions.tags_of(c.id))
    competitions = ctx.session.competitions
    count = (await competitions.entry_counts([c.id])).get(c.id, 0)  # not every entry read
    winners = None
    if state == DECIDED:
        winners = []
        for entry in await competitions.placed(c.id):
            member = await ctx.session.members.by_id(entry.member_id)
            name = member.full_name if member and member.full_name else ctx._(LEFT_MEMBER)
            winners.append((entry.place or 0, name))
    card = competition_card(
        ctx.t, c, tag_names, count, ctx.clock.now(), ctx.timezone,
        winners,
    )  # fmt: skip
    rows: list[list[Button]] = []
    member = await ctx.member()
    if member is not None and state == OPEN:
        mine = await competitions.entries_of(c.id, member.id)
        if may_add_entry(c.entries_allowed, len(mine)):
            rows.append([ENTER.button("✍️ " + ctx._(N_("Enter")), c.id)])
        for entry in mine:
            label = ctx._(N_("Edit my entry"))
            if len(mine) > 1:
                label += f" №{ctx.t.digits(str(entry.number))}"
            rows.append([EDIT_ENTRY.button("✏️ " + label, entry.id)])
    if member is not None and state == JUDGING:
        if await ctx.session.competitions.is_judge(c.id, member.id):
            rows.append([SCORE.button("⚖️ " + ctx._(N_("Score entries")), c.id)])
    if await ctx.session.staff.has_role(ctx.user_id, "admin"):
        if state == OPEN:
            label = "✏️ " + ctx._(N_("Edit the competition"))
            rows.append([CHANGE.button(label, c.id)])
        else:
            rows.append([RANKING.button("📊 " + ctx._(N_("Ranking")), c.id)])
    share = share_button(ctx, "competition", c.id, c.title(ctx.language))
    if share is not None:
        rows.append([share])
    return card, InlineKeyboard.of(rows) if rows else None


# -- entering --------------------------------------------------------------------------------
async def enter_pressed(ctx: Ctx, competition_id: int) -> None:
    member = await ctx.member()
    if member is None:
        await ctx.answer(ctx._(NOT_SIGNED_UP), alert=True)
        return
    if await signing_up(ctx):
        return
    competition = await ctx.session.competitions.get(competition_id)
    if competition is None or state_of(ctx, competition) != OPEN:
        await ctx.answer(ctx._(CLOSED), alert=True)
        return
    mine = await ctx.session.competitions.entries_of(competition.id, member.id)
    if not may_add_entry(competition.entries_allowed, len(mine)):
        await ctx.answer(
            ctx._(N_("You have sent all the entries this competition allows.")), alert=True
        )
        return
    await ctx.answer()
    await ctx.start_flow("cpentry", "text", {"competition": competition.id, "entry": None})


async def edit_pressed(ctx: Ctx, entry_id: int) -> None:
    member = await ctx.member()
    entry = await ctx.session.competitions.entry(entry_id)
    if member is None or entry is None or entry.member_id != member.id:
        await ctx.answer(ctx._(N_("Only the member who sent this entry can edit it.")), alert=True)
        return
    if await signing_up(ctx):
        return
    competition = await ctx.session.competitions.get(entry.competition_id)
    if competition is None or state_of(ctx, competition) != OPEN:
        await ctx.answer(ctx._(CLOSED), alert=True)
        return
    await ctx.answer()
    await ctx.start_flow(
        "cpentry", "text",
        {"competition": competition.id, "entry": entry.id, "text": entry.text, "link": entry.link,
         "attachment": entry.attachment_id},
    )  # fmt: skip


async def ask_text(ctx: Ctx) -> None:
    question = ctx._(
        N_(
            "Send your entry as a text of up to {limit} characters: what you made, how, and why it matters. You can add a link next."
        )
    ).format(limit=ctx.t.number(ENTRY_MAX))
    if ctx.data.get("entry") is None:
        await ctx.reply(question)
        return
    await ctx.reply(
        ctx._(N_("Your entry now:")) + "\n\n" + escape(ctx.data["text"]) + "\n\n" + question,
        ctx.keyboard([ctx.button(ctx._(N_("Keep this text")), KEEP)]),
    )


async def receive_text(ctx: Ctx) -> None:
    text = clean_text(ctx.event.text)
    if not text or telegram_length(text) > ENTRY_MAX:
        await ctx.reply(
            ctx._(N_("Please send 1 to {limit} characters.")).format(limit=ctx.t.number(ENTRY_MAX))
        )
        return
    ctx.data["text"] = text
    await ctx.goto("link")


async def keep_text(ctx: Ctx) -> None:
    if ctx.value != KEEP or ctx.data.get("entry") is None:
        await ctx.reprompt()
        return
    await ctx.clear_buttons()
    await ctx.goto("link")


async def ask_link(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(N_("No link")), NO_LINK)]
    if ctx.data.get("entry") is not None and ctx.data.get("link"):
        buttons.insert(0, ctx.button(ctx._(N_("Keep the link")), KEEP))
    await ctx.reply(
        ctx._(
            N_(
                "A link to your work (a site, a video, a document)? Send the web address, or press No link."
            )
        ),
        ctx.keyboard(buttons),
    )


async def receive_link(ctx: Ctx) -> None:
    try:
        ctx.data["link"] = parse_web_address(ctx.event.text)
    except Invalid as error:
        await ctx.reply(ctx._(error.message))
        return
    await ctx.goto("file")


async def link_pressed(ctx: Ctx) -> None:
    if ctx.value == NO_LINK:
        ctx.data["link"] = None
    elif ctx.value != KEEP or ctx.data.get("entry") is None:
        await ctx.reprompt()
        return
    await ctx.clear_buttons()
    await ctx.goto("file")


async def ask_file(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(N_("No file")), NO_FILE)]
    if ctx.data.get("entry") is not None and ctx.data.get("attachment"):
        buttons.insert(0, ctx.button(ctx._(N_("Keep the file")), KEEP))
    await ctx.reply(
        ctx._(N_("A file with your entry? Send {kinds}, or press No file.")).format(
            kinds=ctx._(ENTRY_FILE.kinds)
        ),
        ctx.keyboard(buttons),
    )


async def receive_file(ctx: Ctx) -> None:
    kept = await take_file(ctx, ENTRY_FILE)
    if kept is None:
        return
    ctx.data["file"] = kept
    await ctx.goto("confirm")


async def file_pressed(ctx: Ctx) -> None:
    if ctx.value == NO_FILE:
        ctx.data["file"], ctx.data["attachment"] = None, None
    elif ctx.value != KEEP or ctx.data.get("entry") is None:
        await ctx.reprompt()
        return
    await ctx.clear_buttons()
    await ctx.goto("confirm")


async def ask_confirm(ctx: Ctx) -> None:
    competition = await ctx.session.competitions.get(ctx.data["competition"])
    if competition is None:
        ctx.end_flow()
        return
    lines = [
        ctx._(N_("Your entry to {title}:")).format(
            title=f"<b>{escape(competition.title(ctx.language))}</b>"
        ),
        "",
        escape(ctx.data["text"]),
    ]
    if ctx.data.get("link"):
        lines += ["", "🔗 " + escape(ctx.data["link"])]
    if ctx.data.get("file") or ctx.data.get("attachment"):
        name = (ctx.data.get("file") or {}).get("file_name") or ""
        lines += ["", "📎 " + (escape(name) or ctx._(N_("a file")))]
    lines += ["", ctx._(N_("The judges see it without your name. Send it?"))]
    await ctx.reply(
        "\n".join(lines),
        ctx.keyboard(
            [
                ctx.button("✅ " + ctx._(N_("Send")), "send"),
                ctx.button(ctx._(N_("Cancel")), "cancel"),
            ]
        ),
    )


async def confirm_pressed(ctx: Ctx) -> None:
    await ctx.clear_buttons()
    if ctx.value != "send":
        ctx.end_flow()
        await ctx.reply(ctx._(N_("Cancelled. Send /help to see what you can do.")))
        return
    member = await ctx.member()
    competition = await ctx.session.competitions.get(ctx.data["competition"])
    d = ctx.data
    ctx.end_flow()
    if member is None or competition is None or state_of(ctx, competition) != OPEN:
        if competition is None:
            await ctx.reply(ctx._(CLOSED))
            return
        await ctx.reply(
            ctx._(
                N_("Sorry, the deadline ({moment}) has passed: your entry was not saved.")
            ).format(moment=local_moment(ctx.t, competition.deadline_at, ctx.timezone))
        )
        return
    now = ctx.clock.now()
    entry: CompetitionEntry | None
    if d.get("entry") is None:
        mine = await ctx.session.competitions.entries_of(competition.id, member.id)
        if not may_add_entry(competition.entries_allowed, len(mine)):
            await ctx.reply(ctx._(N_("You have sent all the entries this competition allows.")))
            return
        entry = await ctx.session.competitions.add_entry_within_limit(
            competition.id, member.id, d["text"], d.get("link"), now
        )
        if entry is None:  # another Send of theirs got in first
            await ctx.reply(ctx._(N_("You have sent all the entries this competition allows.")))
            return
        entry.attachment_id = d.get("attachment")
        done = N_("Your entry №{number} is in. You can edit it until {moment}.")
    else:
        entry = await ctx.session.competitions.entry(d["entry"])
        if entry is None or entry.member_id != member.id:
            await ctx.reply(ctx._(N_("Only the member who sent this entry can edit it.")))
            return
        entry.text, entry.link, entry.updated_at = d["text"], d.get("link"), now
        entry.attachment_id = d.get("attachment")
        done = N_("Your entry №{number} is saved. You can edit it until {moment}.")
    if d.get("file"):  # a new file replaces the one kept
        kept = await ctx.session.attachments.add(member.id, "entry", d["file"], now)
        entry.attachment_id = kept.id
    await ctx.reply(
        ctx._(done).format(
            number=entry.number,
            moment=local_moment(ctx.t, competition.deadline_at, ctx.timezone),
        )
    )


entry_flow = Flow(
    "cpentry",
    {
        "text": Step(ask_text, N_("Please send your entry as text."), on_text=receive_text, on_button=keep_text, next=("link",)),
        "link": Step(ask_link, N_("Please send a web address, or press No link."), on_text=receive_link, on_button=link_pressed, next=("file",)),
        "file": Step(ask_file, N_("Please send a file, or press No file."), on_button=file_pressed, on_media=receive_file, next=("confirm",)),
        "confirm": Step(ask_confirm, N_("Please answer with one of the buttons."), on_button=confirm_pressed, ends=True),
    },
    entry=("text",),
)  # fmt: skip
