"""/company: register a company, the admins verify it; representatives invite colleagues.

Steps (flow ``company``): name → regno → sector → website → about → confirm.
Every button that acts for a company checks, when pressed, that the presser is a verified
representative of that company (or an admin, for decisions).
"""

from __future__ import annotations

from functools import partial

from bot.core.flow import Flow, Step
from bot.core.i18n import N_, Translator
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clean_line, clean_text, clip, escape, too_long, western_digits
from handlers.acting import NotAllowed
from handlers.context import Ctx, acting, refuse
from handlers.invalid import Invalid
from handlers.jobs.buttons import DECLINE_INVITE, JOIN, REGISTER
from handlers.jobs.company_messages import company_buttons, company_request
from handlers.jobs.operations import approve_company, reject_company
from handlers.limits import COMPANY_PENDING, limits
from handlers.links import parse_web_address
from handlers.notices import notify_member, notify_staff
from storage.models import Company

__all__ = ["company_request"]  # for the administrators' list of what waits (admin.pending)
LIMITS = {"name": 120, "regno": 40, "sector": 80, "website": 200, "about": 800}


async def verified_company(ctx: Ctx, company_id: int) -> Company | None:
    """The company, if the presser is its verified representative; else refuse."""
    member = await ctx.member()
    company = await ctx.session.jobs.company(company_id)
    if (
        member is None
        or company is None
        or company.status != "verified"
        or not await ctx.session.jobs.is_representative(member.id, company.id)
    ):
        await ctx.answer(
            ctx._(N_("Only a verified representative of this company can do this.")), alert=True
        )
        if ctx.event.callback_id == "":
            await ctx.reply(
                ctx._(N_("Only a verified representative of this company can do this."))
            )
        return None
    return company


STATUS = {
    "pending": N_("waiting for verification"),
    "verified": N_("verified"),
    "rejected": N_("not verified"),
}


async def company_command(ctx: Ctx) -> None:
    member = await ctx.member()
    if member is None:
        await ctx.reply(ctx._(N_("You have not signed up yet. Send /start to join.")))
        return
    companies = await ctx.session.jobs.companies_of(member.id)
    for company in companies:
        status = ctx._(STATUS[company.status])
        number = ctx._(N_("Company number {number}")).format(number=company.id)
        text = f"🏢 <b>{escape(company.name)}</b> · {status}\n{number}"
        keyboard = company_buttons(ctx.t, company) if company.status == "verified" else None
        await ctx.reply(text, keyboard)
    await ctx.reply(
        ctx._(N_("To register a new company, press the button.")),
        InlineKeyboard.of([[REGISTER.button("🏢 " + ctx._(N_("Register a company")), 0)]]),
    )


async def new_company(ctx: Ctx, _zero: int) -> None:
    member = await ctx.member()
    if member is None:
        await ctx.answer(ctx._(N_("You have not signed up yet. Send /start to join.")), alert=True)
        return
    pending = await ctx.session.jobs.pending_companies_of(member.id)
    if pending >= limits(ctx.extras).pending_companies:  # each one reaches every admin
        await ctx.answer(ctx._(COMPANY_PENDING), alert=True)
        return
    await ctx.answer()
    await ctx.start_flow("company", "name")


def text_step(key: str, question: str, hint: str, skippable: bool = False) -> Step:
    async def ask(ctx: Ctx) -> None:
        keyboard = ctx.keyboard([ctx.button(ctx._(N_("Skip")), "skip")]) if skippable else None
        await ctx.reply(ctx._(question), keyboard)

    async def receive(ctx: Ctx) -> None:
        value = clean_line(ctx.event.text) if key != "about" else clean_text(ctx.event.text)
        if not value or too_long(value, LIMITS[key]):
            await ctx.reply(
                ctx._(N_("Please send 1 to {limit} characters.")).format(limit=LIMITS[key])
            )
            return
        if key == "regno":  # "គ.ក ១២៣៤៥" is stored "គ.ក 12345": one number, however typed
            value = western_digits(value)
        if key == "website":
            try:
                value = parse_web_address(value)
            except Invalid as error:
                await ctx.reply(ctx._(error.message))
                return
        ctx.data[key] = value
        await ctx.goto(NEXT[key])

    async def skip(ctx: Ctx) -> None:
        if not skippable or ctx.value != "skip":
            await ctx.reprompt()
            return
        ctx.data[key] = None
        await ctx.clear_buttons()
        await ctx.goto(NEXT[key])

    return Step(ask, hint, on_text=receive, on_button=skip, next=(NEXT[key],))


NEXT = {
    "name": "regno",
    "regno": "sector",
    "sector": "website",
    "website": "about",
    "about": "confirm",
}


async def ask_confirm(ctx: Ctx) -> None:
    d = ctx.data
    lines = [
        f"🏢 <b>{escape(d['name'])}</b>",
        ctx._(N_("Registration number: {value}")).format(value=escape(d["regno"])),
        ctx._(N_("Sector: {value}")).format(value=escape(d["sector"])),
        ctx._(N_("Website: {value}")).format(value=escape(d.get("website") or "—")),
        "",
        escape(clip(d["about"], 800)),
    ]
    await ctx.reply(
        "\n".join(lines) + "\n\n" + ctx._(N_("Send this to the administrators for verification?")),
        ctx.keyboard(
            [
                ctx.button("✅ " + ctx._(N_("Send")), "send"),
                ctx.button(ctx._(N_("Cancel")), "cancel"),
            ]
        ),
    )


async def confirm(ctx: Ctx) -> None:
    await ctx.clear_buttons()
    if ctx.value != "send":
        ctx.end_flow()
        await ctx.reply(ctx._(N_("Cancelled. Send /help to see what you can do.")))
        return
    member = await ctx.member()
    if member is None:
        ctx.end_flow()
        return
    now = ctx.clock.now()
    d = ctx.data
    company = await ctx.session.jobs.register_company(
        member.id, d["name"], d["regno"], d["sector"], d.get("website"), d["about"], now,
        limits(ctx.extras).pending_companies,
    )  # fmt: skip
    if company is None:  # one was registered meanwhile (the write's own condition)
        ctx.end_flow()
        await ctx.reply(ctx._(COMPANY_PENDING))
        return
    await notify_staff(
        ctx.session, ctx.translators, "admin", partial(company_request, company=company, member=member), now,
        f"company:{company.id}",
    )  # fmt: skip
    ctx.end_flow()
    await ctx.reply(
        ctx._(
            N_(
                "Thank you! The administrators will verify the company; you will hear from them here."
            )
        )
    )


async def decide(ctx: Ctx, company_id: int, approve: bool) -> None:
    """An administrator's [Approve] or [Reject] on a company's request: the operation
    checks the role, and that nobody decided first."""
    operation = approve_company if approve else reject_company
    try:
        await operation(acting(ctx), company_id)
    except NotAllowed as error:
        await refuse(ctx, error.message)
        return
    except Invalid as error:  # withdrawn, or decided already
        await ctx.answer(ctx._(error.message), alert=True)
        await ctx.clear_buttons()
        return
    await ctx.answer(ctx._(N_("Done: the member is told.")))
    await ctx.clear_buttons()


# -- representatives -------------------------------------------------------------------
async def invite_pressed(ctx: Ctx, company_id: int) -> None:
    company = await verified_company(ctx, company_id)
    if company is None:
        return
    await ctx.answer()
    await ctx.start_flow("invite", "who", {"company": company.id})


async def ask_who(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "Send the Telegram username (like @sokdara) or the Telegram id of the member to add. They must have signed up."
            )
        )
    )


async def receive_who(ctx: Ctx) -> None:
    raw = western_digits(clean_line(ctx.event.text)).lstrip("@")
    member = (  # an id too long for any Telegram id is looked up as nobody, never as a number
        (await ctx.session.members.get(int(raw)) if len(raw) <= 18 else None)
        if raw.isdecimal()
        else await ctx.session.jobs.member_by_username(raw)
    )
    if member is None:
        await ctx.reply(
            ctx._(
                N_(
                    "No member has that username or id. Ask them to sign up with /start first, then try again."
                )
            )
        )
        return
    company = await verified_company(ctx, ctx.data["company"])
    if company is None:
        ctx.end_flow()
        return
    if await ctx.session.jobs.is_representative(member.id, company.id, verified_only=False):
        await ctx.reply(
            ctx._(N_("They already represent {company}.")).format(company=escape(company.name))
        )
        return
    now = ctx.clock.now()
    inviter = await ctx.member()
    await ctx.session.jobs.invite_representative(
        company.id, member.id, inviter.id if inviter else None, now
    )
    await notify_member(
        ctx.session, ctx.translators, member.id, partial(invitation, company=company), now,
        dedupe_key=f"invite:{company.id}:{member.id}:{ctx.event.update_id}",  # invited again: sent again
    )  # fmt: skip
    ctx.end_flow()
    await ctx.reply(ctx._(N_("Invitation sent. They become a representative when they accept.")))


def invitation(t: Translator, company: Company) -> tuple[str, InlineKeyboard]:
    return (
        t.gettext(N_("You are invited to represent {company} in DCC Bot: post its jobs and find talent.")).format(company=escape(company.name)),
        InlineKeyboard.of(
            [[JOIN.button("✅ " + t.gettext(N_("Accept")), company.id),
              DECLINE_INVITE.button(t.gettext(N_("Decline")), company.id)]]
        ),
    )  # fmt: skip


async def join(ctx: Ctx, company_id: int, accept: bool) -> None:
    member = await ctx.member()
    if member is None or not await ctx.session.jobs.has_invite(company_id, member.id):
        await ctx.answer(ctx._(N_("This invitation is no longer valid.")), alert=True)
        await ctx.clear_buttons()
        return
    await ctx.clear_buttons()
    if accept:
        await ctx.session.jobs.accept_invite(company_id, member.id)
        await ctx.answer(
            ctx._(N_("You are now a representative. Send /company to act for it.")), alert=True
        )
    else:
        await ctx.session.jobs.decline_invite(company_id, member.id)
        await ctx.answer(ctx._(N_("Invitation declined.")))


company_flow = Flow(
    "company",
    {
        "name": text_step("name", N_("What is the company's name?"), N_("Please type the company's name.")),
        "regno": text_step("regno", N_("Its registration number at the Ministry of Commerce?"), N_("Please type the registration number.")),
        "sector": text_step("sector", N_("Its sector (for example: software, banking, telecom)?"), N_("Please type the sector.")),
        "website": text_step("website", N_("Its website? Type it, or press Skip."), N_("Please type the website, or press Skip."), skippable=True),
        "about": text_step("about", N_("In a few sentences, what does the company do?"), N_("Please describe the company.")),
        "confirm": Step(ask_confirm, N_("Please answer with one of the buttons."), on_button=confirm, ends=True),
    },
    entry=("name",),
)  # fmt: skip
invite_flow = Flow(
    "invite",
    {"who": Step(ask_who, N_("Please send a username like @sokdara or a Telegram id."), on_text=receive_who, ends=True)},
    entry=("who",),
)  # fmt: skip
