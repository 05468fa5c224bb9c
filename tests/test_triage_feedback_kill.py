"""Feedback is written crash-safe like entries: ``journal dismiss`` killed at any moment
leaves every line of the reader's feedback file whole, and what a finished command
acknowledged is there."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import cli_env

import journal as journal_pkg
from journal.triage import feedback


def test_sigkill_during_dismiss_leaves_no_half_written_line(tmp_path: Path) -> None:
    path = tmp_path / "entries.parquet"
    journal_pkg.open(path).add(title="Reinforcement learning from ratings", abstract="rewards")
    rng = random.Random(22)
    env = cli_env(JOURNAL_READER="ana")
    finished: set[str] = set()
    killed = 0
    started = time.monotonic()
    for round_ in range(10):
        ids = [f"2501.{round_:02d}{n:03d}" for n in range(200)]
        cmd = [sys.executable, "-m", "journal", "dismiss", *ids, "--journal", str(path)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        time.sleep(rng.uniform(0.2, 1.2))  # start-up is ~0.4 s: some die before, some while writing
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        if proc.returncode == 0:
            finished.update(ids)
        else:
            assert proc.returncode == -signal.SIGKILL, err
            killed += 1
    assert killed and time.monotonic() - started < 20
    files = list((tmp_path / "entries.parquet.d" / "feedback").glob("*.jsonl"))
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert not text or text.endswith("\n")
        for line in text.splitlines():
            event = json.loads(line)  # every line whole
            assert event["reader"] == "ana" and event["action"] == "dismiss" and event["undo"] is False
    frame = feedback.read_feedback(path)
    kept = set(frame["value"])
    assert finished <= kept and len(frame) == len(kept)  # nothing acknowledged lost, nothing twice
    assert feedback.feedback_for(path, "ana").dismissed == frozenset(kept)
    # the journal still takes feedback after the kills (no lock left behind)
    assert feedback.give(path, "dismiss", ["2501.99999"], reader="ana") == [("2501.99999", True)]
