"""The listings the reader has seen: a date-partitioned Parquet dataset beside the journal.

Layout, for a journal at ``entries.parquet``::

    entries.parquet.d/listings/date=2025-01-15/listing.parquet   one file per announcement day

Hive partitioning, so pandas, DuckDB (``read_parquet('…/listings/*/*.parquet',
hive_partitioning=true)``), Polars and Spark read the folder directly; the ``date`` column
lives in the folder name only. Each file holds ``arxiv_id`` (no version), ``title``,
``authors`` (list), ``abstract`` and ``category``.

The folder is the journal's shared folder of recorded listings
(:func:`journal.store.shared_folder`): for an ``s3://`` journal the same layout lives in
the bucket under ``<prefix>/listings/``, where every machine sees it. Recording a day
replaces its file whole (locally: temp file in ``.d/tmp``, fsync, rename, fsync the
folder, under the journal's write lock; in a bucket: one PUT, conditional on the version
read, so a racing recorder merges again on top of the other's): a kill leaves the day as it was or as it
becomes, never part; recording the same day again merges, one row per paper, and never
leaves the day holding less than before (see :func:`record_days`). Readers
take no lock and read only the day folders they are asked for (a million recorded
papers cost a range read no more than a few); a bucket's days are read through this
machine's copy (``listingcache``), so an unchanged day costs no GET.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from journal.errors import JournalFileError, ListingError
from journal.store import SideState, as_journal, shared_folder, update_shared
from journal.triage.listingcache import DayCopies

if TYPE_CHECKING:
    import pandas as pd

    from journal.store import Journal
    from journal.store.backend import SharedFolder

FOLDER = SideState.LISTINGS.value
FILE_NAME = "listing.parquet"
#: The columns of a recorded day (``date`` is the partition).
SCHEMA = pa.schema(
    [
        ("arxiv_id", pa.string()),
        ("title", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("abstract", pa.string()),
        ("category", pa.string()),
    ]
)
COLUMNS = ["date", *SCHEMA.names]


def listings_dir(journal: Journal | str | os.PathLike[str]) -> Path:
    """``<journal>.d/listings``: where a local journal's recorded listings live (an
    ``s3://`` journal's are in its bucket: :func:`listings_folder`)."""
    return as_journal(journal).side_path(SideState.LISTINGS)


def listings_folder(journal: Journal | str | os.PathLike[str]) -> SharedFolder:
    """The recorded listings as every machine sees them (locally :func:`listings_dir`)."""
    return shared_folder(as_journal(journal).backend, SideState.LISTINGS)


def _day_file(day: dt.date) -> str:
    return f"date={day.isoformat()}/{FILE_NAME}"


def _days(names: list[str]) -> list[dt.date]:
    """The days whose ``date=YYYY-MM-DD/listing.parquet`` is in ``names`` (a folder's),
    sorted (a folder whose first recording was killed before the rename holds no day)."""
    days = []
    for name in names:
        part, _, file = name.partition("/")
        if part.startswith("date=") and file == FILE_NAME:
            try:
                days.append(dt.date.fromisoformat(part[5:]))
            except ValueError:
                continue  # not ours
    return sorted(days)


def recorded_days(journal: Journal | str | os.PathLike[str]) -> list[dt.date]:
    """The days recorded, oldest first."""
    return _days(listings_folder(journal).names())


def _day_table(frame: pd.DataFrame) -> pa.Table:
    def text(name: str) -> list[str | None]:  # pandas gives NaN for a missing string
        return (
            [v if isinstance(v, str) else None for v in frame[name]] if name in frame else [None] * len(frame)
        )

    columns: dict[str, list[Any]] = {
        name: text(name) for name in ("arxiv_id", "title", "abstract", "category")
    }
    authors = frame["authors"] if "authors" in frame else [None] * len(frame)
    columns["authors"] = [
        [str(a) for a in v] if v is not None and not isinstance(v, (str, float)) else [] for v in authors
    ]
    return pa.Table.from_pydict(columns, schema=SCHEMA)


def _loses(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """Whether row ``new`` holds less than recorded row ``old``: no title or abstract where
    the record has one, or fewer authors."""
    return any(bool(old[name]) and not new[name] for name in ("title", "abstract")) or len(
        new["authors"] or ()
    ) < len(old["authors"] or ())


@dataclass
class Recorded:
    """What :func:`record_days` did: the ``days`` written and, per day recorded before,
    how many recorded papers were ``kept`` over a listing row that holds less and how
    many the listing ``lacked`` (they stay recorded)."""

    days: list[dt.date]
    kept: dict[dt.date, int] = field(default_factory=dict)
    lacked: dict[dt.date, int] = field(default_factory=dict)

    def note(self) -> str:
        """What the reader should know, or "" when every day simply took the listing."""
        parts = []
        for day in sorted(set(self.kept) | set(self.lacked)):
            said = []
            if self.kept.get(day):
                said.append(
                    f"kept the recorded version of {self.kept[day]} papers the listing gives with fewer "
                    "authors or without a title or abstract"
                )
            if self.lacked.get(day):
                said.append(f"{self.lacked[day]} recorded papers the listing lacks stay recorded")
            parts.append(f"{day.isoformat()} was recorded before: {'; '.join(said)}")
        return "; ".join(parts)


def _merge(old: pa.Table, new: pa.Table) -> tuple[pa.Table, int, int]:
    """One row per paper, and never less than the record held (see :func:`record_days`):
    the merged table, how many recorded rows were kept over the listing's, and how many
    recorded papers the listing lacks."""
    old_rows = {row["arxiv_id"]: row for row in old.to_pylist()}
    new_ids = new["arxiv_id"].to_pylist()
    worse = {
        a
        for a, row in zip(new_ids, new.to_pylist(), strict=True)
        if a in old_rows and _loses(row, old_rows[a])
    }
    listed = set(new_ids)
    keep = [i for i, a in enumerate(old["arxiv_id"].to_pylist()) if a not in listed or a in worse]
    taken = [i for i, a in enumerate(new_ids) if a not in worse]
    merged = pa.concat_tables(
        [old.take(pa.array(keep, type=pa.int64())), new.take(pa.array(taken, type=pa.int64()))]
    )
    return merged, len(worse), sum(1 for a in old_rows if a not in listed)


def record_listing(journal: Journal | str | os.PathLike[str], listing: pd.DataFrame) -> list[dt.date]:
    """Record ``listing`` (columns of :data:`COLUMNS`, ``date`` holding dates) as seen;
    returns the days written (see :func:`record_days`)."""
    return record_days(journal, listing).days


def record_days(journal: Journal | str | os.PathLike[str], listing: pd.DataFrame) -> Recorded:
    """Record ``listing`` (columns of :data:`COLUMNS`, ``date`` holding dates) as seen.

    Each day is merged into its recorded file and replaced atomically, and a record never
    comes to hold less than it did: one row per ``arxiv_id``; the listing's row replaces a
    recorded one unless it has fewer authors, or no title or abstract where the record has
    one (then the recorded row stays); recorded papers the listing lacks stay. The
    returned :class:`Recorded` says what was kept.
    """
    import pandas as pd

    missing = [c for c in ("date", "arxiv_id") if c not in listing.columns]
    if missing:
        raise ListingError("listing", f"has no {', '.join(missing)} column; cannot record it")
    j = as_journal(journal)
    folder = listings_folder(j)
    frame = listing.assign(date=pd.to_datetime(listing["date"]).dt.date)  # strings, timestamps, dates
    report = Recorded(sorted(set(frame["date"])))
    with j.write_lock():
        for day in report.days:
            table = _day_table(frame[frame["date"] == day].drop_duplicates("arxiv_id", keep="last"))

            def merged(old: bytes | None, day: dt.date = day, table: pa.Table = table) -> bytes:
                report.kept.pop(day, None)
                report.lacked.pop(day, None)
                new = table
                if old is not None:
                    new, kept, lacked = _merge(_parse(folder, _day_file(day), io.BytesIO(old)), table)
                    if kept:
                        report.kept[day] = kept
                    if lacked:
                        report.lacked[day] = lacked
                sink = pa.BufferOutputStream()
                pq.write_table(new, sink, compression="zstd")
                return sink.getvalue().to_pybytes()

            update_shared(folder, _day_file(day), merged)
    return report


def _read_file(folder: SharedFolder, name: str, copies: DayCopies | None = None) -> pa.Table | None:
    """The recorded day ``name`` (a local one read in place; a remote one from this
    machine's copy if ``copies`` holds it as listed), None if it is gone."""
    path = folder.local_path(name)
    if path is not None:
        return _parse(folder, name, path) if path.exists() else None
    copy = None if copies is None else copies.path(name)
    if copies is not None and copy is not None:
        try:
            return _parse(folder, name, copy)
        except JournalFileError:  # a damaged copy: fetched again
            copies.forget(name)
    stored = folder.read(name)
    if stored is None:
        return None
    table = _parse(folder, name, io.BytesIO(stored.data))
    if copies is not None:
        copies.keep(name, stored)
    return table


def _listed(journal: Journal | str | os.PathLike[str]) -> tuple[SharedFolder, list[str], DayCopies | None]:
    """The recorded listings' folder, its names and (a bucket's) this machine's copies."""
    j = as_journal(journal)
    folder = listings_folder(j)
    copies = DayCopies.of(j, folder)
    return folder, folder.names() if copies is None else copies.names(), copies


def _parse(folder: SharedFolder, name: str, source: Path | io.BytesIO) -> pa.Table:
    try:
        # ParquetFile, not read_table: one file needs no dataset machinery (a third faster
        # over the 60 files of a ranking's window).
        with pq.ParquetFile(source) as file:
            table = file.read(columns=[c for c in SCHEMA.names if c in file.schema_arrow.names])
    except (OSError, pa.ArrowException) as e:
        raise JournalFileError(
            folder.name_of(name),
            f"cannot be read ({e}); delete the folder {name.partition('/')[0]} to forget that day",
        ) from None
    return table.select(SCHEMA.names).cast(SCHEMA)


def recorded_column(journal: Journal | str | os.PathLike[str], column: str) -> list[Any]:
    """Column ``column`` of every recorded day, oldest day first."""
    folder, names, copies = _listed(journal)
    values: list[Any] = []
    for day in _days(names):
        table = _read_file(folder, _day_file(day), copies)
        values += [] if table is None else table[column].to_pylist()
    return values


def read_listings(
    journal: Journal | str | os.PathLike[str],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int | None = None,
    exclude: Collection[str] = frozenset(),
) -> pd.DataFrame:
    """The recorded listing papers of the days from ``start`` to ``end`` (inclusive; None:
    open), oldest day first: columns :data:`COLUMNS`, ``date`` holding ``datetime.date``.

    ``limit``: only the latest days, as many as it takes to hold ``limit`` distinct papers
    whose arXiv ids (any version) are not in ``exclude`` (what the ranker would keep of
    them anyway: its ``MAX_NEGATIVES`` most recent), so a busy store reads no more."""
    import pandas as pd

    from journal.triage.ranker import base_id

    folder, names, copies = _listed(journal)
    tables = []
    distinct: set[str | None] = set()
    for day in reversed(_days(names)):  # pruned by the folder names: only the range is opened
        if (start is not None and day < start) or (end is not None and day > end):
            continue
        table = _read_file(folder, _day_file(day), copies)
        if table is None:
            continue  # removed since the listing
        dates = pa.array([day] * table.num_rows, type=pa.date32())
        tables.append(table.add_column(0, "date", dates))
        if limit is not None:
            distinct.update(base_id(i) for i in table["arxiv_id"].to_pylist())
            if len(distinct - set(exclude) - {None}) >= limit:
                break
    if not tables:
        empty: dict[str, Any] = {name: pd.Series([], dtype=object) for name in COLUMNS}
        return pd.DataFrame(empty)
    return pa.concat_tables(tables[::-1]).to_pandas(date_as_object=True)
