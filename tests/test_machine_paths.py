"""No tracked file names a path of one machine (the project runs from any checkout).

Paths to things beside the repository are relative (``../shared/...``); temporary folders
come from ``tmp_path`` or ``tempfile``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

MACHINE_PATHS = (b"/work/", b"/root/")


def tracked_files() -> list[str]:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs a git checkout (git ls-files)")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    return [name for name in out.decode("utf-8").split("\0") if name]


def test_no_tracked_file_names_a_machine_path() -> None:
    this = Path(__file__).resolve().relative_to(REPO).as_posix()
    found = []
    for name in tracked_files():
        if name == this:
            continue
        path = REPO / name
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        data = path.read_bytes()
        for literal in MACHINE_PATHS:
            start = data.find(literal)
            if start >= 0:
                line = data.count(b"\n", 0, start) + 1
                found.append(f"{name}:{line}: {literal.decode()}")
    assert not found, "machine paths in tracked files (use paths relative to the repository):\n" + "\n".join(
        found
    )
