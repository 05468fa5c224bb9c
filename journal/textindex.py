"""The search text of a journal: one row per entry, the searched fields joined in one
column, kept once per journal state.

Columns: ``id``, ``date``, ``title``, ``authors`` (joined with ``, ``), ``tags`` and
``text`` = title, authors, abstract, commentary and arXiv id joined with ``SEP`` (a
control character that a search term never holds: ``str.split`` treats it as white
space; a phrase never spans it).

Reading ``entries.parquet`` and joining the text is most of a cold search (0.4-0.6 s at
100k entries; at 4,000, as long as the rest of ``journal search`` in a fresh process), so
for journals of ``DISK_MIN_ROWS`` entries or more the index of the snapshot
is also kept beside it, uncompressed Arrow IPC that is memory-mapped in ~1 ms:
``entries.parquet.d/search.arrow``. It is a cache: stamped with the snapshot it was made
from, rebuilt when that changes, and safe to delete. Pending change files (small) are
applied on top at query time, so adding an entry does not invalidate it.

Everything here avoids building Arrow arrays from Python objects and ``to_numpy``: on
first use either imports pandas (0.4 s), which ``journal search`` cannot afford.
"""

from __future__ import annotations

import array
import datetime as dt
import os
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from . import kernels as pc

if TYPE_CHECKING:
    from .store import Journal, Layers

SEP = "\x1f"
INDEX_VERSION = 2  # 2: the arXiv id ends the text
DISK_MIN_ROWS = 1_000  # smaller ones build it in a few ms: no file to keep
CACHE_NAME = "search.arrow"
_KEY = b"journal.search.snapshot"
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("date", pa.date32()),
        ("title", pa.string()),
        ("authors", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("text", pa.string()),
    ]
)
_EPOCH = dt.date(1970, 1, 1).toordinal()
# per journal object: the index of its snapshot file, and of its whole state, with their keys
_BASES: weakref.WeakKeyDictionary[Journal, tuple[Any, pa.Table]] = weakref.WeakKeyDictionary()
_INDEXES: weakref.WeakKeyDictionary[Journal, tuple[Any, pa.Table]] = weakref.WeakKeyDictionary()


# --- Arrow <-> numpy without pandas ---------------------------------------------------


def repeat_string(value: str, n: int) -> pa.Array:
    """A string array of ``n`` copies of ``value``."""
    data = value.encode("utf-8")
    offsets = array.array("i", range(0, (n + 1) * len(data), len(data)) if data else [0] * (n + 1))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data * n))


def as_numpy(values: pa.Array | pa.ChunkedArray, dtype: Any) -> np.ndarray:
    """A fixed-width column without nulls as a numpy array (a view where possible)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    parts = []
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        itemsize = np.dtype(dtype).itemsize
        buf = chunk.buffers()[1]
        parts.append(np.frombuffer(buf, dtype=dtype, count=len(chunk), offset=chunk.offset * itemsize))
    if not parts:
        return np.empty(0, dtype=dtype)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def true_positions(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Positions where a boolean column is true (null counts as false), as int64."""
    found = pc.indices_nonzero(mask)
    return as_numpy(found, np.uint64).astype(np.int64)


def indices(positions: np.ndarray) -> pa.Array:
    """An Arrow int64 array of ``positions`` (for ``take``)."""
    data = np.ascontiguousarray(positions, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def take(column: pa.ChunkedArray | pa.Array, positions: np.ndarray) -> pa.Array | pa.ChunkedArray:
    """``column[positions]``, chunk by chunk: ``ChunkedArray.take`` first concatenates
    every chunk, copying the whole column (~10 ms for the text of 100k entries)."""
    if isinstance(column, pa.Array):
        return pc.take(column, indices(positions))
    chunks = [c for c in column.chunks if len(c)]
    if len(chunks) <= 1:
        return pc.take(chunks[0] if chunks else column.combine_chunks(), indices(positions))
    starts = np.cumsum([0] + [len(c) for c in chunks])
    owner = np.searchsorted(starts, positions, side="right") - 1
    if len(positions) and np.all(owner[1:] >= owner[:-1]):  # in chunk order: no reordering
        bounds = np.searchsorted(owner, np.arange(len(chunks) + 1))
        parts = [
            pc.take(chunks[k], indices(positions[bounds[k] : bounds[k + 1]] - starts[k]))
            for k in range(len(chunks))
            if bounds[k + 1] > bounds[k]
        ]
        return parts[0] if len(parts) == 1 else pa.chunked_array(parts, type=column.type)
    parts, picked = [], []
    for k in distinct(owner):
        sel = np.flatnonzero(owner == k)
        picked.append(sel)
        parts.append(pc.take(chunks[k], indices(positions[sel] - starts[k])))
    if not parts:
        return pc.take(chunks[0], indices(positions))
    order = np.argsort(np.concatenate(picked), kind="stable")
    return pc.take(pa.concat_arrays(parts), indices(order))


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique`` imports ``numpy.ma`` on first use: ~40 ms)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def spread(n: int, k: int) -> np.ndarray:
    """About ``k`` row positions spread evenly over ``n`` rows (all of them if fewer)."""
    return np.arange(n) if n <= k else np.linspace(0, n - 1, k).astype(np.int64)


def strings(values: pa.Array | pa.ChunkedArray) -> list[str]:
    """Python strings of a string column (nulls as "")."""
    from .table import strings

    return [s or "" for s in strings(values)]


def dates(values: pa.Array | pa.ChunkedArray) -> list[dt.date]:
    return [dt.date.fromordinal(_EPOCH + int(d)) for d in as_numpy(values, np.int32)]


# --- building ---------------------------------------------------------------------------


def build(table: pa.Table) -> pa.Table:
    """The index of a table with the journal's columns."""
    batches = []
    for batch in table.to_batches():
        n = batch.num_rows
        empty, sep = repeat_string("", n), repeat_string(SEP, n)
        joined = pc.binary_join(batch.column("authors"), repeat_string(", ", n))
        authors = pc.binary_join_element_wise(joined, empty, null_handling="replace", null_replacement="")
        text = pc.binary_join_element_wise(
            batch.column("title"),
            authors,
            batch.column("abstract"),
            batch.column("commentary"),
            batch.column("arxiv_id"),
            sep,
            null_handling="replace",
            null_replacement="",
        )
        columns = [
            batch.column("id"),
            batch.column("date"),
            batch.column("title"),
            authors,
            batch.column("tags"),
            text,
        ]
        batches.append(pa.RecordBatch.from_arrays(columns, schema=SCHEMA))
    return pa.Table.from_batches(batches, schema=SCHEMA)


def _stamp(key: tuple[int, int, int]) -> bytes:
    return f"{INDEX_VERSION}:{key[0]}:{key[1]}:{key[2]}".encode()


def _load(journal: Journal, key: tuple[int, int, int]) -> pa.Table | None:
    path = journal.sidecar / CACHE_NAME
    try:
        source = pa.memory_map(os.fspath(path))
    except (OSError, pa.ArrowException):
        return None  # missing: it is only a cache
    try:
        reader = pa.ipc.open_file(source)
        if (reader.schema.metadata or {}).get(_KEY) != _stamp(key):
            source.close()
            return None
        table = reader.read_all()
    except (OSError, pa.ArrowException):
        source.close()
        return None  # stale or damaged: rebuilt
    if not table.schema.equals(SCHEMA, check_metadata=False):
        return None
    return table.replace_schema_metadata(None)


def _save(journal: Journal, key: tuple[int, int, int], table: pa.Table) -> None:
    """Write the cache (temp file, rename); any failure just leaves no cache."""
    tmp = journal.tmp_dir / f"search.{os.urandom(4).hex()}.tmp"
    try:
        journal.tmp_dir.mkdir(parents=True, exist_ok=True)
        schema = SCHEMA.with_metadata({_KEY: _stamp(key)})
        with pa.OSFile(os.fspath(tmp), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
            writer.write_table(table.replace_schema_metadata(schema.metadata), max_chunksize=65_536)
        os.replace(tmp, journal.sidecar / CACHE_NAME)
    except (OSError, pa.ArrowException):
        try:
            tmp.unlink()
        except OSError:
            pass


def _base(journal: Journal, layers: Layers) -> pa.Table:
    """The index of the snapshot file alone."""
    key = layers.snapshot_key
    cached = _BASES.get(journal)
    if cached is not None and cached[0] == key:
        return cached[1]
    if key is None:
        table = pa.Table.from_batches([], schema=SCHEMA)
    else:
        table = _load(journal, key)
        if table is None:
            table = build(layers.snapshot())  # the file of this very key: safe to cache under it
            if table.num_rows >= DISK_MIN_ROWS:
                _save(journal, key, table)
    _BASES[journal] = (key, table)
    return table


def _apply(base: pa.Table, changes: pa.Table) -> pa.Table:
    """``base`` with pending change rows applied (as the store merges them)."""
    from .table import SCHEMA as STORE_SCHEMA
    from .table import empty_table, merge

    if changes.num_rows == 0:
        return base
    live = merge(empty_table(STORE_SCHEMA), changes)
    touched = pc.unique(changes["id"].combine_chunks())
    kept = pc.filter(base, pc.invert(pc.is_in(base["id"], value_set=touched)))
    return pa.concat_tables([kept, build(live)])


def search_index(journal: Journal) -> pa.Table:
    """The index of every live entry (snapshot order, then changed entries)."""

    def read(layers: Layers) -> pa.Table:
        cached = _INDEXES.get(journal)
        if cached is not None and cached[0] == layers.state:
            return cached[1]
        base = _base(journal, layers)
        view = _apply(base, layers.changes()) if layers.change_names else base
        _INDEXES[journal] = (layers.state, view)
        return view

    return journal.read_layers(read)
