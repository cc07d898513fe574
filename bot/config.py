"""Settings, read from the environment (and an optional ``.env``) when the bot starts.

Every constant an operator may change lives here with the variable that overrides it; the
README lists them all.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///dcc-bot.sqlite3"
DEFAULT_TIMEZONE = "Asia/Phnom_Penh"
DEFAULT_SEND_RATE = 30.0  # messages in any rolling second: Telegram's free limit (bench/)
# A paid broadcast's messages a second (allow_paid_broadcast): Telegram allows up to 1,000
DEFAULT_PAID_SEND_RATE = 1000.0
DEFAULT_LEADER_CHECK = 15.0  # seconds: a dead leader's jobs move to another process this fast
DEFAULT_OUTBOX_RETENTION_DAYS = 30  # sent messages are deleted from the outbox after this
MIN_OUTBOX_RETENTION_DAYS = 2  # an event reminder's key is read back for a day
DEFAULT_WEB_LISTEN = ("127.0.0.1", 8090)  # the web console: this machine only, by default
ENGINES = ("ptb", "aiogram")
TELEGRAM_ID_MAX = 2**52  # Telegram promises user ids fit in 52 bits; ids are below this


class ConfigError(ValueError):
    """A setting is missing or malformed; the CLI prints it on one line."""


@dataclass(frozen=True)
class Settings:
    token: str = ""
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    engine: str = "ptb"
    admin_ids: tuple[int, ...] = ()
    timezone: str = DEFAULT_TIMEZONE
    send_rate: float = DEFAULT_SEND_RATE
    paid_send_rate: float = DEFAULT_PAID_SEND_RATE
    experts_per_round: int = 3
    escalate_after_hours: float = 24.0
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: tuple[str, int] = ("0.0.0.0", 8080)
    leader_check: float = DEFAULT_LEADER_CHECK
    outbox_retention_days: int = DEFAULT_OUTBOX_RETENTION_DAYS
    # The web console (web/): where it listens (None: DCC_WEB_LISTEN not set, so `run` does
    # not serve it; `web` and the sandbox use DEFAULT_WEB_LISTEN) and its public address.
    web_listen: tuple[str, int] | None = None
    web_url: str = ""
    # Abuse limits (handlers/limits.py): what one member may ask of experts and staff.
    questions_waiting: int = 3  # questions waiting for a first answer at once
    questions_per_day: int = 10  # questions in any 24 hours
    offers_per_asker: int = 1  # open offers of one member's questions an expert holds
    reports_per_day: int = 5  # reports (questions, answers, profiles) in any 24 hours
    pending_applications: int = 1  # expert applications waiting for a decision
    pending_companies: int = 1  # company registrations waiting for verification
    locales_dir: Path = field(default_factory=lambda: default_locales_dir())
    strict_translations: bool = False  # tests: a missing Khmer string raises
    strict_flows: bool = False  # tests: a flow going to a step it does not declare raises
    per_chat_interval: float = 1.0  # seconds between proactive messages to one chat
    bot_username: str = ""  # DCC_BOT_USERNAME; empty: asked of Telegram (getMe)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def web_address(self) -> tuple[str, int]:
        """Where the web console listens: DCC_WEB_LISTEN, or 127.0.0.1:8090."""
        return self.web_listen or DEFAULT_WEB_LISTEN

    @property
    def web_base_url(self) -> str:
        """The console's address in sign-in links: DCC_WEB_URL, else made of where it listens."""
        if self.web_url:
            return self.web_url
        host, port = self.web_address
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def default_locales_dir() -> Path:
    import locales

    return Path(locales.__file__).parent


def load_settings(env: dict[str, str] | None = None, dotenv: bool = True) -> Settings:
    """Build settings from ``env`` (default: the process environment plus ``./.env``)."""
    if env is None:
        if dotenv:
            from dotenv import load_dotenv

            load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)
    engine = env.get("DCC_ENGINE", "ptb").strip().lower() or "ptb"
    if engine not in ENGINES:
        raise ConfigError(f"DCC_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
    timezone = env.get("DCC_TIMEZONE", DEFAULT_TIMEZONE).strip() or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ValueError, KeyError, OSError):
        raise ConfigError(f"DCC_TIMEZONE: unknown time zone {timezone!r}") from None
    return Settings(
        token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
        api_url=_api_url(env.get("TELEGRAM_API_URL", "")),
        database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
        engine=engine,
        admin_ids=_ids(env.get("DCC_ADMIN_IDS", "")),
        timezone=timezone,
        send_rate=_positive(env.get("DCC_SEND_RATE", ""), "DCC_SEND_RATE", DEFAULT_SEND_RATE),
        paid_send_rate=_positive(
            env.get("DCC_PAID_SEND_RATE", ""), "DCC_PAID_SEND_RATE", DEFAULT_PAID_SEND_RATE
        ),
        experts_per_round=_whole(env.get("DCC_EXPERTS_PER_ROUND", ""), "DCC_EXPERTS_PER_ROUND", 3),
        escalate_after_hours=_positive(
            env.get("DCC_ESCALATE_AFTER", ""), "DCC_ESCALATE_AFTER", 24.0
        ),
        webhook_url=env.get("DCC_WEBHOOK_URL", "").strip(),
        webhook_secret=env.get("DCC_WEBHOOK_SECRET", "").strip(),
        webhook_listen=_listen(env.get("DCC_WEBHOOK_LISTEN", "")),
        leader_check=_positive(
            env.get("DCC_LEADER_CHECK", ""), "DCC_LEADER_CHECK", DEFAULT_LEADER_CHECK
        ),
        outbox_retention_days=_retention(env.get("DCC_OUTBOX_RETENTION_DAYS", "")),
        web_listen=(
            _listen(env["DCC_WEB_LISTEN"], "DCC_WEB_LISTEN")
            if env.get("DCC_WEB_LISTEN", "").strip()
            else None
        ),
        web_url=_web_url(env.get("DCC_WEB_URL", "")),
        questions_waiting=_limit(env, "questions_waiting"),
        questions_per_day=_limit(env, "questions_per_day"),
        offers_per_asker=_limit(env, "offers_per_asker"),
        reports_per_day=_limit(env, "reports_per_day"),
        pending_applications=_limit(env, "pending_applications"),
        pending_companies=_limit(env, "pending_companies"),
        bot_username=_bot_username(env.get("DCC_BOT_USERNAME", "")),
    )


LIMITS = {
    "questions_waiting": ("DCC_QUESTIONS_WAITING", 3),
    "questions_per_day": ("DCC_QUESTIONS_PER_DAY", 10),
    "offers_per_asker": ("DCC_OFFERS_PER_ASKER", 1),
    "reports_per_day": ("DCC_REPORTS_PER_DAY", 5),
    "pending_applications": ("DCC_PENDING_APPLICATIONS", 1),
    "pending_companies": ("DCC_PENDING_COMPANIES", 1),
}
"""The abuse limits' settings: field, then its variable and default (whole numbers, at least 1)."""


def _limit(env: dict[str, str], field: str) -> int:
    name, default = LIMITS[field]
    return _whole(env.get(name, ""), name, default)


def _api_url(raw: str) -> str:
    """An http(s) address with a host, without the trailing slash."""
    url = raw.strip() or DEFAULT_API_URL
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"TELEGRAM_API_URL must be an http:// or https:// address with a host, not {raw!r}"
        )
    return url.rstrip("/")


def _ids(raw: str) -> tuple[int, ...]:
    ids = []
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdecimal() or not 0 < int(part) < TELEGRAM_ID_MAX:
            raise ConfigError(f"DCC_ADMIN_IDS: {part!r} is not a Telegram user id (digits only)")
        ids.append(int(part))
    return tuple(ids)


def _positive(raw: str, name: str, default: float) -> float:
    if not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be above 0, not {raw!r}")
    return value


def _whole(raw: str, name: str, default: int) -> int:
    if not raw.strip():
        return default
    if not raw.strip().isdecimal() or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


def _retention(raw: str) -> int:
    """Days a sent outbox message is kept: a whole number, at least the minimum."""
    days = _whole(raw, "DCC_OUTBOX_RETENTION_DAYS", DEFAULT_OUTBOX_RETENTION_DAYS)
    if days < MIN_OUTBOX_RETENTION_DAYS:
        raise ConfigError(
            f"DCC_OUTBOX_RETENTION_DAYS must be at least {MIN_OUTBOX_RETENTION_DAYS} days,"
            f" not {raw!r}"
        )
    return days


def _listen(raw: str, name: str = "DCC_WEBHOOK_LISTEN") -> tuple[str, int]:
    """``host:port`` a server listens on (the webhook's default 0.0.0.0:8080)."""
    if not raw.strip():
        return ("0.0.0.0", 8080)
    host, _, port = raw.strip().rpartition(":")
    if not host or not port.isdecimal() or not 0 < int(port) < 65536:
        raise ConfigError(f"{name} must be host:port, like 0.0.0.0:8080, not {raw!r}")
    return host.strip("[]"), int(port)


def _web_url(raw: str) -> str:
    """The web console's public address (DCC_WEB_URL): http(s) with a host, no trailing slash."""
    if not raw.strip():
        return ""
    try:
        parts = urlsplit(raw.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"DCC_WEB_URL must be an http:// or https:// address, not {raw!r}")
    if parts.path.strip("/") or parts.query or parts.fragment:
        # the console's pages are at the root of their host: a path would break its links
        raise ConfigError(f"DCC_WEB_URL must be a host's address without a path, not {raw!r}")
    return raw.strip().rstrip("/")


BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")


def _bot_username(raw: str) -> str:
    """The bot's username for deep links (DCC_BOT_USERNAME), without the @."""
    name = raw.strip().removeprefix("@")
    if name and not BOT_USERNAME.fullmatch(name):
        raise ConfigError(
            f"DCC_BOT_USERNAME must be the bot's Telegram username (5 to 32 letters, digits and _), not {raw!r}"
        )
    return name


WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def check_webhook(settings: Settings) -> None:
    """What webhook mode needs, or a ConfigError naming what is missing or wrong."""
    parts = urlsplit(settings.webhook_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("DCC_WEBHOOK_URL must be the https:// address Telegram posts updates to")
    if not settings.webhook_secret:
        raise ConfigError("DCC_WEBHOOK_SECRET is required in webhook mode")
    if not WEBHOOK_SECRET.fullmatch(settings.webhook_secret):
        raise ConfigError("DCC_WEBHOOK_SECRET: 1 to 256 of A-Z, a-z, 0-9, _ and -")
