"""Talent search: a verified representative finds members who are visible and open to work;
they see summaries, never contacts, until the member accepts an introduction.

Steps (flow ``talent``): tag → province → results.
"""

from __future__ import annotations

from functools import partial

from bot.core.context import row_id
from bot.core.flow import Flow, Step
from bot.core.i18n import N_, Translator
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clip, escape
from handlers.context import Ctx
from handlers.jobs.buttons import ACCEPT_INTRO, DECLINE_INTRO
from handlers.jobs.companies import verified_company
from handlers.jobs.labels import job_location_name
from handlers.notices import notify_member
from handlers.profile.summary import member_summary, telegram_contact
from storage.models import Company, Member
from storage.seed.provinces import PROVINCES
from storage.seed.tags import SLUGS

PAGE = 5
ANY = "any"


async def talent_pressed(ctx: Ctx, company_id: int) -> None:
    company = await verified_company(ctx, company_id)
    if company is None:
        return
    await ctx.answer()
    await ctx.start_flow("talent", "tag", {"company": company.id, "page": 0})


async def ask_tag(ctx: Ctx) -> None:
    buttons = [ctx.button(t.name(ctx.language), t.slug) for t in await ctx.session.tags.all()]
    await ctx.reply(ctx._(N_("Which skill are you looking for?")), ctx.keyboard(buttons, 2))


async def tag_chosen(ctx: Ctx) -> None:
    if ctx.value not in SLUGS:
        await ctx.reprompt()
        return
    ctx.data["tag"] = ctx.value
    await ctx.clear_buttons()
    await ctx.goto("province")


async def ask_province(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(N_("Anywhere")), ANY)]
    buttons += [ctx.button(p.name(ctx.language), p.slug) for p in PROVINCES]
    await ctx.reply(ctx._(N_("Where should they live?")), ctx.keyboard(buttons, 2))


async def province_chosen(ctx: Ctx) -> None:
    if ctx.value != ANY and ctx.value not in {p.slug for p in PROVINCES}:
        await ctx.reprompt()
        return
    ctx.data["province"] = None if ctx.value == ANY else ctx.value
    await ctx.clear_buttons()
    await ctx.goto("results")


async def show_results(ctx: Ctx) -> None:
    if await verified_company(ctx, ctx.data["company"]) is None:
        ctx.end_flow()
        return
    page = ctx.data.get("page", 0)
    members, total = await ctx.session.jobs.talent(
        ctx.data["tag"], ctx.data.get("province"), page * PAGE, PAGE
    )
    names = {t.slug: t.name(ctx.language) for t in await ctx.session.tags.all()}
    place = (
        job_location_name(ctx.t, ctx.data["province"])
        if ctx.data.get("province")
        else ctx._(N_("Anywhere"))
    )
    await ctx.reply(
        "<b>" + ctx.ngettext("{count} member with {skill} · {place}", "{count} members with {skill} · {place}", total).format(
            count=ctx.t.number(total), skill=escape(names.get(ctx.data["tag"], "")), place=escape(place)
        ) + "</b>"
    )  # fmt: skip
    for member in members:
        skills = ", ".join(names.get(s, s) for s in await ctx.session.members.skills(member.id))
        await ctx.reply(
            summary(ctx.t, member, skills),
            ctx.keyboard(
                [ctx.button("🤝 " + ctx._(N_("Request an introduction")), f"intro-{member.id}")]
            ),
        )
    paging = []
    if page > 0:
        paging.append(ctx.button("« " + ctx._(N_("Previous")), "prev"))
    if (page + 1) * PAGE < total:
        paging.append(ctx.button(ctx._(N_("Next")) + " »", "next"))
    if paging:
        await ctx.reply(ctx._(N_("More results:")), ctx.keyboard(paging))


def summary(t: Translator, member: Member, skills: str) -> str:
    """What a company sees before an introduction: never a contact."""
    years = t.number(member.years_experience) if member.years_experience is not None else "—"
    return (
        member_summary(t, member, skills)
        + "\n"
        + t.gettext(N_("Years of experience: {value}")).format(value=years)
    )


async def result_pressed(ctx: Ctx) -> None:
    if ctx.value in ("prev", "next"):
        ctx.data["page"] = max(0, ctx.data.get("page", 0) + (1 if ctx.value == "next" else -1))
        await ctx.clear_buttons()
        await ctx.reprompt()
        return
    if not ctx.value.startswith("intro-") or not ctx.value[6:].isdecimal():
        await ctx.reprompt()
        return
    company = await verified_company(ctx, ctx.data["company"])
    requester = await ctx.member()
    member = await ctx.session.members.by_id(row_id(ctx.value[6:]))
    if company is None or requester is None:
        return
    if (
        member is None
        or member.deleted_at
        or not (member.directory_visible and member.open_to_work)
    ):
        await ctx.answer(ctx._(N_("This member is no longer available.")), alert=True)
        return
    now = ctx.clock.now()
    intro = await ctx.session.jobs.request_intro(company.id, requester.id, member.id, now)
    if intro is None:
        await ctx.answer(ctx._(N_("You have already asked this member.")), alert=True)
        return
    await notify_member(
        ctx.session, ctx.translators, member.id,
        partial(intro_message, company=company, intro_id=intro.id), now,
        dedupe_key=f"intro:{intro.id}",
    )  # fmt: skip
    await ctx.answer(
        ctx._(N_("Request sent. If the member accepts, you will receive their contact here.")),
        alert=True,
    )
    await ctx.clear_buttons()


def intro_message(t: Translator, company: Company, intro_id: int) -> tuple[str, InlineKeyboard]:
    return (
        "🤝 " + t.gettext(N_("{company} found your profile and would like to talk to you about work. Share your Telegram contact with them?")).format(company=escape(company.name)),
        InlineKeyboard.of(
            [[ACCEPT_INTRO.button("✅ " + t.gettext(N_("Accept")), intro_id),
              DECLINE_INTRO.button(t.gettext(N_("Decline")), intro_id)]]
        ),
    )  # fmt: skip


async def intro_answered(ctx: Ctx, intro_id: int, accept: bool) -> None:
    member = await ctx.member()
    intro = await ctx.session.jobs.intro(intro_id)
    if member is not None and intro is None:  # its representative erased their data
        await ctx.answer(ctx._(N_("This request is no longer valid.")), alert=True)
        await ctx.clear_buttons()
        return
    if member is None or intro is None or intro.member_id != member.id:
        await ctx.answer(
            ctx._(N_("Only the member this request is for can answer it.")), alert=True
        )
        return
    if intro.status != "pending":
        await ctx.answer(ctx._(N_("You have already answered.")))
        await ctx.clear_buttons()
        return
    now = ctx.clock.now()
    status = "accepted" if accept else "declined"
    if not await ctx.session.transition(intro, "pending", status, decided_at=now):
        await ctx.answer(ctx._(N_("You have already answered.")))
        await ctx.clear_buttons()
        return
    if accept:
        company = await ctx.session.jobs.company(intro.company_id)
        await notify_member(
            ctx.session, ctx.translators, intro.requested_by,
            partial(contact_message, member=member), now, dedupe_key=f"intro-accepted:{intro.id}",
        )  # fmt: skip
        await ctx.answer(
            ctx._(N_("Your contact was shared with {company}.")).format(
                company=clip(company.name, 60) if company else ""  # a toast: 200 at most
            ),
            alert=True,
        )
    else:
        await ctx.answer(ctx._(N_("Declined. The company is not told who you are.")))
    await ctx.clear_buttons()


def contact_message(t: Translator, member: Member) -> tuple[str, None]:
    return (
        "🤝 "
        + t.gettext(N_("{name} accepted your introduction request: {contact}")).format(
            name=escape(member.full_name or ""), contact=telegram_contact(member)
        ),
        None,
    )


talent_flow = Flow(
    "talent",
    {
        "tag": Step(ask_tag, N_("Please choose a skill with one of the buttons."), on_button=tag_chosen, next=("province",)),
        "province": Step(ask_province, N_("Please choose a place with one of the buttons."), on_button=province_chosen, next=("results",)),
        "results": Step(show_results, N_("Please use the buttons."), on_button=result_pressed, ends=True),
    },
    entry=("tag",),
)  # fmt: skip
