"""What each ``dcc-bot`` command does; bot.cli parses arguments and reports errors."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.events import FileRef
from bot.core.i18n import Translations
from storage.db import make_sessionmaker
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from handlers.acting import Acting


class CommandError(Exception):
    """Raised for bad input the CLI reports on one line."""


async def run(settings: Settings, migrate: bool = False, webhook: bool = False) -> int:
    """Until Ctrl-C or SIGTERM: long polling, or (``webhook``) the webhook server; with
    DCC_WEB_LISTEN set, the web console too (on the webhook's server when both listen on
    the same address, else on a server of its own)."""
    from bot.app import build_app, prepare_serving_process
    from bot.config import check_webhook
    from bot.webhook import WebhookServer
    from web.server import ConsoleServer, check_shared_address, console_for

    shared = (
        webhook
        and settings.web_listen is not None
        and settings.web_listen == settings.webhook_listen
    )
    if webhook:
        check_webhook(settings)
    if shared:
        check_shared_address(settings)
    app = await build_app(settings, migrate=migrate)
    prepare_serving_process()
    console = (
        console_for(settings, app.unit_of_work, app.dispatcher.translations, app.clock.now)
        if settings.web_listen is not None
        else None
    )
    server = WebhookServer(app, console if shared else None) if webhook else None
    console_server = (
        ConsoleServer(console, settings.web_address) if console is not None and not shared else None
    )
    stop = asyncio.Event()
    stop_on_signals(stop)
    try:
        if server is not None:
            await server.start()
        if console_server is not None:
            await console_server.start()
        await app.start(webhook=webhook)
        if console is not None:
            print(f"The web console is at {settings.web_base_url}/", file=sys.stderr)
        print("DCC Bot is running. Press Ctrl-C to stop.", file=sys.stderr)
        await stop.wait()
    finally:
        if console_server is not None:
            await console_server.stop()
        if server is not None:
            await server.stop()
        await app.stop()
    return 0


async def serve_console(settings: Settings) -> int:
    """``dcc-bot web``: the console alone, until Ctrl-C or SIGTERM."""
    from bot.app import open_database
    from storage.members import utc_now
    from web.server import ConsoleServer, console_for

    engine = await open_database(settings, migrate=False)
    sessionmaker = make_sessionmaker(engine)
    console = console_for(
        settings,
        lambda: UnitOfWork(sessionmaker, utc_now),
        Translations(settings.locales_dir),
        utc_now,
    )
    server = ConsoleServer(console, settings.web_address)
    stop = asyncio.Event()
    stop_on_signals(stop)
    try:
        try:
            await server.start()
        except OSError as error:
            host, port = settings.web_address
            raise CommandError(f"the web console cannot listen on {host}:{port}: {error}") from None
        print(
            f"The web console is at {settings.web_base_url}/. Press Ctrl-C to stop.",
            file=sys.stderr,
        )
        await stop.wait()
    finally:
        await server.stop()
        await engine.dispose()
    return 0


async def console_link(settings: Settings, telegram_id: int) -> int:
    """``dcc-bot web login-link``: a single-use sign-in link for a staff member."""
    from storage.members import utc_now
    from web.signin import NotStaff, issue_link

    async with _unit_of_work(settings) as uow:
        try:
            link = await issue_link(uow, telegram_id, utc_now(), settings.web_base_url)
        except NotStaff:
            raise CommandError(
                f"{telegram_id} is not staff: only administrators and moderators sign in to"
                " the web console"
            ) from None
        await uow.commit()
    print(link)
    return 0


async def sandbox(
    settings: Settings, user_id: int, language: str, script: Path | None, admin: bool = False
) -> int:
    from bot.sandbox.terminal import run_sandbox

    return await run_sandbox(settings, user_id, language, script, admin=admin)


async def db_upgrade(settings: Settings) -> int:
    """One line saying what was done: created, migrated, or nothing to do."""
    from bot.app import migrate_database

    found, newest = await migrate_database(settings)
    if found is None:
        print(f"Created the database at the newest schema ({newest}).")
    elif found != newest:
        print(f"Migrated the database from schema {found} to the newest ({newest}).")
    else:
        print(f"The database is at the newest schema ({newest}).")
    return 0


async def add_admin(settings: Settings, telegram_id: int) -> int:
    from handlers.acting import NotAllowed
    from handlers.admin.operations import grant_role
    from handlers.invalid import Invalid

    async with _unit_of_work(settings) as uow:
        try:
            granted = await grant_role(operator(settings, uow), telegram_id, "admin")
        except (Invalid, NotAllowed) as error:
            raise refused(settings, error) from None
        await uow.commit()
    print(f"{telegram_id} is {'now' if granted else 'already'} an administrator.")
    return 0


async def add_expert(settings: Settings, telegram_id: int, slugs: list[str]) -> int:
    from handlers.acting import NotAllowed
    from handlers.invalid import Invalid
    from handlers.questions.operations import add_expert

    async with _unit_of_work(settings) as uow:
        try:
            tags = await add_expert(operator(settings, uow), telegram_id, slugs)
        except (Invalid, NotAllowed) as error:
            raise refused(settings, error) from None
        await uow.commit()
    print(f"{telegram_id} is an expert for: {', '.join(tags)}.")
    return 0


async def remove_expert(settings: Settings, telegram_id: int) -> int:
    from handlers.acting import NotAllowed
    from handlers.invalid import Invalid
    from handlers.questions.operations import remove_expert

    async with _unit_of_work(settings) as uow:
        try:
            await remove_expert(operator(settings, uow), telegram_id)
        except (Invalid, NotAllowed) as error:
            raise refused(settings, error) from None
        await uow.commit()
    print(f"{telegram_id} is no longer an expert; the questions offered to them move on.")
    return 0


def counted(n: int, noun: str) -> str:
    """ "1 row", "2 rows": the command line's English, which has no catalog."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def suggest_tags(text: str, as_json: bool) -> int:
    """Suggestions from the seed taxonomy (no database needed)."""
    import json

    from handlers.questions.tagging import seed_tag_terms, suggest_tags

    if not text.strip():
        raise CommandError("TEXT is empty: give the question to tag")
    found = suggest_tags(text, seed_tag_terms())
    if as_json:
        print(json.dumps([{"slug": s, "score": round(score, 4)} for s, score in found]))
    else:
        for slug, _score in found:
            print(slug)
    return 0


async def seed_demo(settings: Settings) -> int:
    from bot.demo import (
        seed_demo_activity,
        seed_demo_company,
        seed_demo_content,
        seed_demo_members,
    )
    from storage.members import utc_now

    async with _unit_of_work(settings) as uow:
        added = await seed_demo_members(uow)
        company = await seed_demo_company(uow, utc_now(), settings.tz)
        await seed_demo_content(uow, utc_now(), settings.tz)
        await seed_demo_activity(uow, utc_now(), settings.tz)
        await uow.commit()
    jobs = "a demo company with three jobs added" if company else "the demo company was there"
    print(f"Demo data ready ({counted(added, 'member')} added; {jobs}).")
    return 0


async def import_members(settings: Settings, path: Path) -> int:
    """Exit 0 when every row was imported, 1 when some were skipped (listed on stderr)."""
    from tqdm import tqdm

    from bot.members_csv import COLUMNS, BadRow, ImportReport, read_rows
    from handlers.acting import NotAllowed
    from handlers.profile.operations import MembersImport

    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        with path.open(encoding="utf-8-sig") as source:
            lines = sum(1 for _ in source) - 1
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not a UTF-8 text file") from None
    report = ImportReport()
    english = Translations(settings.locales_dir)
    with path.open(encoding="utf-8-sig", newline="") as source:
        try:
            rows = read_rows(source, english, report)
        except BadRow as error:
            raise CommandError(f"{path}: {error}") from None
        if report.unknown_columns:
            print(
                f"dcc-bot: warning: {path}: ignoring the unknown columns "
                f"{', '.join(report.unknown_columns)} (the columns are {', '.join(COLUMNS)})",
                file=sys.stderr,
            )
        with tqdm(
            total=max(lines, 0), unit=" rows", desc="Importing", disable=not sys.stderr.isatty()
        ) as progress:
            async with _unit_of_work(settings) as uow:
                importing = MembersImport(operator(settings, uow), path.name, report.columns)
                try:
                    await importing.start()
                except NotAllowed as error:
                    raise refused(settings, error) from None
                await uow.commit()  # before any row: an import stopped midway is on record too

                async def after_batch() -> None:
                    report.inserted, report.updated = importing.inserted, importing.updated
                    await uow.commit()  # short transactions: the bot keeps writing
                    progress.update(report.done - progress.n)

                await importing.add_all(rows, after_batch)
                await importing.finish(len(report.errors))
                await uow.commit()
            progress.update(report.done - progress.n)
    for line, reason in report.errors:
        print(f"{path}:{line}: {reason}", file=sys.stderr)
    print(
        f"Imported {counted(report.inserted, 'new member')}, updated "
        f"{counted(report.updated, 'member')}; {counted(len(report.errors), 'row')} skipped."
    )
    return 1 if report.errors else 0


async def import_jobs(settings: Settings, path: Path, company_id: int) -> int:
    """Exit 0 when every row was imported, 1 when some were skipped (listed on stderr)."""
    from bot.jobs_csv import BadJobRow, read_jobs
    from handlers.acting import NotAllowed
    from handlers.invalid import Invalid
    from handlers.jobs.operations import import_jobs
    from storage.members import utc_now

    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    errors: list[tuple[int, str]] = []
    today = utc_now().astimezone(settings.tz).date()
    try:
        with path.open(encoding="utf-8-sig", newline="") as source:
            rows = list(read_jobs(source, today, Translations(settings.locales_dir), errors))
    except BadJobRow as error:
        raise CommandError(f"{path}: {error}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not a UTF-8 text file") from None
    async with _unit_of_work(settings) as uow:
        try:
            imported = await import_jobs(
                operator(settings, uow), company_id, rows, path.name, len(errors)
            )
        except (Invalid, NotAllowed) as error:
            raise refused(settings, error) from None
        await uow.commit()
    for line, reason in errors:
        print(f"{path}:{line}: {reason}", file=sys.stderr)
    print(
        f"Imported {counted(len(imported.jobs), 'job')} for {imported.company.name}; "
        f"{counted(len(errors), 'row')} skipped."
    )
    return 1 if errors else 0


async def post_content(
    settings: Settings,
    kind: str,
    titles: tuple[str | None, str | None],
    summaries: tuple[str | None, str | None],
    link: str | None,
    tags: list[str],
    at: str | None,
) -> int:
    """Publish an item with /post's operation; ``at`` is read here as /post's step reads it:
    an event's start, or an opportunity's last day (optional)."""
    from handlers.content import operations
    from handlers.content.rules import DEADLINE_FORMAT
    from handlers.dates import normalised, parse_moment, read_date
    from handlers.invalid import Invalid
    from storage.members import utc_now

    if not any(titles):  # which options to give; what a title must be is the operation's
        raise CommandError("give --title-km or --title-en (or both)")
    if at and kind not in ("event", "opportunity"):
        raise CommandError("--at is for an event's start or an opportunity's last day")
    if kind == "event" and not at:
        raise CommandError('an event needs --at, when it starts: "25/12/2026 18:00"')
    now = utc_now()
    event_at, deadline = None, None
    if kind == "event" and at:
        try:
            event_at = parse_moment(at, now, settings.tz)
        except Invalid:
            raise CommandError(
                f'--at {at!r} is not a date and time to come, like "25/12/2026 18:00"'
            ) from None
    elif at:
        try:
            deadline = read_date(
                normalised(at), now.astimezone(settings.tz).date(), DEADLINE_FORMAT
            )
        except Invalid:
            raise CommandError(f"--at {at!r} is not a date like 31/12/2026") from None
    async with _unit_of_work(settings) as uow:
        try:
            item = await operations.publish(
                operator(settings, uow), kind, titles, summaries, link, tags,
                event_at=event_at, deadline=deadline,
            )  # fmt: skip
        except Invalid as error:
            raise refused(settings, error) from None
        await uow.commit()
    print(
        f"Published as #{item.id}: members see it in /news and the other lists, and in their digest."
    )
    return 0


_FILE_ID = re.compile(r"[A-Za-z0-9_-]{10,200}")


POSTER_MAX = 20 * 1024 * 1024  # bytes: the most a poster file may be (as a member's file)


def poster_file(photo: str | None, document: str | None) -> FileRef | tuple[str, str] | None:
    """The poster ``--photo`` or ``--document`` names: Telegram's file_id of a file it holds
    (a value that is no existing path), or a local file's kind and absolute path (uploaded
    by the bot on the first send)."""
    kind, value = ("photo", photo) if photo is not None else ("document", document)
    if value is None:
        return None
    path = Path(value.strip()).expanduser()
    if path.exists():
        if not path.is_file():
            raise CommandError(f"--{kind} {value!r} is not a file")
        if path.stat().st_size > POSTER_MAX:
            raise CommandError(f"--{kind} {value!r} is larger than 20 MB")
        if path.stat().st_size == 0:
            raise CommandError(f"--{kind} {value!r} is empty")
        return kind, str(path.resolve())
    if not _FILE_ID.fullmatch(value.strip()):
        raise CommandError(f"--{kind} {value!r} is neither a file nor a Telegram file_id")
    return FileRef(kind, value.strip())


async def create_broadcast(
    settings: Settings,
    text_km: str | None,
    text_en: str | None,
    text: str | None,
    link: str | None,
    audience_specs: list[str],
    at: str | None,
    category: str = "official",
    poster: FileRef | tuple[str, str] | None = None,
    protect: bool = False,
    pin: bool = False,
    paid: bool = False,
    confirmed: bool = False,
) -> int:
    """Queue (or schedule) a broadcast with /broadcast's operation; the running bot
    delivers it, or the next one started. The count printed leaves out the members who
    switched its category off. ``poster``: a photo or document by Telegram's file_id (or a
    local file's kind and path, uploaded by the bot on the first send), the text its caption; ``protect``: no forwarding or saving; ``pin``: pinned in each chat.

    ``paid``: sent fast, for the bot's Stars. The command runs without a terminal to ask
    in (cron, CI), so the cost is confirmed on the command line: without ``confirmed``
    (``--yes``) nothing is written and the estimate comes back as the one-line error
    (exit 2), to be run again with ``--yes``; with it, the estimate is printed with the
    broadcast's number."""
    from handlers.broadcast import operations
    from handlers.broadcast.audience import parse_audience
    from handlers.broadcast.paid import (
        STARS_PER_MESSAGE,
        Rates,
        estimate,
        estimate_text,
        parts_by_language,
    )
    from handlers.invalid import Invalid

    if not (text_km or text) or not (text_en or text):  # which options to give
        raise CommandError("give --text-km and --text-en, or --text for both languages")
    try:
        audience = parse_audience(audience_specs)
    except ValueError as error:
        raise CommandError(str(error)) from None
    send_at = None
    if at:
        try:
            send_at = datetime.strptime(at.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=settings.tz)
        except ValueError:
            raise CommandError(f'--at {at!r} is not a time like "2026-12-25 18:00"') from None
    async with _unit_of_work(settings) as uow:
        try:
            broadcast = await operations.create(
                operator(settings, uow), text_km or text, text_en or text, link, audience,
                send_at, category.strip().lower(),
                poster if isinstance(poster, FileRef) else None, protect, pin,
                poster if isinstance(poster, tuple) else None, paid,
            )  # fmt: skip
        except Invalid as error:
            raise refused(settings, error) from None
        counts = await uow.broadcasts.count_by_language(audience, broadcast.category)
        cost = ""
        if paid:
            translations = Translations(settings.locales_dir)
            parts = parts_by_language(
                translations, broadcast.text_km, broadcast.text_en, poster is not None
            )
            found = estimate(counts, parts, Rates(settings.send_rate, settings.paid_send_rate))
            cost = (
                f"{estimate_text(translations.for_language('en'), found)} (messages:"
                f" {found.messages:,}, at most {STARS_PER_MESSAGE} Stars each)"
            )
            if not confirmed:  # leaving without a commit writes nothing
                raise CommandError(f"{cost}; nothing is sent: add --yes to send it paid")
        await uow.commit()
    when = "now" if send_at is None else f"at {send_at:%Y-%m-%d %H:%M} ({settings.timezone})"
    print(broadcast.id)
    if paid:
        print(cost, file=sys.stderr)
    print(
        f"Broadcast {broadcast.id} to {counted(sum(counts.values()), 'member')}"
        f" ({counts.get('km', 0):,} in Khmer, {counts.get('en', 0):,} in English) is queued"
        f" for {when}; the running bot delivers it.",
        file=sys.stderr,
    )
    return 0


async def cancel_broadcast(settings: Settings, broadcast_id: int) -> int:
    from handlers.broadcast import operations
    from handlers.invalid import Invalid

    async with _unit_of_work(settings) as uow:
        try:
            await operations.cancel(operator(settings, uow), broadcast_id)
        except Invalid as error:
            raise refused(settings, error) from None
        await uow.commit()
    print(f"Broadcast {broadcast_id} is cancelled; nothing was sent.")
    return 0


async def broadcast_status(settings: Settings, broadcast_id: int) -> int:
    async with _unit_of_work(settings) as uow:
        broadcast = await uow.broadcasts.get(broadcast_id)
        if broadcast is None:
            raise CommandError(f"there is no broadcast {broadcast_id}")
        delivery = await uow.broadcasts.delivery(broadcast)
    when = broadcast.send_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    print(
        f"Broadcast {broadcast.id}: {broadcast.status} (from {when}); "
        f" {counted(delivery.total, 'recipient')} so far: {delivery.sent:,} delivered, {delivery.unreachable:,} blocked"
        f" the bot, {delivery.failed:,} failed after retries, {delivery.stopped:,} stopped,"
        f" {delivery.left:,} left; {broadcast.category}: {delivery.left_out:,} left out by"
        " their choice."
    )
    return 0


async def add_feed(settings: Settings, url: str, kind: str, language: str) -> int:
    from handlers.content import operations
    from handlers.invalid import Invalid

    async with _unit_of_work(settings) as uow:
        try:
            feed = await operations.add_feed(operator(settings, uow), url, kind, language)
        except Invalid as error:
            raise refused(settings, error) from None
        await uow.commit()
    print(
        f"Feed {feed.id} ({kind}, {language}): {feed.url}. The running bot reads it within five minutes."
    )
    return 0


async def list_feeds(settings: Settings) -> int:
    async with _unit_of_work(settings) as uow:
        feeds = await uow.content.feeds()
    for feed in feeds:
        last = (
            feed.last_ok_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
            if feed.last_ok_at
            else "never"
        )
        error = f"; last error: {feed.last_error}" if feed.last_error else ""
        paused = (
            f"; paused since {feed.paused_at.astimezone(settings.tz).strftime('%Y-%m-%d %H:%M')}"
            if feed.paused_at
            else ""
        )
        print(
            f"{feed.id}\t{feed.kind}\t{feed.language}\t{feed.url}\tread {last}, {counted(feed.items, 'item')}{paused}{error}"
        )
    return 0


async def pause_feed(settings: Settings, feed_id: int, paused: bool) -> int:
    from handlers.content import operations
    from handlers.invalid import Invalid

    async with _unit_of_work(settings) as uow:
        try:
            await operations.pause_feed(operator(settings, uow), feed_id, paused)
        except Invalid as error:
            raise refused(settings, error) from None
        await uow.commit()
    print(
        f"Feed {feed_id} is paused: it is not read until it is resumed."
        if paused
        else f"Feed {feed_id} is read again; the running bot reads it within five minutes."
    )
    return 0


async def remove_feed(settings: Settings, feed_id: int) -> int:
    from handlers.content import operations
    from handlers.invalid import Invalid

    async with _unit_of_work(settings) as uow:
        try:
            await operations.remove_feed(operator(settings, uow), feed_id)
        except Invalid as error:
            raise refused(settings, error) from None
        await uow.commit()
    print(f"Feed {feed_id} is no longer read; its items stay.")
    return 0


async def add_link(settings: Settings, source: str, label: str | None, folder: Path) -> int:
    """Register an outreach source, print its link and write its QR code in ``folder``."""
    from bot.bot_username import bot_username
    from bot.qr import write_qr
    from handlers.invalid import Invalid
    from handlers.outreach import operations
    from handlers.outreach.payload import start_link

    username = await bot_username(settings)  # before writing: no link is registered unseen
    async with _unit_of_work(settings) as uow:
        try:
            source = await operations.add_link(operator(settings, uow), source, label)
        except Invalid as error:
            raise refused(settings, error) from None
        await uow.commit()
    link = start_link(username, f"s_{source}")
    files = write_qr(link, folder, f"dcc-link-{source}")
    print(link)
    print(f"QR code: {', '.join(str(f) for f in files)}", file=sys.stderr)
    return 0


async def link_stats(settings: Settings, as_json: bool) -> int:
    """Each registered source with its label and the members who signed up by it."""
    async with _unit_of_work(settings) as uow:
        links = await uow.outreach.links()
    rows = [{"source": k.source, "label": k.label, "signups": n} for k, n in links]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for row in rows:
        print(f"{row['source']}\t{row['signups']}\t{row['label'] or ''}")
    if not rows:
        print("No outreach link yet: add one with `dcc-bot links add SOURCE`.", file=sys.stderr)
    return 0


async def event_check_in_link(settings: Settings, event_id: int, folder: Path) -> int:
    """Print the event's check-in link and write its QR code (for its door) in ``folder``."""
    from bot.bot_username import bot_username
    from bot.qr import write_qr
    from handlers.outreach.payload import start_link

    async with _unit_of_work(settings) as uow:
        item = await uow.content.get(event_id)
    if item is None or item.kind != "event" or item.hidden:
        raise CommandError(f"there is no event {event_id}")
    link = start_link(await bot_username(settings), f"e_{event_id}_in")
    files = write_qr(link, folder, f"dcc-event-{event_id}-check-in")
    print(link)
    print(f"QR code: {', '.join(str(f) for f in files)}", file=sys.stderr)
    return 0


async def export_members(settings: Settings) -> int:
    from handlers.profile.operations import export_members

    async with _unit_of_work(settings) as uow:
        count = await export_members(operator(settings, uow), sys.stdout)
        await uow.commit()
    print(f"{counted(count, 'member')} exported.", file=sys.stderr)
    return 0


def operator(settings: Settings, uow: UnitOfWork) -> Acting:
    """The operator at the command line, as the person performing an operation."""
    from handlers.acting import Acting
    from storage.members import utc_now

    return Acting(None, "cli", uow, Translations(settings.locales_dir), utc_now(), settings.tz)


def refused(settings: Settings, error: Exception) -> CommandError:
    """An operation's ``Invalid`` or ``NotAllowed`` as the CLI's one line, in English."""
    message = getattr(error, "message", str(error))
    params = getattr(error, "params", {})
    return CommandError(
        Translations(settings.locales_dir).for_language("en").gettext(message).format(**params)
    )


@asynccontextmanager
async def _unit_of_work(settings: Settings) -> AsyncIterator[UnitOfWork]:
    """A unit of work on the configured database, which must be migrated already."""
    from bot.app import open_database

    engine = await open_database(settings, migrate=False)
    try:
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            yield uow
    finally:
        await engine.dispose()


def stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not on this platform or thread
            pass
