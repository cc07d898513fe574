"""/broadcast: an administrator writes a message in Khmer and English, chooses who gets it,
sees it exactly as each language's recipients will, then sends it now or at a set time.

Steps (flow ``broadcast``): km → en → link → poster → category → audience (with the choice
steps roles, provinces and tags) → preview → [when]. The poster is optional: a photo or a PDF
sent (kept by Telegram's file_id), each language's text its caption; at the preview, Protect
(no forwarding or saving) and Pin (pinned in each member's chat) are switched on and off. The category (official, events…) decides who
is left out: members who switched it off in /subscriptions; the counts shown leave them out. Being an administrator is checked when the
command is sent; Send now and a time typed at "when" hand the broadcast to the create
operation, which checks the role and the whole broadcast again.

Paid (fast), at the preview, for administrators only: sent with Telegram's paid broadcasts
at up to DCC_PAID_SEND_RATE a second, for the bot's Stars. Choosing it shows the estimate
(``handlers.broadcast.paid``: about how many Stars, how long instead of how long free) and
the role is checked again when it is pressed and when the broadcast is sent; the message
saying it is on its way shows the estimate again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clip, clip_units, escape
from handlers.acting import NotAllowed
from handlers.broadcast import operations
from handlers.broadcast.audience import describe
from handlers.broadcast.message import PAID, TEXT_MAX, broadcast_message
from handlers.broadcast.paid import estimate, estimate_text, parts_by_language, rates
from handlers.broadcast.rules import TEXT_LENGTH, broadcast_text
from handlers.categories import CATEGORIES, CATEGORY_ICONS, OFFICIAL, category_name
from handlers.content.cards import in_language
from handlers.context import Ctx, acting, is_admin, refuse
from handlers.dates import parse_moment
from handlers.files import file_ref, poster_step
from handlers.invalid import Invalid
from handlers.links import link_step
from handlers.profile.labels import ROLE_NAMES
from handlers.tag_keyboard import DONE, tag_keyboard, toggle
from storage.broadcasts import Audience
from storage.seed.provinces import ABROAD, PROVINCES
from storage.seed.tags import SLUGS

SAME = "same"
PROTECT, PIN = "protect", "pin"
FAST = "paid"  # the Paid (fast) button's value and the flow data's key


async def broadcast_command(ctx: Ctx) -> None:
    if await is_admin(ctx):
        await ctx.start_flow(
            "broadcast", "km", {"audience": Audience().to_json(), "category": OFFICIAL}
        )


async def start_prefilled(
    ctx: Ctx,
    km: str,
    en: str,
    link: str | None = None,
    audience: Audience | None = None,
    category: str = OFFICIAL,
) -> None:
    """Open the broadcast flow at its preview with texts another feature wrote (a
    competition's result): the administrator sees it as recipients will and sends,
    schedules, changes the audience or cancels as usual. Texts are plain (escaped when
    shown) and clipped to TEXT_MAX."""
    if await is_admin(ctx):
        data = {
            "km": clip_units(km, TEXT_MAX), "en": clip_units(en, TEXT_MAX), "link": link,
            "audience": (audience or Audience()).to_json(), "category": category,
        }  # fmt: skip
        await ctx.start_flow("broadcast", "preview", data)


def audience_of(ctx: Ctx) -> Audience:
    return Audience.from_json(ctx.data["audience"])


def category_of(ctx: Ctx) -> str:
    category = ctx.data.get("category", OFFICIAL)
    return category if category in CATEGORIES else OFFICIAL


def text_of(ctx: Ctx) -> str | None:
    try:
        return broadcast_text(ctx.event.text)
    except Invalid:
        return None


# -- the texts and the link ------------------------------------------------------------------
async def ask_km(ctx: Ctx) -> None:
    await ctx.reply(ctx._(N_("Write the broadcast in Khmer: the text members reading Khmer get.")))


async def receive_km(ctx: Ctx) -> None:
    text = text_of(ctx)
    if text is None:
        await ctx.reply(ctx._(TEXT_LENGTH).format(limit=TEXT_MAX))
        return
    ctx.data["km"] = text
    await ctx.goto("en")


async def ask_en(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("Now the English text, or press Same text for both.")),
        ctx.keyboard([ctx.button(ctx._(N_("Same text for both")), SAME)]),
    )


async def receive_en(ctx: Ctx) -> None:
    text = text_of(ctx)
    if text is None:
        await ctx.reply(ctx._(TEXT_LENGTH).format(limit=TEXT_MAX))
        return
    ctx.data["en"] = text
    await ctx.goto("link")


async def same_text(ctx: Ctx) -> None:
    if ctx.value != SAME:
        await ctx.reprompt()
        return
    ctx.data["en"] = ctx.data["km"]
    await ctx.clear_buttons()
    await ctx.goto("link")


# -- the category ----------------------------------------------------------------------------
async def ask_category(ctx: Ctx) -> None:
    buttons = [ctx.button(CATEGORY_ICONS[c] + " " + category_name(ctx.t, c), c) for c in CATEGORIES]
    await ctx.reply(
        ctx._(
            N_(
                "What is it about? Members who switched that category off in /subscriptions do not get it; official announcements reach everyone."
            )
        ),
        ctx.keyboard(buttons, 1),
    )


async def category_chosen(ctx: Ctx) -> None:
    if ctx.value not in CATEGORIES:
        await ctx.reprompt()
        return
    ctx.data["category"] = ctx.value
    await ctx.clear_buttons()
    await ctx.goto("audience")


# -- the audience ----------------------------------------------------------------------------
async def ask_audience(ctx: Ctx) -> None:
    audience = audience_of(ctx)
    counts = await ctx.session.broadcasts.count_by_language(audience, category_of(ctx))
    tags = await ctx.session.tags.all()
    check = "✅ "
    buttons = [
        ctx.button(("" if audience != Audience() else check) + ctx._(N_("All members")), "all"),
        ctx.button(("🔸 " if audience.roles else "") + ctx._(N_("By role")), "roles"),
        ctx.button(("🔸 " if audience.provinces else "") + ctx._(N_("By province")), "provs"),
        ctx.button(("🔸 " if audience.tags else "") + ctx._(N_("By skill")), "tags"),
        ctx.button(("🔸 " if audience.attended else "") + ctx._(N_("Attended an event")), "events"),
        ctx.button((check if audience.experts else "") + ctx._(N_("Experts only")), "experts"),
        ctx.button(
            (check if audience.companies else "") + ctx._(N_("Company representatives only")),
            "companies",
        ),
    ]
    keyboard = InlineKeyboard.of(
        [*ctx.keyboard(buttons, 2).rows, (ctx.button(ctx._(N_("Next")) + " ➡️", "next"),)]
    )
    await ctx.reply(
        ctx._(
            N_(
                "Who gets it? Criteria of different kinds must all hold; several choices of one kind are alternatives.\n\nNow: {audience}\nRecipients: {count}"
            )
        ).format(
            audience=describe(ctx.t, audience, tags), count=ctx.t.number(sum(counts.values()))
        ),
        keyboard,
    )


async def audience_pressed(ctx: Ctx) -> None:
    audience = audience_of(ctx)
    value = ctx.value
    await ctx.clear_buttons()
    if value == "next":
        await ctx.goto("preview")
        return
    if value in ("roles", "provs", "tags", "events"):
        await ctx.goto(value)
        return
    if value == "all":
        audience = Audience()
    elif value == "experts":
        audience = replace(audience, experts=not audience.experts)
    elif value == "companies":
        audience = replace(audience, companies=not audience.companies)
    ctx.data["audience"] = audience.to_json()
    await ctx.reprompt()


def choice_step(key: str, question: str) -> Step:
    """A toggle keyboard over roles, provinces or tags, then Done back to the audience."""

    def options(ctx: Ctx) -> list[tuple[str, str]]:
        if key == "roles":
            return [(slug, ctx._(label)) for slug, label in ROLE_NAMES.items()]
        return [(p.slug, p.name(ctx.language)) for p in PROVINCES] + [(ABROAD, ctx._(N_("Abroad")))]

    field = {"roles": "roles", "provs": "provinces", "tags": "tags"}[key]

    async def ask(ctx: Ctx) -> None:
        chosen = ctx.data["audience"][field]
        done = ctx._(N_("Done")) + " ✔️"
        if key == "tags":
            keyboard = await tag_keyboard(ctx, chosen, done)
        else:
            buttons = [
                ctx.button(("✅ " if slug in chosen else "") + label, slug)
                for slug, label in options(ctx)
            ]
            keyboard = InlineKeyboard.of(
                [*ctx.keyboard(buttons, 2).rows, (ctx.button(done, DONE),)]
            )
        await ctx.reply(ctx._(question), keyboard)

    async def pressed(ctx: Ctx) -> None:
        chosen: list[str] = ctx.data["audience"][field]
        if ctx.value == DONE:
            await ctx.clear_buttons()
            await ctx.goto("audience")
            return
        valid = SLUGS if key == "tags" else [slug for slug, _label in options(ctx)]
        if ctx.value not in valid:
            await ctx.reprompt()
            return
        if key == "tags":
            await toggle(ctx, chosen, ctx._(N_("Done")) + " ✔️")
            return
        if ctx.value in chosen:
            chosen.remove(ctx.value)
        else:
            chosen.append(ctx.value)
        await ctx.answer()
        await ctx.clear_buttons()
        await ctx.reprompt()

    return Step(
        ask, N_("Please tap your choices, then press Done."), on_button=pressed, next=("audience",)
    )


EVENTS_SHOWN = 10


async def ask_events(ctx: Ctx) -> None:
    """The latest events members checked in at (by their QR code), to choose from."""
    chosen = ctx.data["audience"].setdefault("attended", [])
    events = await ctx.session.outreach.checked_in_events(EVENTS_SHOWN)
    if not events:
        await ctx.reply(ctx._(N_("Nobody has checked in at an event yet.")))
        await ctx.goto("audience")
        return
    buttons = [
        ctx.button(
            ("✅ " if item.id in chosen else "")
            + f"#{ctx.t.digits(str(item.id))} {clip(in_language(ctx.t, item.title_km, item.title_en)[0], 30)} ({ctx.t.number(count)})",
            str(item.id),
        )
        for item, count in events
    ]
    done = ctx.button(ctx._(N_("Done")) + " ✔️", DONE)
    await ctx.reply(
        ctx._(N_("Members who checked in at which events? Tap them, then press Done.")),
        InlineKeyboard.of([*ctx.keyboard(buttons, 1).rows, (done,)]),
    )


async def event_pressed(ctx: Ctx) -> None:
    chosen: list[int] = ctx.data["audience"].setdefault("attended", [])
    await ctx.clear_buttons()
    if ctx.value == DONE:
        await ctx.goto("audience")
        return
    events = await ctx.session.outreach.checked_in_events(EVENTS_SHOWN)
    number = next((item.id for item, _count in events if str(item.id) == ctx.value), None)
    if number is not None:
        if number in chosen:
            chosen.remove(number)
        else:
            chosen.append(number)
    await ctx.reprompt()


# -- preview, send, schedule -----------------------------------------------------------------
async def show_preview(ctx: Ctx) -> None:
    category = category_of(ctx)
    counts = await ctx.session.broadcasts.count_by_language(audience_of(ctx), category)
    file = file_ref(ctx.data.get("file"))
    for language, label in (("km", "ខ្មែរ"), ("en", "English")):
        t = ctx.translators.for_language(language)
        text, keyboard = broadcast_message(t, ctx.data[language], ctx.data.get("link"))
        await ctx.reply(
            ctx.ngettext(
                "As {count} member reading {language} will see it:",
                "As {count} members reading {language} will see it:",
                counts.get(language, 0),
            ).format(count=ctx.t.number(counts.get(language, 0)), language=label)
        )
        if file is None:
            await ctx.reply(text, keyboard)
        else:
            await ctx.reply_file(file, text, keyboard)
    await ask_send(ctx)


def paid_estimate(ctx: Ctx, counts: dict[str, int]) -> str:
    """The estimate's line, "⚡ Paid (fast): about 12,400 Stars, about 2 minutes instead of
    1 hour 23 minutes", for the audience counted (``counts``, by language) and the messages
    each recipient gets."""
    d = ctx.data
    parts = parts_by_language(ctx.translators, d["km"], d["en"], d.get("file") is not None)
    return "⚡ " + estimate_text(ctx.t, estimate(counts, parts, rates(ctx.extras)))


def settings(ctx: Ctx) -> list[str]:
    """What the preview says is set besides the texts: the poster, protection, the pin
    (nothing for what is not set; the Protect and Pin buttons show a tick when on)."""
    lines: list[str] = []
    kept = ctx.data.get("file")
    if kept is not None and kept["kind"] == "photo":
        lines.append("🖼 " + ctx._(N_("Poster: a photo")))
    elif kept is not None:
        name = escape(kept.get("file_name") or "PDF")
        lines.append("📄 " + ctx._(N_("Poster: {name}")).format(name=name))
    if ctx.data.get(PROTECT):
        lines.append("🔒 " + ctx._(N_("Protected: members cannot forward or save it")))
    if ctx.data.get(PIN):
        lines.append("📌 " + ctx._(N_("Pinned in each member's chat")))
    return lines


async def ask_send(ctx: Ctx) -> None:
    """The preview's last message: what is set, the counts, and the buttons (Protect, Pin
    and, for an administrator, Paid (fast) switch on and off; pressing one shows this
    message again, not the whole preview; with Paid (fast) on, its estimate)."""
    category = category_of(ctx)
    counts = await ctx.session.broadcasts.count_by_language(audience_of(ctx), category)
    admin = await ctx.session.staff.has_role(ctx.user_id, "admin")
    if not admin:  # not offered, and not kept from before a change of role
        ctx.data.pop(FAST, None)
    total = sum(counts.values())
    question = ctx.ngettext("Send it to {count} member?", "Send it to {count} members?", total)
    question = question.format(count=ctx.t.number(total))
    left_out = await ctx.session.broadcasts.count_by_language(audience_of(ctx))
    shown = ctx._(N_("Category: {category}")).format(category=category_name(ctx.t, category))
    if category != OFFICIAL:
        shown += "\n" + ctx._(N_("Left out, by their choice: {count}")).format(
            count=ctx.t.number(sum(left_out.values()) - sum(counts.values()))
        )
    lines = [shown, *settings(ctx)]
    if ctx.data.get(FAST):
        lines.append(paid_estimate(ctx, counts))
    fast = ctx.button(("✅ " if ctx.data.get(FAST) else "") + "⚡ " + ctx._(PAID), FAST)
    await ctx.reply(
        "\n".join(lines) + "\n\n" + question,
        ctx.keyboard(
            [
                ctx.button(
                    ("✅ " if ctx.data.get(PROTECT) else "") + "🔒 " + ctx._(N_("Protect")), PROTECT
                ),
                ctx.button(("✅ " if ctx.data.get(PIN) else "") + "📌 " + ctx._(N_("Pin")), PIN),
                *([fast] if admin else []),
                ctx.button("📤 " + ctx._(N_("Send now")), "now"),
                ctx.button("🗓 " + ctx._(N_("Schedule")), "later"),
                ctx.button("✏️ " + ctx._(N_("Change the audience")), "audience"),
                ctx.button("✏️ " + ctx._(N_("Change the category")), "category"),
                ctx.button(ctx._(N_("Cancel")), "cancel"),
            ]
        ),
    )


async def preview_pressed(ctx: Ctx) -> None:
    await ctx.clear_buttons()
    if ctx.value in (PROTECT, PIN):
        ctx.data[ctx.value] = not ctx.data.get(ctx.value)
        await ask_send(ctx)
    elif ctx.value == FAST:
        if not await is_admin(ctx):  # the role now, not when /broadcast was sent
            ctx.end_flow()
            return
        ctx.data[FAST] = not ctx.data.get(FAST)
        await ask_send(ctx)
    elif ctx.value in ("audience", "category"):
        await ctx.goto(ctx.value)
    elif ctx.value == "later":
        await ctx.goto("when")
    elif ctx.value == "now":
        try:
            await create(ctx, None)
        except Invalid as error:  # prefilled texts another feature wrote, found wanting
            ctx.end_flow()
            await ctx.reply(ctx._(error.message).format(**error.params))
    else:
        ctx.end_flow()
        await ctx.reply(ctx._(N_("Cancelled: nothing was sent.")))


async def ask_when(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "When should it go out? Send the date and time in Cambodia, for example 25/12/2026 18:00."
            )
        )
    )


async def receive_when(ctx: Ctx) -> None:
    try:
        await create(ctx, parse_moment(ctx.event.text, ctx.clock.now(), ctx.timezone))
    except Invalid as error:  # the member sends another moment
        await ctx.reply(ctx._(error.message).format(**error.params))


async def create(ctx: Ctx, send_at: datetime | None) -> None:
    """Create the broadcast (now, or at ``send_at``) and say so; ``Invalid`` is the
    caller's to show."""
    d = ctx.data
    paid = bool(d.get(FAST))
    if paid and not await is_admin(ctx):  # spending the bot's Stars: the role at the send
        ctx.end_flow()
        return
    try:
        broadcast = await operations.create(
            acting(ctx), d["km"], d["en"], d.get("link"), audience_of(ctx), send_at,
            category_of(ctx), file_ref(d.get("file")), bool(d.get(PROTECT)), bool(d.get(PIN)),
            paid=paid,
        )  # fmt: skip
    except NotAllowed as error:
        ctx.end_flow()
        await refuse(ctx, error.message)
        return
    estimated = ""  # the estimate again, for the audience as it stands at the send
    if paid:
        counts = await ctx.session.broadcasts.count_by_language(
            audience_of(ctx), broadcast.category
        )
        estimated = "\n" + paid_estimate(ctx, counts)
    ctx.end_flow()
    if send_at is None:
        said = ctx._(N_("Broadcast #{number} is on its way. Its progress follows here.")).format(
            number=broadcast.id
        )
    else:
        said = ctx._(N_("Broadcast #{number} is scheduled for {moment}.")).format(
            number=broadcast.id,
            moment=ctx.t.moment(send_at.astimezone(ctx.timezone)),
        )
    await ctx.reply(said + estimated)


broadcast_flow = Flow(
    "broadcast",
    {
        "km": Step(ask_km, N_("Please write the Khmer text of the broadcast."), on_text=receive_km, next=("en",)),
        "en": Step(ask_en, N_("Please write the English text, or press Same text for both."), on_text=receive_en, on_button=same_text, next=("link",)),
        "link": link_step(N_("Add a link button? Send the web address, or press No link."), N_("No link"), N_("Please send a web address, or press No link."), "poster"),
        "poster": poster_step("category"),
        "category": Step(ask_category, N_("Please choose the category with one of the buttons."), on_button=category_chosen, next=("audience",)),
        "audience": Step(ask_audience, N_("Please choose the audience with the buttons, then press Next."), on_button=audience_pressed, next=("preview", "roles", "provs", "tags", "events")),
        "roles": choice_step("roles", N_("Which roles? Tap them, then press Done.")),
        "provs": choice_step("provs", N_("Which provinces? Tap them, then press Done.")),
        "tags": choice_step("tags", N_("Which skills? Tap them, then press Done.")),
        "events": Step(ask_events, N_("Please tap your choices, then press Done."), on_button=event_pressed, next=("audience",)),
        "preview": Step(show_preview, N_("Please answer with one of the buttons."), on_button=preview_pressed, next=("audience", "category", "when"), ends=True),
        "when": Step(ask_when, N_("Please send the date and time, for example 25/12/2026 18:00."), on_text=receive_when, ends=True),
    },
    entry=("km", "preview"),
)  # fmt: skip
