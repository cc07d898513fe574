"""/expert: a member applies for tags with a short note; every admin decides with buttons.

Steps (flow ``expert``): tags → note → (application sent to the admins). Decisions are
buttons on the admins' messages; ``operations.decide_application`` checks the presser and
makes the decision.
"""

from __future__ import annotations

from functools import partial

from bot.core.flow import Flow, Step
from bot.core.i18n import N_, Translator
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clean_line, clip, escape, grapheme_length, too_long
from handlers.acting import NotAllowed
from handlers.context import Ctx, acting, refuse
from handlers.invalid import Invalid
from handlers.limits import APPLICATION_PENDING, limits
from handlers.notices import notify_staff
from handlers.questions.buttons import APPROVE, REJECT
from handlers.questions.offers import tag_names
from handlers.questions.operations import Decided, decide_application
from handlers.requester import asked_by
from handlers.tag_keyboard import DONE, tag_keyboard, toggle
from storage.models import ExpertApplication, Member, Tag
from storage.seed.tags import SLUGS

NOTE_MAX = 500


async def apply(ctx: Ctx) -> None:
    member = await ctx.member()
    if member is None:
        await ctx.reply(ctx._(N_("You have not signed up yet. Send /start to join.")))
        return
    if await refuse_applying(ctx, member.id):
        return
    have = await ctx.session.questions.expert_tags(member.id)
    await ctx.start_flow("expert", "tags", {"tags": [], "have": have})


async def refuse_applying(ctx: Ctx, member_id: int) -> bool:
    """Tell the member, and True, while their application waits for a decision: each one
    reaches every administrator (``DCC_PENDING_APPLICATIONS``, handlers/limits.py)."""
    pending = await ctx.session.questions.pending_applications_of(member_id)
    if pending < limits(ctx.extras).pending_applications:
        return False
    await ctx.reply(ctx._(APPLICATION_PENDING))
    return True


def next_label(ctx: Ctx) -> str:
    return ctx._(N_("Next")) + " ➡️"


async def ask_tags(ctx: Ctx) -> None:
    have = ctx.data.get("have", [])
    intro = ""
    if have:
        names = tag_names(await ctx.session.tags.all(), have, ctx.language)
        intro = (
            ctx._(N_("You are already an expert for: {tags}.")).format(tags=escape(names)) + "\n\n"
        )
    await ctx.reply(
        intro
        + ctx._(N_("Which topics can you answer questions about? Tap them, then press Next.")),
        await tag_keyboard(ctx, ctx.data["tags"], next_label(ctx)),
    )


async def tag_chosen(ctx: Ctx) -> None:
    chosen: list[str] = ctx.data["tags"]
    if ctx.value == DONE:
        if not chosen:
            await ctx.answer(ctx._(N_("Choose at least one topic, then press Next.")), alert=True)
            return
        await ctx.clear_buttons()
        await ctx.goto("note")
        return
    if ctx.value not in SLUGS:
        await ctx.reprompt()
        return
    await toggle(ctx, chosen, next_label(ctx))


async def ask_note(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "In a few sentences, what is your experience in these topics? (your work, studies, certificates, projects)"
            )
        )
    )


async def receive_note(ctx: Ctx) -> None:
    note = clean_line(ctx.event.text)
    if grapheme_length(note) < 10 or too_long(note, NOTE_MAX):
        await ctx.reply(
            ctx._(N_("Please describe your experience in 10 to {limit} characters.")).format(
                limit=NOTE_MAX
            )
        )
        return
    member = await ctx.member()
    if member is None:
        ctx.end_flow()
        return
    now = ctx.clock.now()
    application = await ctx.session.questions.add_application_within(
        member.id, ctx.data["tags"], note, now, limits(ctx.extras).pending_applications
    )
    if application is None:  # one was sent meanwhile (the write's own condition)
        ctx.end_flow()
        await ctx.reply(ctx._(APPLICATION_PENDING))
        return
    tags = await ctx.session.tags.all()
    admins = await notify_staff(
        ctx.session, ctx.translators, "admin",
        partial(application_message, application=application, member=member,
                tags=tags, slugs=ctx.data["tags"]),
        now, f"application:{application.id}",
    )  # fmt: skip
    ctx.end_flow()
    sent = (
        N_(
            "Thank you! Your application was sent to the administrators; you will hear from them here."
        )
        if admins
        else N_(  # /admin lists pending applications for the first admin appointed
            "Thank you! Your application is saved. There are no administrators yet; they will see it when they are appointed, and you will hear from them here."
        )
    )
    await ctx.reply(ctx._(sent))


def application_message(
    t: Translator, application: ExpertApplication, member: Member, tags: list[Tag], slugs: list[str]
) -> tuple[str, InlineKeyboard]:
    text = (
        "🎓 <b>" + t.gettext(N_("Expert application #{number}")).format(number=application.id) + "</b>\n"
        + asked_by(t, member) + "\n"
        + t.gettext(N_("Topics: {tags}")).format(tags=escape(tag_names(tags, slugs, t.language)))
        + "\n\n"
        + escape(clip(application.note, 600))
    )  # fmt: skip
    return text, InlineKeyboard.of(
        [[
            APPROVE.button("✅ " + t.gettext(N_("Approve")), application.id),
            REJECT.button("✖️ " + t.gettext(N_("Reject")), application.id),
        ]]
    )  # fmt: skip


async def decide(ctx: Ctx, application_id: int, approve: bool) -> None:
    """[Approve] / [Reject] on an application (``operations.decide_application``)."""
    try:
        await decide_application(acting(ctx), application_id, approve)
    except NotAllowed as error:
        await refuse(ctx, error.message)
        return
    except Invalid as error:
        await ctx.answer(ctx._(error.message), alert=True)
        if isinstance(error, Decided):
            await ctx.clear_buttons()
        return
    await ctx.answer(ctx._(N_("Done: the member is told.")))
    await ctx.clear_buttons()


async def approve_pressed(ctx: Ctx, application_id: int) -> None:
    await decide(ctx, application_id, approve=True)


async def reject_pressed(ctx: Ctx, application_id: int) -> None:
    await decide(ctx, application_id, approve=False)


expert_flow = Flow(
    "expert",
    {
        "tags": Step(
            ask_tags,
            N_("Please tap the topics, then press Next."),
            on_button=tag_chosen,
            next=("note",),
        ),
        "note": Step(
            ask_note,
            N_("Please describe your experience as text."),
            on_text=receive_note,
            ends=True,
        ),
    },
    entry=("tags",),
)
