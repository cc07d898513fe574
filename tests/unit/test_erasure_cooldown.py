"""What an erased row keeps of the Telegram id, and for how long (handlers.profile.cooldown):
a keyed hash, never the id, cleared by the daily retention job once the erasure is a day
old; the member's INSERT itself refuses the same account within that day."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.profile.cooldown import COOLDOWN, FIXED_KEY, erased_key, erasure_key
from scheduler.retention import forget_finished_messages
from storage.db import make_engine, make_sessionmaker
from storage.models import Member
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
KEY = erasure_key("123456:TEST")


def test_the_row_keeps_a_keyed_hash_of_the_telegram_id_not_the_id() -> None:
    kept = erased_key(KEY, 5_123_456_789)
    assert len(kept) == 64 and "5123456789" not in kept
    assert kept == erased_key(KEY, 5_123_456_789) != erased_key(KEY, 5_123_456_788)
    # anyone can hash a ten-digit id: without the bot's token the hash says nothing
    assert kept != hashlib.sha256(b"5123456789").hexdigest()
    assert kept != erased_key(erasure_key("654321:OTHER"), 5_123_456_789)
    assert erasure_key("") == FIXED_KEY != KEY


def member(telegram_id: int | None, at: datetime, kept: str | None = None) -> Member:
    return Member(
        telegram_id=telegram_id,
        full_name=None if kept else "Dara",
        created_at=at,
        updated_at=at,
        deleted_at=at if kept else None,
        erased_key=kept,
    )


async def test_the_retention_job_clears_the_hashes_of_erasures_a_day_old(
    database: AsyncEngine,
) -> None:
    sessionmaker = make_sessionmaker(database)

    def factory() -> UnitOfWork:
        return UnitOfWork(sessionmaker, lambda: NOW)

    erasures = {  # telegram id: erased how long before the job
        1: COOLDOWN + timedelta(minutes=1),
        2: timedelta(days=2),
        3: COOLDOWN - timedelta(minutes=1),
        4: timedelta(hours=1),
    }
    async with factory() as uow:
        for telegram_id, ago in erasures.items():
            uow.session.add(member(None, NOW - ago, erased_key(KEY, telegram_id)))
        uow.session.add(member(5, NOW - timedelta(days=3)))  # a member, never erased
        await uow.commit()

    await forget_finished_messages(factory, NOW, timedelta(days=30))

    async with factory() as uow:
        kept = set(await uow.session.scalars(select(Member.erased_key)))
    assert kept == {None, erased_key(KEY, 3), erased_key(KEY, 4)}


async def test_the_insert_refuses_the_same_account_within_the_day(database: AsyncEngine) -> None:
    sessionmaker = make_sessionmaker(database)
    async with UnitOfWork(sessionmaker, lambda: NOW) as uow:
        uow.session.add(member(None, NOW - timedelta(hours=23), erased_key(KEY, 7)))
        uow.session.add(member(None, NOW - timedelta(hours=25), erased_key(KEY, 8)))
        await uow.commit()
    async with UnitOfWork(sessionmaker, lambda: NOW) as uow:
        since = NOW - COOLDOWN
        assert (
            await uow.members.add_unless_erased(member(7, NOW), erased_key(KEY, 7), since) is None
        )
        stored = await uow.members.add_unless_erased(member(8, NOW), erased_key(KEY, 8), since)
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(database.sync_engine, "before_cursor_execute", count)
        other = await uow.members.add_unless_erased(member(9, NOW), erased_key(KEY, 9), since)
        event.remove(database.sync_engine, "before_cursor_execute", count)
        assert len(statements) == 1 and statements[0].startswith("INSERT")  # no read back
        assert stored is not None and stored.telegram_id == 8 and stored.full_name == "Dara"
        assert stored.language == "en" and stored.digest_frequency == "weekly"  # the defaults
        assert other is not None and other.id != stored.id
        await uow.commit()
    async with UnitOfWork(sessionmaker, lambda: NOW) as uow:
        assert await uow.members.get(7) is None
        assert await uow.members.get(8) is not None


async def test_the_migration_adds_the_column_and_takes_it_away(tmp_path: Path) -> None:
    from sqlalchemy import inspect
    from sqlalchemy.engine import Connection

    from storage.migrate import downgrade, upgrade

    def columns(connection: Connection) -> set[str]:
        return {c["name"] for c in inspect(connection).get_columns("members")}

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
    await upgrade(engine, "0013")
    async with engine.connect() as connection:
        assert "erased_key" in await connection.run_sync(columns)
    await downgrade(engine, "0012")
    async with engine.connect() as connection:
        assert "erased_key" not in await connection.run_sync(columns)
    await engine.dispose()
