"""What keeps the read commands fast in a fresh process (the timings are in
bench/bench_search.py): they import neither pandas nor ``pyarrow.compute``, ``journal
list`` makes no Entry objects, and the helpers standing in for slower ones give the same
answers."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import cli_env
from hypothesis import given
from hypothesis import strategies as st

import journal
from journal.search import textindex as ti
from journal.search.query import search
from journal.store import SideState, kernels
from journal.text.termtable import clip, table, width

PROBE = (
    "import json, sys; from journal.cli import main; code = main(sys.argv[1:]); "
    "print(json.dumps({m: m in sys.modules for m in ('pandas', 'pyarrow.compute', 'pyarrow._compute')}),"
    " file=sys.stderr); sys.exit(code)"
)


def _modules_after(*args: str) -> tuple[str, dict[str, bool]]:
    """Run ``journal ARGS`` in a fresh process: its output and which modules it loaded."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=cli_env(), timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


@pytest.fixture
def small(journal_path: Path) -> journal.Journal:
    j = journal.open(journal_path)
    j.add(title="Diffusion Distillation", date="2024-05-09", commentary="재학습 없이 증류", tags="diffusion")
    j.add(
        title="Key Value Cache", date="2024-05-10", url="https://arxiv.org/abs/2405.05254", tags="efficiency"
    )
    j.add(title="Follow-up", date="2024-05-11", commentary="see arXiv:2405.05254", tags="efficiency")
    return j


@pytest.mark.parametrize(
    "command",
    [["search", "증류"], ["search", "cache", "tag:efficiency", "--from", "2024-05-01"], ["list"], ["show"]],
)
def test_read_commands_import_neither_pandas_nor_pyarrow_compute(small, command):
    if command == ["show"]:
        command = ["show", small.entries()[1].id]
    out, loaded = _modules_after(*command, "--journal", str(small.path))
    assert out.strip()
    assert not loaded["pandas"] and not loaded["pyarrow.compute"], loaded
    if command[0] == "show":
        assert "Linked from" in out and "Follow-up" in out  # the links still resolve


@pytest.mark.parametrize("command", [["search", "Pending"], ["list"]])
def test_read_commands_with_a_pending_change_import_no_pyarrow_compute(small, monkeypatch, command):
    from journal.store import local as store

    monkeypatch.setattr(store, "SMALL_JOURNAL_ROWS", 0)  # the write stays a change file
    small.add(title="Pending", date="2024-05-12")
    assert small.pending_changes() == 1
    out, loaded = _modules_after(*command, "--journal", str(small.path))
    assert "Pending" in out
    assert not loaded["pandas"] and not loaded["pyarrow.compute"], loaded


def test_list_loads_no_compute_kernels_at_all(small):
    out, loaded = _modules_after("list", "--journal", str(small.path))
    assert "Key Value Cache" in out
    assert not loaded["pyarrow._compute"]


def test_columns_reads_what_entries_gives(small, monkeypatch):
    from journal.store import local as store

    for filters in [{}, {"tag": "efficiency"}, {"start": "2024-05-10"}, {"date": "2024-05-09"}]:
        table = small.columns(["id", "title"], **filters)
        assert table.column_names == ["id", "title"]
        assert table["id"].to_pylist() == [e.id for e in small.entries(**filters)]
    monkeypatch.setattr(store, "SMALL_JOURNAL_ROWS", 0)  # the next write stays a change file
    small.add(title="Pending", date="2024-05-08")
    assert small.pending_changes() == 1
    fresh = journal.open(small.path)
    assert fresh.columns(["title"])["title"].to_pylist()[0] == "Pending"


def test_columns_of_a_foreign_file_are_in_journal_order(small, tmp_path):
    table = small.to_arrow()
    foreign = tmp_path / "foreign.parquet"
    # written by another tool: no schema version, a column missing, rows out of order
    pq.write_table(table.take([2, 0, 1]).drop_columns(["source"]).replace_schema_metadata(None), foreign)
    j = journal.open(foreign)
    assert j.columns(["title"])["title"].to_pylist() == [
        "Diffusion Distillation",
        "Key Value Cache",
        "Follow-up",
    ]


def test_a_journal_of_a_thousand_entries_keeps_its_search_index(journal_path):
    entries = [
        journal.make_entry(title=f"Paper {i}", date="2024-05-09", commentary=f"학습 기록 {i}")
        for i in range(ti.DISK_MIN_ROWS)
    ]
    j = journal.open(journal_path)
    j.add_many(entries)
    assert search(j, "학습").total == ti.DISK_MIN_ROWS
    assert j.side_path(SideState.SEARCH_INDEX).exists()
    assert ti.DISK_MIN_ROWS <= 1_000  # the 4,000-entry journal of the issue has one


# --- the stand-ins -----------------------------------------------------------------------


def test_kernels_call_what_pyarrow_compute_calls():
    text = pa.chunked_array([["Diffusion", "재학습을", None], ["cache", "학습"]])
    for name, kwargs in [
        ("match_substring", {"pattern": "학습", "ignore_case": True}),
        ("count_substring_regex", {"pattern": "[ae]", "ignore_case": True}),
        ("binary_length", {}),
    ]:
        assert getattr(kernels, name)(text, **kwargs).equals(getattr(pc, name)(text, **kwargs))
    table = pa.table({"n": [3, 1, 2], "s": ["c", "a", "b"]})
    order = kernels.sort_indices(table, sort_keys=[("n", "ascending")])
    assert kernels.take(table, order).equals(
        table.take(pc.sort_indices(table, sort_keys=[("n", "ascending")]))
    )
    mask = pa.array([True, None, False])
    assert kernels.filter(table, mask).equals(table.filter(mask))
    assert kernels.filter(table, mask, "emit_null").num_rows == 2
    assert kernels.and_(pa.array([True, True]), pa.array([True, False])).to_pylist() == [True, False]
    assert kernels.cast(pa.array([1, 2]), pa.int32()).type == pa.int32()
    with pytest.raises(pa.ArrowInvalid):
        kernels.cast(pa.array([2**40]), pa.int32())
    assert kernels.cast(pa.array([1.5]), pa.int32(), safe=False).to_pylist() == [1]


def test_kernels_refuse_unknown_names_and_mixed_options():
    with pytest.raises(AttributeError):
        kernels.no_such_function  # noqa: B018
    with pytest.raises(TypeError):
        kernels.binary_length(pa.array(["a"]), pattern="x")
    options = pc.MatchSubstringOptions("a")
    with pytest.raises(TypeError):
        kernels.match_substring(pa.array(["a"]), options=options, pattern="a")
    assert kernels.match_substring(pa.array(["a", "b"]), options=options).to_pylist() == [True, False]


def test_kernels_refuse_options_given_as_data():
    # pyarrow.compute takes options positionally; read as data, Arrow's error would be
    # reported as a damaged journal by the read paths
    parts = pa.array([{"path": "a.md", "layout": "plain"}])
    with pytest.raises(TypeError, match="by keyword"):
        kernels.struct_field(parts, "layout")
    assert kernels.struct_field(parts, indices="layout").to_pylist() == ["plain"]
    assert kernels.coalesce(pa.array([None, "b"]), pa.array(["a", "c"])).to_pylist() == ["a", "b"]


def test_kernels_fall_back_to_pyarrow_compute(monkeypatch):
    """A pyarrow without the private names the kernels call: the same answers through
    ``pyarrow.compute``."""
    monkeypatch.setattr(kernels, "_compute", lambda: None)
    text = pa.chunked_array([["Diffusion", "재학습을", None], ["cache", "학습"]])
    match = kernels._kernel("match_substring")
    assert match(text, pattern="학습").equals(pc.match_substring(text, pattern="학습"))
    table = pa.table({"n": [3, 1, 2]})
    order = kernels._kernel("sort_indices")(table, sort_keys=[("n", "ascending")])
    assert kernels.take(table, order)["n"].to_pylist() == [1, 2, 3]
    mask = pa.array([True, None, False])
    assert kernels.filter(table, mask).equals(table.filter(mask))
    assert kernels.cast(pa.array([1.5]), pa.int32(), safe=False).to_pylist() == [1]
    with pytest.raises(pa.ArrowInvalid):
        kernels.cast(pa.array([1.5]), pa.int32())


def _reference_width(text: str) -> int:
    return sum(
        2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text
    )


def _reference_clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if _reference_width(text) <= limit:
        return text
    kept = 0  # the longest start that leaves a column for the ellipsis
    while kept < len(text) and _reference_width(text[: kept + 1]) <= limit - 1:
        kept += 1
    return text[:kept] + "…"


def _reference_table(headers, rows, flex, max_width):
    cells = [[" ".join(str(c).split()) for c in row] for row in rows]
    widths = [
        max([_reference_width(h)] + [_reference_width(r[i]) for r in cells]) for i, h in enumerate(headers)
    ]
    flex = flex % len(headers)
    others = sum(w for i, w in enumerate(widths) if i != flex) + 2 * (len(headers) - 1)
    widths[flex] = max(12, min(widths[flex], max_width - others))

    def pad(text, size):
        return text + " " * max(0, size - _reference_width(text))

    lines = ["  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    for r in cells:
        lines.append(
            "  ".join(pad(_reference_clip(c, widths[i]), widths[i]) for i, c in enumerate(r)).rstrip()
        )
    return "\n".join(lines)


TEXT = st.text(alphabet=st.sampled_from("ab Z~\t학습ｶ\u0301é漢-"))


@given(TEXT, st.integers(1, 30))
def test_fast_width_and_clip_match_the_character_by_character_ones(text, limit):
    assert width(text) == _reference_width(text)
    assert clip(text, limit) == _reference_clip(text, limit)


@given(st.lists(st.tuples(TEXT, TEXT, TEXT), max_size=6), st.integers(0, 2), st.integers(10, 80))
def test_table_measures_each_cell_once_and_lays_out_as_before(rows, flex, max_width):
    headers = ["id", "title", "tags"]
    assert table(headers, rows, flex=flex, max_width=max_width) == _reference_table(
        headers, rows, flex, max_width
    )


def test_dates_of_a_date_column():
    import datetime as dt

    from journal.store.schema import dates

    days = [dt.date(2024, 5, 9), None, dt.date(1969, 12, 31), dt.date(1, 1, 1)]
    column = pa.chunked_array([pa.array(days[:2], pa.date32()), pa.array(days, pa.date32()).slice(2)])
    assert dates(column) == days


def test_distinct_is_sorted_unique():
    import numpy as np

    values = np.array([5, 1, 5, 3, 1], dtype=np.int64)
    assert ti.distinct(values).tolist() == [1, 3, 5]
    assert ti.distinct(values[:0]).tolist() == []
    assert ti.distinct(values[:1]).tolist() == [5]
