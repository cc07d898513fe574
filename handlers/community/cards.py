"""A member's card as the network shows it, and where a card's action comes back to."""

from __future__ import annotations

from bot.core.i18n import Translator
from handlers.context import Ctx
from handlers.profile.summary import Summary, member_summary, summary_parts
from storage.models import Member, Tag
from storage.uow import UnitOfWork


def skill_names(tags: list[Tag], slugs: list[str], language: str) -> str:
    names = {t.slug: t.name(language) for t in tags}
    return ", ".join(names.get(s, s) for s in slugs)


async def card(session: UnitOfWork, t: Translator, member: Member, tags: list[Tag]) -> str:
    """HTML in ``t``'s language: name, role, organisation, skills, place; never a contact."""
    slugs = await session.members.skills(member.id)
    return member_summary(t, member, skill_names(tags, slugs, t.language))


async def card_parts(
    session: UnitOfWork, t: Translator, member: Member, tags: list[Tag]
) -> Summary:
    """The card's parts as plain text: what the web console shows of a member."""
    slugs = await session.members.skills(member.id)
    return summary_parts(t, member, skill_names(tags, slugs, t.language))


def back_to_results(ctx: Ctx) -> None:
    """After the note of a request or the reason of a report: a search waits at its results
    again without sending the page once more (its cards are still on screen and still
    work); a report started from a request's message simply ends."""
    for key in ("to", "report"):
        ctx.data.pop(key, None)
    if ctx.conversation.flow == "community":
        ctx.conversation.step = "results"
    else:
        ctx.end_flow()
