"""/deleteme drops the outbox messages about the member by the outbox's indexes, a statement
each (their chat, each key prefix, the keys): OR'ed with LIKE patterns in one statement they
read a million rows inside the erasure's transaction. The same messages go as before, in a
PostgreSQL database ordered as a language is too (postgres:15 is en_US.utf8)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import ColumnElement, event, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine, make_sessionmaker
from storage.migrate import downgrade, upgrade
from storage.models import (
    Company,
    ConnectionRequest,
    ExpertApplication,
    Job,
    JobApplication,
    Member,
    OutboxMessage,
    ProfileReport,
)
from storage.privacy import erase_member
from storage.uow import UnitOfWork
from tests.postgres import PostgresServer
from tests.unit.test_scale_indexes import NOW, plans

ERASED, OTHER, THIRD = 42, 43, 44  # Telegram ids
MINE, NEAR = 12, (1, 2, 13, 120, 123)  # the erased member's rows' ids, and others' beside them
PREFIXED = ("application", "application-job", "company", "member-report")
EXACT = ("connect", "connected", "connect-declined")


def member(telegram_id: int) -> dict[str, object]:
    return {
        "telegram_id": telegram_id, "full_name": f"Member {telegram_id}", "language": "en",
        "role": "student", "province": "phnom-penh", "country": None, "skills": [],
        "open_to_work": False, "alert_frequency": "off", "directory_visible": False,
        "username": None, "organisation": None, "years_experience": None,
    }  # fmt: skip


async def community(uow: UnitOfWork) -> Member:
    """The erased member's application, job application, company request, report about
    them and connection request, each numbered 12, and others' numbered 1, 2, 13, 120, 123."""
    await uow.members.upsert_many([member(t) for t in (ERASED, OTHER, THIRD)], NOW)
    me, other, third = [
        await uow.session.scalar(select(Member.id).where(Member.telegram_id == t))
        for t in (ERASED, OTHER, THIRD)
    ]
    assert me is not None and other is not None and third is not None

    def whose(i: int) -> tuple[int, int]:
        return (me, other) if i == MINE else (other, third)

    ids = (MINE, *NEAR)
    uow.session.add_all(
        Company(
            id=i, name=f"Company {i}", registration_no=str(i), sector="IT", about="",
            status="pending", created_by=whose(i)[0], created_at=NOW,
        )
        for i in ids
    )  # fmt: skip
    await uow.session.flush()
    uow.session.add_all(
        Job(
            id=i, company_id=NEAR[0], posted_by=other, title="Job", description="",
            location="phnom-penh", job_type="full-time", deadline=date(2027, 1, 1),
            deadline_at=NOW, status="open", published_at=NOW, instant_alerts_done=True,
        )
        for i in ids
    )  # fmt: skip
    await uow.session.flush()
    for i in ids:
        mine, theirs = whose(i)
        uow.session.add_all(
            [
                ExpertApplication(id=i, member_id=mine, tags="", note="", created_at=NOW),
                JobApplication(id=i, job_id=i, member_id=mine, created_at=NOW),
                ProfileReport(id=i, reporter_id=theirs, member_id=mine, created_at=NOW),
                ConnectionRequest(id=i, sender_id=mine, recipient_id=theirs, created_at=NOW),
            ]
        )
    await uow.session.flush()
    keys = [
        f"{kind}:{i}{tail}"
        for kind in PREFIXED
        for i in ids
        for tail in (":900", ":900#2", ":", ":é", "", ";", ";900")
    ]
    keys += [f"{kind}:{i}{tail}" for kind in EXACT for i in ids for tail in ("", ":")]
    keys += ["applications:12:900", "application:", "application;", "company", "connect"]
    messages = [(900, key) for key in keys] + [(ERASED, None), (ERASED, "job:5:42")]
    messages += [(OTHER, None), (ERASED + 1_000, "job:5:42000"), (THIRD, "application:012:9")]
    await uow.session.execute(
        insert(OutboxMessage),
        [
            {
                "chat_id": chat, "text": "A notice", "dedupe_key": key, "status": "pending",
                "attempts": 0, "not_before": NOW, "created_at": NOW, "priority": 0,
            }
            for chat, key in messages
        ],
    )  # fmt: skip
    erased = await uow.members.get(ERASED)
    assert erased is not None
    return erased


def before() -> ColumnElement[bool]:
    """What the erasure's one statement deleted, its OR of the chat and LIKE patterns."""
    key = OutboxMessage.dedupe_key
    return or_(
        OutboxMessage.chat_id == ERASED,
        *(key.like(f"{kind}:{MINE}:%") for kind in PREFIXED),
        key.in_([f"{kind}:{MINE}" for kind in EXACT]),
    )


async def erased_as_before(engine: AsyncEngine) -> None:
    async with UnitOfWork(make_sessionmaker(engine), lambda: NOW) as uow:
        erased = await community(uow)
        everything = set(await uow.session.scalars(select(OutboxMessage.id)))
        doomed = set(await uow.session.scalars(select(OutboxMessage.id).where(before())))
        await erase_member(uow.session, erased, NOW)
        await uow.session.flush()
        left = set(await uow.session.scalars(select(OutboxMessage.id)))
    # the chat's two; ":900", ":900#2", ":" and ":é" under each prefix; the exact keys
    assert len(doomed) == 2 + len(PREFIXED) * 4 + len(EXACT)
    assert left == everything - doomed


async def test_an_erasure_drops_the_messages_it_always_dropped(database: AsyncEngine) -> None:
    """The member's chat's, their keys' and their prefixes' ("application:12:…"), and none
    beside them ("application:1:…", "application:120:…", "application:12;…")."""
    await erased_as_before(database)


async def test_as_in_a_database_in_a_languages_order(postgres_server: PostgresServer) -> None:
    """ICU's en-US here, as glibc's en_US.utf8 of a postgres:15 database: punctuation does
    not sort as its bytes, and the range from "application:12:" to "application:12;" missed
    the keys under it until they sorted byte by byte (migration 0026)."""
    from asyncpg import FeatureNotSupportedError

    name = "dcc_erasure_en_us"
    try:
        await postgres_server.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
            " LOCALE 'C.UTF-8'"
        )
    except FeatureNotSupportedError:
        pytest.skip("this PostgreSQL has no ICU")
    engine = make_engine(postgres_server.url(name))
    try:
        await upgrade(engine)
        await erased_as_before(engine)
    finally:
        await engine.dispose()
        await postgres_server.drop_database(name)


async def test_an_erasure_reads_no_outbox_row_but_the_members(database: AsyncEngine) -> None:
    """The chat's by its index, each prefix's as a range of the keys' unique index."""
    async with UnitOfWork(make_sessionmaker(database), lambda: NOW) as uow:
        await community(uow)
        await uow.commit()

    async def erase(uow: UnitOfWork) -> None:
        erased = await uow.members.get(ERASED)
        assert erased is not None
        await erase_member(uow.session, erased, NOW)

    plan = await plans(database, erase)
    if database.dialect.name == "sqlite":
        assert "SCAN outbox" not in plan
        assert "USING COVERING INDEX ix_outbox_chat_id (chat_id=?)" in plan
        assert "sqlite_autoindex_outbox_1 (dedupe_key>? AND dedupe_key<?)" in plan
    else:
        assert "Seq Scan on outbox" not in plan
        assert "Index Scan using ix_outbox_chat_id on outbox" in plan
        assert "Index Cond: (((dedupe_key)::text >= 'application:12:'" in plan


async def test_the_migration_sorts_the_keys_byte_by_byte_and_back(
    postgres_server: PostgresServer,
) -> None:
    name = await postgres_server.new_database()
    engine = make_engine(postgres_server.url(name))

    async def collation() -> str | None:
        async with engine.connect() as connection:
            return await connection.scalar(
                text(
                    "SELECT collation_name FROM information_schema.columns"
                    " WHERE table_name = 'outbox' AND column_name = 'dedupe_key'"
                )
            )

    try:
        assert await collation() == "C"
        await downgrade(engine, "0025")
        assert await collation() is None  # the database's own
        await upgrade(engine)
        assert await collation() == "C"
    finally:
        await engine.dispose()
        await postgres_server.drop_database(name)


async def test_an_erasure_of_a_member_who_sent_no_file_looks_for_none(
    database: AsyncEngine,
) -> None:
    """Questions, answers, applications, entries and waiting messages are looked through for
    the member's files only when they sent one: without an index of files, each of those
    statements read its whole table (the pending messages of a broadcast being sent)."""
    async with UnitOfWork(make_sessionmaker(database), lambda: NOW) as uow:
        await community(uow)
        await uow.commit()
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    event.listen(database.sync_engine, "before_cursor_execute", record)
    try:
        async with UnitOfWork(make_sessionmaker(database), lambda: NOW) as uow:
            erased = await uow.members.get(ERASED)
            assert erased is not None
            await erase_member(uow.session, erased, NOW)
            await uow.session.flush()
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", record)
    assert [s for s in sent if "attachment_id" in s or "outbox.file_id" in s] == []
