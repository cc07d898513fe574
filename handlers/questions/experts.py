"""/expert: a member applies for tags with a short note; every admin decides with buttons.

Steps (flow ``expert``): tags → note → (application sent to the admins). Decisions are
buttons on the admins' messages, checked against the staff table when pressed.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from bot.core.flow import Flow, Step
from bot.core.i18n import N_, Translations, Translator
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import clean_line, clip, escape, grapheme_length, too_long
from handlers.context import Ctx, staff_role
from handlers.limits import APPLICATION_PENDING, limits
from handlers.notices import notify_member, notify_staff, text_notice
from handlers.questions.offers import PREFIX, tag_names
from handlers.questions.routing import LAST_EXPERT_ROUND
from handlers.tag_keyboard import DONE, tag_keyboard, toggle
from storage.models import Assignment, ExpertApplication, Member, Tag
from storage.privacy import WITHDRAWN
from storage.seed.tags import SLUGS
from storage.uow import UnitOfWork

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
        + t.gettext(N_("From: {name}")).format(name=escape(member.full_name or "—")) + "\n"
        + t.gettext(N_("Topics: {tags}")).format(tags=escape(tag_names(tags, slugs, t.language)))
        + "\n\n"
        + escape(clip(application.note, 600))
    )  # fmt: skip
    return text, InlineKeyboard.of(
        [[
            Button("✅ " + t.gettext(N_("Approve")), f"{PREFIX}:ok:{application.id}"),
            Button("✖️ " + t.gettext(N_("Reject")), f"{PREFIX}:no:{application.id}"),
        ]]
    )  # fmt: skip


async def decide(ctx: Ctx, approve: bool) -> None:
    if not await ctx.session.staff.has_role(ctx.user_id, "admin"):
        await ctx.answer(ctx._(N_("Only administrators can do this.")), alert=True)
        return
    application = await ctx.session.questions.application(ctx.value_id)
    if application is None:
        await ctx.answer(ctx._(N_("That application no longer exists.")), alert=True)
        return
    now = ctx.clock.now()
    decision = "approved" if approve else "rejected"
    if not await ctx.session.transition(  # the first decision counts, across processes too
        application, "pending", decision, decided_by=ctx.user_id, decided_at=now
    ):
        withdrawn = application.status == WITHDRAWN  # refreshed: the status that stands
        await ctx.answer(
            ctx._(
                N_("This application was withdrawn: the member erased their data.")
                if withdrawn
                else N_("Another administrator has already decided on this application.")
            ),
            alert=True,
        )
        await ctx.clear_buttons()
        return
    slugs = [s for s in application.tags.split(",") if s]
    if approve:
        await ctx.session.questions.make_expert(application.member_id, slugs)
    await ctx.session.staff.audit(
        ctx.user_id, f"expert-{application.status}", {"application": application.id}
    )
    await notify_member(
        ctx.session, ctx.translators, application.member_id,
        partial(decision_notice, approved=approve), now,
        dedupe_key=f"application-decided:{application.id}",
    )  # fmt: skip
    await ctx.answer(ctx._(N_("Done: the member is told.")))
    await ctx.clear_buttons()


async def remove_expert(
    uow: UnitOfWork, translations: Translations, member: Member, now: datetime
) -> bool:
    """Take expert status away (an administrator, in the bot or the CLI); False when the
    member was not an expert. The offers they had not answered are withdrawn and their
    questions move on (``withdraw_offers``), but a moderator keeps a question's last round,
    shown to them as staff. The profile is kept, marked removed: the anonymity of the answers
    they gave still holds. The member is told."""
    profile = await uow.questions.expert_profile(member.id)
    if profile is None:
        return False
    staff = member.telegram_id is not None and await staff_role(uow.staff, member.telegram_id)
    withdrawn = await withdraw_offers(
        uow, member.id, now, keep_after_round=LAST_EXPERT_ROUND if staff else None
    )
    await uow.questions.remove_expert(profile, now, len(withdrawn))
    await notify_member(
        uow,
        translations,
        member.id,
        removed_notice,
        now,
        dedupe_key=f"expert-removed:{member.id}:{now.isoformat()}",
    )
    return True


async def withdraw_offers(
    uow: UnitOfWork, member_id: int, now: datetime, keep_after_round: int | None = None
) -> list[Assignment]:
    """The member's unanswered offers are withdrawn (see ``withdraw_offers_to``; their
    [Answer] is refused from then on, the messages not sent yet are dropped), and a question
    left with no open offer in its round moves on now, as when its last expert passes.
    Shared by an administrator's removal of an expert and a member's /deleteme."""
    withdrawn = await uow.questions.withdraw_offers_to(member_id, keep_after_round)
    await uow.outbox.cancel([f"offer:{a.id}" for a in withdrawn])
    for assignment in withdrawn:
        question = await uow.questions.question(assignment.question_id)
        if question is None or question.status != "open":
            continue
        if not await uow.questions.open_offers(question.id, question.round):
            question.escalate_at = now
    return withdrawn


removed_notice = text_notice(
    N_(
        "You are no longer an expert of DCC Bot: questions will not be sent to you any more. Thank you for your answers."
    )
)


def decision_notice(t: Translator, approved: bool) -> tuple[str, None]:
    if approved:
        return (
            "🎓 " + t.gettext(N_("Your expert application was approved! Questions in your topics will come to you here. You can set your availability and quiet hours in /profile.")),
            None,
        )  # fmt: skip
    return (t.gettext(N_("Your expert application was not approved this time.")), None)


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
