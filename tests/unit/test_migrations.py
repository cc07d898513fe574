"""The migrations upgrade a database that already holds members, on the way to the newest."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import current_revision, head_revision, upgrade


async def test_a_database_with_members_upgrades_to_the_newest_schema(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
    await upgrade(engine, "0001")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO members (telegram_id, full_name, language, open_to_work,"
                " alert_frequency, directory_visible, unreachable, created_at, updated_at)"
                " VALUES (1, 'Dara', 'km', 0, 'off', 0, 0, '2026-01-01', '2026-01-01')"
            )
        )
    await upgrade(engine)
    assert await current_revision(engine) == head_revision()
    async with engine.connect() as connection:
        reputation = await connection.scalar(text("SELECT reputation FROM members"))
    assert reputation == 0
    await engine.dispose()


async def test_the_migrations_build_exactly_the_schema_the_models_describe(
    tmp_path: Path,
) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.engine import Connection

    from storage.models import Base

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}")
    await upgrade(engine)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        found = await connection.run_sync(differences)
    await engine.dispose()
    assert found == []
