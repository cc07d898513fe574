"""The table of scheduled jobs: each job once, every trigger valid in Cambodia, the README's
list of schedules the same as the table, and run_due_work / the catch-up driven by it."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from scheduler import jobs as jobs_module
from scheduler.clock import Daily, Every
from scheduler.jobs import JOBS, JobRuntime, ScheduledJob, catch_up, job, run_due_work, schedule
from scheduler.outbox import OutboxSender
from tests.conftest import PROJECT

PP = ZoneInfo("Asia/Phnom_Penh")


def test_the_table_holds_each_job_once() -> None:
    names = [row.name for row in JOBS]
    assert len(names) == len(set(names)), names
    works = [row.work for row in JOBS]
    assert len(works) == len(set(works)), "two rows do the same work"
    assert all(job(name).name == name for name in names)
    with pytest.raises(KeyError):
        job("no-such-job")


@pytest.mark.parametrize("row", JOBS, ids=[row.name for row in JOBS])
def test_every_trigger_is_valid_in_phnom_penh(row: ScheduledJob) -> None:
    after = datetime(2026, 11, 25, 9, 17, 41, tzinfo=PP)  # a Wednesday
    trigger = row.when.trigger(PP)
    following = trigger.get_next_fire_time(None, after)
    assert following is not None and following >= after
    assert following.tzinfo is not None and following.utcoffset() == timedelta(hours=7)
    if isinstance(row.when, Daily):
        local = following.astimezone(PP)
        assert (local.hour, local.minute) == (row.when.hour, row.when.minute)
        assert following - after < timedelta(days=32)
    else:
        assert isinstance(row.when, Every) and 0 < row.when.seconds <= 3600


def test_the_scheduler_runs_every_row_on_its_trigger_in_the_community_time_zone() -> None:
    nothing: dict[str, Any] = {f.name: None for f in fields(JobRuntime)}
    runtime = JobRuntime(**(nothing | {"timezone": PP}))
    scheduler = schedule(runtime)
    scheduled = {entry.id: entry for entry in scheduler.get_jobs()}
    assert list(scheduled) == [row.name for row in JOBS]
    for row in JOBS:
        assert scheduled[row.name].trigger.timezone == PP
        assert scheduled[row.name].max_instances == 1


def readme_schedules() -> list[tuple[str, str]]:
    """The (job, when) rows of the README's table of schedules."""
    lines = (PROJECT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| job | when | what |") + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        name, when = (cell.strip() for cell in line.strip("|").split("|")[:2])
        rows.append((name.strip("`"), when))
    return rows


def test_the_readme_lists_the_schedules_of_the_table() -> None:
    assert readme_schedules() == [(row.name, row.when.describe()) for row in JOBS]


class Runs:
    """Fake rows that record when they run, and an outbox that counts its drains."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.waiting = 3  # messages the outbox holds, sent one drain call at a time

    def row(self, name: str, **options: bool) -> ScheduledJob:
        async def work(_runtime: JobRuntime) -> int:
            self.log.append(name)
            if name == "queues":
                self.waiting += 2
            return 1

        return ScheduledJob(name, Every(60), work, **options)

    async def drain(self, limit: int) -> int:
        sent = min(self.waiting, 1)
        self.waiting -= sent
        self.log.append(f"drain:{sent}")
        return sent


async def test_run_due_work_runs_the_table_in_order_then_drains_then_reruns_what_reports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = Runs()
    table = (
        runs.row("first"),
        runs.row("network", due_work=False),
        runs.row("queues", after_sending=True),
        runs.row("last", on_lead=True),
    )
    monkeypatch.setattr(jobs_module, "JOBS", table)
    runtime = cast(JobRuntime, None)
    sent = await run_due_work(runtime, cast(OutboxSender, runs))
    assert runs.log == [
        "first", "queues", "last",
        "drain:1", "drain:1", "drain:1", "drain:1", "drain:1", "drain:0",
        "queues",
        "drain:1", "drain:1", "drain:0",
    ]  # fmt: skip
    assert sent == 7
    runs.log.clear()
    await catch_up(runtime)
    assert runs.log == ["last"]


def test_taking_the_lead_catches_up_the_digests_and_the_monthly_thanks() -> None:
    assert [row.name for row in JOBS if row.on_lead] == [
        "daily-digests",
        "weekly-digests",
        "monthly-thanks",
    ]
    assert [row.name for row in JOBS if not row.due_work] == ["feeds", "outbox-retention"]


async def test_a_job_that_meets_a_closed_connection_runs_again_at_once() -> None:
    """The database restarted under the daily digest: it runs again now, not tomorrow; any
    other failure is left to the scheduler (logged, the job's next time)."""
    from sqlalchemy.exc import DBAPIError

    runs: list[str] = []

    async def digest(_runtime: JobRuntime) -> int:
        runs.append("digest")
        if len(runs) == 1:
            raise DBAPIError("SELECT 1", {}, OSError("closed"), connection_invalidated=True)
        return 7

    async def broken(_runtime: JobRuntime) -> int:
        raise DBAPIError("SELECT 1", {}, OSError("syntax"))

    runtime = cast(JobRuntime, None)
    assert await jobs_module._bound(digest, runtime)() == 7
    assert runs == ["digest", "digest"]
    with pytest.raises(DBAPIError):
        await jobs_module._bound(broken, runtime)()
