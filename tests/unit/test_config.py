"""Settings an operator gives in the environment: defaults and clear errors."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings, load_settings


def test_an_empty_environment_gives_the_defaults() -> None:
    settings = load_settings(env={})
    assert settings == Settings()
    assert settings.api_url == "https://api.telegram.org"
    assert settings.database_url == "sqlite+aiosqlite:///dcc-bot.sqlite3"
    assert settings.engine == "ptb"
    assert settings.timezone == "Asia/Phnom_Penh"
    assert settings.send_rate == 30.0
    assert settings.paid_send_rate == 1000.0
    assert settings.token == ""
    assert settings.admin_ids == ()
    assert (settings.locales_dir / "km" / "LC_MESSAGES" / "messages.po").is_file()


def test_blank_values_fall_back_to_the_defaults() -> None:
    env = {"DCC_ENGINE": " ", "DCC_TIMEZONE": "", "DCC_SEND_RATE": " ", "TELEGRAM_API_URL": ""}
    assert load_settings(env=env) == Settings()


def test_values_are_read_and_trimmed() -> None:
    settings = load_settings(
        env={
            "TELEGRAM_BOT_TOKEN": " 123:ABC ",
            "DCC_ENGINE": "PTB",
            "DCC_TIMEZONE": "Asia/Tokyo",
            "DCC_SEND_RATE": "2.5",
            "DCC_PAID_SEND_RATE": " 500 ",
            "DCC_WEBHOOK_URL": " https://bot.example/hook ",
        }
    )
    assert settings.token == "123:ABC"
    assert settings.engine == "ptb"
    assert settings.tz.key == "Asia/Tokyo"
    assert settings.send_rate == 2.5
    assert settings.paid_send_rate == 500.0
    assert settings.webhook_url == "https://bot.example/hook"


def test_admin_ids_may_be_separated_by_commas_semicolons_and_spaces() -> None:
    assert load_settings(env={"DCC_ADMIN_IDS": "1, 2;3"}).admin_ids == (1, 2, 3)
    assert load_settings(env={"DCC_ADMIN_IDS": " 42 ,, "}).admin_ids == (42,)


@pytest.mark.parametrize("raw", ["12a", "-5", "@dara", "0", "99999999999999999999"])
def test_an_admin_id_that_is_not_digits_names_the_variable(raw: str) -> None:
    with pytest.raises(ConfigError, match=f"DCC_ADMIN_IDS: '{raw}' is not a Telegram user id"):
        load_settings(env={"DCC_ADMIN_IDS": f"1,{raw}"})


def test_a_superscript_admin_id_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="DCC_ADMIN_IDS"):
        load_settings(env={"DCC_ADMIN_IDS": "²"})


def test_an_unknown_engine_is_refused_and_both_known_ones_are_taken() -> None:
    with pytest.raises(ConfigError, match="DCC_ENGINE must be one of ptb, aiogram, not 'telethon'"):
        load_settings(env={"DCC_ENGINE": "telethon"})
    assert load_settings(env={"DCC_ENGINE": " AIOGRAM "}).engine == "aiogram"
    assert load_settings(env={}).engine == "ptb"


@pytest.mark.parametrize("zone", ["Asia/Nowhere", "Phnom Penh", "../etc/passwd"])
def test_an_unknown_time_zone_is_refused(zone: str) -> None:
    with pytest.raises(ConfigError, match="DCC_TIMEZONE: unknown time zone"):
        load_settings(env={"DCC_TIMEZONE": zone})


@pytest.mark.parametrize("rate", ["0", "-1", "fast", "0.0"])
def test_a_send_rate_must_be_a_positive_number(rate: str) -> None:
    with pytest.raises(ConfigError, match="DCC_SEND_RATE"):
        load_settings(env={"DCC_SEND_RATE": rate})


@pytest.mark.parametrize("rate", ["nan", "inf"])
def test_a_send_rate_must_be_a_finite_number(rate: str) -> None:
    with pytest.raises(ConfigError, match="DCC_SEND_RATE"):
        load_settings(env={"DCC_SEND_RATE": rate})


@pytest.mark.parametrize("url", ["http://127.0.0.1:8081/", "http://127.0.0.1:8081//"])
def test_the_api_url_loses_its_trailing_slash(url: str) -> None:
    assert load_settings(env={"TELEGRAM_API_URL": url}).api_url == "http://127.0.0.1:8081"


@pytest.mark.parametrize("raw", ["notaurl", "ftp://api.telegram.org", "http://", "https://h:port"])
def test_an_api_url_that_is_not_an_http_address_with_a_host_names_the_variable(raw: str) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_API_URL must be an http:// or https://"):
        load_settings(env={"TELEGRAM_API_URL": raw})


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("https://api.telegram.org/", "https://api.telegram.org"),
        (" http://127.0.0.1:8081 ", "http://127.0.0.1:8081"),
        ("http://[::1]:8081/", "http://[::1]:8081"),
    ],
)
def test_an_api_url_is_read_without_its_trailing_slash(raw: str, url: str) -> None:
    assert load_settings(env={"TELEGRAM_API_URL": raw}).api_url == url


def test_webhook_settings_are_read_and_checked() -> None:
    from bot.config import check_webhook

    settings = load_settings(
        env={
            "DCC_WEBHOOK_URL": "https://bot.mptc.gov.kh/telegram/hook",
            "DCC_WEBHOOK_SECRET": "abc_DEF-123",
            "DCC_WEBHOOK_LISTEN": "127.0.0.1:8443",
            "DCC_LEADER_CHECK": "5",
        }
    )
    assert settings.webhook_listen == ("127.0.0.1", 8443) and settings.leader_check == 5.0
    check_webhook(settings)
    assert load_settings(env={}).webhook_listen == ("0.0.0.0", 8080)
    for listen in ("8080", "host:", "host:99999", ":80"):
        with pytest.raises(ConfigError, match="DCC_WEBHOOK_LISTEN must be host:port"):
            load_settings(env={"DCC_WEBHOOK_LISTEN": listen})
    for changes, message in (
        ({"webhook_url": ""}, "DCC_WEBHOOK_URL must be"),
        ({"webhook_url": "ftp://x"}, "DCC_WEBHOOK_URL must be"),
        ({"webhook_secret": ""}, "DCC_WEBHOOK_SECRET is required"),
        ({"webhook_secret": "has space"}, "DCC_WEBHOOK_SECRET: 1 to 256"),
    ):
        with pytest.raises(ConfigError, match=message):
            check_webhook(settings.with_(**changes))


def test_the_abuse_limits_are_read_with_their_defaults() -> None:
    defaults = load_settings({}, dotenv=False)
    assert (defaults.questions_waiting, defaults.questions_per_day) == (3, 10)
    assert (defaults.offers_per_asker, defaults.reports_per_day) == (1, 5)
    assert (defaults.pending_applications, defaults.pending_companies) == (1, 1)
    env = {
        "DCC_QUESTIONS_WAITING": "5", "DCC_QUESTIONS_PER_DAY": "20", "DCC_OFFERS_PER_ASKER": "2",
        "DCC_REPORTS_PER_DAY": "8", "DCC_PENDING_APPLICATIONS": "1", "DCC_PENDING_COMPANIES": "3",
    }  # fmt: skip
    settings = load_settings(env, dotenv=False)
    assert (settings.questions_waiting, settings.questions_per_day) == (5, 20)
    assert (settings.offers_per_asker, settings.reports_per_day) == (2, 8)
    assert settings.pending_companies == 3


@pytest.mark.parametrize("raw", ["0", "-1", "two", "1.5"])
def test_an_abuse_limit_must_be_a_whole_number_of_at_least_one(raw: str) -> None:
    with pytest.raises(ConfigError, match="DCC_REPORTS_PER_DAY"):
        load_settings({"DCC_REPORTS_PER_DAY": raw}, dotenv=False)


def test_the_web_console_settings() -> None:
    default = load_settings(env={})
    assert default.web_listen is None and default.web_address == ("127.0.0.1", 8090)
    assert default.web_base_url == "http://127.0.0.1:8090"
    settings = load_settings(env={"DCC_WEB_LISTEN": "0.0.0.0:9000"})
    assert settings.web_listen == ("0.0.0.0", 9000)
    assert settings.web_base_url == "http://127.0.0.1:9000"
    given = load_settings(env={"DCC_WEB_URL": "https://console.mptc.gov.kh/"})
    assert given.web_base_url == "https://console.mptc.gov.kh"
    with pytest.raises(ConfigError, match="DCC_WEB_LISTEN must be host:port"):
        load_settings(env={"DCC_WEB_LISTEN": "9000"})
    for url in ("console.mptc.gov.kh", "ftp://x", "https://x/console", "https://x/?a=1"):
        with pytest.raises(ConfigError, match="DCC_WEB_URL"):
            load_settings(env={"DCC_WEB_URL": url})


@pytest.mark.parametrize("rate", ["0", "-5", "fast", "nan", "inf"])
def test_a_paid_send_rate_must_be_a_positive_finite_number(rate: str) -> None:
    with pytest.raises(ConfigError, match="DCC_PAID_SEND_RATE"):
        load_settings(env={"DCC_PAID_SEND_RATE": rate})
    assert load_settings(env={"DCC_PAID_SEND_RATE": "300"}).paid_send_rate == 300.0
