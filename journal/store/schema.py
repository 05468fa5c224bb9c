"""The Arrow table behind the store: the schema, the JSON encoding of change rows, the
merge of changes into a snapshot, and column access that never imports pandas.

pandas costs the command line ~0.4 s, and pyarrow imports it on first use whenever Arrow
values are built from Python objects (``pa.scalar``, ``pa.array``, ``to_pylist`` of
timestamps, ``Table.group_by``). Everything here avoids those paths; the comments say
which call each one replaces.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.json as pj

from journal.errors import ValidationError
from journal.model import EPOCH_UTC, FIELDS, LEGACY_LAYOUT_PATTERN, Entry, format_timestamp, tag_key
from journal.store import kernels as pc

#: 2: the layout of an imported note has its own column (version 1 kept it in ``source``).
#: 3: who wrote each entry (``reader``; null on entries from before).
SCHEMA_VERSION = 3
VERSION_KEY = b"journal.schema_version"
GENERATION_KEY = b"journal.generation"

_STR = pa.string()
_LIST = pa.list_(pa.string())
_TS = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema(
    [
        pa.field("id", _STR, nullable=False),
        pa.field("date", pa.date32(), nullable=False),
        pa.field("title", _STR, nullable=False),
        pa.field("authors", _LIST),
        pa.field("url", _STR),
        pa.field("links", _LIST),
        pa.field("arxiv_id", _STR),
        pa.field("arxiv_version", pa.int32()),
        pa.field("abstract", _STR),
        pa.field("commentary", _STR),
        pa.field("tags", _LIST),
        pa.field("source", _STR),
        pa.field("layout", _STR),
        pa.field("created_at", _TS),
        pa.field("updated_at", _TS),
        pa.field("reader", _STR),
    ]
)
assert tuple(SCHEMA.names) == FIELDS
# Change rows: every field nullable (a delete is just an id) plus the delete mark.
CHANGE_SCHEMA = pa.schema([f.with_nullable(True) for f in SCHEMA] + [pa.field("_deleted", pa.bool_())])
EPOCH = dt.date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()


def encode(entry: Entry) -> bytes:
    row: dict[str, Any] = entry.to_dict()
    row["date"] = (entry.date - EPOCH).days  # pyarrow.json reads date32 from a day number
    for f in ("created_at", "updated_at"):
        row[f] = None if row[f] is None else format_timestamp(row[f])
    row["_deleted"] = False
    return json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n"


def encode_delete(entry_id: str) -> bytes:
    return json.dumps({"id": entry_id, "_deleted": True}).encode("utf-8") + b"\n"


def empty_table(schema: pa.Schema) -> pa.Table:
    return pa.Table.from_batches([], schema=schema)  # Schema.empty_table() imports pandas


def rows_to_table(data: bytes) -> pa.Table:
    if not data:
        return empty_table(CHANGE_SCHEMA)
    options = pj.ParseOptions(explicit_schema=CHANGE_SCHEMA, unexpected_field_behavior="error")
    # one block for the whole input: a row may not straddle blocks
    read = pj.ReadOptions(use_threads=False, block_size=max(1 << 20, len(data) + 1))
    rows = pj.read_json(pa.BufferReader(data), read_options=read, parse_options=options)
    return split_legacy_sources(rows)  # rows written by schema version 1 (a pending change)


def split_legacy_sources(table: pa.Table) -> pa.Table:
    """Rows of schema version 1 as version 2: a layout hint riding in ``source``
    (``x.md#md:plain``) moves to ``layout`` (see :func:`journal.model.split_legacy_source`).
    Rows that already have a layout, or no hint, are kept as they are."""
    if "source" not in table.column_names or table.num_rows == 0:
        return table
    source = table["source"]
    hinted = pc.match_substring_regex(source, pattern=_LEGACY_HINT)
    if "layout" in table.column_names:
        hinted = pc.and_kleene(hinted, pc.is_null(table["layout"]))
    if not pc.any(hinted).as_py():
        return table
    parts = pc.extract_regex(source, pattern=_LEGACY_HINT)
    found = pc.struct_field(parts, indices="layout")
    empty = pc.match_substring_regex(found, pattern="^$")  # "x.md#md:": the canonical layout
    layout = pc.if_else(pc.or_kleene(pc.invert(hinted), empty), pa.nulls(table.num_rows, _STR), found)
    if "layout" in table.column_names:
        layout = pc.coalesce(table["layout"], layout)
    path = pc.if_else(hinted, pc.struct_field(parts, indices="path"), source)
    table = table.set_column(table.column_names.index("source"), table.field("source"), path)
    if "layout" in table.column_names:
        return table.set_column(table.column_names.index("layout"), table.field("layout"), layout)
    return table.append_column(pa.field("layout", _STR), layout)


_LEGACY_HINT = f"(?s)^{LEGACY_LAYOUT_PATTERN}$"  # the same pattern, for Arrow's RE2


def strings(column: pa.ChunkedArray | pa.Array) -> list[str | None]:
    """Python strings of a string column without importing pandas (which ``to_pylist``
    does on first use, costing the CLI ~0.4 s)."""
    arrays = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    out: list[str | None] = []
    for arr in arrays:
        if len(arr) == 0:
            continue
        if arr.null_count == len(arr):  # e.g. the source column of a journal without notes
            out.extend([None] * len(arr))
            continue
        _, offsets_buf, data_buf = arr.buffers()
        offsets = memoryview(offsets_buf).cast("i")[arr.offset : arr.offset + len(arr) + 1]
        data = data_buf.to_pybytes() if data_buf is not None else b""
        strings = [data[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(len(arr))]
        if arr.null_count:
            valid = pc.is_valid(arr).to_pylist()
            strings = [s if ok else None for s, ok in zip(strings, valid, strict=True)]
        out.extend(strings)
    return out


def dates(column: pa.ChunkedArray) -> list[dt.date | None]:
    """The days of a date32 column (``to_pylist`` takes 20 times as long)."""
    return [
        None if day is None else dt.date.fromordinal(_EPOCH_ORDINAL + day)
        for chunk in column.chunks
        for day in chunk.view(pa.int32()).to_pylist()
    ]


TIMESTAMPS = ("created_at", "updated_at")


def timestamps(column: pa.ChunkedArray) -> list[dt.datetime | None]:
    # pyarrow's own conversion of tz-aware timestamps imports pandas (~0.4 s): go by
    # microseconds instead, so reading entries stays pandas-free (CLI, daily notebook)
    micros = pc.cast(column, pa.int64()).to_pylist()
    return [None if m is None else EPOCH_UTC + dt.timedelta(microseconds=m) for m in micros]


def entries_from_table(table: pa.Table) -> list[Entry]:
    plain = [f for f in FIELDS if f not in TIMESTAMPS]
    created, updated = (timestamps(table[f]) for f in TIMESTAMPS)
    return [
        Entry(
            id=row["id"],
            date=row["date"],
            title=row["title"],
            authors=tuple(row["authors"] or ()),
            url=row["url"],
            links=tuple(row["links"] or ()),
            arxiv_id=row["arxiv_id"],
            arxiv_version=row["arxiv_version"],
            abstract=row["abstract"] or "",
            commentary=row["commentary"] or "",
            tags=tuple(row["tags"] or ()),
            source=row["source"],
            layout=row["layout"],
            created_at=created[i],
            updated_at=updated[i],
            reader=row["reader"],
        )
        for i, row in enumerate(table.select(plain).to_pylist())
    ]


def merge(snapshot: pa.Table, changes: pa.Table) -> pa.Table:
    """The snapshot with the change rows applied in order (last version of an id wins),
    sorted into journal order (date, then when it was added). Pure Arrow: no pandas."""
    if changes.num_rows == 0:
        return snapshot
    # The last row of each id: the first hit in the reversed rows. (Table.group_by would
    # do, but it imports pandas, which the CLI cannot afford.)
    position = pc.cumulative_sum(pc.cast(pc.is_valid(changes["id"]), pa.int64()))
    reversed_rows = pc.sort_indices(position, sort_keys=[("", "descending")])
    reversed_ids = pc.take(changes["id"], reversed_rows).combine_chunks()
    unique_ids = pc.unique(changes["id"].combine_chunks())
    last_rows = pc.take(reversed_rows, pc.index_in(unique_ids, value_set=reversed_ids))
    latest = pc.take(changes, pc.take(last_rows, pc.sort_indices(last_rows)))
    live = cast_table(pc.filter(latest, pc.invert(latest["_deleted"])), SCHEMA)
    live = pc.take(live, pc.sort_indices(live, sort_keys=ORDER))
    touched = pc.is_in(snapshot["id"], value_set=latest["id"].combine_chunks())
    kept = pc.filter(snapshot, pc.invert(touched)) if pc.any(touched).as_py() else snapshot
    merged = pa.concat_tables([kept, live])
    if kept.num_rows and live.num_rows and order_key(live, 0) < order_key(kept, kept.num_rows - 1):
        # rows for earlier days or edits: a full (stable) sort; appends skip this copy
        merged = pc.take(merged, pc.sort_indices(merged, sort_keys=ORDER))
    return merged


ORDER = [("date", "ascending"), ("created_at", "ascending")]


def cast_table(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The ``schema`` columns of ``table`` cast to it, as ``table.select(...).cast(schema)``
    gives them (``Table.cast`` imports ``pyarrow.compute``: see :mod:`journal.store.kernels`)."""
    columns = [
        table[f.name] if table[f.name].type == f.type else pc.cast(table[f.name], f.type) for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def order_key(table: pa.Table, row: int) -> tuple[int, int]:
    # raw integers: Timestamp .as_py() would import pandas
    day, created = table["date"][row].value, table["created_at"][row].value
    return (day, -(2**63) if created is None else created)


def equals(column: pa.ChunkedArray | pa.Array, text: str) -> pa.ChunkedArray:
    """Which rows of a string column are ``text`` (see :func:`one_of`)."""
    return one_of(column, [text])


def one_of(column: pa.ChunkedArray | pa.Array, values: Iterable[str]) -> pa.ChunkedArray:
    """Which rows of a string column equal one of ``values`` (no values: none; a null row
    gives null, which ``filter`` and ``indices_nonzero`` skip). A regex rather than ``pc.equal``/``pc.is_in``: the scalar or value set
    they need, built from Python objects, imports pandas."""
    wanted = sorted(set(values))
    pattern = "^(?:" + "|".join(re.escape(v) for v in wanted) + ")$" if wanted else "[^\\s\\S]"
    return pc.match_substring_regex(column, pattern=pattern)


def tag_rows(tags: pa.ChunkedArray | pa.Array, tag: str) -> pa.Array:
    """The positions (ascending, int64) of the rows of a list-of-tags column that hold
    ``tag`` by the one rule of tag matching, :func:`~journal.model.tag_key`."""
    key = tag_key(tag)
    if not key:
        raise ValidationError("tag", f"{tag!r} is not a tag")
    flat = pc.list_flatten(tags)
    names = [t for t in strings(pc.unique(flat)) if t is not None and tag_key(t) == key]
    parents = pc.list_parent_indices(tags)
    hits = pc.unique(pc.filter(parents, one_of(flat, names)))
    return pc.take(hits, pc.sort_indices(hits))


def date_slice(table: pa.Table, start: dt.date | None, end: dt.date | None) -> pa.Table:
    """The rows dated ``start``..``end`` (inclusive) of a table in journal order: two
    binary searches over the day numbers, no scan and no copy."""
    days_array = pc.cast(table["date"], pa.int32()).combine_chunks()
    if days_array.null_count:  # only a foreign file has undated rows: scan
        lo_day = (start - EPOCH).days if start else -(2**31)
        hi_day = (end - EPOCH).days if end else 2**31 - 1
        return pc.filter(
            table, pc.and_(pc.greater_equal(days_array, lo_day), pc.less_equal(days_array, hi_day))
        )
    days = memoryview(days_array.buffers()[1]).cast("i")[
        days_array.offset : days_array.offset + len(days_array)
    ]
    lo = 0 if start is None else bisect.bisect_left(days, (start - EPOCH).days)
    hi = len(days) if end is None else bisect.bisect_right(days, (end - EPOCH).days)
    return table.slice(lo, max(0, hi - lo))
