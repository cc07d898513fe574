"""Lint, types and the architecture's import rules are part of the test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", "."],
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        [sys.executable, "-m", "mypy"],
        [str(BIN / "lint-imports")],
    ],
    ids=["ruff", "ruff-format", "mypy", "import-contracts"],
)
def test_code_is_clean(command: list[str]) -> None:
    result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8").splitlines()
    test_command = readme[1].strip()
    assert "pytest" in test_command
    assert test_command in (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
