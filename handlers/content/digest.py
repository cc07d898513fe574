"""The news digest: what is new since a member's last digest, in their language.

Policies, then news (announcements and research too), opportunities, events still to come,
and, for experts, open questions in their tags: the kinds and topics the member follows
(/subscriptions), at most PER_KIND of each, newest first, "and N more" for the rest. An
item with no topic reaches everyone who follows its kind; an item of a category the member
switched off (events, opportunities, community news) reaches nobody who did; policies and
announcements are official and reach everyone. Nothing new, nothing sent.

Like the job digests, members are served a batch at a time, each batch one transaction with
their outbox messages and their new ``last_digest_at``; the run skips members served since
this digest's time, so running it twice, or again after a crash, sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.html import DigestEntry, clip_html, split_digest
from bot.core.i18n import N_, Translations, Translator
from bot.core.text import clip, escape
from handlers.content.cards import item_entry
from handlers.jobs.alerts import GRACE, digest_slot
from storage.content import DigestReader
from storage.models import ContentItem, Question
from storage.outbox import BulkMessage
from storage.seed.choices import KIND_CATEGORY
from storage.uow import UnitOfWork

BATCH = 1000
PER_KIND = 5
ENTRY_MAX = 700
LOOK_BACK = timedelta(days=31)  # a member away longer gets the last month, not a year
SECTIONS = (
    (("policy",), N_("Policies")),
    (("announcement", "news", "research"), N_("News")),
    (("opportunity",), N_("Opportunities")),
    (("event",), N_("Coming events")),
)
HEADER = N_("Your digest from the Digital Community of Cambodia")
MORE = N_("And {count} more: {command}")
COMMANDS = {
    "policy": "/policies",
    "news": "/news",
    "opportunity": "/opportunities",
    "event": "/events",
}

Item = tuple[ContentItem, frozenset[int]]
QuestionRow = tuple[Question, frozenset[int]]


def chosen_items(
    reader: DigestReader, items: list[Item], now: datetime, today: date
) -> list[ContentItem]:
    """The items new for ``reader``, of the kinds, topics and categories they follow,
    newest first; events still to come, opportunities not past their last day (``today``,
    local)."""
    return [
        item
        for item, tags in items
        if item.published_at > reader.since
        and item.kind in reader.kinds
        and KIND_CATEGORY.get(item.kind) not in reader.switched_off
        and (not reader.tags or not tags or bool(tags & reader.tags))
        and (item.kind != "event" or (item.event_at is not None and item.event_at > now))
        and (item.deadline is None or item.deadline >= today)
    ]


def chosen_questions(
    reader: DigestReader, questions: list[QuestionRow], asked_by: dict[int, int]
) -> list[Question]:
    """Open questions in an expert's tags, asked since their last digest, not their own."""
    if not reader.expert_tags:
        return []
    return [
        question
        for question, tags in questions
        if question.created_at > reader.since
        and tags & reader.expert_tags
        and asked_by.get(question.id) != reader.member_id
    ]


def digest_messages(
    t: Translator,
    items: list[ContentItem],
    questions: list[Question],
    tz: ZoneInfo,
) -> list[str]:
    """The digest as Telegram messages (usually one), or none when nothing is new."""
    entries: list[DigestEntry] = []
    for kinds, title in SECTIONS:
        found = [item for item in items if item.kind in kinds]
        if not found:
            continue
        entries.append(DigestEntry(0, f"<b>{t.gettext(title)}</b>"))
        entries += [
            DigestEntry(item.id, clip_html(item_entry(t, item, tz), ENTRY_MAX))
            for item in found[:PER_KIND]
        ]
        if len(found) > PER_KIND:
            command = COMMANDS["news" if kinds[0] == "announcement" else kinds[0]]
            entries.append(
                DigestEntry(
                    0,
                    t.gettext(MORE).format(count=t.number(len(found) - PER_KIND), command=command),
                )
            )
    if questions:
        entries.append(
            DigestEntry(0, "<b>" + t.gettext(N_("Open questions in your topics")) + "</b>")
        )
        entries += [
            DigestEntry(
                q.id,
                "❓ <b>#" + str(q.id) + "</b> " + escape(clip(q.text, 200)),
            )
            for q in questions[:PER_KIND]
        ]
    if not entries:
        return []
    return split_digest("📰 <b>" + t.gettext(HEADER) + "</b>", entries)


async def send_content_digests(
    uow_factory: Callable[[], UnitOfWork],
    translations: Translations,
    frequency: str,
    now: datetime,
    tz: ZoneInfo,
    batch: int = BATCH,
) -> int:
    """Send the "daily" or "weekly" news digest to every member due one; messages queued."""
    if frequency not in ("daily", "weekly"):
        raise ValueError(f"no news digest for {frequency!r}")
    digested_before = digest_slot(frequency, now + GRACE, tz) - GRACE
    day = now.astimezone(tz).date().isoformat()
    async with uow_factory() as uow:
        items = await uow.content.recent(now - LOOK_BACK)
        questions = await uow.content.open_questions(now - LOOK_BACK)
    asked_by = {question.id: question.asker_id for question, _tags in questions}
    queued, after = 0, 0
    while True:
        async with uow_factory() as uow:
            readers = await uow.content.digest_readers(frequency, digested_before, after, batch)
            if not readers:
                return queued
            messages: list[BulkMessage] = []
            for reader in readers:
                t = translations.for_language(reader.language)
                parts = digest_messages(
                    t,
                    chosen_items(reader, items, now, now.astimezone(tz).date()),
                    chosen_questions(reader, questions, asked_by),
                    tz,
                )
                messages += [
                    BulkMessage(reader.telegram_id, text, f"news:{reader.member_id}:{day}:{n}")
                    for n, text in enumerate(parts, 1)
                ]
            await uow.outbox.enqueue_many(messages, now)
            await uow.content.mark_digested([r.member_id for r in readers], now)
            await uow.commit()
        queued += len(messages)
        after = readers[-1].member_id
