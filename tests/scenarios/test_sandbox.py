"""The sandbox plays a script of inputs against the real bot and prints the conversation."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.config import Settings
from bot.sandbox.terminal import run_sandbox
from tests.conftest import PROJECT


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The sandbox runs on its own SQLite file (its log beside it), whatever the bot's."""
    return f"sqlite+aiosqlite:///{tmp_path / 'dcc.sqlite3'}"


async def test_the_english_demo_script_signs_a_member_up(settings: Settings) -> None:
    out = io.StringIO()
    code = await run_sandbox(
        settings, 1001, "en", PROJECT / "examples" / "signup-en.txt", out, settings.database_url
    )
    transcript = out.getvalue()
    assert code == 0
    assert "you> Sok Dara" in transcript
    assert "[a1] ខ្មែរ   [a2] English" in transcript
    assert "keyboard: [j1] 📱 Share my phone number" in transcript
    assert "Welcome to the Digital Community of Cambodia, Sok Dara!" in transcript
    assert "Skills: Data, Artificial intelligence" in transcript
    assert "<b>" not in transcript  # shown as the member reads it


async def test_the_khmer_demo_script_ends_with_the_members_data(
    settings: Settings, tmp_path: Path
) -> None:
    out = io.StringIO()
    await run_sandbox(
        settings, 1002, "km", PROJECT / "examples" / "signup-km.txt", out, settings.database_url
    )
    transcript = out.getvalue()
    assert "តើឈ្មោះពេញរបស់អ្នកគឺអ្វី?" in transcript
    assert "[file dcc-my-data.json" in transcript


async def test_choosing_a_number_that_is_not_offered_says_so(
    settings: Settings, tmp_path: Path
) -> None:
    script = tmp_path / "script.txt"
    script.write_text("/start\n#7\n#2\n#1\nDara\n#1\n#1\n#1\n#19\n", encoding="utf-8")
    out = io.StringIO()
    await run_sandbox(settings, 1003, "en", script, out, settings.database_url)
    transcript = out.getvalue()
    assert "(there is no button a7: pick a1 to a2)" in transcript
    assert "(Choose at least one skill, then press Done.)" in transcript  # a popup is shown


async def test_the_jobs_demo_script_applies_for_a_demonstration_job(settings: Settings) -> None:
    out = io.StringIO()
    await run_sandbox(
        settings, 1004, "en", PROJECT / "examples" / "jobs-en.txt", out, settings.database_url
    )
    transcript = out.getvalue()
    assert "Open jobs (3)" in transcript and "Mekong Cloud Co." in transcript
    assert "Apply for job #2? The company will receive:" in transcript
    assert "Your application was sent. You will hear from the company here." in transcript


async def test_a_photo_and_a_file_typed_as_paths_reach_the_bot(
    settings: Settings, tmp_path: Path
) -> None:
    screenshot = tmp_path / "error.png"
    screenshot.write_bytes(b"\x89PNG\r\n\x1a\nscreenshot")
    signup = (PROJECT / "examples" / "signup-en.txt").read_text(encoding="utf-8")
    script = tmp_path / "script.txt"
    script.write_text(
        signup + "\n/ask\n/photo " + str(screenshot) + "\n/file " + str(tmp_path / "none.pdf")
        + "\n/file " + str(screenshot) + " How do I protect our company email accounts?\n",
        encoding="utf-8",
    )  # fmt: skip
    out = io.StringIO()
    await run_sandbox(settings, 1005, "en", script, out, settings.database_url)
    transcript = out.getvalue()
    assert "I kept your photo. Now please write your question in words." in transcript
    assert "(cannot read " in transcript and "none.pdf" in transcript
    assert "Which topics is your question about?" in transcript  # the file's caption taken
