"""A blind append to an ``s3://`` journal's Delta table without loading it through delta-rs:
the cheap path of the common write, new entries only (about 4 requests instead of 30).

This machine's table cache (:mod:`journal.store.delta_cache`) already knows the latest
version (one LIST of ``_delta_log/``) and the entries of that version, so it can tell that
the ids are new. The append is then:

1. the data file, a new unique ``part-00000-<uuid>-c000.snappy.parquet`` under the table
   folder, written with the Parquet settings delta-rs uses (snappy, format 1.0, the
   table's Arrow schema);
2. ``_delta_log/<v+1>.json`` (``commitInfo`` + one ``add`` with the ``numRecords``,
   ``minValues``, ``maxValues`` and ``nullCount`` stats delta-rs writes, so that every
   engine prunes by them), PUT with ``If-None-Match: *``.

Of two writers racing for ``v+1`` one gets 412: it lists again, checks its ids against
the newer version (the cache follows the new commits) and tries the next version, after
:func:`journal.store.delta_io.backoff`'s pause. An answer lost after the store applied the
PUT (a 500, a dropped connection) may hide a commit: the retry finds its own data file in
the table and stops, so no row is stored twice. Every write this path does not take goes
through delta-rs (:meth:`journal.store.delta.DeltaBackend.send`): the table's first
commit, a change or deletion, an id already stored, a log the cache could not follow (a
schema or protocol change since it last loaded the table), a table whose protocol,
partitioning or columns are not the journal's own (:func:`matches`), and each hundredth
version, so that delta-rs writes the checkpoint.

PUTs go through boto3 (the ``s3`` extra): pyarrow's output stream is a multipart upload,
which cannot be made conditional.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from journal.errors import StoreConflict
from journal.store.delta_cache import LOG, TableCache
from journal.store.delta_io import COMMIT_ATTEMPTS, backoff, store_error
from journal.store.objects import condition_failed, s3_client, status_of
from journal.store.schema import strings

#: delta-rs (and Spark) write a checkpoint about every 100 commits: versions that are a
#: multiple of this are committed through delta-rs, which then writes one
CHECKPOINT_INTERVAL = 100
#: delta-rs keeps min/max stats of the first 32 columns, strings cut to 64 bytes
INDEXED_COLUMNS = 32
STRING_STATS_BYTES = 64


def checkpoint_due(version: int) -> bool:
    """Whether ``version`` should be committed by delta-rs, with a checkpoint."""
    return version > 0 and version % CHECKPOINT_INTERVAL == 0


# -- the data file and its stats -------------------------------------------------------


def data_file(table: pa.Table) -> bytes:
    """``table`` as Parquet, written as delta-rs writes its files (snappy, format 1.0,
    statistics, the table's Arrow schema without the journal's metadata)."""
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table.replace_schema_metadata(None), sink, compression="snappy", version="1.0")
    return bytes(sink.getvalue())


def _cut_min(text: str) -> str:
    data = text.encode("utf-8")
    if len(data) <= STRING_STATS_BYTES:
        return text
    return data[:STRING_STATS_BYTES].decode("utf-8", errors="ignore")


def _cut_max(text: str) -> str | None:
    """The shortest prefix within the byte limit that is still >= every string starting
    with ``text`` (the last character incremented), as the Parquet writer truncates."""
    if len(text.encode("utf-8")) <= STRING_STATS_BYTES:
        return text
    prefix = _cut_min(text)
    while prefix:
        last = ord(prefix[-1]) + 1
        if 0xD800 <= last <= 0xDFFF:
            last = 0xE000
        if last <= 0x10FFFF:
            bumped = prefix[:-1] + chr(last)
            if len(bumped.encode("utf-8")) <= STRING_STATS_BYTES:
                return bumped
        prefix = prefix[:-1]
    return None


def _values(column: pa.ChunkedArray) -> list[Any] | None:
    """The non-null values of a column as stats values (JSON), None: no min/max kept."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return [s for s in strings(column.cast(pa.string())) if s is not None]
    if pa.types.is_date32(kind):
        epoch = dt.date(1970, 1, 1)
        days = column.cast(pa.int32()).to_pylist()
        return [(epoch + dt.timedelta(days=d)).isoformat() for d in days if d is not None]
    if pa.types.is_timestamp(kind) and kind.unit == "us":
        return [v for v in column.cast(pa.int64()).to_pylist() if v is not None]
    if pa.types.is_integer(kind):
        return [v for v in column.to_pylist() if v is not None]
    return None


def _timestamp(micros: int) -> str:
    """A timestamp as delta-rs writes it in stats: UTC, cut to milliseconds."""
    millis = micros // 1000
    moment = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=millis)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


def stats(table: pa.Table) -> dict[str, Any]:
    """The ``stats`` of an ``add`` action for ``table`` as delta-rs writes them: the row
    count, and for each indexed non-list column its null count and, if it has values, its
    minimum and maximum (strings cut, timestamps to the millisecond)."""
    minimum: dict[str, Any] = {}
    maximum: dict[str, Any] = {}
    nulls: dict[str, int] = {}
    for field in list(table.schema)[:INDEXED_COLUMNS]:
        if pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
            continue
        column = table[field.name]
        values = _values(column)
        if values is None:
            continue
        nulls[field.name] = column.null_count
        if not values:
            continue
        low, high = min(values), max(values)
        if pa.types.is_timestamp(field.type):
            low, high = _timestamp(low), _timestamp(high)
        elif isinstance(low, str) and not pa.types.is_date32(field.type):
            low, high = _cut_min(low), _cut_max(high)
        minimum[field.name] = low
        if high is not None:
            maximum[field.name] = high
    return {"numRecords": table.num_rows, "minValues": minimum, "maxValues": maximum, "nullCount": nulls}


def commit_entry(path: str, size: int, table: pa.Table, *, now_ms: int | None = None) -> bytes:
    """The log entry of a blind append of data file ``path`` (``size`` bytes, ``table``'s
    rows): ``commitInfo`` and one ``add``, as newline-delimited JSON."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    info = {
        "timestamp": now,
        "operation": "WRITE",
        "operationParameters": {"mode": "Append"},
        "isBlindAppend": True,
        "engineInfo": "journal",
        "operationMetrics": {"num_added_files": 1, "num_removed_files": 0, "num_added_rows": table.num_rows},
    }
    add = {
        "path": path,
        "partitionValues": {},
        "size": size,
        "modificationTime": now,
        "dataChange": True,
        "stats": json.dumps(stats(table), ensure_ascii=False, separators=(",", ":")),
    }
    lines = [{"commitInfo": info}, {"add": add}]
    return b"".join(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n" for line in lines)


# -- the commit ------------------------------------------------------------------------


def matches(cache: TableCache, table: pa.Table) -> bool:
    """Whether the table, as this machine's cache last loaded it, is one a plain data file
    may be appended to: reader 1 / writer 2 with no table features (nothing a writer must
    honour), unpartitioned, and with ``table``'s columns."""
    layout = cache.state().get("layout") or {}
    return (
        layout.get("protocol") == [1, 2]
        and not layout.get("features")
        and layout.get("partitions") == []
        and layout.get("columns") == table.column_names
    )


def append(
    url: str,
    cache: TableCache,
    options: dict[str, str],
    version: int,
    table: pa.Table,
    ids_at: Callable[[int], set[str | None]],
) -> bool:
    """Commit ``table`` (entries whose ids were not in version ``version``, the latest)
    as a blind append on top of the latest version; True once it is in the table (by this
    call or by an earlier attempt whose answer was lost). False, having committed nothing:
    this write is for delta-rs (see the module doc). ``ids_at(v)``: the ids of version
    ``v``, read through ``cache``."""
    import botocore.exceptions

    name = f"part-00000-{uuid.uuid4()}-c000.snappy.parquet"
    ids = {i for i in strings(table["id"]) if i is not None}
    folder = "/".join(p for p in (cache.where.prefix, "entries") if p)
    client: Any = None
    body = b""
    written = False
    failure: Exception | None = None
    lost = False
    for attempt in range(1, COMMIT_ATTEMPTS + 1):
        loads = cache.loads
        files = cache.files_at(version)
        if written and name in files:
            return True  # an attempt whose answer was lost did commit
        if checkpoint_due(version + 1) or cache.loads != loads or not matches(cache, table):
            return False
        if ids & ids_at(version):
            return False
        try:
            if client is None:
                client, body = s3_client(options), data_file(table)
            if not written:
                client.put_object(Bucket=cache.where.bucket, Key=f"{folder}/{name}", Body=body)
                written = True
            entry = commit_entry(name, len(body), table)
            key = f"{folder}/{LOG}/{version + 1:020d}.json"
            client.put_object(Bucket=cache.where.bucket, Key=key, Body=entry, IfNoneMatch="*")
            cache.appended(version + 1, name, body)
            return True
        except botocore.exceptions.ClientError as e:
            lost = condition_failed(e)
            if not lost and status_of(e) < 500:  # refused: retrying will not help
                raise store_error(url, e) from None
            failure = e  # lost the race, or a 5xx: maybe applied
        except botocore.exceptions.EndpointConnectionError as e:
            raise store_error(url, e) from None  # nothing reached the store
        except (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError) as e:
            failure, lost = e, False  # dropped mid-answer: maybe applied
        time.sleep(backoff(attempt))
        latest = cache.latest_version()
        version = version if latest is None else latest
    if lost:
        raise StoreConflict(
            url, "other writers kept changing the journal; the change was not done, try again"
        )
    raise store_error(url, failure or RuntimeError("no attempt"))
