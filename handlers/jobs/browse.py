"""/jobs: open jobs with tag and province filters, a page at a time; apply in the bot.

Steps (flow ``jobs``): list (filters and pages are buttons of this step; the filter
choices are steps ``tag`` and ``province``). Flow ``apply``: confirm (a CV sent there, a
PDF, Word or ODT file, goes with the application).
"""

from __future__ import annotations

from functools import partial

from bot.core.context import row_id
from bot.core.flow import Flow, Step
from bot.core.i18n import N_, Translator
from bot.core.keyboards import Button, InlineKeyboard
from bot.core.text import clip, escape
from handlers.context import Ctx, signing_up
from handlers.files import CV, file_ref, take_file
from handlers.jobs.buttons import APPLY, DECLINE_APPLICATION, INTERVIEW
from handlers.jobs.cards import job_card
from handlers.jobs.labels import job_location_name
from handlers.notices import notify, notify_member
from handlers.outreach.share import share_button
from handlers.profile.labels import role_name
from handlers.profile.summary import telegram_contact
from storage.models import Job, JobApplication, Member
from storage.seed.provinces import PROVINCES
from storage.seed.tags import SLUGS

PAGE = 5
ANY = "any"
BACK = "back-"


async def jobs_command(ctx: Ctx) -> None:
    if await signing_up(ctx):
        return
    await ctx.start_flow("jobs", "list", {"tag": None, "province": None, "page": 0})


async def show_list(ctx: Ctx) -> None:
    now = ctx.clock.now()
    page = ctx.data.get("page", 0)
    jobs, total = await ctx.session.jobs.open_jobs(
        now, ctx.data.get("tag"), ctx.data.get("province"), page * PAGE, PAGE
    )
    tags = {t.slug: t.name(ctx.language) for t in await ctx.session.tags.all()}
    filters = []
    if ctx.data.get("tag"):
        filters.append(tags.get(ctx.data["tag"], ""))
    if ctx.data.get("province"):
        filters.append(job_location_name(ctx.t, ctx.data["province"]))
    head = ctx._(N_("Open jobs ({total})")).format(total=ctx.t.number(total))
    if filters:
        head += " · " + escape(", ".join(filters))
    lines = [f"<b>{head}</b>"]
    buttons = []
    for job in jobs:
        company = await ctx.session.jobs.company(job.company_id)
        lines.append(
            f"\n<b>#{ctx.t.digits(str(job.id))}</b> {escape(clip(job.title, 80))} · {escape(clip(company.name if company else '', 40))}"
            f"\n📍 {job_location_name(ctx.t, job.location)} · ⏳ {ctx.t.date(job.deadline, 'medium')}"
        )
        buttons.append(ctx.button(ctx.t.digits(f"#{job.id}"), f"job-{job.id}"))
    if not jobs:
        lines.append("\n" + ctx._(N_("No open job matches. Try other filters.")))
    rows = list(ctx.keyboard(buttons, 5).rows)
    paging = []
    if page > 0:
        paging.append(ctx.button("« " + ctx._(N_("Previous")), "prev"))
    if (page + 1) * PAGE < total:
        paging.append(ctx.button(ctx._(N_("Next")) + " »", "next"))
    rows.append(tuple(paging))
    rows.append(
        (
            ctx.button("🏷 " + ctx._(N_("Skill")), "f-tag"),
            ctx.button("📍 " + ctx._(N_("Place")), "f-prov"),
        )
    )
    await ctx.reply("\n".join(lines), InlineKeyboard.of(rows))


async def list_pressed(ctx: Ctx) -> None:
    value = ctx.value
    if value in ("prev", "next"):
        ctx.data["page"] = max(0, ctx.data.get("page", 0) + (1 if value == "next" else -1))
        await ctx.clear_buttons()
        await ctx.reprompt()
    elif value == "f-tag":
        await ctx.clear_buttons()
        await ctx.goto("tag")
    elif value == "f-prov":
        await ctx.clear_buttons()
        await ctx.goto("province")
    elif value.startswith("job-") and value[4:].isdecimal():
        await ctx.answer()
        await send_job(ctx, int(value[4:]), from_list=True)
    elif value.startswith(BACK):
        # a job's [Back to the list]: the page it was opened from (garbled: the first)
        ctx.data["page"] = row_id(value[len(BACK) :])
        await ctx.answer()
        await ctx.reprompt()
    else:
        await ctx.reprompt()


async def ask_tag(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(N_("Any skill")), ANY)]
    buttons += [ctx.button(t.name(ctx.language), t.slug) for t in await ctx.session.tags.all()]
    await ctx.reply(ctx._(N_("Show jobs needing which skill?")), ctx.keyboard(buttons, 2))


async def tag_chosen(ctx: Ctx) -> None:
    if ctx.value != ANY and ctx.value not in SLUGS:
        await ctx.reprompt()
        return
    ctx.data["tag"], ctx.data["page"] = (None if ctx.value == ANY else ctx.value), 0
    await ctx.clear_buttons()
    await ctx.goto("list")


async def ask_province(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(N_("Anywhere")), ANY)]
    buttons += [ctx.button(p.name(ctx.language), p.slug) for p in PROVINCES]
    await ctx.reply(
        ctx._(N_("Show jobs where? (remote jobs are always shown)")), ctx.keyboard(buttons, 2)
    )


async def province_chosen(ctx: Ctx) -> None:
    if ctx.value != ANY and ctx.value not in {p.slug for p in PROVINCES}:
        await ctx.reprompt()
        return
    ctx.data["province"], ctx.data["page"] = (None if ctx.value == ANY else ctx.value), 0
    await ctx.clear_buttons()
    await ctx.goto("list")


async def send_job(ctx: Ctx, job_id: int, from_list: bool = False) -> None:
    """The job's card. A member who has applied reads when, and is not offered Apply again;
    opened from /jobs (``from_list``), it has [Back to the list], to the page it came from."""
    job = await ctx.session.jobs.job(job_id)
    if job is None or job.status != "open" or job.deadline_at <= ctx.clock.now():
        await ctx.reply(ctx._(N_("This job is closed.")))
        return
    company = await ctx.session.jobs.company(job.company_id)
    tags = {t.slug: t.name(ctx.language) for t in await ctx.session.tags.all()}
    text = job_card(
        ctx.t, title=job.title, company=company.name if company else "", description=job.description,
        tag_names=", ".join(tags.get(s, s) for s in await ctx.session.jobs.job_tags(job.id)),
        location=job.location, job_type=job.job_type, deadline=job.deadline, apply_url=job.apply_url,
    )  # fmt: skip
    member = await ctx.member()
    applied = None if member is None else await ctx.session.jobs.applied_at(job.id, member.id)
    rows: list[list[Button]] = []
    if applied is not None:
        text += "\n\n✅ " + ctx._(N_("You applied for this job on {date}.")).format(
            date=ctx.t.date(applied.astimezone(ctx.timezone))
        )
    elif job.apply_url:
        rows.append([Button("🔗 " + ctx._(N_("Open the application page")), url=job.apply_url)])
    else:
        rows.append([APPLY.button("📨 " + ctx._(N_("Apply")), job.id)])
    share = share_button(ctx, "job", job.id, job.title)
    if share:
        rows.append([share])
    if from_list:
        page = ctx.data.get("page", 0)
        rows.append([ctx.button("« " + ctx._(N_("Back to the list")), f"{BACK}{page}")])
    await ctx.reply(text, InlineKeyboard.of(rows) if rows else None)


# -- applying --------------------------------------------------------------------------
def shared_summary(t: Translator, member: Member, skills: str, for_company: bool) -> str:
    """What an application shares, the same in the member's preview and in what the company
    gets: name, role, organisation, skills, experience, the Telegram handle (or a link to
    the member's Telegram when there is none) and the phone if the member shared it."""
    if member.username or for_company:
        contact = telegram_contact(member)
    else:
        contact = t.gettext(N_("a link to your Telegram"))
    lines = [
        f"👤 <b>{escape(member.full_name or '')}</b> · {role_name(t, member.role)}",
        t.gettext(N_("Organisation: {value}")).format(value=escape(member.organisation or "—")),
        t.gettext(N_("Skills: {value}")).format(value=escape(skills)),
        t.gettext(N_("Years of experience: {value}")).format(
            value=t.number(member.years_experience) if member.years_experience is not None else "—"
        ),
        t.gettext(N_("Contact: {value}")).format(value=contact),
    ]
    if member.phone:
        lines.append(t.gettext(N_("Phone: {value}")).format(value=escape(member.phone)))
    return "\n".join(lines)


async def apply_pressed(ctx: Ctx, job_id: int) -> None:
    member = await ctx.member()
    job = await ctx.session.jobs.job(job_id)
    if member is None:
        await ctx.answer(ctx._(N_("You have not signed up yet. Send /start to join.")), alert=True)
        return
    if job is None or job.status != "open" or job.deadline_at <= ctx.clock.now() or job.apply_url:
        await ctx.answer(ctx._(N_("This job is closed.")), alert=True)
        return
    if await ctx.session.jobs.has_applied(job.id, member.id):
        await ctx.answer(ctx._(N_("You have already applied for this job.")), alert=True)
        return
    await ctx.answer()
    await ctx.start_flow("apply", "confirm", {"job": job.id})


async def ask_apply(ctx: Ctx) -> None:
    member = await ctx.member()
    job = await ctx.session.jobs.job(ctx.data["job"])
    if member is None or job is None:
        ctx.end_flow()
        return
    skills = await skill_names(ctx, member)
    await ctx.reply(
        ctx._(N_("Apply for job #{number}? The company will receive:")).format(number=job.id)
        + "\n\n" + shared_summary(ctx.t, member, skills, for_company=False)
        + "\n\n📎 " + ctx._(N_("To add your CV, send it here now as a PDF, Word (DOC or DOCX) or ODT file, then press Send.")),
        ctx.keyboard([ctx.button("✅ " + ctx._(N_("Send my application")), "send"), ctx.button(ctx._(N_("Cancel")), "cancel")]),
    )  # fmt: skip


async def receive_cv(ctx: Ctx) -> None:
    """A CV sent before pressing Send: kept to go with the application (a later one
    replaces it); a file of another type is refused with what to send instead."""
    kept = await take_file(ctx, CV)
    if kept is None:
        return
    ctx.data["cv"] = kept
    name = escape(clip(kept.get("file_name") or "", 80))
    await ctx.reply(
        ctx._(N_("I kept your CV {name}. Press Send my application to send it with your application.")).format(name=name),
        ctx.keyboard([ctx.button("✅ " + ctx._(N_("Send my application")), "send"), ctx.button(ctx._(N_("Cancel")), "cancel")]),
    )  # fmt: skip


async def skill_names(ctx: Ctx, member: Member) -> str:
    names = {t.slug: t.name(ctx.language) for t in await ctx.session.tags.all()}
    return ", ".join(names.get(s, s) for s in await ctx.session.members.skills(member.id))


async def confirm_apply(ctx: Ctx) -> None:
    await ctx.clear_buttons()
    member = await ctx.member()
    job = await ctx.session.jobs.job(ctx.data["job"])
    cv = ctx.data.get("cv")  # kept by receive_cv
    ctx.end_flow()
    if ctx.value != "send" or member is None or job is None:
        await ctx.reply(ctx._(N_("Cancelled. Send /help to see what you can do.")))
        return
    if job.status != "open" or job.deadline_at <= ctx.clock.now():
        await ctx.reply(ctx._(N_("This job is closed.")))
        return
    now = ctx.clock.now()
    application = await ctx.session.jobs.apply(job.id, member.id, now)
    if application is None:
        await ctx.reply(ctx._(N_("You have already applied for this job.")))
        return
    if cv:
        kept = await ctx.session.attachments.add(member.id, "application", cv, now)
        application.attachment_id = kept.id
    skills_by_language: dict[str, str] = {}
    for rep in await ctx.session.jobs.representatives(job.company_id):
        if rep.telegram_id is None:
            continue
        if rep.language not in skills_by_language:
            names = {tag.slug: tag.name(rep.language) for tag in await ctx.session.tags.all()}
            skills_by_language[rep.language] = ", ".join(
                names.get(s, s) for s in await ctx.session.members.skills(member.id)
            )
        await notify(
            ctx.session, ctx.translators, rep.telegram_id, rep.language,
            partial(application_message, job=job, application=application, member=member,
                    skills=skills_by_language[rep.language]),
            now, dedupe_key=f"application-job:{application.id}:{rep.id}",
            file=file_ref(cv),
        )  # fmt: skip
    await ctx.reply(ctx._(N_("Your application was sent. You will hear from the company here.")))


def application_message(
    t: Translator, job: Job, application: JobApplication, member: Member, skills: str
) -> tuple[str, InlineKeyboard]:
    text = (
        "📨 <b>" + t.gettext(N_("A member applies for job #{number} {title}:")).format(number=job.id, title=escape(clip(job.title, 80))) + "</b>\n\n"
        + shared_summary(t, member, skills, for_company=True)
    )  # fmt: skip
    return text, InlineKeyboard.of(
        [[INTERVIEW.button("🗓 " + t.gettext(N_("Invite to interview")), application.id),
          DECLINE_APPLICATION.button(t.gettext(N_("Decline")), application.id)]]
    )  # fmt: skip


async def decide_application(ctx: Ctx, application_id: int, interview: bool) -> None:
    from handlers.jobs.companies import verified_company

    application = await ctx.session.jobs.application(application_id)
    job = await ctx.session.jobs.job(application.job_id) if application else None
    if application is None or job is None:
        await ctx.answer(ctx._(N_("This application no longer exists.")), alert=True)
        return
    if await verified_company(ctx, job.company_id) is None:
        return
    if application.status != "sent":
        await ctx.answer(ctx._(N_("This application has already been answered.")), alert=True)
        await ctx.clear_buttons()
        return
    now = ctx.clock.now()
    status = "interview" if interview else "declined"
    if not await ctx.session.transition(application, "sent", status, decided_at=now):
        await ctx.answer(ctx._(N_("This application has already been answered.")), alert=True)
        await ctx.clear_buttons()
        return
    company = await ctx.session.jobs.company(job.company_id)
    await notify_member(
        ctx.session, ctx.translators, application.member_id,
        partial(outcome_message, job=job, company=company.name if company else "", interview=interview),
        now, dedupe_key=f"application-outcome:{application.id}",
    )  # fmt: skip
    await ctx.answer(ctx._(N_("Done: the member is told.")))
    await ctx.clear_buttons()


def outcome_message(t: Translator, job: Job, company: str, interview: bool) -> tuple[str, None]:
    if interview:
        text = N_(
            "Good news: {company} invites you to an interview for job #{number} {title}. They will contact you."
        )
    else:
        text = N_(
            "{company} has decided not to continue with your application for job #{number} {title}. Thank you for applying, and good luck!"
        )
    return t.gettext(text).format(
        company=escape(company), number=job.id, title=escape(clip(job.title, 80))
    ), None


jobs_flow = Flow(
    "jobs",
    {
        "list": Step(show_list, N_("Please use the buttons to filter or open a job."), on_button=list_pressed, next=("tag", "province")),
        "tag": Step(ask_tag, N_("Please choose a skill with one of the buttons."), on_button=tag_chosen, next=("list",)),
        "province": Step(ask_province, N_("Please choose a place with one of the buttons."), on_button=province_chosen, next=("list",)),
    },
    entry=("list",),
)  # fmt: skip
apply_flow = Flow(
    "apply",
    {"confirm": Step(ask_apply, N_("Please answer with one of the buttons."), on_button=confirm_apply, on_media=receive_cv, ends=True)},
    entry=("confirm",),
)  # fmt: skip
