"""``dcc-bot``: the one command operators use. Bad input → one line on stderr, exit 2."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, NoReturn

from bot.commands import CommandError, poster_file
from bot.config import TELEGRAM_ID_MAX, ConfigError, Settings, load_settings
from storage.seed.choices import CONTENT_KINDS

NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set. Talk to @BotFather on Telegram, send /newbot and put "
    "the token it gives you in TELEGRAM_BOT_TOKEN (or in a .env file). To try the bot "
    "without a token, run `dcc-bot sandbox`."
)


class CliError(Exception):
    """Printed as one line, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (`dcc-bot: error: …`) like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"dcc-bot: error: {message} (see `{self.prog} --help`)\n")


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog="dcc-bot", description="DCC Bot, the Digital Community of Cambodia on Telegram."
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser(
        "start", help="migrate, then run on Telegram if a token is set, else the sandbox"
    )
    run = sub.add_parser("run", help="run the bot (long polling against TELEGRAM_API_URL)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="serve DCC_WEBHOOK_URL on DCC_WEBHOOK_LISTEN instead of polling",
    )

    console = sub.add_parser(
        "web", help="serve the web console on DCC_WEB_LISTEN (or print a sign-in link)"
    )
    console_commands = console.add_subparsers(dest="web_command", metavar="COMMAND")
    login_link = console_commands.add_parser(
        "login-link", help="print a single-use sign-in link (10 minutes) for a staff member"
    )
    login_link.add_argument("telegram_id", type=_telegram_id, metavar="TELEGRAM_ID")

    sandbox = sub.add_parser(
        "sandbox", help="chat with the real bot in this terminal, no token needed"
    )
    _sandbox_options(sandbox)
    for name in ("start",):
        _sandbox_options(sub.choices[name])

    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="migrate the database to the newest schema")

    sub.add_parser("seed-demo", help="add demonstration members (safe to repeat)")

    admins = sub.add_parser("admins", help="administrators").add_subparsers(
        dest="admins_command", required=True
    )
    add = admins.add_parser("add", help="make a Telegram user an administrator")
    add.add_argument("telegram_id", type=_telegram_id, metavar="TELEGRAM_ID")

    experts = sub.add_parser("experts", help="experts").add_subparsers(
        dest="experts_command", required=True
    )
    expert = experts.add_parser("add", help="verify a member as an expert for some tags")
    expert.add_argument("telegram_id", type=_telegram_id, metavar="TELEGRAM_ID")
    expert.add_argument("--tags", required=True, type=_slugs, help="tag slugs, comma-separated")
    unexpert = experts.add_parser("remove", help="take a member's expert status away")
    unexpert.add_argument("telegram_id", type=_telegram_id, metavar="TELEGRAM_ID")

    tags = sub.add_parser("tags", help="the tag taxonomy").add_subparsers(
        dest="tags_command", required=True
    )
    suggest = tags.add_parser("suggest", help="print the tags suggested for a question")
    suggest.add_argument("text", metavar="TEXT")
    suggest.add_argument("--json", action="store_true", help='a JSON list of {"slug", "score"}')

    jobs = sub.add_parser("jobs", help="jobs").add_subparsers(dest="jobs_command", required=True)
    job_import = jobs.add_parser("import", help="import a company's jobs from a CSV file")
    job_import.add_argument("file", type=Path, metavar="FILE.csv")
    job_import.add_argument(
        "--company",
        type=_company_number,
        required=True,
        metavar="ID",
        help="the verified company's number (shown in /company and /admin)",
    )

    broadcast = sub.add_parser("broadcast", help="ministry broadcasts").add_subparsers(
        dest="broadcast_command", required=True
    )
    create = broadcast.add_parser(
        "create", help="queue a broadcast (the running bot delivers it), or schedule it"
    )
    create.add_argument("--text-km", metavar="TEXT", help="the text for members reading Khmer")
    create.add_argument("--text-en", metavar="TEXT", help="the text for members reading English")
    create.add_argument("--text", metavar="TEXT", help="one text for both languages")
    create.add_argument("--link", metavar="URL", help="a web address for a link button")
    create.add_argument(
        "--audience",
        action="append",
        default=[],
        metavar="SPEC",
        help="all, role:SLUG, province:SLUG, tag:SLUG, experts or companies; repeat to combine",
    )
    create.add_argument(
        "--at", metavar='"YYYY-MM-DD HH:MM"', help="when, in DCC_TIMEZONE (default: now)"
    )
    create.add_argument(
        "--category",
        default="official",
        metavar="CATEGORY",
        help="official (reaches everyone; the default), events, opportunities, competitions or"
        " news (left out: the members who switched it off in /subscriptions)",
    )
    poster = create.add_mutually_exclusive_group()
    poster.add_argument(
        "--photo",
        metavar="FILE_OR_ID",
        help="a poster photo: a local file (uploaded by the bot) or Telegram's file_id",
    )
    poster.add_argument(
        "--document",
        metavar="FILE_OR_ID",
        help="a PDF or other document: a local file (uploaded by the bot) or Telegram's file_id",
    )
    create.add_argument("--protect", action="store_true", help="members cannot forward or save it")
    create.add_argument("--pin", action="store_true", help="pinned in each member's chat")
    create.add_argument(
        "--paid",
        action="store_true",
        help="paid (fast): up to DCC_PAID_SEND_RATE messages a second, for the bot's Telegram"
        " Stars; prints the estimate and sends only with --yes",
    )
    create.add_argument(
        "--yes", action="store_true", help="confirm the cost of a --paid broadcast and send it"
    )
    cancel = broadcast.add_parser("cancel", help="call off a scheduled broadcast")
    cancel.add_argument(
        "broadcast_id", type=lambda raw: _row_number(raw, "broadcast"), metavar="ID"
    )
    status = broadcast.add_parser("status", help="print a broadcast's delivery counts")
    status.add_argument(
        "broadcast_id", type=lambda raw: _row_number(raw, "broadcast"), metavar="ID"
    )

    content = sub.add_parser("content", help="published content").add_subparsers(
        dest="content_command", required=True
    )
    post = content.add_parser("post", help="publish an item, as /post does in the bot")
    post.add_argument("--kind", required=True, choices=CONTENT_KINDS)
    post.add_argument("--title-km", metavar="TEXT")
    post.add_argument("--title-en", metavar="TEXT")
    post.add_argument("--summary-km", metavar="TEXT")
    post.add_argument("--summary-en", metavar="TEXT")
    post.add_argument("--link", metavar="URL", help="a web address to read more")
    post.add_argument("--tags", type=_slugs, default=[], help="tag slugs, comma-separated")
    post.add_argument(
        "--at",
        metavar="WHEN",
        help="an event's start (25/12/2026 18:00), an opportunity's last day",
    )

    feeds = sub.add_parser("feeds", help="RSS and Atom feeds polled for content").add_subparsers(
        dest="feeds_command", required=True
    )
    feed_add = feeds.add_parser("add", help="register a feed; the running bot polls it")
    feed_add.add_argument("url", metavar="URL")
    feed_add.add_argument(
        "--kind",
        required=True,
        choices=[k for k in CONTENT_KINDS if k != "event"],  # a feed entry has no start time
        help="what its items are (policy, news, …)",
    )
    feed_add.add_argument("--lang", required=True, choices=("km", "en"), help="its language")
    feeds.add_parser("list", help="the feeds, with when each was last read and any error")
    feed_remove = feeds.add_parser("remove", help="stop polling a feed (its items stay)")
    feed_remove.add_argument("feed_id", type=lambda raw: _row_number(raw, "feed"), metavar="ID")
    feed_pause = feeds.add_parser("pause", help="stop reading a feed for now (it stays listed)")
    feed_pause.add_argument("feed_id", type=lambda raw: _row_number(raw, "feed"), metavar="ID")
    feed_resume = feeds.add_parser("resume", help="read a paused feed again, at once")
    feed_resume.add_argument("feed_id", type=lambda raw: _row_number(raw, "feed"), metavar="ID")

    links = sub.add_parser("links", help="outreach links and QR codes").add_subparsers(
        dest="links_command", required=True
    )
    link_add = links.add_parser(
        "add", help="register a source of sign-ups; print its link, write its QR code here"
    )
    link_add.add_argument("source", metavar="SOURCE", help="e.g. rupp-2026 (a-z, 0-9, -)")
    link_add.add_argument("--label", metavar="TEXT", help="what it is, e.g. a poster at RUPP")
    link_stats = links.add_parser("stats", help="each source's sign-ups")
    link_stats.add_argument(
        "--json", action="store_true", help='a JSON list of {"source", "label", "signups"}'
    )
    link_event = links.add_parser(
        "event", help="print an event's check-in link and write its QR code here"
    )
    link_event.add_argument("event_id", type=lambda raw: _row_number(raw, "event"), metavar="ID")

    members = sub.add_parser("members", help="members as CSV").add_subparsers(
        dest="members_command", required=True
    )
    imp = members.add_parser("import", help="import or update members from a CSV file")
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    members.add_parser("export", help="write all members as CSV to standard output")
    return p


def _sandbox_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--user",
        type=_telegram_id,
        default=1001,
        metavar="ID",
        help="your Telegram id in the sandbox (default 1001)",
    )
    p.add_argument("--lang", choices=("km", "en"), default="en", help="your Telegram app language")
    p.add_argument(
        "--script",
        type=Path,
        metavar="FILE",
        help="play the inputs of FILE and print the conversation",
    )
    p.add_argument(
        "--admin",
        action="store_true",
        help="make your sandbox person an administrator (audited, as `dcc-bot admins add`)",
    )


def _slugs(raw: str) -> list[str]:
    from storage.seed.tags import SLUGS

    slugs = [s.strip() for s in raw.split(",") if s.strip()]
    unknown = [s for s in slugs if s not in SLUGS]
    if not slugs or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown tag {unknown[0]!r}" if unknown else "give at least one tag slug"
        )
    return slugs


def _telegram_id(raw: str) -> int:
    """A Telegram user id, with the bound members CSV import applies (below 2**52)."""
    number = _below(raw, TELEGRAM_ID_MAX)
    if number is None:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a Telegram user id (a positive number)")
    return number


def _company_number(raw: str) -> int:
    """A company's number: a row id, which the database keeps in 32 bits."""
    return _row_number(raw, "company")


def _row_number(raw: str, what: str) -> int:
    number = _below(raw, 2**31)
    if number is None:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a {what} number (a positive number)")
    return number


def _below(raw: str, limit: int) -> int | None:
    """The whole number from 1 to ``limit - 1`` that ``raw`` writes, else None."""
    digits = raw.strip()
    if not digits.isdecimal() or len(digits) > len(str(limit)):
        return None
    number = int(digits)
    return number if 0 < number < limit else None


# Libraries that log every request or every run of a job at INFO (apscheduler: two lines a
# second for the 1-second outbox job): only their warnings are shown, even with --verbose.
QUIET_LOGGERS = ("httpx", "telegram", "aiosqlite", "alembic", "apscheduler")


def configure_logging(command: str, verbose: bool) -> None:
    """Our INFO lines for the commands that run the bot, warnings only for the others."""
    logging.basicConfig(
        level=logging.DEBUG
        if verbose
        else logging.INFO
        if command in ("run", "start", "sandbox")  # the sandbox's go to its log file
        else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging(args.command, args.verbose)
    try:
        settings = load_settings()
        return _run(_command(args, settings))
    except (CliError, ConfigError, CommandError) as error:
        print(f"dcc-bot: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a database or network failure: one line, not a traceback
        if args.verbose:
            raise
        print(f"dcc-bot: error: {type(error).__name__}: {error}".splitlines()[0], file=sys.stderr)
        return 1


def _run(coroutine: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coroutine)


async def _command(args: argparse.Namespace, settings: Settings) -> int:
    from bot import commands

    match args.command:
        case "run":
            if not settings.token:
                raise CliError(NO_TOKEN)
            return await commands.run(settings, webhook=args.webhook)
        case "start":
            if settings.token:
                return await commands.run(settings, migrate=True)
            return await commands.sandbox(settings, args.user, args.lang, args.script, args.admin)
        case "sandbox":
            return await commands.sandbox(settings, args.user, args.lang, args.script, args.admin)
        case "web" if args.web_command == "login-link":
            return await commands.console_link(settings, args.telegram_id)
        case "web":
            return await commands.serve_console(settings)
        case "db":
            return await commands.db_upgrade(settings)
        case "seed-demo":
            return await commands.seed_demo(settings)
        case "admins":
            return await commands.add_admin(settings, args.telegram_id)
        case "experts" if args.experts_command == "remove":
            return await commands.remove_expert(settings, args.telegram_id)
        case "experts":
            return await commands.add_expert(settings, args.telegram_id, args.tags)
        case "tags":
            return commands.suggest_tags(args.text, args.json)
        case "jobs":
            return await commands.import_jobs(settings, args.file, args.company)
        case "broadcast" if args.broadcast_command == "create":
            return await commands.create_broadcast(
                settings, args.text_km, args.text_en, args.text, args.link, args.audience, args.at,
                args.category, poster_file(args.photo, args.document), args.protect, args.pin,
                args.paid, args.yes,
            )  # fmt: skip
        case "broadcast" if args.broadcast_command == "cancel":
            return await commands.cancel_broadcast(settings, args.broadcast_id)
        case "broadcast":
            return await commands.broadcast_status(settings, args.broadcast_id)
        case "content":
            return await commands.post_content(
                settings, args.kind, (args.title_km, args.title_en),
                (args.summary_km, args.summary_en), args.link, args.tags, args.at,
            )  # fmt: skip
        case "feeds" if args.feeds_command == "add":
            return await commands.add_feed(settings, args.url, args.kind, args.lang)
        case "feeds" if args.feeds_command == "list":
            return await commands.list_feeds(settings)
        case "feeds" if args.feeds_command in ("pause", "resume"):
            return await commands.pause_feed(
                settings, args.feed_id, paused=args.feeds_command == "pause"
            )
        case "feeds":
            return await commands.remove_feed(settings, args.feed_id)
        case "links" if args.links_command == "add":
            return await commands.add_link(settings, args.source, args.label, Path.cwd())
        case "links" if args.links_command == "stats":
            return await commands.link_stats(settings, args.json)
        case "links":
            return await commands.event_check_in_link(settings, args.event_id, Path.cwd())
        case "members" if args.members_command == "import":
            return await commands.import_members(settings, args.file)
        case "members":
            return await commands.export_members(settings)
    raise CliError(f"unknown command {args.command!r}")


if __name__ == "__main__":
    sys.exit(main())
