"""/search: answered questions and published items (news, policies, events…) that match
Khmer or English text, best first, a page at a time. Its own feature, beside questions and
content, since it reads both.

Steps (flow ``search``): results (the query is kept in the conversation, so the page buttons
carry only the page number; typing again searches again).
"""

from __future__ import annotations

from bot.core.context import row_id
from bot.core.dispatch import Router
from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from bot.core.text import clip, escape
from handlers.content.browse import send_item
from handlers.content.cards import item_entry
from handlers.context import Ctx, signing_up
from handlers.questions.knowledge import search_index, send_thread
from handlers.text_search.tokens import tokens

PAGE = 5
router = Router("search")


@router.command("search", N_("Search answered questions, news and policies"))
async def search(ctx: Ctx) -> None:
    if await signing_up(ctx):
        return
    query = ctx.event.args.strip()
    if not query:
        await ctx.reply(
            ctx._(N_("Send /search and the words to look for, for example: /search password reset"))
        )
        return
    await start_search(ctx, query)


async def start_search(ctx: Ctx, query: str) -> None:
    index = await search_index(ctx.session)
    found = [number for number, _score in index.search(tokens(query))]
    if not found:
        ctx.end_flow()
        await ctx.reply(
            ctx._(
                N_(
                    "Nothing answered or published matches “{query}” yet. You can ask the experts with /ask."
                )
            ).format(query=escape(clip(query, 60)))
        )
        return
    await ctx.start_flow("search", "results", {"query": query, "found": found[:200], "page": 0})


async def show_results(ctx: Ctx) -> None:
    found: list[int] = ctx.data["found"]
    page = ctx.data.get("page", 0)
    shown = found[page * PAGE : (page + 1) * PAGE]
    lines = [
        "<b>"
        + ctx._(N_("Found for “{query}” ({first}–{last} of {total}):")).format(
            query=escape(clip(ctx.data["query"], 60)),
            first=page * PAGE + 1,
            last=page * PAGE + len(shown),
            total=len(found),
        )
        + "</b>"
    ]
    buttons = []
    tz = ctx.timezone
    for number in shown:
        if number < 0:  # a published item
            item = await ctx.session.content.get(-number)
            if item is not None:
                lines.append("\n" + item_entry(ctx.t, item, tz, summary=140))
                buttons.append(ctx.button(ctx.t.digits(f"📰 #{item.id}"), f"item-{item.id}"))
            continue
        question = await ctx.session.questions.question(number)
        if question is not None:
            lines.append(
                f"\n<b>❓ #{ctx.t.digits(str(number))}</b> {escape(clip(question.text, 140))}"
            )
            buttons.append(ctx.button(ctx.t.digits(f"📖 #{number}"), f"read-{number}"))
    paging = []
    if page > 0:
        paging.append(ctx.button("« " + ctx._(N_("Previous")), "prev"))
    if (page + 1) * PAGE < len(found):
        paging.append(ctx.button(ctx._(N_("Next")) + " »", "next"))
    keyboard = ctx.keyboard(buttons, 3)
    await ctx.reply("\n".join(lines), keyboard.of([*keyboard.rows, paging]))


async def result_pressed(ctx: Ctx) -> None:
    if ctx.value in ("prev", "next"):
        ctx.data["page"] = max(0, ctx.data.get("page", 0) + (1 if ctx.value == "next" else -1))
        await ctx.clear_buttons()
        await ctx.reprompt()
        return
    if ctx.value.startswith("item-") and ctx.value[5:].isdecimal():
        if -row_id(ctx.value[5:]) not in ctx.data["found"]:
            await ctx.reprompt()
            return
        await ctx.answer()
        await send_item(ctx, row_id(ctx.value[5:]))
        return
    number = ctx.value.removeprefix("read-")
    if not number.isdecimal() or int(number) not in ctx.data["found"]:
        await ctx.reprompt()
        return
    await ctx.answer()
    await send_thread(ctx, int(number))


async def search_again(ctx: Ctx) -> None:
    await start_search(ctx, ctx.event.text)


search_flow = Flow(
    "search",
    {
        "results": Step(
            show_results,
            N_("Tap a result to read it, or type other words to search again."),
            on_button=result_pressed,
            on_text=search_again,
            ends=True,
        )
    },
    entry=("results",),
)
router.flow(search_flow)
