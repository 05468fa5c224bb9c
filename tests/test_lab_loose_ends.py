"""A lab journal's loose ends: how it is named to users (its URL, never this machine's
cache), a table from before the reader column, and the documented ways of reading it
elsewhere (the rendering of its days: test_lab_render.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("deltalake")
pytest.importorskip("moto.server")

import test_lab_store as lab

import journal
from journal.store.delta import DeltaBackend

s3_server, s3 = lab.s3_server, lab.s3  # the fixtures: a moto server per module, a fresh bucket


def test_a_lab_journal_is_named_by_its_url(s3: str, tmp_path: Path) -> None:
    j = journal.open(s3)
    j.add(title="A paper", date="2024-05-09")
    cache = str(tmp_path / "cache")
    assert j.name == s3 and repr(j) == f"<Journal {s3!r}>" and cache not in repr(j)
    assert str(j.path).startswith(cache)  # side state stays on this machine
    local = journal.open(tmp_path / "entries.parquet")
    assert local.name == str(tmp_path / "entries.parquet") and repr(local) == f"<Journal {local.name!r}>"


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


# --- docs/lab.md "Reading the journal elsewhere" ----------------------------------------


def doc_snippets() -> list[str]:
    """The Python blocks of docs/lab.md's "Reading the journal elsewhere"."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "lab.md").read_text("utf-8")
    section = text.split("## Reading the journal elsewhere", 1)[1].split("\n## ", 1)[0]
    return [block.split("\n```", 1)[0] for block in section.split("```python\n")[1:]]


def test_the_docs_read_the_table_with_pandas_and_duckdb(s3: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("duckdb")
    monkeypatch.setenv("AWS_ALLOW_HTTP", "true")  # as the doc says, for moto's http:// endpoint
    old_table(s3)  # one entry from before readers
    monkeypatch.setenv("JOURNAL_READER", "ada")
    journal.open(s3).add_many([journal.make_entry(title=t, date="2024-05-09") for t in ("One", "Two")])
    monkeypatch.setenv("JOURNAL_READER", "grace")
    journal.open(s3).add(title="Three", date="2024-05-10")
    pandas_block, duckdb_block = doc_snippets()
    found: dict[str, Any] = {}
    exec(pandas_block.replace("s3://bucket/prefix", s3), found)
    assert sorted(found["entries"]["title"]) == ["One", "Read before readers", "Three", "Two"]
    exec(duckdb_block.replace("s3://bucket/prefix", s3), found)
    assert found["per_reader"] == [("ada", 2), ("(before readers)", 1), ("grace", 1)]
