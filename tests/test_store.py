"""The Parquet store: CRUD, filters, dtypes, change log, compaction, versions, repair."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journal
from journal.errors import (
    AmbiguousId,
    CorruptJournal,
    DuplicateEntry,
    EntryNotFound,
    NewerSchema,
    ValidationError,
)
from journal.model import FIELDS, make_entry
from journal.store import Layers
from journal.store import local as store_module


def test_add_get_update_delete(journal_path: Path) -> None:
    j = journal.open(journal_path)
    e = j.add(
        title="You Only Cache Once",
        url="https://arxiv.org/abs/2405.05254v2",
        tags="#efficiency",
        date="2024-05-09",
    )
    assert e.created_at is not None and e.created_at == e.updated_at
    assert journal.open(journal_path).get(e.id) == e
    assert journal.open(journal_path).get(e.id[:5]) == e  # a unique prefix will do
    changed = j.update(e.id, commentary="첫 문단\n\n둘째 문단", tags=["efficiency", "kv-cache"])
    assert changed.updated_at > e.updated_at and changed.created_at == e.created_at
    assert journal.open(journal_path).get(e.id).commentary == "첫 문단\n\n둘째 문단"
    removed = j.delete(e.id)
    assert removed.id == e.id
    with pytest.raises(EntryNotFound):
        journal.open(journal_path).get(e.id)
    assert len(journal.open(journal_path)) == 0


def test_same_id_is_refused_with_a_pointer(journal_path: Path) -> None:
    j = journal.open(journal_path)
    e = j.add(title="A", arxiv_id="2405.05254", date="2024-05-09")
    with pytest.raises(DuplicateEntry, match=e.id):
        j.add(title="A again", arxiv_id="2405.05254v2", date="2024-05-09")
    # the same paper on another day is another entry
    j.add(title="A", arxiv_id="2405.05254", date="2024-05-10")
    assert len(j) == 2


def test_unknown_and_ambiguous_ids(journal_path: Path) -> None:
    j = journal.open(journal_path)
    with pytest.raises(EntryNotFound):
        j.get("nope")
    entries = [make_entry(title=f"t{i}", date="2024-01-01") for i in range(300)]
    j.add_many(entries)
    prefixes: dict[str, int] = {}
    for e in entries:
        prefixes[e.id[:4]] = prefixes.get(e.id[:4], 0) + 1
    shared = next((p for p, n in prefixes.items() if n > 1), None)
    if shared:
        with pytest.raises(AmbiguousId):
            j.get(shared)


def test_journal_order_is_date_then_insertion(journal_path: Path) -> None:
    j = journal.open(journal_path)
    j.add(title="second day", date="2024-05-10")
    j.add(title="first day, added first", date="2024-05-09")
    j.add_many([make_entry(title=f"batch {i}", date="2024-05-09") for i in range(3)])
    j.add(title="first day, added last", date="2024-05-09")
    titles = [e.title for e in journal.open(journal_path).entries()]
    assert titles == [
        "first day, added first",
        "batch 0",
        "batch 1",
        "batch 2",
        "first day, added last",
        "second day",
    ]
    # editing keeps an entry's place
    first = j.entries()[0]
    j.update(first.id, title="edited")
    assert journal.open(journal_path).entries()[0].title == "edited"


def test_filters(journal_path: Path) -> None:
    j = journal.open(journal_path)
    j.add(title="a", date="2024-05-08", tags="x")
    j.add(title="b", date="2024-05-09", tags="y x")
    j.add(title="c", date="2024-05-10", tags="y")
    assert [e.title for e in j.entries(date="2024-05-09")] == ["b"]
    assert [e.title for e in j.entries(start="2024-05-09")] == ["b", "c"]
    assert [e.title for e in j.entries(end="2024-05-09")] == ["a", "b"]
    assert [e.title for e in j.entries(tag="x")] == ["a", "b"]
    assert [e.title for e in j.entries(tag="#y", start="2024-05-10")] == ["c"]
    assert list(j.to_pandas(tag="x")["title"]) == ["a", "b"]
    with pytest.raises(ValidationError):
        j.entries(date="2024-02-31")


def test_to_pandas_dtypes(seed_journal: Path) -> None:
    df = journal.open(seed_journal).to_pandas()
    assert list(df.columns) == list(FIELDS)
    assert len(df) == 5
    assert pd.api.types.is_string_dtype(df["title"])
    assert list(df["tags"].iloc[4]) == ["benchmark", "hallucination"]
    assert list(df["authors"].iloc[1]) == ["OpenAI"]
    assert isinstance(df["date"].iloc[0], dt.date)
    assert str(df["created_at"].dtype) == "datetime64[us, UTC]"
    assert str(df["arxiv_version"].dtype) == "Int32"


def test_small_journal_file_alone_is_current(journal_path: Path) -> None:
    j = journal.open(journal_path)
    for i in range(5):
        j.add(title=f"t{i}", date="2024-05-09", tags=["a", "b"])
    j.update(j.entries()[0].id, title="changed")
    assert j.pending_changes() == 0
    df = pd.read_parquet(journal_path)
    assert list(df["title"]) == ["changed", "t1", "t2", "t3", "t4"]
    assert list(df["tags"].iloc[0]) == ["a", "b"]
    assert pq.read_table(journal_path).schema.metadata[b"journal.schema_version"] == b"3"


def test_large_journal_keeps_changes_beside_and_compacts(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "SMALL_JOURNAL_ROWS", 10)
    monkeypatch.setattr(store_module, "MAX_PENDING_CHANGES", 5)
    monkeypatch.setattr(store_module, "BATCH_ROWS", 15)
    j = journal.open(journal_path)
    j.add_many([make_entry(title=f"base {i}", date="2024-01-01") for i in range(20)])
    assert j.pending_changes() == 0
    j.add(title="one", date="2024-01-02")
    j.add(title="two", date="2024-01-02")
    j.delete(j.entries()[0].id)
    assert j.pending_changes() == 3
    other = journal.open(journal_path)  # a second reader sees the changes
    assert len(other) == 21 and other.entries()[-1].title == "two"
    assert len(pd.read_parquet(journal_path)) == 20  # the file alone is not current yet
    j.add(title="three", date="2024-01-02")
    j.add(title="four", date="2024-01-02")  # the fifth change triggers compaction
    assert j.pending_changes() == 0
    assert len(pd.read_parquet(journal_path)) == 23
    j.add(title="five", date="2024-01-03")
    assert j.compact() == 1 and j.pending_changes() == 0
    assert [e.title for e in journal.open(journal_path).entries()][-3:] == ["three", "four", "five"]


def test_add_many_is_all_or_nothing(journal_path: Path) -> None:
    j = journal.open(journal_path)
    j.add(title="existing", date="2024-05-09")
    batch = [make_entry(title="new", date="2024-05-09"), make_entry(title="existing", date="2024-05-09")]
    with pytest.raises(DuplicateEntry):
        j.add_many(batch, on_existing="error")
    assert [e.title for e in j.entries()] == ["existing"]
    result = j.add_many([*batch, make_entry(title="new", date="2024-05-09")])
    assert (
        [e.title for e in result.added] == ["new"] and len(result.skipped) == 1 and len(result.repeated) == 1
    )
    assert len(j.add_many(batch).added) == 0  # importing twice adds nothing


def test_newer_schema_is_a_clear_error(journal_path: Path) -> None:
    j = journal.open(journal_path)
    j.add(title="x", date="2024-05-09")
    table = pq.read_table(journal_path)
    table = table.replace_schema_metadata({**table.schema.metadata, b"journal.schema_version": b"99"})
    pq.write_table(table, journal_path)
    with pytest.raises(NewerSchema, match="newer"):
        journal.open(journal_path).entries()
    with pytest.raises(NewerSchema):
        journal.open(journal_path).add(title="y")


def test_plain_pandas_file_with_the_columns_opens(journal_path: Path) -> None:
    df = pd.DataFrame(
        {"id": ["a1"], "date": [dt.date(2024, 5, 9)], "title": ["From pandas"], "tags": [["x"]]}
    )
    df.to_parquet(journal_path)
    j = journal.open(journal_path)
    (e,) = j.entries()
    assert e.title == "From pandas" and e.tags == ("x",) and e.authors == ()


def test_corrupt_file_is_reported_and_check_restores_it(journal_path: Path) -> None:
    j = journal.open(journal_path)
    for i in range(3):
        j.add(title=f"t{i}", date="2024-05-09")
    data = journal_path.read_bytes()
    journal_path.write_bytes(data[: len(data) // 2])  # truncated, e.g. by a sync tool
    with pytest.raises(CorruptJournal, match="journal check"):
        journal.open(journal_path).entries()
    findings = journal.open(journal_path).check()
    assert any(f.severity == "repaired" for f in findings)
    assert [e.title for e in journal.open(journal_path).entries()] == ["t0", "t1", "t2"]
    assert list((journal_path.parent / "entries.parquet.d" / "damaged").iterdir())  # nothing thrown away


def test_not_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"a": [1]}), path)
    with pytest.raises(CorruptJournal, match="not a journal"):
        journal.open(path).entries()
    path.write_text("hello")
    with pytest.raises(CorruptJournal):
        journal.open(path).entries()


def test_readers_never_create_files(tmp_path: Path) -> None:
    j = journal.open(tmp_path / "none.parquet")
    assert j.entries() == [] and len(j) == 0
    assert list(tmp_path.iterdir()) == []


# --- entry -> store -> entry ---------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=80)
_line = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=80)  # one-line fields refuse Cc
_tag = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc", "Zl", "Zp"), blacklist_characters="#,"),
    min_size=1,
    max_size=12,
)


@st.composite
def entries(draw: st.DrawFn):
    title = draw(_line.filter(lambda s: s.strip()))
    return make_entry(
        title=title,
        date=draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31))),
        authors=draw(
            st.lists(_line.filter(lambda s: s.strip()).map(lambda s: s.replace(",", " ")), max_size=4)
        ),
        url=draw(st.sampled_from([None, "https://example.org/a?b=c", "https://arxiv.org/abs/2405.05254v3"])),
        abstract=draw(_text),
        commentary=draw(_text),
        tags=draw(st.lists(_tag, max_size=4)),
    )


@given(st.lists(entries(), min_size=1, max_size=5))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_entry_store_entry_round_trip(tmp_path: Path, batch: list) -> None:
    path = tmp_path / "rt.parquet"
    shutil.rmtree(tmp_path / "rt.parquet.d", ignore_errors=True)
    path.unlink(missing_ok=True)
    j = journal.open(path)
    stored = {}
    for e in batch:
        try:
            stored[e.id] = j.add(e)
        except journal.DuplicateEntry:
            continue
    back = {e.id: e for e in journal.open(path).entries()}
    assert back == stored


def test_lookup_finds_by_column_in_snapshot_and_pending_changes(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "SMALL_JOURNAL_ROWS", 0)  # keep changes beside the snapshot
    j = journal.open(journal_path)
    a = j.add(title="A", arxiv_id="2405.05254", date="2024-05-09")
    j.compact()
    b = j.add(title="B", arxiv_id="2405.05254", date="2024-06-01")
    c = j.add(title="C", url="https://example.org/c", date="2024-06-02")
    assert j.pending_changes() == 2
    found = journal.open(journal_path).lookup("arxiv_id", ["2405.05254"])
    assert [ref[0] for ref in found] == [a.id, b.id]
    assert journal.open(journal_path).lookup("url", ["https://example.org/c"]) == [(c.id, c.date, "C")]
    j.delete(b.id)
    assert [ref[0] for ref in journal.open(journal_path).lookup("arxiv_id", ["2405.05254"])] == [a.id]
    assert journal.open(journal_path).lookup("url", ["https://nowhere.org"]) == []


def test_read_layers_gives_one_consistent_state_and_reads_again_after_a_compaction(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "SMALL_JOURNAL_ROWS", 0)  # keep changes beside the snapshot
    j = journal.open(journal_path)
    a = j.add(title="A", date="2024-05-09")
    j.compact()
    b = j.add(title="B", date="2024-05-10")
    states = []

    def read(layers: Layers) -> list[str]:
        states.append(layers.state)
        if len(states) == 1:
            journal.open(journal_path).compact()  # another process folds the change in meanwhile
        snapshot, changes = layers.snapshot(), layers.changes()
        return [*snapshot["id"].to_pylist(), *changes["id"].to_pylist()]

    assert j.read_layers(read) == [a.id, b.id]
    assert len(states) == 2  # the first read raced with the compaction and was run again
    assert states[0][1] != () and states[1][1] == ()  # the change file, then none: all in the snapshot
    assert j.read_layers(lambda layers: layers.state) == states[1]  # nothing written since
    j.add(title="C", date="2024-05-11")
    assert j.read_layers(lambda layers: layers.state) != states[1]


def test_date_filters_at_the_edges(journal_path: Path) -> None:
    j = journal.open(journal_path)
    for day in ["2024-05-08", "2024-05-09", "2024-05-09", "2024-05-11"]:
        j.add(title=f"on {day} {len(j)}", date=day)
    assert len(j.entries(date="2024-05-10")) == 0
    assert len(j.entries(start="2024-05-09", end="2024-05-09")) == 2
    assert len(j.entries(start="2024-05-10", end="2024-05-08")) == 0
    assert len(j.entries(start="2024-05-01")) == 4 and len(j.entries(end="2024-05-31")) == 4
    assert len(j.entries(end="2024-05-07")) == 0 and len(j.entries(start="2024-05-12")) == 0


def test_foreign_unsorted_file_is_read_in_journal_order(journal_path: Path) -> None:
    days = [dt.date(2024, 5, 11), dt.date(2024, 5, 9), dt.date(2024, 5, 10)]
    pd.DataFrame({"id": ["c", "a", "b"], "date": days, "title": ["C", "A", "B"]}).to_parquet(journal_path)
    j = journal.open(journal_path)
    assert [e.title for e in j.entries()] == ["A", "B", "C"]
    assert [e.title for e in j.entries(start="2024-05-10")] == ["B", "C"]


def test_one_of_matches_whole_values_literally() -> None:
    from journal.store.schema import one_of

    column = pa.chunked_array([["a.b", "axb", "(x)", None, "", "a.b c"]])
    assert one_of(column, ["a.b", "(x)"]).to_pylist() == [True, False, True, None, False, False]
    assert one_of(column, []).to_pylist() == [False, False, False, None, False, False]
    assert one_of(column, [""]).to_pylist() == [False, False, False, None, True, False]


# --- schema version 1 (a note's layout rode in `source`) -----------------------------------

V1_JOURNAL = Path(__file__).resolve().parent / "data" / "journal-v1.parquet"
V1_CHANGE = Path(__file__).resolve().parent / "data" / "journal-v1-change.jsonl"


def _v1_copy(tmp_path: Path) -> Path:
    path = tmp_path / "entries.parquet"
    shutil.copyfile(V1_JOURNAL, path)
    return path


def test_a_version_1_journal_opens_with_its_layout_hints_split_out(tmp_path: Path) -> None:
    path = _v1_copy(tmp_path)
    raw = pq.read_table(path)
    assert raw.schema.metadata[b"journal.schema_version"] == b"1" and "layout" not in raw.column_names
    olmo = [s for s in raw["source"].to_pylist() if s and s.startswith("240202 OLMo.md")]
    assert olmo == ["240202 OLMo.md#md:crlf,inline,end=0"]
    everything = journal.open(path).entries()
    assert len(everything) == raw.num_rows == 22
    entries = {e.source: e for e in everything if e.source}
    assert len(entries) == 17  # the notes; the seed day's entries have no source
    assert entries["240202 OLMo.md"].layout == "crlf,inline,end=0"
    assert entries["240212 Scaling Laws for Fine-Grained Mixture of Experts.md"].layout is None
    assert not any("#md:" in (s or "") for s in entries)
    assert pq.read_table(path).schema.metadata[b"journal.schema_version"] == b"1"  # reading writes nothing


def test_a_version_1_journal_is_upgraded_on_its_first_write(tmp_path: Path) -> None:
    path = _v1_copy(tmp_path)
    before = {e.id: e for e in journal.open(path).entries()}
    j = journal.open(path)
    added = j.add(title="new", date="2024-06-01")
    table = pq.read_table(path)
    assert table.schema.metadata[b"journal.schema_version"] == b"3" and j.pending_changes() == 0
    assert table.column_names.index("layout") == table.column_names.index("source") + 1
    after = {e.id: e for e in journal.open(path).entries()}
    assert after == {**before, added.id: added}
    df = pd.read_parquet(path)  # plain pandas sees a path in `source`, the layout beside it
    row = df[df["source"] == "240202 OLMo.md"].iloc[0]
    assert row["layout"] == "crlf,inline,end=0"


def test_journal_check_upgrades_a_version_1_journal(tmp_path: Path) -> None:
    from journal.store.check import check_journal

    path = _v1_copy(tmp_path)
    findings = check_journal(journal.open(path))
    assert [f.severity for f in findings if "upgraded" in f.message] == ["repaired"]
    assert pq.read_table(path).schema.metadata[b"journal.schema_version"] == b"3"
    assert not [f for f in check_journal(journal.open(path)) if "upgraded" in f.message]


def test_a_pending_version_1_change_is_read_as_version_2(tmp_path: Path) -> None:
    path = _v1_copy(tmp_path)
    changes = tmp_path / "entries.parquet.d" / "changes"
    changes.mkdir(parents=True)
    shutil.copyfile(V1_CHANGE, changes / "00000000000000000001-1.jsonl")
    (textbooks,) = [e for e in journal.open(path).entries() if "Textbooks" in e.title]
    assert (textbooks.source, textbooks.layout) == ("2023/230615 Textbooks Are All You Need.md", "plain")
    journal.open(path).compact()
    assert pd.read_parquet(path).set_index("id").loc[textbooks.id, "layout"] == "plain"


def test_a_version_4_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "entries.parquet"
    journal.open(path).add(title="x", date="2024-05-09")
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({b"journal.schema_version": b"4"}), path)
    with pytest.raises(NewerSchema, match="schema version 4; this version reads up to 3"):
        journal.open(path).entries()
    with pytest.raises(NewerSchema):
        journal.open(path).add(title="y")


def test_a_legacy_source_given_to_make_entry_is_split() -> None:
    from journal.model import make_entry

    e = make_entry(title="T", date="2024-05-09", source="2024/240509 T.md#md:plain,end=0")
    assert (e.source, e.layout) == ("2024/240509 T.md", "plain,end=0")
    kept = make_entry(title="T", date="2024-05-09", source="notes#md:x.md")  # not a hint
    assert (kept.source, kept.layout) == ("notes#md:x.md", None)
