"""``journal render`` of a lab journal (``s3://``): the daily notebook runs on it, and a
location with no journal is named by its URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

pytest.importorskip("deltalake")
pytest.importorskip("moto.server")

import test_lab_store as lab

import journal

s3_server, s3 = lab.s3_server, lab.s3  # the fixtures: a moto server per module, a fresh bucket


def test_render_takes_a_lab_journal_and_names_its_url(s3: str, s3_server: str, tmp_path: Path) -> None:
    journal.open(s3).add(title="A paper read in the lab", date="2024-05-09", commentary="noted")
    env: Any = {**lab.aws_env(s3_server), "JOURNAL_CACHE": str(tmp_path / "cache")}
    out = tmp_path / "out"
    done = run_cli("render", "2024-05-09", "--lang", "en", "--to", str(out), "--journal", s3, **env)
    assert done.returncode == 0, done.stderr
    assert "A paper read in the lab" in (out / "2024-05-09.md").read_text("utf-8")
    missing = s3.rsplit("/", 1)[0] + "/nothing"
    failed = run_cli("render", "2024-05-09", "--to", str(out), "--journal", missing, **env)
    assert failed.returncode == 1
    assert (
        failed.stderr
        == f"journal: error: {missing}: no journal here; give --journal PATH (or set $JOURNAL)\n"
    )
