"""/post: an administrator publishes an announcement, news, a policy, research, an
opportunity or an event, in Khmer, English or both.

Steps (flow ``post``): kind → title_km → summary_km → title_en → summary_en → link → tags
→ when (events: the date and time; opportunities: the last day, or Skip) → preview. A
language may be skipped, not both; a summary may be skipped. Being an administrator is
checked at the command and again at Publish. Published items reach members through
/news and the other browsing commands, /search and the news digest.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from bot.core.text import clean_line, clean_text, telegram_length
from handlers.content.cards import item_card
from handlers.content.kinds import KIND_NAMES, is_kind
from handlers.context import Ctx, is_admin
from handlers.dates import normalised, parse_moment, read_date
from handlers.invalid import Invalid
from handlers.links import link_step
from handlers.tag_keyboard import DONE, tag_keyboard, toggle
from handlers.text_search.tokens import search_tokens
from storage.models import ContentItem
from storage.seed.tags import SLUGS

SKIP = "skip"
TITLE_MAX, SUMMARY_MAX = 200, 1500
DEADLINE_FORMAT = N_("Please send the last day as a date, for example 31/12/2026, or press Skip.")


async def post_command(ctx: Ctx) -> None:
    if await is_admin(ctx):
        await ctx.start_flow("post", "kind", {"tags": []})


async def ask_kind(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(name), kind) for kind, name in KIND_NAMES.items()]
    await ctx.reply(ctx._(N_("What do you want to publish?")), ctx.keyboard(buttons, 2))


async def kind_chosen(ctx: Ctx) -> None:
    if not is_kind(ctx.value):
        await ctx.reprompt()
        return
    ctx.data["kind"] = ctx.value
    await ctx.clear_buttons()
    await ctx.goto("title_km")


def text_step(key: str, question: str, hint: str, following: str, limit: int) -> Step:
    """A text answer, or Skip; skipping both titles is refused."""

    async def ask(ctx: Ctx) -> None:
        await ctx.reply(ctx._(question), ctx.keyboard([ctx.button(ctx._(N_("Skip")), SKIP)]))

    async def receive(ctx: Ctx) -> None:
        text = (clean_line if key.startswith("title") else clean_text)(ctx.event.text)
        if not text or telegram_length(text) > limit:  # as Telegram counts
            await ctx.reply(ctx._(N_("Please send 1 to {limit} characters.")).format(limit=limit))
            return
        ctx.data[key] = text
        await ctx.goto(next_step(ctx, key, following))

    async def skip(ctx: Ctx) -> None:
        if ctx.value != SKIP:
            await ctx.reprompt()
            return
        if key == "title_en" and not ctx.data.get("title_km"):
            await ctx.answer(
                ctx._(N_("Give at least one title: in Khmer or in English.")), alert=True
            )
            return
        ctx.data[key] = None
        await ctx.clear_buttons()
        await ctx.goto(next_step(ctx, key, following))

    return Step(
        ask,
        hint,
        on_text=receive,
        on_button=skip,
        next=tuple(dict.fromkeys((following, UNTITLED.get(key, following)))),
    )


UNTITLED = {"title_km": "title_en", "title_en": "link"}  # past the summary of that language


def next_step(ctx: Ctx, key: str, following: str) -> str:
    """A language without a title gets no summary question."""
    if key in UNTITLED and not ctx.data.get(key):
        return UNTITLED[key]
    return following


def done_label(ctx: Ctx) -> str:
    return ctx._(N_("Done")) + " ✔️"


async def ask_tags(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("Which topics is it about? Tap them (or none), then press Done.")),
        await tag_keyboard(ctx, ctx.data["tags"], done_label(ctx)),
    )


async def tag_chosen(ctx: Ctx) -> None:
    if ctx.value == DONE:
        await ctx.clear_buttons()
        kind = ctx.data["kind"]
        await ctx.goto("when" if kind in ("event", "opportunity") else "preview")
        return
    if ctx.value not in SLUGS:
        await ctx.reprompt()
        return
    await toggle(ctx, ctx.data["tags"], done_label(ctx))


async def ask_when(ctx: Ctx) -> None:
    if ctx.data["kind"] == "event":
        await ctx.reply(
            ctx._(
                N_(
                    "When does the event start? Send the date and time in Cambodia, for example 25/12/2026 18:00."
                )
            )
        )
    else:
        await ctx.reply(
            ctx._(N_("Until when can people apply? Send the date, or press Skip.")),
            ctx.keyboard([ctx.button(ctx._(N_("Skip")), SKIP)]),
        )


async def receive_when(ctx: Ctx) -> None:
    tz = ctx.timezone
    now = ctx.clock.now()
    try:
        if ctx.data["kind"] == "event":
            ctx.data["event_at"] = parse_moment(ctx.event.text, now, tz).isoformat()
        else:
            today = now.astimezone(tz).date()
            deadline = read_date(normalised(ctx.event.text), today, DEADLINE_FORMAT)
            if deadline < today:
                raise Invalid(DEADLINE_FORMAT)
            ctx.data["deadline"] = deadline.isoformat()
    except Invalid as error:
        await ctx.reply(ctx._(error.message).format(**error.params))
        return
    await ctx.goto("preview")


async def skip_when(ctx: Ctx) -> None:
    if ctx.value != SKIP or ctx.data["kind"] != "opportunity":
        await ctx.reprompt()
        return
    ctx.data["deadline"] = None
    await ctx.clear_buttons()
    await ctx.goto("preview")


def draft_item(ctx: Ctx) -> ContentItem:
    """The item as it will be stored (not added to the session): for the preview."""
    d = ctx.data
    return ContentItem(
        id=0, kind=d["kind"], title_km=d.get("title_km"), title_en=d.get("title_en"),
        summary_km=d.get("summary_km"), summary_en=d.get("summary_en"), link=d.get("link"),
        event_at=datetime.fromisoformat(d["event_at"]) if d.get("event_at") else None,
        deadline=date.fromisoformat(d["deadline"]) if d.get("deadline") else None,
        published_at=ctx.clock.now(),
    )  # fmt: skip


async def show_preview(ctx: Ctx) -> None:
    item = draft_item(ctx)
    tz = ctx.timezone
    tags = await ctx.session.tags.all()
    for language in ("km", "en"):
        t = ctx.translators.for_language(language)
        names = {tag.slug: tag.name(language) for tag in tags}
        card = item_card(t, item, ", ".join(names[s] for s in ctx.data["tags"]), tz)
        label = "ខ្មែរ" if language == "km" else "English"
        await ctx.reply(
            ctx._(N_("As members reading {language} will see it:")).format(language=label)
            + "\n\n"
            + card
        )
    await ctx.reply(
        ctx._(N_("Publish it?")),
        ctx.keyboard(
            [
                ctx.button("✅ " + ctx._(N_("Publish")), "publish"),
                ctx.button(ctx._(N_("Cancel")), "cancel"),
            ]
        ),
    )


async def publish(ctx: Ctx) -> None:
    await ctx.clear_buttons()
    if ctx.value != "publish":
        ctx.end_flow()
        await ctx.reply(ctx._(N_("Cancelled: nothing was published.")))
        return
    if not await is_admin(ctx):
        ctx.end_flow()
        return
    draft = draft_item(ctx)
    titles, summaries = (draft.title_km, draft.title_en), (draft.summary_km, draft.summary_en)
    item = await ctx.session.content.add(
        draft.kind, titles, summaries, draft.link, ctx.data["tags"], ctx.clock.now(),
        event_at=draft.event_at, deadline=draft.deadline, created_by=ctx.user_id,
        search_tokens=search_tokens(*titles, *summaries),
    )  # fmt: skip
    assert item is not None  # only feed items can be refused as seen before
    await ctx.session.staff.audit(ctx.user_id, "content-published", {"item": item.id})
    ctx.end_flow()
    await ctx.reply(
        ctx._(
            N_(
                "Published as #{number}. Members see it in /news and the other lists, and in their digest."
            )
        ).format(number=item.id)
    )


post_flow = Flow(
    "post",
    {
        "kind": Step(ask_kind, N_("Please choose what to publish with one of the buttons."), on_button=kind_chosen, next=("title_km",)),
        "title_km": text_step("title_km", N_("The title in Khmer? Type it, or press Skip for an English-only item."), N_("Please type the Khmer title, or press Skip."), "summary_km", TITLE_MAX),
        "summary_km": text_step("summary_km", N_("A short summary in Khmer? Type it, or press Skip."), N_("Please type the Khmer summary, or press Skip."), "title_en", SUMMARY_MAX),
        "title_en": text_step("title_en", N_("The title in English? Type it, or press Skip for a Khmer-only item."), N_("Please type the English title, or press Skip."), "summary_en", TITLE_MAX),
        "summary_en": text_step("summary_en", N_("A short summary in English? Type it, or press Skip."), N_("Please type the English summary, or press Skip."), "link", SUMMARY_MAX),
        "link": link_step(N_("A link to read more? Send the web address, or press Skip."), N_("Skip"), N_("Please send a web address, or press Skip."), "tags"),
        "tags": Step(ask_tags, N_("Please tap the topics, then press Done."), on_button=tag_chosen, next=("when", "preview")),
        "when": Step(ask_when, N_("Please send the date (and, for an event, the time)."), on_text=receive_when, on_button=skip_when, next=("preview",)),
        "preview": Step(show_preview, N_("Please answer with one of the buttons."), on_button=publish, ends=True),
    },
    entry=("kind",),
)  # fmt: skip
