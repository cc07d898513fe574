"""The migrations upgrade a database that already holds members, on the way to the newest."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import current_revision, downgrade, head_revision, upgrade


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


async def test_answers_given_before_the_upgrade_take_their_experts_anonymity(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'answers.sqlite3'}")
    await upgrade(engine, "0009")
    async with engine.begin() as connection:
        for member_id, anonymous in ((1, 1), (2, 0)):
            await connection.execute(
                text(
                    "INSERT INTO members (id, telegram_id, full_name, language, open_to_work,"
                    " alert_frequency, directory_visible, unreachable, reputation,"
                    " jobs_in_province_only, digest_frequency, digest_kinds, created_at,"
                    " updated_at) VALUES (:id, :id, 'Dara', 'km', 0, 'off', 0, 0, 0, 0,"
                    " 'off', '', '2026-01-01', '2026-01-01')"
                ),
                {"id": member_id},
            )
            await connection.execute(
                text(
                    "INSERT INTO expert_profiles (member_id, available, cap, anonymous, offered,"
                    " answered) VALUES (:id, 1, 3, :anonymous, 0, 0)"
                ),
                {"id": member_id, "anonymous": anonymous},
            )
        await connection.execute(
            text(
                "INSERT INTO questions (id, asker_id, text, search_tokens, status, round,"
                " hidden, created_at) VALUES (1, 2, 'Q', '', 'open', 1, 0, '2026-01-01')"
            )
        )
        for answer_id, expert_id in ((1, 1), (2, 2), (3, 3)):
            if expert_id == 3:  # a staff member's answer, without an expert profile
                await connection.execute(
                    text(
                        "INSERT INTO members (id, telegram_id, language, open_to_work,"
                        " alert_frequency, directory_visible, unreachable, reputation,"
                        " jobs_in_province_only, digest_frequency, digest_kinds, created_at,"
                        " updated_at) VALUES (3, 3, 'en', 0, 'off', 0, 0, 0, 0, 'off', '',"
                        " '2026-01-01', '2026-01-01')"
                    )
                )
            await connection.execute(
                text(
                    "INSERT INTO answers (id, question_id, expert_id, text, helpful, accepted,"
                    " hidden, created_at) VALUES (:id, 1, :expert, 'A', 0, 0, 0, '2026-01-01')"
                ),
                {"id": answer_id, "expert": expert_id},
            )
    await upgrade(engine)
    async with engine.connect() as connection:
        found = list(
            await connection.execute(text("SELECT id, anonymous FROM answers ORDER BY id"))
        )
    await engine.dispose()
    assert [(i, bool(a)) for i, a in found] == [(1, True), (2, False), (3, False)]


async def test_a_competitions_prizes_written_once_reach_both_languages_and_back(
    tmp_path: Path,
) -> None:
    """0022: the one ``prizes`` becomes the Khmer prizes and is copied to the English
    ones; the downgrade keeps the Khmer."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'prizes.sqlite3'}")
    await upgrade(engine, "0021")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO competitions (title_km, title_en, rules_km, rules_en, prizes,"
                " deadline_at, entries_allowed, created_at, revision) VALUES ('ក', 'A', 'ច',"
                " 'R', 'A laptop', '2026-12-10', 1, '2026-11-01', 0)"
            )
        )
    await upgrade(engine, "0022")
    async with engine.connect() as connection:
        row = (
            await connection.execute(text("SELECT prizes_km, prizes_en FROM competitions"))
        ).one()
    assert tuple(row) == ("A laptop", "A laptop")

    await downgrade(engine, "0021")
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT prizes FROM competitions")) == "A laptop"
    await engine.dispose()
