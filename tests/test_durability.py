"""Kills and concurrent writers with real processes: nothing acknowledged is ever lost,
nothing is duplicated, no half batch is ever visible, the journal always opens."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import cli_env

import journal

WRITER = Path(__file__).with_name("_writer.py")


def _spawn(path: Path, name: str, count: int, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(path), name, str(count), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )


def _acknowledged(output: str) -> tuple[set[str], list[list[str]]]:
    singles: set[str] = set()
    batches: list[list[str]] = []
    for line in output.splitlines():
        kind, *ids = line.split()
        if kind == "add":
            singles.update(ids)
        elif kind == "batch":
            batches.append(ids)
    return singles, batches


@pytest.mark.parametrize("mode", ["small", "large"])
def test_sigkill_at_any_moment_loses_nothing_acknowledged(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "entries.parquet"
    rng = random.Random(1234)
    acknowledged: set[str] = set()
    for round_ in range(8):
        proc = _spawn(path, f"r{round_}", 10_000, mode)
        time.sleep(rng.uniform(0.4, 1.4))  # start-up is ~0.3 s: kill mid-write
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        singles, batches = _acknowledged(out)
        acknowledged |= singles
        for b in batches:
            acknowledged.update(b)
        j = journal.open(path)
        present = {e.id for e in j.entries()}  # the journal always opens
        assert acknowledged <= present, (
            f"round {round_}: lost {len(acknowledged - present)} acknowledged writes"
        )
        # a batch is all there or not at all, even the one being written when killed
        titles = [e.title for e in j.entries()]
        for prefix in {t.split(" #")[0] for t in titles if " batch " in t}:
            assert sum(1 for t in titles if t.startswith(prefix + " #")) == 20, prefix
        assert len(titles) == len(set(titles))
    journal.open(path).add(title="after the kills", date="2024-05-10")  # a write cleans up
    leftovers = list((path.parent / "entries.parquet.d" / "tmp").iterdir())
    assert leftovers == []
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("mode", ["small", "large"])
def test_concurrent_writers_lose_and_duplicate_nothing(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "entries.parquet"
    procs = [_spawn(path, f"w{k}", 40, mode) for k in range(3)]
    expected: set[str] = set()
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        singles, batches = _acknowledged(out)
        expected |= singles
        for b in batches:
            expected.update(b)
    entries = journal.open(path).entries()
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)), "duplicated entries"
    assert set(ids) == expected
    assert len(ids) == 3 * (32 + 8 * 20)


def test_concurrent_cli_adds(tmp_path: Path) -> None:
    path = tmp_path / "entries.parquet"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "journal",
                "add",
                "--title",
                f"cli {k}",
                "--date",
                "2024-05-09",
                "--journal",
                str(path),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=cli_env(),
        )
        for k in range(8)
    ]
    for p in procs:
        p.communicate(timeout=120)
        assert p.returncode == 0
    assert sorted(e.title for e in journal.open(path).entries()) == [f"cli {k}" for k in range(8)]
    assert os.path.exists(path)


def test_write_atomic_replaces_whole_or_leaves_the_old_file(tmp_path: Path) -> None:
    from journal.fileio import write_atomic

    target = tmp_path / "page.html"
    write_atomic(target, b"old")
    write_atomic(target, "새 page".encode(), durable=False)
    assert target.read_text(encoding="utf-8") == "새 page"
    with pytest.raises(OSError):
        write_atomic(target, b"never", tmp_dir=tmp_path / "missing")  # the temp file cannot be made
    with pytest.raises(OSError):
        write_atomic(tmp_path / "no-folder" / "x", b"never")
    folder = tmp_path / "folder"
    (folder / "inside").mkdir(parents=True)
    with pytest.raises(OSError):
        write_atomic(folder, b"never")  # written, then the rename fails
    assert target.read_text(encoding="utf-8") == "새 page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "page.html"]  # no temp file left
