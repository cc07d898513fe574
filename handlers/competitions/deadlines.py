"""The competitions' scheduled work (every five minutes): reminders, and deadlines.

**Reminders** are rows with due times (3 days and 1 day before the deadline). A due one is
written to the outbox a batch of members at a time in member-id order, each batch one
transaction with how far it got (``expanded_to``), so an audience is never all in memory and
a restart goes on from the last batch; each message has a key (reminder, member), so a
rerun sends nothing twice. Entrants are told they can still edit their entry, the others
that there is still time to enter.

**Deadlines.** A competition past its deadline whose judges were not told yet moves to
judging: every judge gets [Score entries], the administrator who created it [Ranking]. One
without any entry ends at once without winners.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.i18n import N_, Translations, Translator
from bot.core.keyboards import InlineKeyboard, keyboard_to_json
from bot.core.text import clean_line, clip, escape
from handlers.competitions.buttons import SCORE
from handlers.competitions.cards import local_moment, open_button
from handlers.competitions.judging import notify_admins, ranking_button
from handlers.competitions.rules import REMINDERS, reminder_is_stale
from handlers.notices import notify_member
from storage.models import Competition
from storage.outbox import BulkMessage
from storage.uow import UnitOfWork

BATCH = 1000  # members a transaction
AHEAD = dict(REMINDERS)
UnitOfWorkFactory = Callable[[], UnitOfWork]


async def run_competitions(
    uow_factory: UnitOfWorkFactory,
    translations: Translations,
    now: datetime,
    tz: ZoneInfo,
    batch: int = BATCH,
) -> int:
    """One run of the job: due reminders, then deadlines; messages queued."""
    queued = await send_due_reminders(uow_factory, translations, now, tz, batch)
    return queued + await close_due_competitions(uow_factory, translations, now)


# -- reminders -------------------------------------------------------------------------------
def reminder_message(
    t: Translator, competition: Competition, kind: str, entrant: bool, tz: ZoneInfo
) -> tuple[str, InlineKeyboard]:
    text = (
        N_("{title} closes in {time}, on {moment}. You can still edit your entry until then.")
        if entrant
        else N_("{title} closes in {time}, on {moment}: there is still time to enter.")
    )
    lines = [
        "⏰ "
        + t.gettext(text).format(
            title=f"<b>{escape(competition.title(t.language))}</b>",
            time=t.duration(AHEAD[kind].total_seconds()),
            moment=local_moment(t, competition.deadline_at, tz),
        )
    ]
    if not entrant:
        lines.append(
            "🎁 "
            + t.gettext(N_("Prizes: {prizes}")).format(
                prizes=escape(clip(clean_line(competition.prizes(t.language)), 200))
            )
        )
    return "\n".join(lines), open_button(t, competition.id)


async def send_due_reminders(
    uow_factory: UnitOfWorkFactory,
    translations: Translations,
    now: datetime,
    tz: ZoneInfo,
    batch: int = BATCH,
) -> int:
    async with uow_factory() as uow:
        due = [reminder.id for reminder in await uow.competitions.due_reminders(now)]
    queued = 0
    for reminder_id in due:
        queued += await expand_reminder(uow_factory, translations, reminder_id, now, tz, batch)
    return queued


async def expand_reminder(
    uow_factory: UnitOfWorkFactory,
    translations: Translations,
    reminder_id: int,
    now: datetime,
    tz: ZoneInfo,
    batch: int = BATCH,
) -> int:
    """Write the rest of a due reminder's audience to the outbox; messages queued."""
    queued = 0
    rendered: dict[tuple[str, bool], tuple[str, dict[str, Any] | None]] = {}
    while True:
        async with uow_factory() as uow:
            reminder = await uow.competitions.reminder(reminder_id)
            if reminder is None or reminder.done_at is not None:
                return queued
            competition = await uow.competitions.get(reminder.competition_id)
            others = [
                due
                for due in await uow.competitions.reminder_times(reminder.competition_id)
                if due != reminder.due_at
            ]
            if (
                competition is None
                or competition.decided_at is not None
                or reminder_is_stale(reminder.due_at, now, competition.deadline_at, others)
            ):
                reminder.done_at = now  # dropped unsent
                await uow.commit()
                return queued
            recipients = await uow.competitions.reminder_audience(
                competition.id, reminder.expanded_to, batch
            )
            messages = []
            for recipient in recipients:
                key = (recipient.language, recipient.entrant)
                if key not in rendered:
                    text, keyboard = reminder_message(
                        translations.for_language(recipient.language), competition,
                        reminder.kind, recipient.entrant, tz,
                    )  # fmt: skip
                    rendered[key] = (text, keyboard_to_json(keyboard))
                text, keyboard_json = rendered[key]
                messages.append(
                    BulkMessage(
                        recipient.telegram_id, text,
                        f"cp-remind:{competition.id}:{reminder.kind}:{recipient.member_id}",
                        keyboard_json,
                    )
                )  # fmt: skip
            await uow.outbox.enqueue_many(messages, now)
            if recipients:
                reminder.expanded_to = recipients[-1].member_id
            if len(recipients) < batch:
                reminder.done_at = now
            await uow.commit()
        queued += len(recipients)
        if len(recipients) < batch:
            return queued


# -- deadlines -------------------------------------------------------------------------------
def judge_notice(t: Translator, competition: Competition, count: int) -> tuple[str, InlineKeyboard]:
    text = "⚖️ " + t.ngettext(
        "{title} is closed with {count} entry. As a judge, please score it from 1 to 10; entries come without their authors' names.",
        "{title} is closed with {count} entries. As a judge, please score each from 1 to 10; entries come without their authors' names.",
        count,
    ).format(title=f"<b>{escape(competition.title(t.language))}</b>", count=t.number(count))
    return text, InlineKeyboard.of(
        [[SCORE.button("⚖️ " + t.gettext(N_("Score entries")), competition.id)]]
    )


def closed_notice(
    t: Translator, competition: Competition, count: int
) -> tuple[str, InlineKeyboard | None]:
    title = f"<b>{escape(competition.title(t.language))}</b>"
    if not count:
        return "🏆 " + t.gettext(
            N_("{title} is closed without any entry, so it ends without winners.")
        ).format(title=title), None
    return "🏆 " + t.ngettext(
        "{title} is closed with {count} entry and the judges are told. Open the ranking to follow their scores and decide the winners.",
        "{title} is closed with {count} entries and the judges are told. Open the ranking to follow their scores and decide the winners.",
        count,
    ).format(title=title, count=t.number(count)), ranking_button(t, competition.id)


async def close_due_competitions(
    uow_factory: UnitOfWorkFactory, translations: Translations, now: datetime
) -> int:
    """Move the competitions past their deadline to judging; notices queued."""
    queued = 0
    async with uow_factory() as uow:
        for competition in await uow.competitions.due_deadlines(now):
            count = len(await uow.competitions.entries(competition.id))
            competition.judging_at = now
            if count:
                for judge in await uow.competitions.judges(competition.id):
                    queued += await notify_member(
                        uow, translations, judge.id,
                        partial(judge_notice, competition=competition, count=count), now,
                        dedupe_key=f"cp-judge:{competition.id}:{judge.id}",
                    )  # fmt: skip
            else:
                competition.decided_at = now
            await notify_admins(
                uow, translations, competition,
                partial(closed_notice, competition=competition, count=count), now,
                f"cp-closed:{competition.id}",
            )  # fmt: skip
            queued += 1
        await uow.commit()
    return queued
