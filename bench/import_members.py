"""Benchmark ``dcc-bot members import``: the target is 100,000 rows in under a minute.

    .venv/bin/python bench/import_members.py [--rows 100000] [--database-url URL]

Writes a realistic members CSV (Khmer and English names, every province, 1–4 skills, about
1% deliberately bad rows) to a temporary folder, migrates a fresh database with
``dcc-bot db upgrade``, then times, each as a child process (wall time):

1. ``dcc-bot members import FILE``   every row is new (the insert path),
2. ``dcc-bot members import FILE``   again, every row exists (the update path),
3. ``dcc-bot members export``        streamed to this script, which counts its lines.

The imports run with standard error on a pseudo-terminal, as an operator sees them, so the
progress bar is drawn (and costs what it costs). The script checks the import summaries, the
line numbers of the bad rows and the exported member count, prints a table, and exits 1 on
FAIL (an import over the target, or a wrong result). It touches local files and, with
``--database-url``, a database on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import os
import random
import re
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scratch_database import refuse_remote
from sqlalchemy.engine import make_url

from bot.members_csv import COLUMNS
from storage.seed.choices import ALERT_FREQUENCIES, ROLES
from storage.seed.provinces import ABROAD, PROVINCES
from storage.seed.tags import SLUGS

TARGET_SECONDS = 60.0
# Settings the child must not pick up from this shell: it talks to no one but the database.
UNSET = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "DCC_ADMIN_IDS", "DCC_WEBHOOK_URL")

KHMER_FAMILY = ("សុខ", "ចាន់", "ហេង", "លី", "ជា", "កែវ", "ស៊ុន", "ម៉ម", "នួន", "ឈឹម", "យឹម", "ពៅ")
KHMER_GIVEN = (
    "ដារ៉ា", "ចាន់ថា", "វណ្ណា", "សុភា", "ពិសិដ្ឋ", "រតនា", "សុវណ្ណ", "បញ្ញា",
    "ស្រីនិច", "វិចិត្រ", "មករា", "សំណាង", "ធីតា", "បូរ៉ា", "ច័ន្ទតារា", "សុខលី",
)  # fmt: skip
LATIN_FAMILY = (
    "Sok", "Chan", "Heng", "Ly", "Chea", "Keo", "Sun", "Mom", "Nuon", "Chhim", "Yim", "Pov",
    "Tan", "Lim", "Smith", "Nguyen", "Tanaka", "Dubois",
)  # fmt: skip
LATIN_GIVEN = (
    "Dara", "Chantha", "Vanna", "Sophea", "Piseth", "Rotana", "Sovann", "Panha", "Sreynich",
    "Vichet", "Makara", "Samnang", "Thida", "Bora", "Sokly", "Marie", "Kenji", "Anna",
)  # fmt: skip
ORGANISATIONS = (
    "Ministry of Post and Telecommunications", "Royal University of Phnom Penh",
    "Institute of Technology of Cambodia", "ABA Bank", "Smart Axiata", "Cellcard",
    "CADT", "Techo Startup Center", "Wing Bank", "ក្រសួងប្រៃសណីយ៍ និងទូរគមនាគមន៍",
    "សាកលវិទ្យាល័យភូមិន្ទភ្នំពេញ", "Freelance",
)  # fmt: skip
COUNTRIES = ("Japan", "Thailand", "Singapore", "France", "Australia", "United States", "ជប៉ុន")
BAD_KINDS = (
    "role", "province", "skill", "telegram_id", "repeat", "no-country", "created_at",
    "years", "open_to_work", "name", "fields",
)  # fmt: skip


@dataclass
class Sample:
    path: Path
    rows: int
    good: int
    bad_lines: set[int] = field(default_factory=set)


@dataclass
class Run:
    name: str
    rows: int
    seconds: float
    max_rss_kib: int
    code: int
    stdout: str
    stderr: str


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    dcc_bot = _dcc_bot()
    workdir = Path(tempfile.mkdtemp(prefix="dcc-bench-"))
    try:
        url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        refuse_remote(url)
        env = {k: v for k, v in os.environ.items() if k not in UNSET} | {"DATABASE_URL": url}
        print(f"database: {make_url(url).render_as_string(hide_password=True)}")

        started = time.perf_counter()
        sample = write_csv(workdir / "members.csv", args.rows, args.bad_percent, args.seed)
        size = sample.path.stat().st_size / 1e6
        print(
            f"csv: {sample.path} ({sample.rows:,} rows, {len(sample.bad_lines):,} bad, "
            f"{size:.1f} MB, written in {time.perf_counter() - started:.1f} s)"
        )
        migrate = _child([*dcc_bot, "db", "upgrade"], env, workdir, "migrate", 0)
        if migrate.code != 0:
            return _fail("dcc-bot db upgrade failed", migrate)
        before = _child([*dcc_bot, "members", "export"], env, workdir, "export", 0, count=True)
        if before.code != 0 or before.rows != 0:
            return _fail("the database must be migrated and hold no members", before)

        problems: list[str] = []
        runs = []
        command = [*dcc_bot, "members", "import", str(sample.path)]
        for name, new, updated in (
            ("import (new)", sample.good, 0),
            ("import (update)", 0, sample.good),
        ):
            run = _child(command, env, workdir, name, sample.rows, tty=not args.no_tty)
            runs.append(run)
            problems += _check_import(run, sample, new, updated, expect_bar=not args.no_tty)
        export = _child([*dcc_bot, "members", "export"], env, workdir, "export", 0, count=True)
        runs.append(export)
        if export.code != 0:
            problems.append(f"export: exit code {export.code}: {export.stderr.strip()[-300:]}")
        elif export.rows != sample.good:
            problems.append(f"export: {export.rows:,} member(s), expected {sample.good:,}")
        for run in runs[:2]:
            if run.seconds >= args.target:
                problems.append(f"{run.name}: {run.seconds:.1f} s, the target is {args.target:g} s")

        _table(runs, args.target, problems)
        if args.keep:
            print(f"kept: {workdir}")
        return 1 if problems else 0
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="CSV rows (default 100000)")
    parser.add_argument(
        "--database-url",
        default="",
        help="an empty database on this machine (default: a new SQLite file in a temp folder)",
    )
    parser.add_argument("--bad-percent", type=float, default=1.0, help="bad rows (default 1)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--target", type=float, default=TARGET_SECONDS, help="seconds (60)")
    parser.add_argument("--no-tty", action="store_true", help="no pseudo-terminal, no bar")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    return parser


def _dcc_bot() -> list[str]:
    """The console script next to this interpreter (the venv's), else the module."""
    script = Path(sys.executable).parent / "dcc-bot"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "bot.cli"]


# -- the CSV ---------------------------------------------------------------------------------
def write_csv(path: Path, rows: int, bad_percent: float, seed: int) -> Sample:
    """``rows`` data rows; every ``100 / bad_percent``-th is bad in one of BAD_KINDS' ways."""
    rng = random.Random(seed)
    ids = rng.sample(range(100_000_000, 8_000_000_000), rows)
    every = max(round(100 / bad_percent), 2) if bad_percent > 0 else 0
    sample = Sample(path, rows, 0)
    epoch = datetime(2023, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for index in range(rows):
            line = index + 2  # the header is line 1
            row = _good_row(rng, ids[index], epoch)
            if every and index % every == every - 1:
                _spoil(rng, row, BAD_KINDS[(index // every) % len(BAD_KINDS)], ids)
                sample.bad_lines.add(line)
            else:
                sample.good += 1
            writer.writerow(row)
    return sample


def _good_row(rng: random.Random, telegram_id: int, epoch: datetime) -> list[str]:
    khmer = rng.random() < 0.5
    if khmer:
        name = f"{rng.choice(KHMER_FAMILY)} {rng.choice(KHMER_GIVEN)}"
    elif rng.random() < 0.05:
        name = f"{rng.choice(LATIN_FAMILY)}, {rng.choice(LATIN_GIVEN)}"  # quoted by csv
    else:
        name = f"{rng.choice(LATIN_GIVEN)} {rng.choice(LATIN_FAMILY)}"
    abroad = rng.random() < 0.05
    open_to_work = rng.random() < 0.4
    created = epoch + timedelta(seconds=rng.randrange(3 * 365 * 86400))
    when = rng.random()
    return [
        str(telegram_id),
        name,
        "km" if khmer or rng.random() < 0.1 else "en",
        rng.choice(ROLES),
        ABROAD if abroad else rng.choice(PROVINCES).slug,
        rng.choice(COUNTRIES) if abroad else "",
        ";".join(rng.sample(SLUGS, rng.randint(1, 4))),
        rng.choice(("true", "yes")) if open_to_work else rng.choice(("false", "no", "")),
        # most rows carry created_at (as an export does), some naive, some leave it empty
        created.isoformat(timespec="seconds")
        if when < 0.8
        else created.replace(tzinfo=None).isoformat()
        if when < 0.9
        else "",
        f"user{telegram_id}" if rng.random() < 0.7 else "",
        rng.choice(ORGANISATIONS) if rng.random() < 0.6 else "",
        str(rng.randint(0, 30)) if rng.random() < 0.7 else "",
        rng.choice(ALERT_FREQUENCIES) if open_to_work else "",
        "true" if rng.random() < 0.5 else "false",
    ]


def _spoil(rng: random.Random, row: list[str], kind: str, ids: list[int]) -> None:
    position = {c: i for i, c in enumerate(COLUMNS)}
    match kind:
        case "role":
            row[position["role"]] = "wizard"
        case "province":
            row[position["province"]] = "atlantis"
        case "skill":
            row[position["skills"]] += ";quantum"
        case "telegram_id":
            row[position["telegram_id"]] = rng.choice(("abc", "-5", "0", str(2**53)))
        case "repeat":  # the first row is never bad, so the id repeats a good line
            row[position["telegram_id"]] = str(ids[0])
        case "no-country":
            row[position["province"]], row[position["country"]] = ABROAD, ""
        case "created_at":
            row[position["created_at"]] = "yesterday"
        case "years":
            row[position["years_experience"]] = "99"
        case "open_to_work":
            row[position["open_to_work"]] = "maybe"
        case "name":
            row[position["full_name"]] = "12345"
        case "fields":
            row.append("extra")


# -- the children ----------------------------------------------------------------------------
def _child(
    command: list[str],
    env: dict[str, str],
    cwd: Path,
    name: str,
    rows: int,
    tty: bool = False,
    count: bool = False,
) -> Run:
    """Run to the end and time it; stdout is read (lines counted with ``count``), stderr
    goes to a pseudo-terminal with ``tty``. Peak RSS comes from the child's own rusage."""
    master = slave = -1
    if tty:
        master, slave = os.openpty()
        # a terminal of 100 x 30: with the size left at 0 x 0 tqdm draws nothing
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,  # no ./.env of the project is read
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave if tty else subprocess.PIPE,
    )
    if tty:
        os.close(slave)
    out: list[bytes] = []
    err: list[bytes] = []
    lines = [0]
    assert process.stdout is not None

    def read_stdout() -> None:
        assert process.stdout is not None
        while chunk := process.stdout.read(1 << 16):
            if count:
                lines[0] += chunk.count(b"\n")
                if len(out) < 1:
                    out.append(chunk[:4096])  # the header, for error messages
            else:
                out.append(chunk)

    def read_stderr() -> None:
        while True:
            try:
                chunk = os.read(master, 1 << 16) if tty else process.stderr.read(1 << 16)  # type: ignore[union-attr]
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            err.append(chunk)

    readers = [threading.Thread(target=read_stdout), threading.Thread(target=read_stderr)]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    seconds = time.perf_counter() - started
    if tty:
        os.close(master)
    process.stdout.close()
    if process.stderr is not None:
        process.stderr.close()
    stdout = b"".join(out).decode("utf-8", "replace")
    if count:
        rows = max(lines[0] - 1, 0)  # less the header
    return Run(
        name,
        rows,
        seconds,
        usage.ru_maxrss,  # KiB on Linux
        process.returncode,
        stdout,
        b"".join(err).decode("utf-8", "replace").replace("\r\n", "\n"),
    )


def _check_import(
    run: Run, sample: Sample, inserted: int, updated: int, expect_bar: bool
) -> list[str]:
    problems = []
    expected_code = 1 if sample.bad_lines else 0
    if run.code != expected_code:
        tail = run.stderr.strip().splitlines()[-1:] or [""]
        problems.append(f"{run.name}: exit code {run.code}, expected {expected_code}: {tail[0]}")
        return problems
    summary = (
        f"Imported {inserted} new and updated {updated} member(s); "
        f"{len(sample.bad_lines)} row(s) skipped."
    )
    if summary not in run.stdout:
        problems.append(f"{run.name}: printed {run.stdout.strip()!r}, expected {summary!r}")
    pattern = re.compile(rf"^{re.escape(str(sample.path))}:(\d+): ", re.MULTILINE)
    reported = {int(n) for n in pattern.findall(run.stderr.replace("\r", "\n"))}
    if reported != sample.bad_lines:
        missing = sorted(sample.bad_lines - reported)[:5]
        extra = sorted(reported - sample.bad_lines)[:5]
        problems.append(f"{run.name}: bad lines not reported {missing}, wrongly reported {extra}")
    if expect_bar and "Importing" not in run.stderr:
        problems.append(f"{run.name}: no progress bar on the terminal")
    return problems


def _table(runs: list[Run], target: float, problems: list[str]) -> None:
    print()
    print(f"{'run':<16} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'peak RSS':>10}")
    for run in runs:
        rate = run.rows / run.seconds if run.seconds else 0.0
        print(
            f"{run.name:<16} {run.rows:>9,} {run.seconds:>8.2f} {rate:>9,.0f} "
            f"{run.max_rss_kib / 1024:>7.0f} MB"
        )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak RSS of any child (RUSAGE_CHILDREN): {peak / 1024:.0f} MB")
    print()
    for problem in problems:
        print(f"  - {problem}")
    slowest = max(run.seconds for run in runs[:2])
    verdict = "FAIL" if problems else "PASS"
    print(f"{verdict}: slowest import {slowest:.1f} s, target {target:g} s")


def _fail(message: str, run: Run) -> int:
    print(f"FAIL: {message} (exit code {run.code}): {run.stderr.strip()[-500:]}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
