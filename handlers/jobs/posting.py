"""Posting and editing a job: a verified representative answers a few questions, previews,
publishes; later they list their company's jobs, edit one field at a time, or close one.

Steps (flow ``postjob``): title → description → tags → location → type → deadline → apply
→ preview. The preview has an edit button a field: an edited field goes back to the
preview, for a new job as for one already published (``data["job"]`` is its id). The
company, and the job's being open, are checked again when publishing or saving: a button
kept from before a representative left the company, or a job closed meanwhile, does nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.flow import Flow, Step
from bot.core.i18n import N_
from bot.core.keyboards import InlineKeyboard
from bot.core.text import clean_line, clean_text, clip, escape, telegram_length, too_long
from handlers.context import Ctx
from handlers.invalid import Invalid
from handlers.jobs.buttons import CLOSE, EDIT
from handlers.jobs.cards import job_card
from handlers.jobs.companies import verified_company
from handlers.jobs.labels import JOB_TYPE_NAMES
from handlers.jobs.rules import (
    ABROAD,
    REMOTE,
    deadline_end,
    is_job_location,
    is_job_type,
    parse_deadline,
)
from handlers.links import parse_web_address
from handlers.tag_keyboard import DONE, tag_keyboard, toggle
from storage.models import Job
from storage.seed.provinces import PROVINCES
from storage.seed.tags import SLUGS

TITLE_MAX, DESCRIPTION_MAX = 120, 2500
JOBS_LISTED = 20  # the newest of a company's jobs in "Our jobs"

# Field step → the label of its edit button on the preview.
EDIT_BUTTONS = (
    ("title", N_("Title")),
    ("description", N_("Description")),
    ("tags", N_("Skills")),
    ("location", N_("Place")),
    ("type", N_("Type")),
    ("deadline", N_("Deadline")),
    ("apply", N_("How to apply")),
)


async def post_pressed(ctx: Ctx, company_id: int) -> None:
    company = await verified_company(ctx, company_id)
    if company is None:
        return
    await ctx.answer()
    await ctx.start_flow("postjob", "title", {"company": company.id, "job": None, "tags": []})


async def edit_pressed(ctx: Ctx, job_id: int) -> None:
    job = await open_job(ctx, job_id)
    if job is None or await verified_company(ctx, job.company_id) is None:
        return
    await ctx.answer()
    data = {
        "company": job.company_id, "job": job.id, "editing": True, "title": job.title,
        "description": job.description, "tags": await ctx.session.jobs.job_tags(job.id),
        "location": job.location, "type": job.job_type, "deadline": job.deadline.isoformat(),
        "apply_url": job.apply_url,
    }  # fmt: skip
    await ctx.start_flow("postjob", "preview", data)


async def open_job(ctx: Ctx, job_id: int) -> Job | None:
    """The job while it takes applications; otherwise the presser is told it is closed."""
    job = await ctx.session.jobs.job(job_id)
    if job is None or job.status != "open" or job.deadline_at <= ctx.clock.now():
        await ctx.answer(ctx._(N_("This job is closed.")), alert=True)
        if not ctx.event.callback_id:
            await ctx.reply(ctx._(N_("This job is closed.")))
        return None
    return job


def then(following: str) -> tuple[str, ...]:
    """The steps ``field_done`` may choose: ``following``, or the preview when editing."""
    return tuple(dict.fromkeys((following, "preview")))


async def field_done(ctx: Ctx, following: str) -> None:
    await ctx.goto("preview" if ctx.data.get("editing") else following)


def now_line(ctx: Ctx, key: str) -> str:
    """The present value, when a field is being changed."""
    value = ctx.data.get(key)
    if not ctx.data.get("editing") or not value:
        return ""
    return "\n" + ctx._(N_("Now: {value}")).format(value=escape(clip(str(value), 200)))


# -- the questions ---------------------------------------------------------------------------
async def ask_title(ctx: Ctx) -> None:
    await ctx.reply(ctx._(N_("What is the job title?")) + now_line(ctx, "title"))


async def receive_title(ctx: Ctx) -> None:
    title = clean_line(ctx.event.text)
    if not title or too_long(title, TITLE_MAX):
        await ctx.reply(ctx._(N_("Please send 1 to {limit} characters.")).format(limit=TITLE_MAX))
        return
    ctx.data["title"] = title
    await field_done(ctx, "description")


async def ask_description(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("Describe the job: the work, the skills needed, the salary if you can."))
        + now_line(ctx, "description")
    )


async def receive_description(ctx: Ctx) -> None:
    text = clean_text(ctx.event.text)
    if not text or telegram_length(text) > DESCRIPTION_MAX:  # what Telegram counts
        await ctx.reply(
            ctx._(N_("Please send 1 to {limit} characters.")).format(limit=DESCRIPTION_MAX)
        )
        return
    ctx.data["description"] = text
    await field_done(ctx, "tags")


def next_label(ctx: Ctx) -> str:
    return ctx._(N_("Next")) + " ➡️"


async def ask_tags(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("Which skills does the job need? Tap them, then press Next.")),
        await tag_keyboard(ctx, ctx.data["tags"], next_label(ctx)),
    )


async def tag_chosen(ctx: Ctx) -> None:
    if ctx.value == DONE:
        if not ctx.data["tags"]:
            await ctx.answer(ctx._(N_("Choose at least one skill, then press Next.")), alert=True)
            return
        await ctx.clear_buttons()
        await field_done(ctx, "location")
        return
    if ctx.value not in SLUGS:
        await ctx.reprompt()
        return
    await toggle(ctx, ctx.data["tags"], next_label(ctx))


async def ask_location(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(N_("Remote")), REMOTE), ctx.button(ctx._(N_("Abroad")), ABROAD)]
    buttons += [ctx.button(p.name(ctx.language), p.slug) for p in PROVINCES]
    await ctx.reply(ctx._(N_("Where is the job?")), ctx.keyboard(buttons, 2))


async def location_chosen(ctx: Ctx) -> None:
    if not is_job_location(ctx.value):
        await ctx.reprompt()
        return
    ctx.data["location"] = ctx.value
    await ctx.clear_buttons()
    await field_done(ctx, "type")


async def ask_type(ctx: Ctx) -> None:
    buttons = [ctx.button(ctx._(name), slug) for slug, name in JOB_TYPE_NAMES.items()]
    await ctx.reply(ctx._(N_("What type of job is it?")), ctx.keyboard(buttons, 2))


async def type_chosen(ctx: Ctx) -> None:
    if not is_job_type(ctx.value):
        await ctx.reprompt()
        return
    ctx.data["type"] = ctx.value
    await ctx.clear_buttons()
    await field_done(ctx, "deadline")


async def ask_deadline(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(N_("Until when can people apply? Send the date, for example 31/12/2026."))
    )


async def receive_deadline(ctx: Ctx) -> None:
    tz = ctx.timezone
    try:
        deadline = parse_deadline(ctx.event.text, ctx.clock.now().astimezone(tz).date())
    except Invalid as error:
        await ctx.reply(ctx._(error.message).format(**error.params))
        return
    ctx.data["deadline"] = deadline.isoformat()
    await field_done(ctx, "apply")


async def ask_apply(ctx: Ctx) -> None:
    await ctx.reply(
        ctx._(
            N_(
                "How should people apply? Send a link to your application page, or press the button to receive applications here in the bot."
            )
        )
        + now_line(ctx, "apply_url"),
        ctx.keyboard([ctx.button("📨 " + ctx._(N_("Apply in the bot")), "bot")]),
    )


async def receive_apply_link(ctx: Ctx) -> None:
    try:
        ctx.data["apply_url"] = parse_web_address(ctx.event.text)
    except Invalid:
        await ctx.reply(
            ctx._(
                N_("Please send a link like https://example.com/jobs, or press Apply in the bot.")
            )
        )
        return
    await field_done(ctx, "preview")


async def apply_in_bot(ctx: Ctx) -> None:
    if ctx.value != "bot":
        await ctx.reprompt()
        return
    ctx.data["apply_url"] = None
    await ctx.clear_buttons()
    await field_done(ctx, "preview")


# -- preview, publish, save ------------------------------------------------------------------
async def show_preview(ctx: Ctx) -> None:
    d = ctx.data
    company = await ctx.session.jobs.company(d["company"])
    tags = {t.slug: t.name(ctx.language) for t in await ctx.session.tags.all()}
    text = job_card(
        ctx.t, title=d["title"], company=company.name if company else "",
        description=d["description"], tag_names=", ".join(tags[s] for s in d["tags"] if s in tags),
        location=d["location"], job_type=d["type"],
        deadline=date.fromisoformat(d["deadline"]), apply_url=d["apply_url"],
    )  # fmt: skip
    if d.get("job"):
        heading = ctx._(N_("Job #{number} as members see it. Change a field, or save.")).format(
            number=d["job"]
        )
        final = ctx.button("✅ " + ctx._(N_("Save changes")), "publish")
    else:
        heading = ctx._(N_("Preview: this is how members will see the job."))
        final = ctx.button("✅ " + ctx._(N_("Publish")), "publish")
    edit = [ctx.button("✏️ " + ctx._(label), f"edit-{step}") for step, label in EDIT_BUTTONS]
    keyboard = InlineKeyboard.of(
        [*ctx.keyboard(edit, 2).rows, (final, ctx.button(ctx._(N_("Cancel")), "cancel"))]
    )
    await ctx.reply(f"👀 <b>{heading}</b>\n\n{text}", keyboard)


async def preview_pressed(ctx: Ctx) -> None:
    value = ctx.value
    if value.startswith("edit-") and value[5:] in dict(EDIT_BUTTONS):
        ctx.data["editing"] = True
        await ctx.clear_buttons()
        await ctx.goto(value[5:])
        return
    await ctx.clear_buttons()
    if value == "publish":
        await publish(ctx)
        return
    ctx.end_flow()
    if ctx.data.get("job"):
        await ctx.reply(ctx._(N_("Nothing was changed.")))
    else:
        await ctx.reply(ctx._(N_("Cancelled. Send /help to see what you can do.")))


def job_fields(ctx: Ctx) -> dict[str, Any]:
    d = ctx.data
    deadline = date.fromisoformat(d["deadline"])
    return {
        "title": d["title"], "description": d["description"], "tags": list(d["tags"]),
        "location": d["location"], "job_type": d["type"], "deadline": deadline,
        "deadline_at": deadline_end(deadline, ctx.timezone), "apply_url": d["apply_url"],
    }  # fmt: skip


async def publish(ctx: Ctx) -> None:
    company = await verified_company(ctx, ctx.data["company"])
    member = await ctx.member()
    if company is None or member is None:
        ctx.end_flow()
        return
    job_id = ctx.data.get("job")
    if job_id:
        job = await open_job(ctx, job_id)
        if job is None or job.company_id != company.id:
            ctx.end_flow()
            return
        await ctx.session.jobs.update_job(job, **job_fields(ctx))
        ctx.end_flow()
        await ctx.reply(ctx._(N_("Job #{number} is saved.")).format(number=job.id))
        return
    job = await ctx.session.jobs.add_job(
        company.id, member.id, **job_fields(ctx), now=ctx.clock.now()
    )
    ctx.end_flow()
    await ctx.reply(
        ctx._(N_("Job #{number} is published. Members whose skills match will be told.")).format(
            number=job.id
        )
    )


# -- a company's jobs ------------------------------------------------------------------------
async def my_jobs(ctx: Ctx, company_id: int) -> None:
    company = await verified_company(ctx, company_id)
    if company is None:
        return
    await ctx.answer()
    jobs = await ctx.session.jobs.jobs_of_company(company.id, JOBS_LISTED)
    if not jobs:
        await ctx.reply(
            ctx._(N_("{company} has no jobs yet.")).format(company=escape(company.name))
        )
        return
    now = ctx.clock.now()
    applications = await ctx.session.jobs.application_counts([job.id for job in jobs])
    for job in jobs:
        is_open = job.status == "open" and job.deadline_at > now
        state = ctx._(N_("open")) if is_open else ctx._(N_("closed"))
        count = ctx._(N_("applications: {count}")).format(
            count=ctx.t.number(applications.get(job.id, 0))
        )
        keyboard = (
            InlineKeyboard.of(
                [[EDIT.button("✏️ " + ctx._(N_("Edit")), job.id),
                  CLOSE.button("🔒 " + ctx._(N_("Close")), job.id)]]
            )
            if is_open else None
        )  # fmt: skip
        deadline = ctx._(N_("Apply by {date}")).format(date=ctx.t.date(job.deadline))
        await ctx.reply(
            f"#{ctx.t.digits(str(job.id))} <b>{escape(clip(job.title, 100))}</b> · {state} · {count}\n⏳ {deadline}",
            keyboard,
        )


async def close_pressed(ctx: Ctx, job_id: int) -> None:
    job = await ctx.session.jobs.job(job_id)
    if job is None:
        await ctx.answer(ctx._(N_("This job no longer exists.")), alert=True)
        return
    if await verified_company(ctx, job.company_id) is None:
        return
    await ctx.session.jobs.close_job(job.id, ctx.clock.now())
    await ctx.answer(ctx._(N_("Job #{number} is closed.")).format(number=job.id))
    await ctx.clear_buttons()


post_flow = Flow(
    "postjob",
    {
        "title": Step(ask_title, N_("Please type the job title."), on_text=receive_title, next=then("description")),
        "description": Step(ask_description, N_("Please describe the job as text."), on_text=receive_description, next=then("tags")),
        "tags": Step(ask_tags, N_("Please tap the skills, then press Next."), on_button=tag_chosen, next=then("location")),
        "location": Step(ask_location, N_("Please choose the place with one of the buttons."), on_button=location_chosen, next=then("type")),
        "type": Step(ask_type, N_("Please choose the type with one of the buttons."), on_button=type_chosen, next=then("deadline")),
        "deadline": Step(ask_deadline, N_("Please send the deadline as a date, for example 31/12/2026."), on_text=receive_deadline, next=then("apply")),
        "apply": Step(ask_apply, N_("Please send a link like https://example.com/jobs, or press Apply in the bot."), on_text=receive_apply_link, on_button=apply_in_bot, next=then("preview")),
        "preview": Step(show_preview, N_("Please answer with one of the buttons."), on_button=preview_pressed, next=tuple(dict(EDIT_BUTTONS)), ends=True),
    },
    entry=("title", "preview"),
)  # fmt: skip
