"""Reads that grew with the community read an index (migrations 0024 and 0025), on both
databases: the member directory's pages and count, a
broadcast's delivery counts (the console asks every few seconds while it sends), the weeks
of the statistics, whether a follow-up was replied to, and a withdrawn offer's messages
(dropped by their keys while a broadcast's rows wait; an erased expert's answers too). Each test runs the repository's own
statement and asks the database for its plan."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine, make_sessionmaker
from storage.migrate import downgrade, upgrade
from storage.models import Broadcast, OutboxMessage
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
INDEXES = {
    "outbox": "ix_outbox_broadcast_status",
    "members": "ix_members_created_at",
    "questions": "ix_questions_created_at",
    "answers": "ix_answers_reply_to_id",
}
DIRECTORY = "ix_members_directory"
FILTERED = ("ix_members_directory_province", "ix_members_directory_role")  # migration 0027


async def plans(database: AsyncEngine, work: Callable[[UnitOfWork], Awaitable[Any]]) -> str:
    """The plans of the statements ``work`` sends, as the database would run them."""
    return "\n".join(await statement_plans(database, work))


async def statement_plans(
    database: AsyncEngine, work: Callable[[UnitOfWork], Awaitable[Any]]
) -> list[str]:
    """The plan of each statement ``work`` sends, in the order it sends them."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "DELETE")):
            sent.append((statement, parameters))

    async with UnitOfWork(make_sessionmaker(database), lambda: NOW) as uow:
        event.listen(database.sync_engine, "before_cursor_execute", record)
        try:
            await work(uow)
        finally:
            event.remove(database.sync_engine, "before_cursor_execute", record)
    found = []
    async with database.connect() as connection:
        sqlite = database.dialect.name == "sqlite"
        if not sqlite:  # an empty table is cheaper to scan: ask whether the index can serve
            await connection.execute(text("SET enable_seqscan = off"))
        for statement, parameters in sent:
            explain = ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement
            rows = await connection.exec_driver_sql(explain, parameters)
            found.append("\n".join(str(row[-1] if sqlite else row[0]) for row in rows))
    return found


async def test_a_broadcasts_counts_read_its_rows_from_the_index(database: AsyncEngine) -> None:
    async def count(uow: UnitOfWork) -> None:
        broadcast = Broadcast(id=7, total=0, left_out=0, expanded=False, final_counts=None)
        await uow.broadcasts.delivery(broadcast)

    plan = await plans(database, count)
    assert "ix_outbox_broadcast_status" in plan
    if database.dialect.name == "sqlite":
        assert "COVERING INDEX" in plan  # the counts from the index alone


async def test_the_messages_broadcasts_delivered_are_counted_by_broadcast_not_all_sent_rows(
    database: AsyncEngine,
) -> None:
    """The statistics' total: the broadcasts whose counts are not kept yet, by the index of
    their rows; never every sent row of the outbox, notices included. PostgreSQL plans by
    its statistics (its autovacuum keeps them): it is shown many sent notices first."""
    if database.dialect.name == "postgresql":
        async with database.begin() as connection:
            await connection.execute(
                insert(OutboxMessage),
                [
                    {
                        "chat_id": n, "text": "notice", "status": "sent", "attempts": 0,
                        "not_before": NOW, "created_at": NOW, "priority": 0,
                    }
                    for n in range(3000)
                ],
            )  # fmt: skip
        async with database.connect() as connection:
            await connection.execute(text("ANALYZE outbox"))
            await connection.commit()
    plan = await plans(database, lambda uow: uow.broadcasts.delivered_total())
    assert "ix_outbox_broadcast_status" in plan and "ix_outbox_due" not in plan


async def test_the_statistics_weeks_read_the_creation_indexes(database: AsyncEngine) -> None:
    async def weeks(uow: UnitOfWork) -> None:
        await uow.stats.joined_since(NOW)
        await uow.stats.asked_since(NOW)

    plan = await plans(database, weeks)
    assert "ix_members_created_at" in plan and "ix_questions_created_at" in plan


async def test_a_follow_ups_reply_is_found_by_the_index_of_replies(database: AsyncEngine) -> None:
    plan = await plans(database, lambda uow: uow.questions.reply_to(3))
    assert "ix_answers_reply_to_id" in plan


async def test_a_withdrawn_offer_is_dropped_by_its_keys_not_a_scan_of_the_pending_rows(
    database: AsyncEngine,
) -> None:
    plan = await plans(database, lambda uow: uow.outbox.cancel(["offer:9", "offer:10"]))
    assert "ix_outbox_due" not in plan
    if database.dialect.name == "sqlite":
        assert "USING INDEX sqlite_autoindex_outbox" in plan and "(dedupe_key=?)" in plan
    else:
        assert "uq_outbox_dedupe_key" in plan


async def test_the_directory_walks_its_index_for_the_page_and_the_count(
    database: AsyncEngine,
) -> None:
    """Each page press counted and sorted every member; the count is read from the index
    of the directory's members, in its order, as the page is."""
    count, page = await statement_plans(
        database, lambda uow: uow.community.directory(1, None, None, None, 40, 8)
    )
    assert DIRECTORY in count and DIRECTORY in page, (count, page)
    if database.dialect.name == "sqlite":
        assert "TEMP B-TREE FOR ORDER BY" not in count + page  # in the index's order, not sorted


async def directory(province: str | None, role: str | None, uow: UnitOfWork) -> Any:
    return await uow.community.directory(1, None, province, role, 0, 8)


async def test_the_directorys_count_tests_no_member_against_the_searchers_blocks(
    database: AsyncEngine,
) -> None:
    """It counts those who match less the few of them the searcher may not see (themselves,
    a block's other side), looked up by id: testing every member against the blocks took
    half the count. A province's or a role's members are counted by their own index (SQLite),
    not sorted into the directory's order for nothing."""
    sqlite = database.dialect.name == "sqlite"
    for province, role in ((None, None), ("kampot", None), (None, "student")):
        count, _page = await statement_plans(database, partial(directory, province, role))
        if not sqlite:
            assert "SubPlan" not in count, count  # the blocks read once, not per member
            continue
        assert "LIST SUBQUERY" not in count and "USING INTEGER PRIMARY KEY" in count, count
        if province or role:
            assert "TEMP B-TREE FOR ORDER BY" not in count, count


@pytest.mark.parametrize(
    ("province", "role", "index"),
    [
        ("kampot", None, "ix_members_directory_province"),
        (None, "student", "ix_members_directory_role"),
        ("kampot", "student", "ix_members_directory_"),
    ],
)
async def test_the_directory_filtered_reads_the_index_of_its_filter(
    database: AsyncEngine, province: str | None, role: str | None, index: str
) -> None:
    """A province's or a role's page stops after its rows, in the index's order, and its
    count reads that index alone (migration 0027): both looked up every member of the
    province or role (20,000 at 100,000 members), and the page sorted them."""
    count, page = await statement_plans(database, partial(directory, province, role))
    assert index in page, page
    if database.dialect.name == "sqlite":
        assert index in count, count
        assert "TEMP B-TREE FOR ORDER BY" not in page, page
    else:  # either index holds both filters: an empty table's plan may take the other
        assert any(f"Index Only Scan using {name}" in count for name in FILTERED), count


async def test_the_migration_adds_the_indexes_and_takes_them_away(tmp_path: Path) -> None:
    def indexes(connection: Connection) -> set[str]:
        inspector = inspect(connection)
        return {index["name"] or "" for table in INDEXES for index in inspector.get_indexes(table)}

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
    await upgrade(engine, "0025")
    async with engine.connect() as connection:
        assert DIRECTORY in await connection.run_sync(indexes)
    await downgrade(engine, "0024")
    async with engine.connect() as connection:
        assert DIRECTORY not in await connection.run_sync(indexes)
    async with engine.connect() as connection:
        found = await connection.run_sync(indexes)
        assert set(INDEXES.values()) <= found and "ix_outbox_broadcast_id" not in found
    await downgrade(engine, "0023")
    async with engine.connect() as connection:
        found = await connection.run_sync(indexes)
        assert not set(INDEXES.values()) & found and "ix_outbox_broadcast_id" in found
    await upgrade(engine)
    async with engine.connect() as connection:
        assert set(INDEXES.values()) <= await connection.run_sync(indexes)
    await engine.dispose()


async def test_the_directory_filter_indexes_come_and_go_with_their_migration(
    tmp_path: Path,
) -> None:
    def indexes(connection: Connection) -> set[str]:
        return {index["name"] or "" for index in inspect(connection).get_indexes("members")}

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'filters.sqlite3'}")
    await upgrade(engine)
    async with engine.connect() as connection:
        assert set(FILTERED) <= await connection.run_sync(indexes)
    await downgrade(engine, "0026")
    async with engine.connect() as connection:
        found = await connection.run_sync(indexes)
        assert not set(FILTERED) & found and DIRECTORY in found
    await engine.dispose()


async def test_an_expert_with_thousands_of_answers_is_erased_whole(database: AsyncEngine) -> None:
    """Their answers' notices not sent yet are dropped by key, in statements small enough
    for the database (asyncpg takes 32,767 parameters; eight keys an answer went over)."""
    from sqlalchemy import select

    from storage.models import Answer, Member, Question
    from storage.privacy import erase_member

    sessions = make_sessionmaker(database)
    async with UnitOfWork(sessions, lambda: NOW) as uow:
        row = {
            "telegram_id": 42, "full_name": "Sophea", "language": "en", "role": "student",
            "province": "phnom-penh", "country": None, "skills": [], "open_to_work": False,
            "alert_frequency": "off", "directory_visible": False, "username": None,
            "organisation": None, "years_experience": None,
        }  # fmt: skip
        await uow.members.upsert_many([row], NOW)
        expert = await uow.members.get(42)
        assert expert is not None
        question = Question(
            asker_id=expert.id, text="?", search_tokens="", status="answered", round=1,
            hidden=False, created_at=NOW,
        )  # fmt: skip
        uow.session.add(question)
        await uow.session.flush()
        await uow.session.execute(
            insert(Answer),
            [
                {
                    "question_id": question.id, "expert_id": expert.id, "text": "Yes.",
                    "helpful": False, "accepted": False, "hidden": False, "anonymous": False,
                    "created_at": NOW,
                }
                for _ in range(4_200)
            ],
        )  # fmt: skip
        last = await uow.session.scalar(select(Answer.id).order_by(Answer.id.desc()).limit(1))
        await uow.outbox.enqueue(7, ["Part one", "part two"], None, NOW, f"answer:{last}")
        await erase_member(uow.session, expert, NOW)
        await uow.session.flush()
        left = await uow.session.scalars(select(OutboxMessage.dedupe_key))
        assert list(left) == []
        assert (await uow.session.get(Member, expert.id)) is not None  # the row stays, emptied
