"""/ask and /myquestions: a member asks, sees similar answered questions, confirms the
topics, and the question goes to experts; later they follow its status and close it.

Steps (flow ``ask``): text → [similar] → tags → (question posted and routed).
"""

from __future__ import annotations

import regex

from bot.core.dispatch import Router
from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import clean_line, clean_text, clip, escape, telegram_length
from handlers.context import Ctx
from handlers.files import SCREENSHOT, take_file
from handlers.limits import limits, may_ask, refusal_text
from handlers.questions.buttons import CLOSE, PAGE, READ
from handlers.questions.indexing import question_tokens
from handlers.questions.knowledge import send_thread, similar_questions, suggest
from handlers.questions.offers import close_question, route_new_question
from handlers.questions.routing import LAST_EXPERT_ROUND, MODERATOR_ROUND
from handlers.questions.settings import QUESTION_MAX, QUESTION_MIN_WORDS, qa_settings
from handlers.questions.tagging import preselected
from handlers.questions.thread import STATUS_NAMES
from handlers.tag_keyboard import DONE, tag_keyboard, toggle
from storage.models import Question
from storage.seed.tags import SLUGS

router = Router("ask")
PER_PAGE = 5


def word_count(text: str) -> int:
    """Words as a reader counts them: Latin words, and Khmer words found by segmentation."""
    from khmercut import tokenize

    latin = regex.findall(r"[\p{Latin}\d]+", text)
    khmer = [w for run in regex.findall(r"[\p{Khmer}]+", text) for w in tokenize(run) if w.strip()]
    return len(latin) + len(khmer)


@router.command("ask", N_("Ask the community's experts a question"))
async def ask(ctx: Ctx) -> None:
    member = await ctx.member()
    if member is None:
        await ctx.reply(ctx._(N_("You have not signed up yet. Send /start to join.")))
        return
    if await refuse_asking(ctx, member.id):
        return
    await ctx.start_flow("ask", "text")


async def refuse_asking(ctx: Ctx, member_id: int) -> bool:
    """Tell the member, and True, when a question limit stops them asking now."""
    now = ctx.clock.now()
    waiting, asked = await ctx.session.questions.asking_load(member_id, now)
    refused = may_ask(waiting, asked, limits(ctx.extras), now)
    if refused is None:
        return False
    await ctx.reply(refusal_text(ctx, refused, ctx.timezone))
    return True


async def ask_text(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "What is your question? Write it in Khmer, English or both: what you want to do, what you tried and what went wrong."
            )
        )
    )


async def receive_file(ctx: Ctx) -> None:
    """A screenshot: its caption is the question (words and tags, as typed text); without
    one the photo is kept and the question asked for in words."""
    kept = await take_file(ctx, SCREENSHOT)
    if kept is None:
        return
    ctx.data["file"] = kept
    if not clean_text(ctx.event.text):
        await ctx.reply(ctx._(N_("I kept your photo. Now please write your question in words.")))
        return
    await receive_text(ctx)


async def receive_text(ctx: Ctx) -> None:
    text = clean_text(ctx.event.text)
    if telegram_length(text) > QUESTION_MAX:
        await ctx.reply(
            ctx._(
                N_(
                    "That is too long: a question can have at most {limit} characters. Please shorten it."
                )
            ).format(limit=ctx.t.number(QUESTION_MAX))
        )
        return
    if word_count(clean_line(text)) < QUESTION_MIN_WORDS:
        await ctx.reply(
            ctx._(
                N_(
                    "Please tell a little more, so an expert can help: what you want to do, what you tried and what happened. One or two full sentences are best."
                )
            )
        )
        return
    ctx.data["text"] = text
    suggestions = await suggest(ctx, text)
    ctx.data["suggested"] = [slug for slug, _ in suggestions]  # offered first
    ctx.data["tags"] = preselected(suggestions)  # ticked: the first, when clearly ahead
    similar = await similar_questions(ctx, text)
    if similar:
        ctx.data["similar"] = similar
        await ctx.goto("similar")
    else:
        await ctx.goto("tags")


async def show_similar(ctx: Ctx) -> None:
    buttons = []
    for number, excerpt in ctx.data.get("similar", []):
        buttons.append(
            ctx.button(f"📖 #{ctx.t.digits(str(number))} {clip(excerpt, 40)}", f"read-{number}")
        )
    buttons.append(ctx.button("➡️ " + ctx._(N_("None of these helps: continue")), "go"))
    await ctx.reply(
        ctx._(
            N_("These answered questions look similar. Tap one to read its answers, or continue.")
        ),
        ctx.keyboard(buttons, 1),
    )


async def similar_chosen(ctx: Ctx) -> None:
    if ctx.value == "go":
        await ctx.clear_buttons()
        await ctx.goto("tags")
        return
    shown = {str(number) for number, _ in ctx.data.get("similar", [])}
    number = ctx.value.removeprefix("read-")
    if number not in shown:
        await ctx.reprompt()
        return
    await ctx.answer()
    await send_thread(ctx, int(number))


def send_label(ctx: Ctx) -> str:
    return "📨 " + ctx._(N_("Send my question"))


async def ask_tags(ctx: Ctx) -> None:
    chosen = ctx.data.setdefault("tags", [])
    suggested = ctx.data.get("suggested", [])
    if chosen:
        prompt = N_(
            "Which topics is your question about? I ticked the most likely one and put the likely ones first; change them if needed, then press Send."
        )
    elif suggested:
        prompt = N_(
            "Which topics is your question about? The likely ones come first: tap one or more, then press Send."
        )
    else:
        prompt = N_("Which topics is your question about? Tap one or more, then press Send.")
    await ctx.reply(ctx._(prompt), await tag_keyboard(ctx, chosen, send_label(ctx), suggested))


async def tag_chosen(ctx: Ctx) -> None:
    chosen: list[str] = ctx.data.setdefault("tags", [])
    if ctx.value == DONE:
        if not chosen:
            await ctx.answer(ctx._(N_("Choose at least one topic, then press Send.")), alert=True)
            return
        await ctx.clear_buttons()
        await post(ctx)
        return
    if ctx.value not in SLUGS:
        await ctx.reprompt()
        return
    await toggle(ctx, chosen, send_label(ctx), ctx.data.get("suggested", []))


async def post(ctx: Ctx) -> None:
    member = await ctx.member()
    if member is None:
        ctx.end_flow()
        return
    settings = qa_settings(ctx.extras)
    rules = limits(ctx.extras)
    now = ctx.clock.now()
    question = await ctx.session.questions.add_question_within(
        member.id,
        ctx.data["text"],
        question_tokens(ctx.data["text"]),
        ctx.data["tags"],
        now,
        now + settings.escalate_after,
        rules.questions_waiting,
        rules.questions_per_day,
    )
    if question is None:  # a limit reached since /ask (the write's own condition)
        ctx.end_flow()
        await refuse_asking(ctx, member.id)
        return
    if ctx.data.get("file"):
        file = await ctx.session.attachments.add(member.id, "question", ctx.data["file"], now)
        question.attachment_id = file.id
    sent = await route_new_question(
        ctx.session, ctx.translators, question, settings, now, ctx.timezone
    )
    ctx.end_flow()
    if question.round == 1 and sent:
        text = ctx.ngettext(
            "Your question #{number} was sent to {count} expert. Their answers will come here; /myquestions shows its status.",
            "Your question #{number} was sent to {count} experts. Their answers will come here; /myquestions shows its status.",
            sent,
        )
    elif question.round == 1:
        text = ctx._(
            N_(
                "Your question #{number} is saved. The experts for these topics are busy right now; it will reach one as soon as one is free. /myquestions shows its status."
            )
        )
    elif sent:
        text = ctx._(
            N_(
                "Your question #{number} is saved. No expert is free for these topics right now, so the community's moderators will look for an answer; /myquestions shows its status."
            )
        )
    else:
        text = ctx._(
            N_(
                "Your question #{number} is saved. No expert is free for these topics right now; it will be offered again later. /myquestions shows its status."
            )
        )
    await ctx.reply(text.format(number=question.id, count=ctx.t.number(sent)))


router.flow(
    Flow(
        "ask",
        {
            "text": Step(
                ask_text,
                N_("Please type your question as text."),
                on_text=receive_text,
                on_media=receive_file,
                next=("similar", "tags"),
            ),
            "similar": Step(
                show_similar,
                N_("Please tap a question to read it, or continue."),
                on_button=similar_chosen,
                next=("tags",),
            ),
            "tags": Step(
                ask_tags,
                N_("Please tap the topics of your question, then press Send."),
                on_button=tag_chosen,
                ends=True,
            ),
        },
        entry=("text",),
    )
)


# -- /myquestions --------------------------------------------------------------------------
@router.command("myquestions", N_("Your questions and their status"))
async def my_questions(ctx: Ctx) -> None:
    await show_page(ctx, 0, edit=False)


async def show_page(ctx: Ctx, offset: int, edit: bool) -> None:
    member = await ctx.member()
    if member is None:
        await ctx.reply(ctx._(N_("You have not signed up yet. Send /start to join.")))
        return
    total = await ctx.session.questions.count_questions_of(member.id)
    if total == 0:
        await ctx.reply(ctx._(N_("You have not asked a question yet. Send /ask to ask one.")))
        return
    offset = max(0, min(offset, (total - 1) // PER_PAGE * PER_PAGE))
    questions = await ctx.session.questions.questions_of(member.id, offset, PER_PAGE)
    lines = [
        "<b>"
        + ctx._(N_("Your questions ({first}–{last} of {total})")).format(
            first=offset + 1, last=offset + len(questions), total=total
        )
        + "</b>"
    ]
    rows: list[list[Button]] = []
    counts = await ctx.session.questions.answer_counts([q.id for q in questions])
    for q in questions:
        answers = counts.get(q.id, 0)
        lines.append(
            f"\n<b>#{ctx.t.digits(str(q.id))}</b> · {await status_of(ctx, q)} · "
            + ctx._(N_("answers: {count}")).format(count=ctx.t.number(answers))
            + f" · {ctx.t.date(q.created_at.astimezone(ctx.timezone), 'medium')}"
            + f"\n{escape(clip(q.text, 120))}"
        )
        row = []
        if answers and not q.hidden:
            read = ctx._(N_("Read #{number}")).format(number=q.id)
            row.append(READ.button("📖 " + read, q.id))
        if q.status != "closed":
            close = ctx._(N_("Close #{number}")).format(number=q.id)
            row.append(CLOSE.button("🔒 " + close, q.id))
        rows.append(row)
    paging = []
    if offset > 0:
        paging.append(PAGE.button("« " + ctx._(N_("Newer")), offset - PER_PAGE))
    if offset + PER_PAGE < total:
        paging.append(PAGE.button(ctx._(N_("Older")) + " »", offset + PER_PAGE))
    rows.append(paging)
    keyboard = InlineKeyboard.of(rows)
    if edit and ctx.event.message_id is not None:
        await ctx.messenger.edit_message(
            ctx.event.chat_id, ctx.event.message_id, "\n".join(lines), keyboard
        )
    else:
        await ctx.reply("\n".join(lines), keyboard)


async def status_of(ctx: Ctx, question: Question) -> str:
    """The status, and for a question still waiting where it is: offered to experts (which
    round), to the moderators, or to nobody yet (everyone who could answer is busy)."""
    status = ctx._(STATUS_NAMES.get(question.status, STATUS_NAMES["open"]))
    if question.status != "open":
        return status
    if not await ctx.session.questions.open_offers(question.id, question.round):
        where = ctx._(N_("waiting for someone free to answer it"))
    elif question.round >= MODERATOR_ROUND:
        where = ctx._(N_("with the moderators"))
    else:
        where = ctx._(N_("with experts, round {round} of {rounds}")).format(
            round=ctx.t.number(question.round), rounds=ctx.t.number(LAST_EXPERT_ROUND)
        )
    return status + " (" + where + ")"


async def own_question(ctx: Ctx, question_id: int, refusal: str) -> Question | None:
    """The question the pressed button names, if the presser asked it; else ``refusal``."""
    member = await ctx.member()
    question = await ctx.session.questions.question(question_id)
    if member is None or question is None or question.asker_id != member.id:
        await ctx.answer(ctx._(refusal), alert=True)
        return None
    return question


async def read_pressed(ctx: Ctx, question_id: int) -> None:
    """[Read #N] in /myquestions: the question and its answers, for the member who asked."""
    question = await own_question(
        ctx, question_id, N_("Only the member who asked can read it here.")
    )
    if question is None:
        return
    await ctx.answer()
    await send_thread(ctx, question.id)


async def page_pressed(ctx: Ctx, offset: int) -> None:
    await ctx.answer()
    await show_page(ctx, offset, edit=True)


async def close_pressed(ctx: Ctx, question_id: int) -> None:
    question = await own_question(
        ctx, question_id, N_("Only the member who asked can close this question.")
    )
    if question is None:
        return
    if question.status == "closed":
        await ctx.answer(ctx._(N_("This question is already closed.")))
        return
    await close_question(ctx.session, question, ctx.clock.now())
    await ctx.answer(ctx._(N_("Question #{number} is closed.")).format(number=question.id))
    await show_page(ctx, 0, edit=True)
