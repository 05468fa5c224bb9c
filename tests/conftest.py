"""Shared fixtures: journals in tmp_path and ways to run the command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SEED_DIGEST = DATA / "digest-2024-05-09.txt"


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "entries.parquet"


@pytest.fixture
def seed_journal(tmp_path: Path) -> Path:
    """A copy of the shipped journal (the seed day)."""
    path = tmp_path / "entries.parquet"
    shutil.copyfile(REPO / "entries.parquet", path)
    return path


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a `python -m journal` subprocess that imports this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("JOURNAL", None)
    env.update(extra)
    return env


def fresh_python(code: str) -> list[str]:
    """The words ``code`` prints when run in a fresh interpreter of this checkout (what a
    new process imports is only seen there); a failure shows its stderr."""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def run_cli(
    *args: str, journal: Path | None = None, input: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh process (as a user would)."""
    argv = [sys.executable, "-m", "journal", *args]
    if journal is not None:
        argv += ["--journal", str(journal)]
    return subprocess.run(argv, capture_output=True, text=True, input=input, env=cli_env(**env), timeout=120)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run ``journal.cli.main`` in-process; returns (exit code, stdout, stderr)."""
    from journal.cli import main

    def call(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return call
