"""The moderators' decisions on reported profiles, whoever decides: a moderator in the chat
(the report's buttons, /reports), the web console next.

Deciding a report: hide the member from the directory, or keep them; the first decision
counts (the report's status changes only while it is open, across processes too). Hiding
closes every open report about the member and tells them, never who reported. Undoing a
hide tells the member they may show their profile again; whether they do stays their
choice. A moderator never decides about their own profile. Every decision is audited.
"""

from __future__ import annotations

from bot.core.i18n import N_
from handlers.acting import Acting, NotAllowed
from handlers.notices import notify_member, text_notice
from storage.community import HIDDEN, OPEN

KEPT = "kept"
ABOUT_YOU = N_("This report is about you: another moderator will decide it.")

# What the hidden member is told: the moderators' decision is theirs to know.
hidden_notice = text_notice(
    N_(
        "Moderators have hidden your profile from the member directory after a report: other members no longer find you there. Everything else in the bot works as before."
    )
)
hide_undone_notice = text_notice(
    N_(
        "The moderators have looked at your profile again: you may show it in the member directory again (/profile, then Directory)."
    )
)


async def _about_themselves(acting: Acting, member_id: int) -> bool:
    if acting.person is None:
        return False
    me = await acting.uow.members.get(acting.person)
    return me is not None and me.id == member_id


async def decide_report(acting: Acting, report_id: int, hide: bool) -> bool:
    """Hide the reported member from the directory (``hide``) or keep them; False (nothing
    written) when the report is gone or another moderator decided it first."""
    await acting.require("moderator")
    report = await acting.uow.community.report(report_id)
    if report is None or report.status != OPEN:
        return False
    if await _about_themselves(acting, report.member_id):
        raise NotAllowed(ABOUT_YOU)
    if not await acting.uow.transition(
        report, OPEN, HIDDEN if hide else KEPT, resolved_by=acting.person, resolved_at=acting.now
    ):
        return False
    if not hide:
        await acting.audit("member-report-kept", {"report": report.id})
        return True
    member = await acting.uow.members.by_id(report.member_id)
    if member is not None:
        member.directory_visible = False
    closed = await acting.uow.community.resolve_reports(
        report.member_id, HIDDEN, acting.person, acting.now
    )
    await acting.audit(
        "member-hidden", {"member": report.member_id, "reports": sorted([report.id, *closed])}
    )
    await notify_member(
        acting.uow, acting.translations, report.member_id, hidden_notice, acting.now,
        dedupe_key=f"hidden:{report.member_id}:{report.id}",
    )  # fmt: skip
    return True


async def undo_hide(acting: Acting, member_id: int) -> bool:
    """Undo the moderators' hide of the member; False (nothing written) when they are not
    hidden any more (another moderator undid it first)."""
    await acting.require("moderator")
    if await _about_themselves(acting, member_id):
        raise NotAllowed(ABOUT_YOU)
    lifted = await acting.uow.community.lift_hide(member_id)
    if not lifted:
        return False
    await acting.audit("member-hide-undone", {"member": member_id, "reports": lifted})
    await notify_member(
        acting.uow, acting.translations, member_id, hide_undone_notice, acting.now,
        dedupe_key=f"hide-undone:{member_id}:{lifted[-1]}",
    )  # fmt: skip
    return True
