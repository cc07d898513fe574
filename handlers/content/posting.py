"""/post: an administrator publishes an announcement, news, a policy, research, an
opportunity or an event, in Khmer, English or both.

Steps (flow ``post``): kind → title_km → summary_km → title_en → summary_en → link → poster
→ tags → when (events: the date and time; opportunities: the last day, or Skip) → preview. A
language may be skipped, not both; a summary may be skipped. The poster is optional: a photo
or a PDF sent (kept by Telegram's file_id), which members who open the item get with the
card as its caption. Each step checks its answer
with the content rules; Publish hands the draft to the publish operation, which checks
the administrator role and the whole item again. Published items reach members through
/news and the other browsing commands, /search and the news digest.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from bot.core.text import escape
from handlers.acting import NotAllowed
from handlers.content import operations
from handlers.content.cards import item_card
from handlers.content.kinds import KIND_NAMES, is_kind
from handlers.content.rules import SUMMARY_MAX, TEXT_LENGTH, TITLE_MAX, cleaned, read_deadline
from handlers.context import Ctx, acting, is_admin, refuse
from handlers.dates import parse_moment
from handlers.files import file_ref, poster_step
from handlers.invalid import Invalid
from handlers.links import link_step
from handlers.tag_keyboard import DONE, tag_keyboard, toggle
from storage.models import ContentItem
from storage.seed.tags import SLUGS

SKIP = "skip"


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
        try:
            text = cleaned(ctx.event.text, limit, line=key.startswith("title"))
        except Invalid:
            text = None
        if text is None:
            await ctx.reply(ctx._(TEXT_LENGTH).format(limit=limit))
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


def poster_line(ctx: Ctx) -> list[str]:
    """The preview's word on the poster (nothing when there is none)."""
    kept = ctx.data.get("file")
    if kept is None:
        return []
    if kept["kind"] == "photo":
        return ["🖼 " + ctx._(N_("Poster: a photo"))]
    name = escape(kept.get("file_name") or "PDF")
    return ["📄 " + ctx._(N_("Poster: {name}")).format(name=name)]


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
            ctx.data["deadline"] = read_deadline(ctx.event.text, now, tz).isoformat()
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
    file = file_ref(ctx.data.get("file"))
    for language in ("km", "en"):
        t = ctx.translators.for_language(language)
        names = {tag.slug: tag.name(language) for tag in tags}
        card = item_card(t, item, ", ".join(names[s] for s in ctx.data["tags"]), tz)
        label = "ខ្មែរ" if language == "km" else "English"
        shown = ctx._(N_("As members reading {language} will see it:")).format(language=label)
        if file is None:
            await ctx.reply(shown + "\n\n" + card)
        else:  # as members get it: the poster, the card its caption
            await ctx.reply(shown)
            await ctx.reply_file(file, card)
    await ctx.reply(
        "\n".join([*poster_line(ctx), ctx._(N_("Publish it?"))]),
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
    draft = draft_item(ctx)
    try:
        item = await operations.publish(
            acting(ctx), draft.kind, (draft.title_km, draft.title_en),
            (draft.summary_km, draft.summary_en), draft.link, ctx.data["tags"],
            event_at=draft.event_at, deadline=draft.deadline,
            file=file_ref(ctx.data.get("file")),
        )  # fmt: skip
    except NotAllowed as error:
        ctx.end_flow()
        await refuse(ctx, error.message)
        return
    except Invalid as error:  # the start passed while the preview was open: ask again
        await ctx.reply(ctx._(error.message).format(**error.params))
        if draft.kind in ("event", "opportunity"):
            await ctx.goto("when")
        else:
            ctx.end_flow()
        return
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
        "link": link_step(N_("A link to read more? Send the web address, or press Skip."), N_("Skip"), N_("Please send a web address, or press Skip."), "poster"),
        "poster": poster_step("tags"),
        "tags": Step(ask_tags, N_("Please tap the topics, then press Done."), on_button=tag_chosen, next=("when", "preview")),
        "when": Step(ask_when, N_("Please send the date (and, for an event, the time)."), on_text=receive_when, on_button=skip_when, next=("preview",)),
        "preview": Step(show_preview, N_("Please answer with one of the buttons."), on_button=publish, next=("when",), ends=True),
    },
    entry=("kind",),
)  # fmt: skip
