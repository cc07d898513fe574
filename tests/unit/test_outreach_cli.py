"""`dcc-bot links`: a source registered once and audited, its link printed and its QR code
written (and read back), each source's sign-ups, an event's check-in QR code."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bot.cli import main
from tests.unit.test_cli import audited, run

LINK = "https://t.me/dcc_test_bot?start=s_rupp-2026"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "DCC_ADMIN_IDS", "DCC_ENGINE", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("DCC_BOT_USERNAME", "@dcc_test_bot")
    assert main(["db", "upgrade"]) == 0
    return tmp_path


def decoded(path: Path) -> list[str]:
    """The texts of the QR codes in a PNG, read by ZXing (an independent decoder)."""
    return [result.text for result in zxingcpp.read_barcodes(Image.open(path))]


def test_links_add_prints_the_link_writes_a_qr_code_that_reads_back_and_is_audited_once(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "links", "add", "rupp-2026", "--label", "Poster at  RUPP\n")
    assert (code, out) == (0, LINK + "\n")
    assert "dcc-link-rupp-2026.svg" in err and "dcc-link-rupp-2026.png" in err
    assert decoded(env / "dcc-link-rupp-2026.png") == [LINK]
    svg = (env / "dcc-link-rupp-2026.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert audited(env) == [("link-added", {"source": "rupp-2026"})]

    code, out, err = run(capsys, "links", "add", "rupp-2026")
    assert (code, out) == (2, "")
    assert err == "dcc-bot: error: The source rupp-2026 is registered already.\n"
    assert len(audited(env)) == 1


@pytest.mark.parametrize("source", ["RUPP", "rupp_2026", "rupp.2026", "a" * 33, "ស្រី", ""])
def test_a_source_that_cannot_be_a_link_is_refused_on_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    code, out, err = run(capsys, "links", "add", source)
    assert (code, out) == (2, "")
    assert err.startswith("dcc-bot: error: A source is 1 to 32 lowercase") and err.count("\n") == 1
    assert audited(env) == []
    assert not list(env.glob("dcc-link-*"))


def test_a_label_over_100_characters_is_refused(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "links", "add", "poster", "--label", "x" * 101)
    assert code == 2 and "at most 100 characters" in err


def test_links_stats_counts_each_sources_signups_and_leaves_erased_members_out(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "links", "add", "rupp", "--label", "RUPP visit")[0] == 0
    assert run(capsys, "links", "add", "poster")[0] == 0
    with contextlib.closing(sqlite3.connect(env / "cli.sqlite3")) as db:
        for telegram_id, source, erased in (
            (1, "rupp", None), (2, "rupp", None), (3, "poster", "2026-01-01"), (4, None, None),
        ):  # fmt: skip
            db.execute(
                "INSERT INTO members (telegram_id, language, open_to_work, alert_frequency,"
                " directory_visible, unreachable, reputation, jobs_in_province_only,"
                " digest_frequency, digest_kinds, created_at, updated_at, source, deleted_at)"
                " VALUES (?, 'en', 0, 'off', 0, 0, 0, 0, 'weekly', '', '2026-01-01',"
                " '2026-01-01', ?, ?)",
                (telegram_id, source, erased),
            )
        db.commit()
    code, out, _ = run(capsys, "links", "stats", "--json")
    assert code == 0
    assert json.loads(out) == [
        {"source": "rupp", "label": "RUPP visit", "signups": 2},
        {"source": "poster", "label": None, "signups": 0},
    ]
    code, out, _ = run(capsys, "links", "stats")
    assert out.splitlines() == ["rupp\t2\tRUPP visit", "poster\t0\t"]


def test_links_event_writes_the_check_in_qr_code_of_an_event_only(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    soon = (datetime.now(UTC) + timedelta(days=30)).strftime("%d/%m/%Y 18:00")
    assert run(capsys, "content", "post", "--kind", "event", "--title-en", "Meetup",
               "--at", soon)[0] == 0  # fmt: skip
    assert run(capsys, "content", "post", "--kind", "news", "--title-en", "News")[0] == 0
    code, out, _ = run(capsys, "links", "event", "1")
    assert (code, out) == (0, "https://t.me/dcc_test_bot?start=e_1_in\n")
    assert decoded(env / "dcc-event-1-check-in.png") == ["https://t.me/dcc_test_bot?start=e_1_in"]
    code, _out, err = run(capsys, "links", "event", "2")  # news, not an event
    assert (code, err) == (2, "dcc-bot: error: there is no event 2\n")


def test_without_a_username_or_token_links_add_says_what_to_set(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DCC_BOT_USERNAME")
    code, _out, err = run(capsys, "links", "add", "rupp")
    assert code == 2 and "DCC_BOT_USERNAME" in err
    assert audited(env) == []  # nothing registered that could not be shown


def test_broadcast_create_takes_the_members_who_attended_an_event_as_audience(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    soon = (datetime.now(UTC) + timedelta(days=30)).strftime("%d/%m/%Y 18:00")
    assert run(capsys, "content", "post", "--kind", "event", "--title-en", "Meetup",
               "--at", soon)[0] == 0  # fmt: skip
    assert run(capsys, "content", "post", "--kind", "news", "--title-en", "News")[0] == 0
    code, out, err = run(capsys, "broadcast", "create", "--text", "Thanks", "--audience",
                         "attended:1")  # fmt: skip
    assert (code, out) == (0, "1\n") and "to 0 members" in err
    code, _out, err = run(capsys, "broadcast", "create", "--text", "x", "--audience", "attended:2")
    assert (code, err) == (2, "dcc-bot: error: There is no event #2.\n")
    code, _out, err = run(capsys, "broadcast", "create", "--text", "x", "--audience", "attended:x")
    assert code == 2 and "attended:EVENT" in err
