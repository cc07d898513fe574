"""/deleteme: what a member's leaving changes for the others, then the erasure itself.

Storage erases the person (storage.privacy.erase_member); before it, the questions they
were part of are settled the way the rest of the bot settles them, by the same code: the
offers made to them are withdrawn and their questions move on, as when an administrator
removes an expert (every offer, a moderator's last round too: nobody is left to answer
it), and the questions they asked close, as when an asker closes one, so no expert is asked
for an answer nobody will read.
"""

from __future__ import annotations

from datetime import datetime

from handlers.questions.offers import close_question, withdraw_offers
from storage.models import Member
from storage.uow import UnitOfWork


async def erase(uow: UnitOfWork, member: Member, now: datetime, erased_key: str) -> None:
    """``erased_key``: the hash of their Telegram id the row keeps for a day
    (handlers.profile.cooldown)."""
    await withdraw_offers(uow, member.id, now)
    for question in await uow.questions.unclosed_questions_of(member.id):
        await close_question(uow, question, now)
    await uow.members.erase(member, now, erased_key)
