"""The operator's command line: members import/export, admins, seed-demo, errors."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.cli import QUIET_LOGGERS, configure_logging, main
from storage.db import make_engine
from storage.migrate import head_revision, upgrade

HEADER = "telegram_id,full_name,language,role,province,country,skills,open_to_work,created_at\n"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "DCC_ADMIN_IDS", "DCC_ENGINE", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["db", "upgrade"]) == 0
    return tmp_path


def audited(env: Path) -> list[tuple[str, dict[str, object]]]:
    with contextlib.closing(sqlite3.connect(env / "cli.sqlite3")) as db:
        rows = db.execute("SELECT action, detail FROM audit_log ORDER BY id").fetchall()
    return [(action, json.loads(detail)) for action, detail in rows]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_reports_bad_rows_by_line_and_imports_the_good_ones(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = env / "members.csv"
    source.write_text(
        HEADER
        + "1001,Sok Dara,km,student,phnom-penh,,ai;data,true,2025-01-02T03:04:05+00:00\n"
        + "1002,Bad Role,en,wizard,phnom-penh,,ai,false,\n"
        + '1003,"Chan, Vanna",en,academic,abroad,Japan,web,no,\n'
        + "1004,Nowhere,en,student,atlantis,,ai,false,\n"
        + "1005,Sky,en,student,kep,,quantum,false,\n"
        + "abc,Who,en,student,kep,,ai,false,\n"
        + "1001,Again,en,student,kep,,ai,false,\n"
        + "1006,Abroad Nowhere,en,student,abroad,,ai,false,\n"
        + "1007,When,en,student,kep,,ai,false,yesterday\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "members", "import", str(source))
    assert code == 1
    assert "Imported 2 new members, updated 0 members; 7 rows skipped." in out
    assert f"{source}:3: role 'wizard' is not one of" in err
    assert f"{source}:5: province 'atlantis'" in err
    assert f"{source}:6: unknown skill 'quantum'" in err
    assert f"{source}:7: telegram_id 'abc'" in err
    assert f"{source}:8: telegram_id repeats line 2" in err
    assert f"{source}:9: country is empty, and province is abroad" in err
    assert f"{source}:10: created_at 'yesterday'" in err
    assert audited(env) == [
        ("members-import-started", {"file": "members.csv"}),
        ("members-imported", {"file": "members.csv", "inserted": 2, "updated": 0, "skipped": 7}),
    ]

    code, out, _ = run(capsys, "members", "export")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["telegram_id"] for r in rows] == ["1001", "1003"]
    assert rows[0]["full_name"] == "Sok Dara" and rows[0]["skills"] == "data;ai"  # taxonomy order
    assert rows[0]["created_at"] == "2025-01-02T03:04:05+00:00"
    assert rows[1]["full_name"] == "Chan, Vanna" and rows[1]["country"] == "Japan"
    assert rows[1]["open_to_work"] == "false"


def test_export_imports_back_unchanged_and_reimport_updates(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "seed-demo")[0] == 0
    code, first, _ = run(capsys, "members", "export")
    quoted = ",".join(f'"{name}"' for name in HEADER.strip().split(","))
    assert code == 0 and first.startswith(quoted)  # every cell quoted, the header's too
    assert "សុខ ចាន់ថា" in first and len(first.splitlines()) == 7

    exported = env / "export.csv"
    exported.write_text(first, encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{env / 'other.sqlite3'}")
    assert main(["db", "upgrade"]) == 0
    code, out, _ = run(capsys, "members", "import", str(exported))
    assert code == 0 and "Imported 6 new members, updated 0 members" in out
    assert run(capsys, "members", "export")[1] == first

    code, out, _ = run(capsys, "members", "import", str(exported))
    assert "Imported 0 new members, updated 6 members" in out
    assert run(capsys, "members", "export")[1] == first


def test_admins_add_grants_once(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "admins", "add", "4242")[1].strip() == "4242 is now an administrator."
    biggest = str(2**52 - 1)
    assert run(capsys, "admins", "add", biggest)[1].strip() == f"{biggest} is now an administrator."
    assert run(capsys, "admins", "add", "4242")[1].strip() == "4242 is already an administrator."
    assert audited_by(env) == [
        (None, "grant-admin", {"telegram_id": 4242}, "cli"),
        (None, "grant-admin", {"telegram_id": 2**52 - 1}, "cli"),
    ]


def test_the_configured_admins_are_granted_at_start_and_audited_once(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DCC_ADMIN_IDS", "77, 78")
    assert run(capsys, "db", "upgrade")[0] == 0
    assert run(capsys, "db", "upgrade")[0] == 0  # each start: only a new id is granted
    assert audited_by(env) == [
        (None, "grant-admin", {"telegram_id": 77}, "cli"),
        (None, "grant-admin", {"telegram_id": 78}, "cli"),
    ]


def audited_by(env: Path) -> list[tuple[int | None, str, dict[str, object], str | None]]:
    """Who did it, what, and through which surface."""
    with contextlib.closing(sqlite3.connect(env / "cli.sqlite3")) as db:
        rows = db.execute(
            "SELECT actor_telegram_id, action, detail, channel FROM audit_log ORDER BY id"
        ).fetchall()
    return [(actor, action, json.loads(detail), channel) for actor, action, detail, channel in rows]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["admins", "add", "-5"], "is not a Telegram user id"),
        (["admins", "add", "bob"], "is not a Telegram user id"),
        (["admins", "add", "99999999999999999999"], "is not a Telegram user id"),
        (["admins", "add", str(2**52)], "is not a Telegram user id"),
        (["admins", "add", "9" * 5000], "is not a Telegram user id"),
        (["experts", "add", "99999999999999999999", "--tags", "ai"], "is not a Telegram user"),
        (["jobs", "import", "x.csv", "--company", "99999999999"], "is not a company number"),
        (["admins", "add"], "the following arguments are required: TELEGRAM_ID"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["members", "import", "missing.csv"], "missing.csv: no such file"),
        (["run"], "TELEGRAM_BOT_TOKEN is not set. Talk to @BotFather"),
    ],
)
def test_bad_input_is_one_line_and_a_nonzero_exit(
    env: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    try:
        code = main(args)
    except SystemExit as exit:  # argparse's own errors
        code = int(exit.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.startswith("dcc-bot: error: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "DATABASE_URL is not a database URL"),
        (
            "sqlite+aiosqlite:///nowhere/none.sqlite3",
            "there is no database at nowhere/none.sqlite3",
        ),
    ],
)
def test_a_bad_database_url_is_a_settings_error(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    message: str,
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    code, _, err = run(capsys, "members", "export")
    assert code == 2 and message in err
    assert not (env / "nowhere").exists()


def test_a_partial_file_updates_only_its_columns(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "seed-demo")[0] == 0
    source = env / "names.csv"
    source.write_text(
        "telegram_id,full_name,role,province\n9003,Sreyneang Heng,student,kampot\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "members", "import", str(source))
    assert code == 0 and "updated 1" in out
    rows = {
        r["telegram_id"]: r
        for r in csv.DictReader(io.StringIO(run(capsys, "members", "export")[1]))
    }
    member = rows["9003"]
    assert (member["full_name"], member["province"]) == ("Sreyneang Heng", "kampot")
    assert member["language"] == "km" and member["skills"] == "data;ai;khmer-computing"
    assert (member["open_to_work"], member["alert_frequency"]) == ("true", "instant")


def test_formulas_are_neutralised_in_the_export_and_read_back_unchanged(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = env / "formula.csv"
    source.write_text(
        HEADER + '1201,"=HYPERLINK(""http://x"")",en,student,kep,,ai,false,\n', encoding="utf-8"
    )
    assert run(capsys, "members", "import", str(source))[0] == 0
    exported = run(capsys, "members", "export")[1]
    assert "'=HYPERLINK" in exported
    again = env / "again.csv"
    again.write_text(exported, encoding="utf-8")
    assert run(capsys, "members", "import", str(again))[0] == 0
    assert run(capsys, "members", "export")[1] == exported


def test_a_file_without_the_needed_columns_is_refused(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = env / "wrong.csv"
    source.write_text("name,phone\nDara,012\n", encoding="utf-8")
    code, _, err = run(capsys, "members", "import", str(source))
    assert code == 2
    assert err.strip() == (
        f"dcc-bot: error: {source}: the header lacks telegram_id, full_name, role, province"
    )


def test_commands_refuse_an_unmigrated_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}")
    code, _, err = run(capsys, "members", "export")
    assert code == 2 and "run `dcc-bot db upgrade`" in err


def test_sandbox_without_a_terminal_or_script_says_what_to_do(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(capsys, "sandbox")
    assert code == 2
    assert "standard input is not a terminal: pass --script FILE" in err


def test_tags_suggest_prints_slugs_best_first_or_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "tags", "suggest", "How do I protect my company's passwords from phishing?"
    )
    assert code == 0 and out.splitlines()[0] == "cybersecurity"
    code, out, _ = run(capsys, "tags", "suggest", "--json", "សន្តិសុខពាក្យសម្ងាត់")
    import json

    found = json.loads(out)
    assert found[0]["slug"] == "cybersecurity" and found[0]["score"] > 0
    code, _, err = run(capsys, "tags", "suggest", "  ")
    assert code == 2 and "TEXT is empty" in err


def test_experts_add_verifies_a_member_for_tags(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "seed-demo")[0] == 0
    code, out, _ = run(capsys, "experts", "add", "9001", "--tags", "ai,cybersecurity")
    assert code == 0 and out.strip() == "9001 is an expert for: ai, cybersecurity."
    with pytest.raises(SystemExit) as refused:
        main(["experts", "add", "9002", "--tags", "quantum"])
    assert refused.value.code == 2 and "unknown tag 'quantum'" in capsys.readouterr().err
    code, _, err = run(capsys, "experts", "add", "4444", "--tags", "ai")
    assert code == 2 and "4444 is not a member" in err

    code, out, _ = run(capsys, "experts", "remove", "9001")
    assert code == 0 and out.strip() == (
        "9001 is no longer an expert; the questions offered to them move on."
    )
    assert [action for action, _ in audited(env)].count("expert-removed") == 1
    code, _, err = run(capsys, "experts", "remove", "9001")
    assert code == 2 and "They are not an expert." in err  # the chat's words, as the web's
    code, out, _ = run(capsys, "experts", "add", "9001", "--tags", "web")  # and back again
    assert code == 0 and out.strip() == "9001 is an expert for: web."


def test_broadcast_create_queues_a_broadcast_and_status_counts_it(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "seed-demo")[0] == 0
    code, out, err = run(
        capsys, "broadcast", "create", "--text-km", "សួស្ដី", "--text-en", "Hello",
        "--audience", "role:student", "--audience", "province:siem-reap",
    )  # fmt: skip
    assert code == 0 and out.strip() == "1"
    assert "Broadcast 1 to 1 member (1 in Khmer, 0 in English) is queued for now" in err
    code, out, _ = run(capsys, "broadcast", "status", "1")
    assert code == 0
    assert out.startswith("Broadcast 1: scheduled (from ")
    assert "0 delivered" in out and "0 left" in out
    code, out, _ = run(capsys, "broadcast", "create", "--text", "Both", "--at", "2099-01-01 10:00")
    assert code == 2


def test_broadcast_create_with_a_category_leaves_out_who_switched_it_off(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "seed-demo")[0] == 0
    code, out, err = run(capsys, "broadcast", "create", "--text", "Both")
    total = int(err.split("Broadcast 1 to ")[1].split(" ")[0].replace(",", ""))
    switch_off_events(env)
    code, out, err = run(capsys, "broadcast", "create", "--text", "Both", "--category", "events")
    assert code == 0 and out.strip() == "2"
    assert f"Broadcast 2 to {total - 1:,} members" in err  # the one who switched events off
    code, out, _ = run(capsys, "broadcast", "status", "2")
    assert "events: 0 left out by their choice" in out  # not queued yet
    code, _, err = run(capsys, "broadcast", "create", "--text", "x", "--category", "gossip")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "Unknown category: gossip. Choose one of: official, events," in err


def test_broadcast_create_with_a_poster_protected_and_pinned(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--photo/--document take Telegram's file_id, or a local file kept by its path."""
    assert run(capsys, "seed-demo")[0] == 0
    poster_id = "AgACAgIAAxkBAAIBc2V0cG9zdGVy-_1"
    code, out, _ = run(
        capsys, "broadcast", "create", "--text", "Poster", "--photo", poster_id, "--protect",
        "--pin",
    )  # fmt: skip
    assert code == 0 and out.strip() == "1"
    code, out, _ = run(capsys, "broadcast", "create", "--text", "PDF", "--document", "BQACAgIAAx9")
    assert code == 0 and out.strip() == "2"
    with contextlib.closing(sqlite3.connect(env / "cli.sqlite3")) as db:
        rows = db.execute(
            "SELECT file_kind, file_id, file_path, protect, pin FROM broadcasts ORDER BY id"
        ).fetchall()
    assert rows == [("photo", poster_id, None, 1, 1), ("document", "BQACAgIAAx9", None, 0, 0)]
    local = env / "poster.jpg"
    local.write_bytes(b"\xff\xd8\xff")
    code, out, _ = run(capsys, "broadcast", "create", "--text", "Local", "--photo", str(local))
    assert code == 0 and out.strip() == "3"
    with contextlib.closing(sqlite3.connect(env / "cli.sqlite3")) as db:
        kept = db.execute("SELECT file_kind, file_id, file_path FROM broadcasts WHERE id = 3")
        assert kept.fetchone() == ("photo", None, str(local.resolve()))
    (env / "empty.pdf").write_bytes(b"")
    for args, message in (
        (("--document", "not a file id!"), "is neither a file nor a Telegram file_id"),
        (("--document", str(env / "empty.pdf")), "is empty"),
        (("--photo", str(env)), "is not a file"),
    ):
        code, _, err = run(capsys, "broadcast", "create", "--text", "x", *args)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, args
    with pytest.raises(SystemExit):  # one poster at most: argparse says so
        run(capsys, "broadcast", "create", "--text", "x", "--photo", poster_id, "--document", "B")


def test_broadcast_create_paid_prints_the_estimate_and_sends_only_with_yes(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No terminal to ask in: --paid alone writes nothing and answers the estimate as its
    one-line error (exit 2); --paid --yes sends it paid and prints the estimate."""
    monkeypatch.setenv("DCC_SEND_RATE", "0.05")  # the six demo members: 2 minutes free
    assert run(capsys, "seed-demo")[0] == 0
    before = audited(env)
    code, out, err = run(capsys, "broadcast", "create", "--text", "Flood warning", "--paid")
    estimate = (
        "Paid (fast): about 0.6 Stars, about 1 second instead of 2 minutes"
        " (messages: 6, at most 0.1 Stars each)"
    )
    assert (code, out) == (2, "")
    assert err == f"dcc-bot: error: {estimate}; nothing is sent: add --yes to send it paid\n"
    with contextlib.closing(sqlite3.connect(env / "cli.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM broadcasts").fetchone() == (0,)
    assert audited(env) == before
    code, out, err = run(
        capsys, "broadcast", "create", "--text", "Flood warning", "--paid", "--yes"
    )
    assert (code, out) == (0, "1\n") and err.startswith(estimate + "\n")
    # a poster whose text does not fit its caption: two messages a member
    code, out, err = run(
        capsys, "broadcast", "create", "--text", "Flood " * 200, "--photo", "AgACAgIAAxkB-1",
        "--paid", "--yes",
    )  # fmt: skip
    assert (code, out) == (0, "2\n") and "about 1.2 Stars" in err and "messages: 12," in err
    code, out, _ = run(capsys, "broadcast", "create", "--text", "Free", "--yes")
    assert (code, out) == (0, "3\n")  # --yes alone confirms nothing: a free broadcast
    with contextlib.closing(sqlite3.connect(env / "cli.sqlite3")) as db:
        paid = db.execute("SELECT id, paid FROM broadcasts ORDER BY id").fetchall()
    assert paid == [(1, 1), (2, 1), (3, 0)]
    created = [detail for action, detail in audited(env) if action == "broadcast-created"]
    assert [detail.get("paid") for detail in created] == [True, True, None]


def switch_off_events(env: Path) -> None:
    """One member switches events off (as /subscriptions writes it)."""
    with contextlib.closing(sqlite3.connect(env / "cli.sqlite3")) as db:
        db.execute(
            "INSERT INTO category_opt_outs (member_id, category)"
            " SELECT min(id), 'events' FROM members"
        )
        db.commit()


def test_broadcast_create_refuses_bad_input_on_one_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args, message in (
        (("--text-km", "សួស្ដី"), "give --text-km and --text-en, or --text for both"),
        (("--text", "x", "--audience", "role:wizard"), "audience 'role:wizard' is not one of"),
        (("--text", "x", "--link", "not a link"), "Please send a web address like https://"),
        (("--text", "x", "--at", "tomorrow"), "--at 'tomorrow' is not a time like"),
        (("--text", "x", "--at", "2020-01-01 10:00"), "That moment has passed."),
        (("--text", "x", "--at", "2099-01-01 10:00"), "is more than a year ahead"),
        (("--text", "x" * 3501), "Please send 1 to 3500 characters."),
        (("--text", " \u200b "), "Please send 1 to 3500 characters."),
    ):
        code, _, err = run(capsys, "broadcast", "create", *args)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, args
    code, _, err = run(capsys, "broadcast", "status", "7")
    assert code == 2 and "there is no broadcast 7" in err


@pytest.mark.parametrize("verbose", [False, True])
def test_run_logs_our_info_lines_but_not_the_schedulers_every_second(
    monkeypatch: pytest.MonkeyPatch, verbose: bool
) -> None:
    monkeypatch.setattr(logging.root, "handlers", [])  # as in a fresh process
    monkeypatch.setattr(logging.root, "level", logging.WARNING)
    for name in QUIET_LOGGERS:
        monkeypatch.setattr(logging.getLogger(name), "level", logging.NOTSET)
    configure_logging("run", verbose)
    assert logging.getLogger("bot.app").isEnabledFor(logging.INFO)
    assert logging.getLogger("scheduler.outbox").isEnabledFor(logging.INFO)
    for name in ("apscheduler.executors.default", "apscheduler.scheduler"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)
        assert logging.getLogger(name).isEnabledFor(logging.WARNING)


def test_a_header_naming_a_column_twice_is_a_one_line_error(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = env / "members.csv"
    source.write_text("telegram_id,full_name,role,province,role\n1001,Sok,student,kep,x\n")
    code, out, err = run(capsys, "members", "import", str(source))
    assert code == 2 and out == ""
    assert err == f"dcc-bot: error: {source}: the header names role twice\n"


def test_unknown_columns_get_one_warning_line_and_the_import_goes_on(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = env / "members.csv"
    source.write_text(
        "telegram_id,full_name,role,province,open_to_wrok\n1001,Sok,student,kep,yes\n"
    )
    code, out, err = run(capsys, "members", "import", str(source))
    assert code == 0 and "Imported 1 new" in out
    assert err.count("\n") == 1
    assert err.startswith(f"dcc-bot: warning: {source}: ignoring the unknown columns open_to_wrok")


def test_a_huge_field_and_an_open_quote_are_reported_by_line_and_the_rest_imported(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = env / "members.csv"
    source.write_text(
        "telegram_id,full_name,role,province\n"
        f"1001,{'x' * 140_000},student,kep\n"
        + "1002,Dara,student,kep\n"
        + '1003,"Chan,student,kep\n'
    )
    code, out, err = run(capsys, "members", "import", str(source))
    assert code == 1 and "Imported 1 new member, updated 0 members; 2 rows skipped." in out
    assert err.splitlines() == [
        f"{source}:2: the row has a field longer than 131,072 characters",
        f'{source}:4: the row has a quoted field that is never closed (a " is missing)',
    ]


def test_db_upgrade_says_whether_it_created_migrated_or_found_the_newest_schema(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    newest = head_revision()
    url = f"sqlite+aiosqlite:///{env / 'fresh.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert run(capsys, "db", "upgrade") == (
        0, f"Created the database at the newest schema ({newest}).\n", ""
    )  # fmt: skip
    assert run(capsys, "db", "upgrade")[1] == f"The database is at the newest schema ({newest}).\n"

    older = f"sqlite+aiosqlite:///{env / 'older.sqlite3'}"

    async def build_older() -> None:
        engine = make_engine(older)
        await upgrade(engine, "0002")
        await engine.dispose()

    asyncio.run(build_older())
    monkeypatch.setenv("DATABASE_URL", older)
    assert run(capsys, "db", "upgrade")[1] == (
        f"Migrated the database from schema 0002 to the newest ({newest}).\n"
    )


def test_a_bad_api_url_is_a_one_line_settings_error(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", "notaurl")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:ABC")
    code, out, err = run(capsys, "run")
    assert (code, out) == (2, "")
    assert err.startswith("dcc-bot: error: TELEGRAM_API_URL must be") and err.count("\n") == 1


def test_content_post_publishes_as_the_bot_does_and_refuses_bad_input_on_one_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "content", "post", "--kind", "event", "--title-km", "សិក្ខាសាលា AI",
        "--title-en", "AI workshop", "--summary-en", "Hands-on.", "--link", "dcc.gov.kh/ai",
        "--tags", "ai,data", "--at", "25/12/2026 18:00",
    )  # fmt: skip
    assert code == 0 and out.startswith("Published as #1:")
    with contextlib.closing(sqlite3.connect(env / "cli.sqlite3")) as db:
        row = db.execute(
            "SELECT kind, title_km, title_en, link, event_at FROM content_items"
        ).fetchone()
    assert row == ("event", "សិក្ខាសាលា AI", "AI workshop", "https://dcc.gov.kh/ai", row[4])
    assert str(row[4]).startswith("2026-12-25 11:00")  # 18:00 in Phnom Penh, stored in UTC
    assert ("content-published", {"item": 1}) in audited(env)
    for args, said in (
        (["--kind", "news"], "give --title-km or --title-en"),
        (["--kind", "event", "--title-en", "x"], "an event needs --at"),
        (["--kind", "event", "--title-en", "x", "--at", "soon"], "is not a date and time"),
        (["--kind", "news", "--title-en", "x", "--link", "not a link"], "Please send a web"),
        (["--kind", "opportunity", "--title-en", "x", "--at", "01/01/2020"], "the last day"),
        (["--kind", "news", "--title-en", "x", "--at", "01/01/2027"], "--at is for an event"),
        (["--kind", "news", "--title-en", "x" * 201], "Please send 1 to 200 characters."),
        (["--kind", "news", "--title-en", " "], "Give at least one title"),
    ):
        code, _, err = run(capsys, "content", "post", *args)
        assert code == 2 and said in err and len(err.strip().splitlines()) == 1, (args, err)
    code, _, _ = run(capsys, "content", "post", "--kind", "opportunity", "--title-en", "Grant")
    assert code == 0  # an opportunity's last day is optional


def test_jobs_import_publishes_good_rows_and_reports_bad_ones_by_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "seed-demo")[0] == 0  # company 1, verified, with three jobs
    source = env / "jobs.csv"
    source.write_text(
        "title,description,tags,location,type,deadline,apply_url\n"
        "Data engineer,Pipelines in Python.,data;cloud,phnom-penh,full-time,31/12/2026,\n"
        "Bad tag,x,quantum,kep,full-time,31/12/2026,\n"
        "Stray comma,x,web,kep,full-time,31/12/2026,https://a.example/jobs,extra\n"
        "Past,x,web,kep,full-time,01/01/2020,\n"
        "ភ្នាក់ងារ,ការងារ,web,remote,contract,ថ្ងៃទី៣១ ខែ១២ ឆ្នាំ២០២៦,jobs.example.com/1\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "jobs", "import", str(source), "--company", "1")
    assert code == 1
    assert out.strip() == "Imported 2 jobs for Mekong Cloud Co.; 3 rows skipped."
    lines = [line.split(": ", 1)[0] for line in err.strip().splitlines()]
    assert lines == [f"{source}:3", f"{source}:4", f"{source}:5"]
    assert "unknown tag 'quantum'" in err and "the row has 8 fields, the header 7" in err
    assert audited(env)[-1] == (
        "jobs-imported",
        {"file": "jobs.csv", "company": 1, "imported": 2, "skipped": 3},
    )
    code, _, err = run(capsys, "jobs", "import", str(source), "--company", "7")
    assert code == 2 and "There is no verified company number 7." in err


def test_a_scheduled_broadcast_can_be_cancelled_once(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "broadcast", "create", "--text", "Later", "--at", "2027-01-05 09:00")
    code, out, _ = run(capsys, "broadcast", "cancel", "1")
    assert code == 0 and out.strip() == "Broadcast 1 is cancelled; nothing was sent."
    code, _, err = run(capsys, "broadcast", "cancel", "1")
    assert code == 2 and "This broadcast is cancelled already." in err
    code, _, err = run(capsys, "broadcast", "cancel", "7")
    assert code == 2 and "There is no broadcast #7." in err
    assert run(capsys, "broadcast", "status", "1")[1].startswith("Broadcast 1: cancelled")


def test_web_login_link_prints_a_link_for_staff_only(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DCC_WEB_URL", raising=False)
    monkeypatch.delenv("DCC_WEB_LISTEN", raising=False)
    code, _, err = run(capsys, "web", "login-link", "4242")
    assert (
        code == 2 and err.startswith("dcc-bot: error: 4242 is not staff") and err.count("\n") == 1
    )
    assert main(["admins", "add", "4242"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "web", "login-link", "4242")
    assert code == 0 and out.startswith("http://127.0.0.1:8090/signin?token=")
    monkeypatch.setenv("DCC_WEB_URL", "https://console.mptc.gov.kh/")
    code, out, _ = run(capsys, "web", "login-link", "4242")
    assert out.startswith("https://console.mptc.gov.kh/signin?token=") and out.count("\n") == 1
    with contextlib.closing(sqlite3.connect(env / "cli.sqlite3")) as db:
        stored = [row[0] for row in db.execute("SELECT secret_hash FROM web_sign_ins")]
    token = out.strip().split("token=")[1]
    assert len(stored) == 2 and token not in stored  # only hashes are kept


def test_feeds_are_added_once_listed_paused_resumed_and_removed_once_with_audit_lines(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "feeds", "add", "mptc.gov.kh/rss", "--kind", "news", "--lang", "km")
    assert code == 0 and out.startswith("Feed 1 (news, km): https://mptc.gov.kh/rss.")
    for args, said in (
        (("https://mptc.gov.kh/rss",), "https://mptc.gov.kh/rss is registered already."),
        (("not a link",), "Please send a web address like https://"),
    ):
        code, _, err = run(capsys, "feeds", "add", *args, "--kind", "policy", "--lang", "en")
        assert code == 2 and said in err and len(err.strip().splitlines()) == 1, args
    code, out, _ = run(capsys, "feeds", "list")
    assert code == 0 and out.startswith("1\tnews\tkm\thttps://mptc.gov.kh/rss\tread never")
    assert "paused" not in out
    code, out, _ = run(capsys, "feeds", "pause", "1")
    assert code == 0 and out == "Feed 1 is paused: it is not read until it is resumed.\n"
    code, _, err = run(capsys, "feeds", "pause", "1")
    assert code == 2 and "Feed #1 is paused already." in err and err.count("\n") == 1
    code, out, _ = run(capsys, "feeds", "list")
    assert code == 0 and "1 item" not in out and "0 items; paused since " in out
    code, out, _ = run(capsys, "feeds", "resume", "1")
    assert code == 0 and out.startswith("Feed 1 is read again")
    code, _, err = run(capsys, "feeds", "resume", "1")
    assert code == 2 and "Feed #1 is not paused." in err
    code, _, err = run(capsys, "feeds", "pause", "9")
    assert code == 2 and "There is no feed #9." in err
    assert "paused" not in run(capsys, "feeds", "list")[1]
    assert run(capsys, "feeds", "remove", "1")[:2] == (
        0,
        "Feed 1 is no longer read; its items stay.\n",
    )
    code, _, err = run(capsys, "feeds", "remove", "1")
    assert code == 2 and "There is no feed #1." in err
    assert audited(env) == [
        ("feed-added", {"feed": 1, "url": "https://mptc.gov.kh/rss"}),
        ("feed-paused", {"feed": 1}),
        ("feed-resumed", {"feed": 1}),
        ("feed-removed", {"feed": 1}),
    ]
