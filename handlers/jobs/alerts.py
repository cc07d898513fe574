"""Job alerts: new jobs to the members whose skills they need, at once or in a digest.

Instant alerts: who matches a new job is one query in the database (storage/jobs.py:
skills joined to the job's tags, the area filter, "not alerted yet"), a batch of members at
a time in member-id order. Digests: the database gives a batch of a thousand members due
one with their skill ids and the pairs they were told of, and the open jobs once; matching
them is a few integer operations a member on bit sets (``JobMatcher``), faster than a join
and a sort per member, with memory bounded by the batch and the open jobs, never by the
member count (bench/job_digests.py). Each batch is one transaction that queues the messages (outbox) and records the ``JobAlert``
rows together: after a crash the finished batches stay done and the rest is found again,
and since a member is never alerted of a job with a ``JobAlert`` row, a rerun sends nothing
twice. A job is rendered once per language and reused for every member reading it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.html import DigestEntry, clip_html, split_digest
from bot.core.i18n import N_, Translations, Translator
from bot.core.text import clip, escape
from handlers.jobs.labels import job_location_name, job_type_name
from handlers.jobs.rules import DIGEST_HOUR, ENTRY_MAX, REMOTE
from storage.jobs import AlertJob, Recipient
from storage.models import Job
from storage.outbox import BulkMessage
from storage.uow import UnitOfWork

UnitOfWorkFactory = Callable[[], UnitOfWork]

BATCH = 1000  # members a transaction: memory stays flat, a crash redoes at most this many
DIGEST_MOST = 30  # jobs listed in one digest; the rest are counted ("and N more")
# A digest run up to this long before its hour still counts for it, and a member digested
# this long before the hour counts as served (a rerun after a crash skips them).
GRACE = timedelta(minutes=10)
TITLE_MAX, COMPANY_MAX = 120, 80  # grapheme clusters in an entry, so several fit a message

INSTANT_HEADER = N_("A new job matches your skills")
INSTANT_FOOTER = N_("Send /jobs to read it in full and apply.")
DIGEST_HEADER = N_("New jobs that match your skills")
DIGEST_MORE = N_("And {count} more: /jobs")
APPLY_BY = N_("Apply by {date}")


def job_entry(t: Translator, job: Job, company_name: str, tag_names: str) -> str:
    """One job in an alert or digest: HTML, member-typed text escaped, at most ENTRY_MAX.

    It names the job by its number (#12), not by a /job_12 command: the bot has none."""
    lines = [
        f"💼 <b>#{t.digits(str(job.id))} · {escape(clip(job.title, TITLE_MAX))}</b>",
        f"🏢 {escape(clip(company_name, COMPANY_MAX))}",
        f"📍 {escape(job_location_name(t, job.location))} · {job_type_name(t, job.job_type)}",
        f"🏷 {escape(tag_names)}",
        "⏳ " + t.gettext(APPLY_BY).format(date=t.date(job.deadline)),
    ]
    return clip_html("\n".join(lines), ENTRY_MAX)


class _Entries:
    """Rendered entries by (job, language), and the jobs and tag names they come from: a
    job is rendered once per language and run, however many members read it."""

    def __init__(self, translations: Translations) -> None:
        self.translations = translations
        self.jobs: dict[int, AlertJob] = {}
        self.tag_names: dict[str, dict[str, str]] = {}  # language → slug → name
        self.texts: dict[tuple[int, str], str] = {}
        self.more_texts: dict[tuple[int, str], str] = {}

    async def load(self, uow: UnitOfWork, job_ids: Collection[int]) -> None:
        missing = [job_id for job_id in job_ids if job_id not in self.jobs]
        self.jobs.update(await uow.jobs.alert_jobs(missing))
        if not self.tag_names:
            tags = await uow.tags.all()
            for language in ("km", "en"):
                self.tag_names[language] = {tag.slug: tag.name(language) for tag in tags}

    def entry(self, t: Translator, job_id: int) -> str:
        key = (job_id, t.language)
        if key not in self.texts:
            found = self.jobs[job_id]
            names = self.tag_names.get(t.language, self.tag_names["en"])
            tag_names = ", ".join(names.get(slug, slug) for slug in found.tags)
            self.texts[key] = job_entry(t, found.job, found.company_name, tag_names)
        return self.texts[key]

    def more(self, t: Translator, count: int) -> str:
        """The closing "and N more" line (Babel's number formatting is slow: kept too)."""
        key = (count, t.language)
        if key not in self.more_texts:
            self.more_texts[key] = t.gettext(DIGEST_MORE).format(count=t.number(count))
        return self.more_texts[key]


# -- instant alerts --------------------------------------------------------------------------
async def send_instant_alerts(
    uow_factory: UnitOfWorkFactory,
    translations: Translations,
    now: datetime,
    tz: ZoneInfo,
    batch: int = BATCH,
) -> int:
    """Alert the "instant" members of every job not alerted yet; how many messages queued.

    A job closed or past its deadline by now is marked done without alerts. ``tz`` is the
    community's time zone, taken like the digests' (an alert shows dates, not times)."""
    async with uow_factory() as uow:
        job_ids = await uow.jobs.jobs_awaiting_instant_alerts()
    entries = _Entries(translations)
    queued = 0
    for job_id in job_ids:
        queued += await _alert_job(uow_factory, entries, job_id, now, batch)
    return queued


async def _alert_job(
    uow_factory: UnitOfWorkFactory, entries: _Entries, job_id: int, now: datetime, batch: int
) -> int:
    async with uow_factory() as uow:
        await entries.load(uow, [job_id])
    found = entries.jobs.get(job_id)
    queued, after = 0, 0
    while found is not None and found.job.status == "open" and found.job.deadline_at > now:
        async with uow_factory() as uow:
            recipients = await uow.jobs.instant_recipients(found.job, after, batch)
            if not recipients:
                break
            messages = [
                BulkMessage(
                    r.telegram_id,
                    _instant_text(entries, r.language, job_id),
                    f"job:{r.member_id}:{job_id}",
                )
                for r in recipients
            ]
            await uow.outbox.enqueue_many(messages, now)
            await uow.jobs.record_told([(r.member_id, job_id) for r in recipients], now)
            await uow.commit()
        queued += len(recipients)
        after = recipients[-1].member_id
    async with uow_factory() as uow:
        await uow.jobs.mark_instant_alerts_done(job_id)
        await uow.commit()
    return queued


def _instant_text(entries: _Entries, language: str, job_id: int) -> str:
    t = entries.translations.for_language(language)
    header = "🔔 <b>" + t.gettext(INSTANT_HEADER) + "</b>"
    return "\n\n".join((header, entries.entry(t, job_id), t.gettext(INSTANT_FOOTER)))


# -- digests ---------------------------------------------------------------------------------
async def send_digests(
    uow_factory: UnitOfWorkFactory,
    translations: Translations,
    frequency: str,
    now: datetime,
    tz: ZoneInfo,
    batch: int = BATCH,
) -> int:
    """Send the "daily" or "weekly" digest to every member due one; messages queued.

    A member's digest lists the open jobs matching them that they were not told of yet,
    newest first, at most DIGEST_MOST (the rest are counted and come in a later digest),
    split between entries into as few messages as Telegram allows. Nothing new, nothing
    sent. Members served since this digest's hour are skipped, so a rerun after a crash
    serves only those the crash left out."""
    if frequency not in ("daily", "weekly"):
        raise ValueError(f"no digest for alert frequency {frequency!r}")
    digested_before = digest_slot(frequency, now + GRACE, tz) - GRACE
    day = now.astimezone(tz).date().isoformat()
    async with uow_factory() as uow:
        matcher = JobMatcher(await uow.jobs.open_job_tags(now))
    entries = _Entries(translations)
    queued, after = 0, 0
    while matcher.job_ids:
        async with uow_factory() as uow:
            members = await uow.jobs.digest_members(frequency, digested_before, after, batch)
            if not members:
                break
            member_ids = [m.recipient.member_id for m in members]
            alerted = await uow.jobs.alerted_jobs(member_ids, now)
            found: list[tuple[Recipient, list[int], int]] = []
            for m in members:
                told = alerted.get(m.recipient.member_id, set())
                newest, total = matcher.match(
                    m.skills, m.province, m.province_only, told, DIGEST_MOST
                )
                if newest:
                    found.append((m.recipient, newest, total))
            await entries.load(uow, {job_id for _, newest, _ in found for job_id in newest})
            messages: list[BulkMessage] = []
            for recipient, newest, total in found:
                parts = _digest_messages(entries, recipient.language, newest, total)
                messages += [
                    BulkMessage(
                        recipient.telegram_id, text, f"digest:{recipient.member_id}:{day}:{n}"
                    )
                    for n, text in enumerate(parts, 1)
                ]
            told_now = [(r.member_id, job_id) for r, newest, _ in found for job_id in newest]
            await uow.outbox.enqueue_many(messages, now)
            await uow.jobs.record_told(told_now, now)
            await uow.jobs.mark_digested(member_ids, now)
            await uow.commit()
        queued += len(messages)
        after = member_ids[-1]
    return queued


def _digest_messages(entries: _Entries, language: str, job_ids: list[int], total: int) -> list[str]:
    t = entries.translations.for_language(language)
    items = [DigestEntry(job_id, entries.entry(t, job_id)) for job_id in job_ids]
    if total > len(job_ids):
        items.append(DigestEntry(0, entries.more(t, total - len(job_ids))))
    return split_digest("📬 <b>" + t.gettext(DIGEST_HEADER) + "</b>", items)


class JobMatcher:
    """The open jobs of one digest run as bit sets, so matching a member costs a few integer
    operations instead of a join and a sort per member (see bench/README.md).

    Bit i stands for the i-th newest job. A member's matches are the OR of their skills'
    sets, ANDed with the remote jobs and those in their province when their filter is on,
    less the jobs they were told of: the lowest set bits are the newest jobs and
    ``bit_count`` the total. The rule is ``handlers.jobs.rules.job_matches``; the tests
    hold the two together."""

    def __init__(self, rows: Iterable[tuple[int, str, int]]) -> None:
        """``rows``: (job id, location, tag id), newest job first (``open_job_tags``)."""
        self.job_ids: list[int] = []
        self._bit: dict[int, int] = {}
        self._by_tag: dict[int, int] = {}
        self._by_location: dict[str, int] = {}
        for job_id, location, tag_id in rows:
            bit = self._bit.get(job_id)
            if bit is None:
                bit = self._bit[job_id] = 1 << len(self.job_ids)
                self.job_ids.append(job_id)
                self._by_location[location] = self._by_location.get(location, 0) | bit
            self._by_tag[tag_id] = self._by_tag.get(tag_id, 0) | bit

    def match(
        self,
        skills: Iterable[int],
        province: str | None,
        province_only: bool,
        told: Iterable[int],
        most: int,
    ) -> tuple[list[int], int]:
        """The ids of the ``most`` newest matching jobs, and how many match in all."""
        found = 0
        for tag_id in skills:
            found |= self._by_tag.get(tag_id, 0)
        if province_only:
            allowed = self._by_location.get(REMOTE, 0)
            if province is not None:
                allowed |= self._by_location.get(province, 0)
            found &= allowed
        for job_id in told:
            found &= ~self._bit.get(job_id, 0)
        total = found.bit_count()
        newest: list[int] = []
        while found and len(newest) < most:
            lowest = found & -found
            newest.append(self.job_ids[lowest.bit_length() - 1])
            found ^= lowest
        return newest, total


def digest_slot(frequency: str, moment: datetime, tz: ZoneInfo) -> datetime:
    """The latest digest time at or before ``moment``, in UTC: DIGEST_HOUR local today or
    yesterday ("daily"), on this week's Monday or the last ("weekly")."""
    local_day = moment.astimezone(tz).date()
    step = timedelta(days=1)
    if frequency == "weekly":
        local_day -= timedelta(days=local_day.weekday())
        step = timedelta(days=7)
    slot = datetime.combine(local_day, time(DIGEST_HOUR), tz)
    if slot > moment:
        slot = datetime.combine(local_day - step, time(DIGEST_HOUR), tz)
    return slot.astimezone(UTC)
