"""A Delta table's live data files and layout read from its log with pyarrow alone, for the
table cache (:mod:`journal.store.delta_cache`) when it is empty: no delta-rs to import or
load (the cold ``journal list`` was three times a local one mostly for that).

From the one listing of ``_delta_log/`` the cache makes anyway, :func:`replay` takes the
newest classic checkpoint (``<v>.checkpoint.parquet``) at or below the version, reads its
``add`` rows (the live files; ``remove`` rows are tombstones), its ``protocol`` and its
``metaData`` (the layout a blind append must match, :func:`journal.store.delta_append.matches`),
then applies the JSON commits after it. Whatever it cannot follow raises
:class:`Unfollowable`, and the cache loads the table through delta-rs instead: a multi-part
or v2 checkpoint (sidecars), a reader protocol above 1 (column mapping, deletion vectors,
any reader feature), deletion vectors, partition columns, absolute file paths, or a commit
missing from the log.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

#: a classic single-file checkpoint; others (multi-part ``<v>.checkpoint.<i>.<n>.parquet``,
#: v2 ``<v>.checkpoint.<uuid>.{parquet,json}``) are left to delta-rs
CHECKPOINT = re.compile(r"^(\d{20})\.checkpoint\.parquet$")
ANY_CHECKPOINT = re.compile(r"^(\d{20})\.checkpoint\.")
COMMIT = re.compile(r"^(\d{20})\.json$")


class Unfollowable(Exception):
    """A log this module cannot replay by itself: load the table through delta-rs."""


def layout_of(protocol: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """The cache's ``layout`` record (protocol, features, partitions, columns) from a
    ``protocol`` and a ``metaData`` action."""
    fields = json.loads(metadata["schemaString"])["fields"]
    return {
        "protocol": [int(protocol["minReaderVersion"]), int(protocol["minWriterVersion"])],
        "features": [*(protocol.get("readerFeatures") or []), *(protocol.get("writerFeatures") or [])],
        "partitions": list(metadata.get("partitionColumns") or []),
        "columns": [f["name"] for f in fields],
    }


def _readable(protocol: dict[str, Any], metadata: dict[str, Any]) -> None:
    """Raise :class:`Unfollowable` for a table whose data files alone do not give its rows."""
    if int(protocol["minReaderVersion"]) > 1 or metadata.get("partitionColumns"):
        raise Unfollowable("reader protocol or partitions")


def _add(live: dict[str, None], add: dict[str, Any]) -> None:
    if add.get("deletionVector") or "://" in add["path"]:
        raise Unfollowable(add["path"])
    live[unquote(add["path"])] = None


def apply_commit(data: bytes, live: dict[str, None], *, actions: dict[str, Any] | None = None) -> None:
    """Apply one JSON commit's ``add`` and ``remove`` actions to ``live`` (the data files).
    A ``protocol`` or ``metaData`` action is kept in ``actions``, or (``actions`` None: the
    caller's layout would go stale) raises :class:`Unfollowable`."""
    for line in data.splitlines():
        if not line.strip():
            continue
        action = json.loads(line)
        for kind in ("protocol", "metaData"):
            if kind in action:
                if actions is None:
                    raise Unfollowable(kind)
                actions[kind] = action[kind]
        if "add" in action:
            _add(live, action["add"])
        elif "remove" in action:
            live.pop(unquote(action["remove"]["path"]), None)


def _checkpoint(data: bytes, live: dict[str, None], actions: dict[str, Any]) -> None:
    """The live files, protocol and metadata of a classic checkpoint."""
    import pyarrow.parquet as pq

    with pq.ParquetFile(io.BytesIO(data)) as file:
        names = [n for n in ("add", "protocol", "metaData", "sidecar") if n in file.schema_arrow.names]
        table = file.read(columns=names)
    if "sidecar" in names and table["sidecar"].null_count < table.num_rows:
        raise Unfollowable("v2 checkpoint")
    for kind in ("protocol", "metaData"):
        if kind in names:
            found = [r for r in table[kind].to_pylist() if r is not None]
            if found:
                actions[kind] = found[-1]
    if "add" in names:
        for add in table["add"].to_pylist():
            if add is not None:
                _add(live, add)


def replay(
    names: Iterable[str], version: int, get: Callable[[str], bytes | None]
) -> tuple[list[str], dict[str, Any]]:
    """The data files and layout of ``version`` from the log (``names``: the files listed in
    ``_delta_log/``; ``get(name)``: one of them, None if gone)."""
    names = set(names)
    checkpoints = [int(m.group(1)) for n in names if (m := ANY_CHECKPOINT.match(n))]
    newest = max((v for v in checkpoints if v <= version), default=None)
    live: dict[str, None] = {}
    actions: dict[str, Any] = {}
    start = 0
    if newest is not None:
        name = f"{newest:020d}.checkpoint.parquet"
        if name not in names:
            raise Unfollowable("multi-part or v2 checkpoint")
        data = get(name)
        if data is None:
            raise Unfollowable(name)
        _checkpoint(data, live, actions)
        start = newest + 1
    for v in range(start, version + 1):
        data = get(f"{v:020d}.json")
        if data is None:
            raise Unfollowable(v)  # cleaned up, or not there yet
        apply_commit(data, live, actions=actions)
    if "protocol" not in actions or "metaData" not in actions:
        raise Unfollowable("no protocol or metadata")
    _readable(actions["protocol"], actions["metaData"])
    return list(live), layout_of(actions["protocol"], actions["metaData"])
