"""/subscriptions: what the news digest brings a member and how often, and the categories
of broadcasts and posts they receive.

Steps (flow ``subs``): summary → freq | kinds | tags | cats → summary; each change is saved
at once. Weekly (Monday 08:00) is the default, every kind, every topic; following no topic
means following all of them. Every category is received at first; a member may switch off
events, opportunities, competitions and community news (their broadcasts, their items in
the digest, event reminders, reminders of competitions they did not enter); the ministry's
official announcements always arrive.
"""

from __future__ import annotations

from bot.core.flow import Flow, Step
from bot.core.i18n import N_, Translator
from bot.core.keyboards import InlineKeyboard
from handlers.categories import CATEGORY_ICONS, OPTIONAL_CATEGORIES, category_name
from handlers.content.kinds import KIND_NAMES, KINDS, kind_name
from handlers.context import Ctx, signing_up
from handlers.tag_keyboard import DONE, tag_keyboard, toggle
from storage.models import Member
from storage.seed.tags import SLUGS

OFFICIAL_ALWAYS = N_("🏛 Official announcements from the ministry always arrive.")
FREQUENCIES = {
    "weekly": N_("Weekly, on Monday at 08:00"),
    "daily": N_("Daily at 08:00"),
    "off": N_("Off"),
}


async def subscriptions_command(ctx: Ctx) -> None:
    if await signing_up(ctx):
        return
    if await ctx.member() is None:
        await ctx.reply(ctx._(N_("You have not signed up yet. Send /start to join.")))
        return
    await ctx.start_flow("subs", "summary")


def kinds_of(member: Member) -> list[str]:
    return [k for k in member.digest_kinds.split(",") if k in KINDS]


def frequency_name(t: Translator, slug: str) -> str:
    return t.gettext(FREQUENCIES.get(slug, FREQUENCIES["weekly"]))


async def show_summary(ctx: Ctx) -> None:
    member = await ctx.member()
    if member is None:
        ctx.end_flow()
        return
    names = {t.slug: t.name(ctx.language) for t in await ctx.session.tags.all()}
    followed = await ctx.session.content.followed_tags(member.id)
    off = await ctx.session.content.switched_off(member.id)
    received = [category_name(ctx.t, c) for c in OPTIONAL_CATEGORIES if c not in off]
    lines = [
        "<b>" + ctx._(N_("Your news digest")) + "</b>",
        ctx._(N_("How often: {value}")).format(
            value=frequency_name(ctx.t, member.digest_frequency)
        ),
        ctx._(N_("What: {value}")).format(
            value=", ".join(kind_name(ctx.t, k) for k in kinds_of(member))
        ),
        ctx._(N_("Topics: {value}")).format(
            value=", ".join(names.get(s, s) for s in followed) or ctx._(N_("all topics"))
        ),
    ]
    if await ctx.session.questions.expert_profile(member.id) is not None:
        lines.append(ctx._(N_("As an expert, you also get the open questions in your topics.")))
    lines += [
        "",
        "<b>" + ctx._(N_("Broadcasts and posts you receive")) + "</b>",
        ", ".join(received) or ctx._(N_("only the official announcements")),
        ctx._(OFFICIAL_ALWAYS),
    ]
    keyboard = ctx.keyboard(
        [
            ctx.button("✏️ " + ctx._(N_("How often")), "freq"),
            ctx.button("✏️ " + ctx._(N_("What")), "kinds"),
            ctx.button("✏️ " + ctx._(N_("Topics")), "tags"),
            ctx.button("✏️ " + ctx._(N_("Categories")), "cats"),
            ctx.button("✔️ " + ctx._(N_("Close")), "close"),
        ]
    )
    await ctx.reply("\n".join(lines), keyboard)


async def summary_pressed(ctx: Ctx) -> None:
    await ctx.clear_buttons()
    if ctx.value == "close":
        ctx.end_flow()
        await ctx.reply(ctx._(N_("Saved. Send /help to see what you can do.")))
    elif ctx.value in ("freq", "kinds", "tags", "cats"):
        member = await ctx.member()
        if member is not None:
            ctx.data["kinds"] = kinds_of(member)
            ctx.data["tags"] = await ctx.session.content.followed_tags(member.id)
        await ctx.goto(ctx.value)
    else:
        await ctx.reprompt()


async def ask_frequency(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(label), slug) for slug, label in FREQUENCIES.items()]
    await ctx.reply(ctx._(N_("How often should the digest come?")), ctx.keyboard(buttons, 1))


async def frequency_chosen(ctx: Ctx) -> None:
    member = await ctx.member()
    if ctx.value not in FREQUENCIES or member is None:
        await ctx.reprompt()
        return
    member.digest_frequency = ctx.value
    await ctx.clear_buttons()
    await ctx.goto("summary")


def kinds_keyboard(ctx: Ctx, chosen: list[str]) -> InlineKeyboard:
    buttons = [
        ctx.button(("✅ " if kind in chosen else "") + ctx._(label), kind)
        for kind, label in KIND_NAMES.items()
    ]
    done = ctx.button(ctx._(N_("Done")) + " ✔️", DONE)
    return InlineKeyboard.of([*ctx.keyboard(buttons, 2).rows, (done,)])


async def ask_kinds(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("What should the digest bring? Tap to choose, then press Done.")),
        kinds_keyboard(ctx, ctx.data["kinds"]),
    )


async def kind_pressed(ctx: Ctx) -> None:
    chosen: list[str] = ctx.data["kinds"]
    member = await ctx.member()
    if member is None:
        ctx.end_flow()
        return
    if ctx.value == DONE:
        if not chosen:
            await ctx.answer(ctx._(N_("Choose at least one, or set How often to Off.")), alert=True)
            return
        member.digest_kinds = ",".join(k for k in KINDS if k in chosen)
        await ctx.clear_buttons()
        await ctx.goto("summary")
        return
    if ctx.value not in KINDS:
        await ctx.reprompt()
        return
    if ctx.value in chosen:
        chosen.remove(ctx.value)
    else:
        chosen.append(ctx.value)
    await ctx.answer()
    if ctx.event.message_id is not None:
        await ctx.messenger.edit_keyboard(
            ctx.event.chat_id, ctx.event.message_id, kinds_keyboard(ctx, chosen)
        )


async def ask_tags(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("Which topics do you follow? Tap them, then press Done; none means all topics.")),
        await tag_keyboard(ctx, ctx.data["tags"], ctx._(N_("Done")) + " ✔️"),
    )


async def tag_pressed(ctx: Ctx) -> None:
    member = await ctx.member()
    if member is None:
        ctx.end_flow()
        return
    if ctx.value == DONE:
        await ctx.session.content.follow_tags(member.id, ctx.data["tags"])
        await ctx.clear_buttons()
        await ctx.goto("summary")
        return
    if ctx.value not in SLUGS:
        await ctx.reprompt()
        return
    await toggle(ctx, ctx.data["tags"], ctx._(N_("Done")) + " ✔️")


# -- categories of broadcasts and posts ------------------------------------------------------
async def categories_keyboard(ctx: Ctx, member_id: int) -> InlineKeyboard:
    off = await ctx.session.content.switched_off(member_id)
    buttons = [
        ctx.button(
            ("✅ " if c not in off else "🚫 ") + CATEGORY_ICONS[c] + " " + category_name(ctx.t, c),
            c,
        )
        for c in OPTIONAL_CATEGORIES
    ]
    done = ctx.button(ctx._(N_("Done")) + " ✔️", DONE)
    return InlineKeyboard.of([*ctx.keyboard(buttons, 1).rows, (done,)])


async def ask_categories(ctx: Ctx) -> None:
    member = await ctx.member()
    if member is None:
        ctx.end_flow()
        return
    await ctx.reply(
        ctx._(
            N_(
                "Which broadcasts and posts do you want? Tap a category to switch it on ✅ or off 🚫, then press Done. Switching one off stops its broadcasts, its items in your digest and its reminders."
            )
        )
        + "\n"
        + ctx._(OFFICIAL_ALWAYS),
        await categories_keyboard(ctx, member.id),
    )


async def category_pressed(ctx: Ctx) -> None:
    member = await ctx.member()
    if member is None:
        ctx.end_flow()
        return
    if ctx.value == DONE:
        await ctx.clear_buttons()
        await ctx.goto("summary")
        return
    if ctx.value not in OPTIONAL_CATEGORIES:
        await ctx.reprompt()
        return
    off = ctx.value in await ctx.session.content.switched_off(member.id)
    await ctx.session.content.switch_category(member.id, ctx.value, on=off)
    await ctx.answer()
    if ctx.event.message_id is not None:
        await ctx.messenger.edit_keyboard(
            ctx.event.chat_id, ctx.event.message_id, await categories_keyboard(ctx, member.id)
        )


BACK = ("summary",)
subscriptions_flow = Flow(
    "subs",
    {
        "summary": Step(show_summary, N_("Please tap what to change, or Close."), on_button=summary_pressed, next=("freq", "kinds", "tags", "cats"), ends=True),
        "freq": Step(ask_frequency, N_("Please choose how often with one of the buttons."), on_button=frequency_chosen, next=BACK),
        "kinds": Step(ask_kinds, N_("Please tap your choices, then press Done."), on_button=kind_pressed, next=BACK, ends=True),
        "tags": Step(ask_tags, N_("Please tap the topics, then press Done."), on_button=tag_pressed, next=BACK, ends=True),
        "cats": Step(ask_categories, N_("Please tap the categories, then press Done."), on_button=category_pressed, next=BACK, ends=True),
    },
    entry=("summary",),
)  # fmt: skip
