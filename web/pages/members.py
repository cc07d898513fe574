"""Members (administrators): search by name, skill, role and province; a member's profile
showing no more than the admin console does in the bot (the columns of /export, and whether
the moderators hid them; never a phone); the CSV export of /export and ``dcc-bot members
export``; and the CSV import of ``dcc-bot members import``, with its line-by-line report.

The export and the import are the operations of ``handlers.profile.operations`` (the role
checked again, audited with the channel "web"); the import reads rows with the command
line's reader (``bot.members_csv``) and commits a batch at a time, as the command line does.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web

from bot.core.i18n import N_, Translator
from bot.members_csv import BadRow, ImportReport, read_rows
from handlers.acting import NotAllowed
from handlers.community.cards import skill_names
from handlers.profile.labels import (
    LANGUAGE_NAMES,
    ROLE_NAMES,
    frequency_name,
    location_name,
    role_name,
    yes_no,
)
from handlers.profile.operations import MembersImport, export_members
from storage.member_search import staff_search
from storage.models import Member, Tag
from storage.seed.provinces import ABROAD, PROVINCES
from web.acting import acting, refusal_text
from web.console import console_of, page, translator_of, uow_of
from web.rendering import render, when

PAGE_SIZE = 25
IMPORT_LIMIT = 1024 * 1024  # bytes of CSV the console imports; larger files: the CLI


@dataclass(frozen=True)
class Found:
    """A line of the search's results."""

    member: Member
    role: str
    place: str
    skills: str


def _choices(t: Translator, tags: list[Tag]) -> dict[str, list[tuple[str, str]]]:
    return {
        "skills": [(tag.slug, tag.name(t.language)) for tag in tags],
        "roles": [(slug, t.gettext(name)) for slug, name in ROLE_NAMES.items()],
        "provinces": [(p.slug, p.name(t.language)) for p in PROVINCES]
        + [(ABROAD, t.gettext(N_("Abroad")))],
    }


def _chosen(query: Mapping[str, str], name: str, allowed: list[tuple[str, str]]) -> str:
    """The value chosen in a list, or "" (any) for a value the list does not have."""
    value = query.get(name, "")
    return value if value in {slug for slug, _ in allowed} else ""


@page("/members", N_("Members"), "admin")
async def members(request: web.Request) -> web.Response:
    t = translator_of(request)
    uow = uow_of(request)
    tags = await uow.tags.all()
    choices = _choices(t, tags)
    query = request.query
    chosen = {
        "name": query.get("name", "").strip()[:100],
        "skill": _chosen(query, "skill", choices["skills"]),
        "role": _chosen(query, "role", choices["roles"]),
        "province": _chosen(query, "province", choices["provinces"]),
    }
    raw_page = query.get("page", "")
    number = int(raw_page) if raw_page.isdecimal() and len(raw_page) < 7 else 1
    number = max(number, 1)
    found, total = await staff_search(
        uow.session, chosen["name"], chosen["skill"], chosen["role"], chosen["province"],
        (number - 1) * PAGE_SIZE, PAGE_SIZE,
    )  # fmt: skip
    rows = [
        Found(
            member,
            role_name(t, member.role),
            location_name(t, member.province, member.country),
            skill_names(tags, await uow.members.skills(member.id), t.language),
        )
        for member in found
    ]
    kept = {k: v for k, v in chosen.items() if v}

    def link(to: int) -> str:
        return "/members?" + urlencode({**kept, "page": to})

    return render(
        request,
        "members.html",
        title=t.gettext(N_("Members")),
        rows=rows,
        chosen=chosen,
        choices=choices,
        total=total,
        page_number=number,
        newer=link(number - 1) if number > 1 else None,
        older=link(number + 1) if number * PAGE_SIZE < total else None,
    )


@page("/members/{telegram_id:[0-9]{1,16}}", None, "admin")
async def profile(request: web.Request) -> web.Response:
    """What /export gives of one member, and the moderators' hide; never a phone."""
    t = translator_of(request)
    uow = uow_of(request)
    member = await uow.members.get(int(request.match_info["telegram_id"]))
    if member is None or member.deleted_at is not None:
        return render(
            request, "member.html", status=404, title=t.gettext(N_("No such member")), fields=[]
        )
    tags = await uow.tags.all()
    slugs = await uow.members.skills(member.id)
    none = "—"
    fields = [
        (t.gettext(N_("Name")), member.full_name or none),
        (t.gettext(N_("Telegram id")), str(member.telegram_id)),
        (t.gettext(N_("Telegram username")), "@" + member.username if member.username else none),
        (t.gettext(N_("Language")), LANGUAGE_NAMES.get(member.language, member.language)),
        (t.gettext(N_("Role")), role_name(t, member.role)),
        (t.gettext(N_("Organisation")), member.organisation or none),
        (t.gettext(N_("Location")), location_name(t, member.province, member.country)),
        (t.gettext(N_("Skills")), skill_names(tags, slugs, t.language) or none),
        (
            t.gettext(N_("Years of experience")),
            none if member.years_experience is None else t.number(member.years_experience),
        ),
        (t.gettext(N_("Open to job opportunities")), yes_no(t, member.open_to_work)),
        (t.gettext(N_("Job alerts")), frequency_name(t, member.alert_frequency)),
        (t.gettext(N_("Visible in the member directory")), yes_no(t, member.directory_visible)),
        (
            t.gettext(N_("Hidden from the directory by the moderators")),
            yes_no(t, await uow.community.hidden_by_moderators(member.id)),
        ),
        (t.gettext(N_("Signed up")), when(t, member.created_at, request)),
    ]
    return render(request, "member.html", title=member.full_name or none, fields=fields)


@page("/members/export", None, "admin", method="POST")
async def export(request: web.Request) -> web.Response:
    """Every member as the CSV /export sends (with a BOM, so spreadsheets read Khmer)."""
    out = io.StringIO()
    try:
        await export_members(acting(request), out)
    except NotAllowed as error:
        return await _members_refused(request, refusal_text(request, error))
    day = console_of(request).now().astimezone(console_of(request).timezone)
    response = web.Response(
        body=out.getvalue().encode("utf-8-sig"), content_type="text/csv", charset="utf-8"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="dcc-members-{day:%Y-%m-%d}.csv"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def _members_refused(request: web.Request, message: str) -> web.Response:
    t = translator_of(request)
    return render(
        request, "members_import.html", status=400, title=t.gettext(N_("Import members")),
        error=message, report=None, limit=_size(t),
    )  # fmt: skip


def _size(t: Translator) -> str:
    return t.gettext(N_("{size} MB")).format(size=t.number(IMPORT_LIMIT // (1024 * 1024)))


@page("/members/import", None, "admin")
async def import_form(request: web.Request) -> web.Response:
    t = translator_of(request)
    return render(
        request, "members_import.html", title=t.gettext(N_("Import members")),
        error=None, report=None, limit=_size(t),
    )  # fmt: skip


@page("/members/import", None, "admin", method="POST")
async def import_file(request: web.Request) -> web.Response:
    """Read the uploaded CSV as ``dcc-bot members import`` does and show its report: the
    counts, the columns ignored, and each skipped line with its reason."""
    t = translator_of(request)
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField) or not upload.filename:
        return await _members_refused(request, t.gettext(N_("Choose a CSV file to import.")))
    data = upload.file.read(IMPORT_LIMIT + 1)
    if len(data) > IMPORT_LIMIT:
        return await _members_refused(
            request,
            t.gettext(
                N_(
                    "This file is larger than {size}. Nothing was imported. Import it on the server with dcc-bot members import."
                )
            ).format(size=_size(t)),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return await _members_refused(
            request,
            t.gettext(
                N_(
                    "This file is not UTF-8 text. Save it from the spreadsheet as “CSV UTF-8” and try again."
                )
            ),
        )
    report = ImportReport()
    console = console_of(request)
    try:
        rows = read_rows(io.StringIO(text, newline=""), console.translations, report)
    except BadRow as error:
        return await _members_refused(request, error.text(t))
    uow = uow_of(request)
    importing = MembersImport(acting(request), upload.filename[:200], report.columns)
    try:
        await importing.start()
    except NotAllowed as error:
        return await _members_refused(request, refusal_text(request, error))
    await uow.commit()  # before any row: an import stopped midway is on record too
    await importing.add_all(rows, uow.commit)
    await importing.finish(len(report.errors))
    return render(
        request,
        "members_import.html",
        title=t.gettext(N_("Import members")),
        error=None,
        limit=_size(t),
        report={
            "summary": t.gettext(N_("Imported: {inserted}, {updated}, {skipped}.")).format(
                inserted=t.ngettext(
                    "{count} new member", "{count} new members", importing.inserted
                ).format(count=t.number(importing.inserted)),
                updated=t.ngettext(
                    "{count} member updated", "{count} members updated", importing.updated
                ).format(count=t.number(importing.updated)),
                skipped=t.ngettext(
                    "{count} row skipped", "{count} rows skipped", len(report.errors)
                ).format(count=t.number(len(report.errors))),
            ),
            "unknown": ", ".join(report.unknown_columns),
            "skipped": [(t.number(line), why.text(t)) for line, why in report.errors],
        },
    )
