"""A lab journal's loose ends: how it is named to users (its URL, never this machine's
cache), the rendering of its days, and the documented ways of reading it elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

pytest.importorskip("deltalake")
pytest.importorskip("moto.server")

import test_lab_store as lab

import journal
from journal.store.delta import DeltaBackend

s3_server, s3 = lab.s3_server, lab.s3  # the fixtures: a moto server per module, a fresh bucket
aws_env = lab.aws_env


def test_a_lab_journal_is_named_by_its_url(s3: str, tmp_path: Path) -> None:
    j = journal.open(s3)
    j.add(title="A paper", date="2024-05-09")
    cache = str(tmp_path / "cache")
    assert j.name == s3 and repr(j) == f"<Journal {s3!r}>" and cache not in repr(j)
    assert str(j.path).startswith(cache)  # side state stays on this machine
    local = journal.open(tmp_path / "entries.parquet")
    assert local.name == str(tmp_path / "entries.parquet") and repr(local) == f"<Journal {local.name!r}>"


def test_render_takes_a_lab_journal_and_names_its_url(s3: str, s3_server: str, tmp_path: Path) -> None:
    journal.open(s3).add(title="A paper read in the lab", date="2024-05-09", commentary="noted")
    env: Any = {**aws_env(s3_server), "JOURNAL_CACHE": str(tmp_path / "cache")}
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


# --- a table from before the reader column --------------------------------------------


def old_table(s3: str) -> DeltaBackend:
    """A lab table as a build before readers made it: the entries' schema without
    ``reader``, one entry."""
    from deltalake import write_deltalake

    from journal.store.schema import SCHEMA, cast_table, encode, rows_to_table

    backend = DeltaBackend(s3)
    old = SCHEMA.remove(SCHEMA.get_field_index("reader")).remove_metadata()
    entry = journal.make_entry(title="Read before readers", date="2024-05-08")
    rows = cast_table(rows_to_table(encode(entry)), SCHEMA).drop_columns(["reader"]).cast(old)
    write_deltalake(backend.where.table_uri, rows, mode="append", storage_options=backend.options)
    return backend


def table_of(backend: DeltaBackend) -> Any:
    from deltalake import DeltaTable

    return DeltaTable(backend.where.table_uri, storage_options=backend.options)


def test_upgrade_adds_the_reader_column_to_an_old_table(s3: str, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = old_table(s3)
    assert "reader" not in table_of(backend).schema().to_arrow().names
    j = journal.open(s3)
    assert [(e.title, e.reader) for e in j.entries()] == [("Read before readers", None)]
    assert j.upgrade() and not journal.open(s3).upgrade()  # once
    dt = table_of(backend)
    assert dt.schema().to_arrow().field("reader").nullable
    protocol = dt.protocol()
    assert (protocol.min_reader_version, protocol.min_writer_version) == (1, 2)
    assert not protocol.reader_features and not protocol.writer_features
    monkeypatch.setenv("JOURNAL_READER", "ada")
    journal.open(s3).add(title="Read after", date="2024-05-09")
    entries = journal.open(s3).entries()
    assert [(e.title, e.reader) for e in entries] == [("Read before readers", None), ("Read after", "ada")]
    assert [e.title for e in journal.open(s3).entries(reader="ada")] == ["Read after"]


def test_the_first_write_to_an_old_table_adds_the_column(s3: str, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = old_table(s3)
    findings = journal.open(s3).check_storage(repair=False)
    assert [f.message for f in findings if f.severity == "warning"] == [
        f"{s3}: the table lacks the reader column; `journal check` adds it"
    ]
    monkeypatch.setenv("JOURNAL_READER", "grace")
    journal.open(s3).add(title="Read after", date="2024-05-09")
    assert [e.reader for e in journal.open(s3).entries()] == [None, "grace"]
    protocol = table_of(backend).protocol()
    assert (protocol.min_reader_version, protocol.min_writer_version) == (1, 2)
    assert not [f for f in journal.open(s3).check_storage(repair=False) if f.severity != "info"]


def test_check_adds_the_column(s3: str) -> None:
    old_table(s3)
    repaired = [f.message for f in journal.open(s3).check_storage(repair=True) if f.severity == "repaired"]
    assert repaired == [f"{s3}: the table got the reader column it lacked"]
    assert "reader" in table_of(DeltaBackend(s3)).schema().to_arrow().names
