"""The Parquet store: ``entries.parquet`` plus a log of small change files beside it.

Layout, for a journal at ``entries.parquet``::

    entries.parquet            the snapshot: every entry, in journal order
    entries.parquet.d/lock     taken by every writer (never by readers)
    entries.parquet.d/changes/ one JSON-lines file per committed change, named in commit order
    entries.parquet.d/backup.parquet   a copy of the last snapshot, for `journal check`
    entries.parquet.d/tmp/     files being written; anything left here is garbage
    entries.parquet.d/markdown-sync.json   what imported vaults' notes looked like (formats.markdown_sync)

A write (add, edit, delete, an import) takes the lock, writes one change file (temp file,
fsync, rename, fsync the folder) and releases the lock: about one durable small write.
Readers take no lock: they read the snapshot and replay the change files in name order,
keeping the last version of each id. Compaction folds the change files into a new
snapshot (written beside it, fsynced, renamed over it), copies it to the backup, then
deletes the folded change files; a kill at any point leaves either the old or the new
snapshot plus change files that replay to the same entries.

``entries.parquet`` alone is current (readable by plain ``pandas.read_parquet``) whenever
``entries.parquet.d/changes/`` is empty: after every write to a journal of up to
``SMALL_JOURNAL_ROWS`` entries, after any import of ``BATCH_ROWS`` entries or more, and
after ``journal compact``. Larger journals compact on their own once
``MAX_PENDING_CHANGES`` change files pile up.

Change files are JSON (not Parquet) so that ``journal add`` needs neither pandas nor
building Arrow arrays from Python objects; ``pyarrow.json`` turns them into a table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: filelock instead
    fcntl = None  # type: ignore[assignment]
import pyarrow.parquet as pq

from . import kernels as pc
from . import writable
from .errors import (
    AmbiguousId,
    CorruptJournal,
    DuplicateEntry,
    EntryNotFound,
    JournalBusy,
    JournalError,
    JournalFileError,
    NewerSchema,
)
from .fileio import fsync_dir, sidecar_of, write_atomic
from .model import FIELDS, LIST_FIELDS, Entry, make_entry, parse_date, update_entry, utc_now
from .refs import not_found, resolve_paper
from .table import (
    EPOCH,
    GENERATION_KEY,
    ORDER,
    SCHEMA,
    SCHEMA_VERSION,
    VERSION_KEY,
    cast_table,
    date_slice,
    empty_table,
    encode,
    encode_delete,
    entries_from_table,
    equals,
    merge,
    one_of,
    rows_to_table,
    split_legacy_sources,
    strings,
    tag_rows,
)

if TYPE_CHECKING:
    import pandas as pd

    from .check import Finding

SMALL_JOURNAL_ROWS = 5_000
BATCH_ROWS = 1_000
MAX_PENDING_CHANGES = 1_000
LOCK_TIMEOUT = 60.0
T = TypeVar("T")
CHECKSUM_KEY = b"journal.page_checksums"  # in the footer of snapshots written with them


def open(path: str | os.PathLike[str] = "entries.parquet") -> Journal:  # noqa: A001
    """Open the journal at ``path`` (created on the first write)."""
    return Journal(path)


def as_journal(journal: Journal | str | os.PathLike[str]) -> Journal:
    """``journal`` itself, or the journal at that path (for functions that take either)."""
    return journal if isinstance(journal, Journal) else Journal(journal)


@dataclass
class WriteResult:
    """What a batch write did."""

    added: list[Entry] = field(default_factory=list)
    #: entries whose id was already in the journal
    skipped: list[Entry] = field(default_factory=list)
    #: entries whose id came earlier in the same batch (a line repeated in a file)
    repeated: list[Entry] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{len(self.added)} added, {len(self.skipped)} already present"
        return text + (f", {len(self.repeated)} repeated" if self.repeated else "")


@dataclass
class Batch:
    """One atomic change for :meth:`Journal.apply`: entries to store (new ones, or the
    new version of an entry with the same id) and ids to remove."""

    put: list[Entry] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.put or self.delete)


@dataclass(frozen=True)
class Layers:
    """One state of a journal as its two layers: the snapshot file and the change rows
    pending on top of it. Given by :meth:`Journal.read_layers`, valid inside its call."""

    journal: Journal
    snapshot_key: tuple[int, int, int] | None  # the snapshot file's identity (None: no file yet)
    change_names: tuple[str, ...]  # the pending change files, in commit order

    @property
    def state(self) -> tuple[tuple[int, int, int] | None, tuple[str, ...]]:
        """Equal for equal journal states: a key for data derived from the journal."""
        return (self.snapshot_key, self.change_names)

    def snapshot(self) -> pa.Table:
        """The entries of the snapshot file alone (the store's schema, journal order),
        guaranteed to be the file named by ``snapshot_key``."""
        table = self.journal._snapshot()
        if self.journal._snap_key != self.snapshot_key or self.journal._snapshot_key() != self.snapshot_key:
            # compacted meanwhile: read_layers runs the read again on the new state
            raise FileNotFoundError(self.journal.path)
        return table

    def changes(self) -> pa.Table:
        """The pending change rows in commit order (every field nullable, plus a
        ``_deleted`` mark; the last row of an id wins), as :func:`journal.table.merge` takes them."""
        return rows_to_table(b"".join(self.journal._read_change(n) for n in self.change_names))


def _durable_write(path: Path, data: bytes, tmp_dir: Path) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one."""
    write_atomic(path, data, tmp_dir=tmp_dir)


# --- the journal ----------------------------------------------------------------------


class Journal:
    """A reading journal stored at ``path`` (see the module doc for the layout)."""

    def __init__(self, path: str | os.PathLike[str] = "entries.parquet") -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise JournalError(f"{self.path} is a folder; give the path of a .parquet file")
        self.sidecar = sidecar_of(self.path)
        self.changes_dir = self.sidecar / "changes"
        self.tmp_dir = self.sidecar / "tmp"
        self.backup_path = self.sidecar / "backup.parquet"
        self._snap_key: tuple[int, int, int] | None = None
        self._snap_table: pa.Table | None = None
        self._snap_ids: set[str] | None = None
        self._change_cache: dict[str, bytes] = {}
        self._ids: set[str] | None = None
        self._ids_key: tuple[Any, tuple[str, ...]] | None = None
        self._view: pa.Table | None = None
        self._view_key: tuple[Any, tuple[str, ...]] | None = None
        self._info: tuple[Any, int, int, int] | None = None
        self._added_before = False

    def __repr__(self) -> str:
        return f"<Journal {str(self.path)!r}>"

    # -- reading ------------------------------------------------------------------

    def _snapshot_key(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _change_names(self) -> list[str]:
        try:
            names = os.listdir(self.changes_dir)
        except FileNotFoundError:
            return []
        except OSError as e:
            raise JournalFileError(self.changes_dir, f"cannot be read ({e.strerror})") from None
        return sorted(n for n in names if n.endswith(".jsonl"))

    def _parquet_file(self, **options: Any) -> pq.ParquetFile:
        """The snapshot's footer, checked: one clear error for a damaged or newer file."""
        try:
            pf = pq.ParquetFile(self.path, page_checksum_verification=True, **options)
        except FileNotFoundError:
            raise
        except (OSError, pa.ArrowException, UnicodeDecodeError) as e:  # names in a damaged footer
            raise CorruptJournal(
                self.path, f"cannot be read ({e}); run `journal check` to restore the last good state"
            ) from None
        self._check_version(pf.schema_arrow.metadata or {})
        return pf

    def _open_snapshot(self, columns: list[str] | None = None) -> pa.Table:
        pf = self._parquet_file(pre_buffer=True)
        try:
            table = pf.read(columns=columns, use_pandas_metadata=False)
            if CHECKSUM_KEY not in (pf.schema_arrow.metadata or {}):
                # no page checksums (an older or foreign file): damaged bytes would surface
                # as text that is not UTF-8 mid-conversion; find them here instead
                table.validate(full=True)
        except (OSError, pa.ArrowException, UnicodeDecodeError) as e:
            raise CorruptJournal(
                self.path, f"cannot be read ({e}); run `journal check` to restore the last good state"
            ) from None
        if columns is None:
            table = self._conform(table)
        return table

    def _check_version(self, metadata: dict[bytes, bytes]) -> None:
        raw = metadata.get(VERSION_KEY)
        if raw is None:
            return  # a plain Parquet file with our columns (e.g. written by pandas): accepted
        try:
            found = int(raw)
        except ValueError:
            raise CorruptJournal(self.path, f"has a bad schema version {raw!r}") from None
        if found > SCHEMA_VERSION:
            raise NewerSchema(self.path, found, SCHEMA_VERSION)

    def _conform(self, table: pa.Table) -> pa.Table:
        missing = [n for n in ("id", "date", "title") if n not in table.column_names]
        if missing:
            raise CorruptJournal(
                self.path,
                f"is not a journal: it has no {', '.join(missing)} column; give the path of a journal file",
            )
        if table.schema.equals(SCHEMA, check_metadata=False):
            return table.replace_schema_metadata(None)
        table = split_legacy_sources(table)  # schema version 1: layout hints rode in `source`
        columns = []
        for f in SCHEMA:
            if f.name in table.column_names:
                columns.append(table[f.name])
            else:
                columns.append(pa.nulls(table.num_rows, f.type))
        try:
            table = cast_table(pa.Table.from_arrays(columns, schema=SCHEMA.remove_metadata()), SCHEMA)
            return pc.take(table, pc.sort_indices(table, sort_keys=ORDER))  # a foreign file: journal order
        except (pa.ArrowException, ValueError) as e:
            raise CorruptJournal(
                self.path,
                f"has columns of the wrong type ({e}); give the path of a journal file (`journal check` restores a damaged one)",
            ) from None

    def _snapshot(self) -> pa.Table:
        key = self._snapshot_key()
        if key is None:
            self._snap_key, self._snap_table, self._snap_ids = None, empty_table(SCHEMA), set()
            return self._snap_table
        if key != self._snap_key or self._snap_table is None:
            table = self._open_snapshot()
            self._snap_key, self._snap_table, self._snap_ids = key, table, None
        assert self._snap_table is not None
        return self._snap_table

    def _read_change(self, name: str) -> bytes:
        data = self._change_cache.get(name)
        if data is None:
            with (self.changes_dir / name).open("rb") as f:  # change files never change
                data = f.read()
            self._change_cache[name] = data
        return data

    def _consistent(self, read: Callable[[Any, list[str]], T]) -> T:
        """Run ``read(snapshot_key, change_names)`` until no compaction raced with it."""
        for _ in range(50):
            key = self._snapshot_key()
            names = self._change_names()
            try:
                result = read(key, names)
            except FileNotFoundError:
                time.sleep(0.01)  # a change file was folded away mid-read: read again
                continue
            if self._snapshot_key() == key:
                self._change_cache = {n: self._change_cache[n] for n in names if n in self._change_cache}
                return result
        raise JournalBusy(self.path, "kept changing while being read; try again")

    def read_layers(self, read: Callable[[Layers], T]) -> T:
        """``read(layers)`` on one consistent state of the journal (run again if a
        compaction raced with it). For data derived from the store and kept per state,
        such as the search index (:mod:`journal.textindex`): ``layers.state`` keys it,
        ``layers.snapshot()`` and ``layers.changes()`` are what it is built from."""
        try:
            return self._consistent(lambda key, names: read(Layers(self, key, tuple(names))))
        except pa.ArrowException as e:
            raise CorruptJournal(
                self.changes_dir, f"holds an unreadable change ({e}); run `journal check`"
            ) from None

    def to_arrow(self) -> pa.Table:
        """Every entry, in journal order, as an Arrow table (the Parquet schema)."""

        def read(layers: Layers) -> pa.Table:
            if self._view is not None and self._view_key == layers.state:
                return self._view
            view = merge(layers.snapshot(), layers.changes())
            self._view, self._view_key = view, layers.state
            return view

        return self.read_layers(read)

    def to_pandas(
        self,
        *,
        date: Any = None,
        start: Any = None,
        end: Any = None,
        tag: str | None = None,
    ) -> pd.DataFrame:
        """All entries (or those matching the filters) as a DataFrame, columns of SPEC 1.

        Strings are pandas strings, ``authors``/``links``/``tags`` hold arrays of strings
        (as ``pandas.read_parquet`` gives them), ``date``
        holds ``datetime.date`` values (as ``pandas.read_parquet`` gives them),
        ``arxiv_version`` is a nullable integer and the timestamps are UTC.
        """
        import pandas as pd

        table = self._filtered(date=date, start=start, end=end, tag=tag)
        return table.to_pandas(types_mapper={pa.int32(): pd.Int32Dtype()}.get)

    def _filtered(
        self, *, date: Any = None, start: Any = None, end: Any = None, tag: str | None = None
    ) -> pa.Table:
        table = self.to_arrow()
        if date is not None:
            start = end = parse_date(date, "date")  # an error names the parameter given
        if start is not None or end is not None:
            table = date_slice(
                table,
                None if start is None else parse_date(start, "from"),
                None if end is None else parse_date(end, "to"),
            )
        if tag:  # the one rule of tag matching: case and separators ignored (model.tag_key)
            table = pc.take(table, tag_rows(table["tags"], tag))
        return table

    def entries(
        self, *, date: Any = None, start: Any = None, end: Any = None, tag: str | None = None
    ) -> list[Entry]:
        """Entries in journal order, optionally for one ``date``, a ``start``..``end``
        range (inclusive) and/or one ``tag``."""
        return entries_from_table(self._filtered(date=date, start=start, end=end, tag=tag))

    def columns(
        self,
        names: Sequence[str],
        *,
        date: Any = None,
        start: Any = None,
        end: Any = None,
        tag: str | None = None,
    ) -> pa.Table:
        """The ``names`` columns of the entries (or of those matching the filters, as in
        :meth:`entries`), in journal order, as an Arrow table: no Entry objects, no
        pandas (``journal list`` shows four of fourteen fields). The whole snapshot is
        still read, so that damage anywhere in it is found."""
        return self._filtered(date=date, start=start, end=end, tag=tag).select(list(names))

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())

    def __len__(self) -> int:
        return self.to_arrow().num_rows

    def __contains__(self, entry_id: object) -> bool:
        return isinstance(entry_id, str) and entry_id in self._live_ids()

    def resolve(self, id_or_prefix: str) -> str:
        """The full id for an id, a unique prefix of one (at least 4 characters), or the
        arXiv id or URL of the one entry about that paper (:mod:`journal.refs`)."""
        key = id_or_prefix.strip()
        ids = self._live_ids()
        if key in ids:
            return key
        paper = resolve_paper(self, key)
        if paper is not None:
            return paper
        if len(key) >= 4:
            matches = sorted(i for i in ids if i.startswith(key))
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise AmbiguousId(key, matches)
        raise not_found(key)

    def get(self, id_or_prefix: str) -> Entry:
        """One entry by id (or a unique prefix of its id)."""
        entry_id = self.resolve(id_or_prefix)
        table = self.to_arrow()
        found = pc.filter(table, equals(table["id"], entry_id))
        if found.num_rows == 0:  # pragma: no cover - resolve() just saw it
            raise EntryNotFound(entry_id)
        return entries_from_table(found)[0]

    def _live_ids(self) -> set[str]:
        """The ids currently in the journal, kept up to date incrementally (the fast path
        of ``add``: no table is built and pandas is not imported)."""
        return self._consistent(self._ids_for)

    def _ids_for(self, key: Any, names: list[str]) -> set[str]:
        if self._ids is not None and self._ids_key is not None and self._ids_key[0] == key:
            seen = self._ids_key[1]
            if tuple(names[: len(seen)]) == seen:
                self._apply_ids(self._ids, names[len(seen) :])
                self._ids_key = (key, tuple(names))
                return self._ids
        if key is None:
            ids: set[str] = set()
        else:
            ids = {i for i in strings(self._open_snapshot(columns=["id"])["id"]) if i is not None}
        self._apply_ids(ids, names)
        self._ids, self._ids_key = ids, (key, tuple(names))
        return ids

    def _snapshot_info(self, key: Any) -> tuple[int, int]:
        """``(rows, generation)`` of the snapshot with state ``key`` (footer read once)."""
        if key is None:
            return 0, 0
        if self._info is None or self._info[0] != key:
            pf = self._parquet_file()
            missing = [n for n in ("id", "date", "title") if n not in pf.schema_arrow.names]
            if missing:
                raise CorruptJournal(self.path, f"is not a journal: it has no {', '.join(missing)} column")
            meta = pf.schema_arrow.metadata or {}
            version = int(meta.get(VERSION_KEY, b"0") or 0)  # 0: a plain Parquet file
            self._info = (key, pf.metadata.num_rows, int(meta.get(GENERATION_KEY, b"0") or 0), version)
        return self._info[1], self._info[2]

    def _snapshot_outdated(self, key: Any) -> bool:
        """Whether the snapshot was written by an older schema (upgraded on the next write)."""
        self._snapshot_info(key)
        return key is not None and self._info is not None and 0 < self._info[3] < SCHEMA_VERSION

    def lookup(self, column: str, values: Iterable[str]) -> list[tuple[str, dt.date, str]]:
        """``(id, date, title)`` of the entries whose ``column`` equals one of ``values``,
        in journal order. Reads two columns, not the journal, and never imports pandas
        (``journal add`` uses it to find the same paper)."""
        if column not in FIELDS or column in (
            "date",
            "arxiv_version",
            "created_at",
            "updated_at",
            *LIST_FIELDS,
        ):
            raise ValueError(f"lookup works on the text columns, not {column!r}")
        wanted = set(values)
        if not wanted:
            return []

        def read(key: Any, names: list[str]) -> dict[str, tuple[str, dt.date, str]]:
            found: dict[str, tuple[str, dt.date, str]] = {}
            if key is not None and column in self._parquet_file().schema_arrow.names:
                values_col = self._open_snapshot(columns=[column])[column]
                hits = pc.indices_nonzero(one_of(values_col, wanted))
                if len(hits):
                    rows = pc.take(self._open_snapshot(columns=["id", "date", "title"]), hits)
                    for i in range(rows.num_rows):
                        ref = (rows["id"][i].as_py(), rows["date"][i].as_py(), rows["title"][i].as_py())
                        found[ref[0]] = ref
            for name in names:  # replayed as the store does: the last row of an id wins
                for line in self._read_change(name).splitlines():
                    row = json.loads(line)
                    found.pop(row["id"], None)
                    if not row.get("_deleted") and row.get(column) in wanted:
                        found[row["id"]] = (row["id"], EPOCH + dt.timedelta(days=row["date"]), row["title"])
            return found

        return sorted(self._consistent(read).values(), key=lambda ref: ref[1])

    def _apply_ids(self, ids: set[str], names: list[str]) -> None:
        for name in names:
            for line in self._read_change(name).splitlines():
                row = json.loads(line)
                if row.get("_deleted"):
                    ids.discard(row["id"])
                else:
                    ids.add(row["id"])

    # -- writing ------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self, *, check_file: bool = True) -> Iterator[None]:
        """Hold the journal's write lock (waiting up to ``LOCK_TIMEOUT``).

        ``check_file``: first make sure the snapshot is a journal this version can write
        (a damaged, foreign or newer file then fails before any file is created beside it);
        ``journal check`` passes False to repair a damaged one."""
        if not self.path.parent.is_dir():  # a mistyped path must not grow a tree of folders
            raise JournalFileError(
                self.path, f"folder {self.path.parent} does not exist; create it first or check the path"
            )
        if check_file:
            self._snapshot_info(self._snapshot_key())  # the footer only, and kept for _commit
        if self.path.exists() and not os.access(self.path, os.W_OK):
            raise JournalFileError(
                self.path, writable.advice(*writable.probe(self.path)) or "cannot be written"
            )
        try:
            with self._locked():
                yield
        except OSError as e:  # a full disk, a read-only folder, a file where a folder should be
            where = f" ({e.filename})" if e.filename else ""
            told = writable.advice_after(e)
            raise JournalFileError(
                self.path, told or f"cannot be written: {e.strerror or e}{where}"
            ) from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.changes_dir.mkdir(parents=True, exist_ok=True)
        self.tmp_dir.mkdir(exist_ok=True)
        busy = JournalBusy(
            self.path, f"another journal command held the lock for {LOCK_TIMEOUT:.0f} s; try again"
        )
        path = self.sidecar / "lock"
        if fcntl is None:  # pragma: no cover - Windows
            from filelock import FileLock, Timeout

            lock = FileLock(str(path), timeout=LOCK_TIMEOUT)
            try:
                lock.acquire()
            except Timeout:
                raise busy from None
            try:
                self._clean_tmp()
                yield
            finally:
                lock.release()
            return
        # flock directly: importing filelock costs `journal add` ~8 ms
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise busy from None
                    time.sleep(0.002)
            self._clean_tmp()
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _clean_tmp(self) -> None:
        """Remove what killed writers left (only lock holders write temp files)."""
        try:
            names = os.listdir(self.tmp_dir)
        except FileNotFoundError:
            return
        for name in names:
            try:
                os.unlink(self.tmp_dir / name)
            except OSError:
                pass

    def _next_change_name(self, names: list[str]) -> str:
        stamp = time.time_ns()
        if names:
            last = int(names[-1].split("-", 1)[0])
            stamp = max(stamp, last + 1)
        return f"{stamp:020d}-{os.getpid()}.jsonl"

    def _state(self) -> tuple[Any, list[str]]:
        """The snapshot key and pending change names (stable while the lock is held)."""
        return self._snapshot_key(), self._change_names()

    def _commit(self, data: bytes, rows: int, state: tuple[Any, list[str]]) -> None:
        """Make ``data`` (encoded change rows) durable as one change; caller holds the lock
        and read ``state`` under it."""
        key, names = state
        snap_rows, _ = self._snapshot_info(key)
        if rows >= BATCH_ROWS or snap_rows + rows <= SMALL_JOURNAL_ROWS or self._snapshot_outdated(key):
            # a big batch, a journal small enough that rewriting it is cheap, or the first
            # write to a file of an older schema version (it is upgraded in the same step)
            self._compact_locked(names, extra=data)
            return
        name = self._next_change_name(names)
        _durable_write(self.changes_dir / name, data, self.tmp_dir)
        self._change_cache[name] = data
        if len(names) + 1 >= MAX_PENDING_CHANGES:
            self._compact_locked([*names, name])

    def _compact_locked(self, names: list[str], extra: bytes = b"") -> None:
        snapshot = self._snapshot()
        changes = rows_to_table(b"".join(self._read_change(n) for n in names) + extra)
        merged = merge(snapshot, changes)
        _, generation = self._snapshot_info(self._snapshot_key())
        merged = merged.replace_schema_metadata(
            {
                VERSION_KEY: str(SCHEMA_VERSION).encode(),
                GENERATION_KEY: str(generation + 1).encode(),
                CHECKSUM_KEY: b"1",
            }
        )
        tmp = self.tmp_dir / f"snapshot.{os.urandom(4).hex()}.tmp"
        # page checksums: a damaged byte is found on reading (checked at no measurable cost)
        pq.write_table(merged, tmp, compression="zstd", write_page_checksum=True)
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        fsync_dir(self.path.parent)
        # the backup is a copy (not a link) so damage to one file leaves the other intact
        backup_tmp = self.tmp_dir / f"backup.{os.urandom(4).hex()}.tmp"
        shutil.copyfile(self.path, backup_tmp)
        with backup_tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(backup_tmp, self.backup_path)
        for name in names:
            try:
                os.unlink(self.changes_dir / name)
            except FileNotFoundError:
                pass
        fsync_dir(self.changes_dir)
        self._snap_key, self._snap_table, self._snap_ids = (
            self._snapshot_key(),
            merged.replace_schema_metadata(None),
            None,
        )
        self._change_cache.clear()

    def compact(self) -> int:
        """Fold pending changes into ``entries.parquet``; returns how many were folded."""
        with self._lock():
            names = self._change_names()
            if names or not self.path.exists():
                self._compact_locked(names)
            return len(names)

    def upgrade(self) -> bool:
        """Rewrite a snapshot of an older schema version in the current one (pending
        changes folded in); False if there was nothing to upgrade. Any write does the same."""
        with self._lock():
            if not self._snapshot_outdated(self._snapshot_key()):
                return False
            self._compact_locked(self._change_names())
            return True

    def pending_changes(self) -> int:
        """How many change files wait beside the snapshot (0: the file alone is current)."""
        return len(self._change_names())

    def _stamp_new(self, entries: list[Entry]) -> list[Entry]:
        now = utc_now()
        out = []
        for i, e in enumerate(entries):
            # distinct microseconds keep the batch's order as journal order
            created = e.created_at or now + dt.timedelta(microseconds=i)
            out.append(e.replace(created_at=created, updated_at=e.updated_at or created))
        return out

    def add(self, entry: Entry | None = None, /, **fields: Any) -> Entry:
        """Add one entry (an :class:`Entry` or the fields of one); returns it as stored.

        Refuses (:class:`DuplicateEntry`) an entry whose id is already in the journal.
        """
        new = entry if entry is not None else make_entry(**fields)
        with self._lock():
            state = self._state()
            if self._ids is None and not self._added_before:
                # a first add (the CLI's only one): scanning one column beats building the
                # id set; later adds of this Journal build the set once and keep it current
                taken = bool(self.lookup("id", [new.id]))
            else:
                taken = new.id in self._ids_for(*state)
            self._added_before = True
            if taken:
                existing = self.get(new.id)
                raise DuplicateEntry(existing.id, existing.title, existing.date.isoformat())
            (stamped,) = self._stamp_new([new])
            self._commit(encode(stamped), 1, state)
            return stamped

    def add_many(self, entries: Iterable[Entry], *, on_existing: str = "skip") -> WriteResult:
        """Add entries in one atomic change: all of them or (on any error) none.

        ``on_existing``: ``"skip"`` (count entries whose id exists, as imports do, in
        ``skipped``) or ``"error"``. Identical ids within the batch collapse to the first
        (the others are counted in ``repeated``).
        """
        if on_existing not in ("skip", "error"):
            raise ValueError("on_existing must be 'skip' or 'error'")
        batch = list(entries)
        result = WriteResult()
        with self._lock():
            state = self._state()
            ids = self._ids_for(*state)
            seen: set[str] = set()
            fresh: list[Entry] = []
            for e in batch:
                if e.id in seen:
                    result.repeated.append(e)
                    continue
                seen.add(e.id)
                if e.id in ids:
                    if on_existing == "error":
                        existing = self.get(e.id)
                        raise DuplicateEntry(existing.id, existing.title, existing.date.isoformat())
                    result.skipped.append(e)
                    continue
                fresh.append(e)
            if fresh:
                stamped = self._stamp_new(fresh)
                self._commit(b"".join(encode(e) for e in stamped), len(stamped), state)
                result.added = stamped
                ids.update(seen)
        return result

    def update(self, id_or_prefix: str, **changes: Any) -> Entry:
        """Change fields of one entry; ``updated_at`` is set, ``id``/``created_at`` kept."""
        update_entry(self.get(id_or_prefix), **changes)  # bad input fails before the lock creates files
        with self._lock():
            state = self._state()
            old = self.get(id_or_prefix)
            new = update_entry(old, **changes).replace(created_at=old.created_at, updated_at=utc_now())
            self._commit(encode(new), 1, state)
            return new

    def put_many(self, entries: Iterable[Entry] | Callable[[list[Entry]], Iterable[Entry]]) -> int:
        """Replace existing entries (same ids) in one atomic change, e.g. a tag rename.

        ``entries`` may be a function of all current entries, called under the write lock,
        so that no other writer's change falls between reading and writing."""
        given = None if callable(entries) else list(entries)
        if given == []:
            return 0
        if given is not None:  # unknown ids fail before the lock creates any file
            for e in given:
                self.resolve(e.id)
        now = utc_now()
        with self._lock():
            state = self._state()
            batch = given if given is not None else list(entries(self.entries()))  # type: ignore[operator]
            if not batch:
                return 0
            ids = self._ids_for(*state)
            for e in batch:
                if e.id not in ids:
                    raise EntryNotFound(e.id)
            data = b"".join(encode(e.replace(updated_at=now)) for e in batch)
            self._commit(data, len(batch), state)
        return len(batch)

    def get_many(self, ids: Iterable[str]) -> dict[str, Entry]:
        """The entries with these exact ids (those in the journal), by id."""
        wanted = set(ids)
        if not wanted:
            return {}
        table = self.to_arrow()
        return {e.id: e for e in entries_from_table(pc.filter(table, one_of(table["id"], wanted)))}

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the journal's write lock for files kept beside it (recorded listings, the
        vault sync record) that are not entries: one writer at a time, and the lock also
        guards ``.d/tmp``. Entry changes go through add/update/delete/apply instead."""
        with self._lock(check_file=False):
            yield

    def apply(
        self, plan: Callable[[Journal], Batch], *, then: Callable[[Batch], None] | None = None
    ) -> Batch:
        """Commit the :class:`Batch` that ``plan(journal)`` returns as one atomic change
        (all of it or, on any error or crash, none). ``plan`` runs under the write lock,
        so no other writer's change falls between what it read and what it writes;
        ``then(batch)`` runs after the commit, still under the lock (e.g. to record
        state beside the journal). Entries without timestamps get them as in an add."""
        with self._lock():
            state = self._state()
            batch = plan(self)
            if batch:
                batch.put = [
                    e if e.created_at and e.updated_at else stamped
                    for e, stamped in zip(batch.put, self._stamp_new(batch.put), strict=True)
                ]
                data = b"".join(encode(e) for e in batch.put) + b"".join(
                    encode_delete(i) for i in batch.delete
                )
                self._commit(data, len(batch.put) + len(batch.delete), state)
            if then is not None:
                then(batch)
            return batch

    def delete(self, id_or_prefix: str) -> Entry:
        """Remove one entry; returns what was removed."""
        self.resolve(id_or_prefix)  # an unknown id fails before the lock creates any file
        with self._lock():
            state = self._state()
            old = self.get(id_or_prefix)
            self._commit(encode_delete(old.id), 1, state)
            if self._ids is not None:
                self._ids.discard(old.id)
            return old

    # -- searching ----------------------------------------------------------------

    def search(self, query: str = "", **options: Any) -> pd.DataFrame:
        """Entries matching ``query``, best first, as a DataFrame (``id``, ``date``,
        ``title``, ``score``, ``snippet``, ``tags``). Options: ``tag``, ``start``, ``end``,
        ``limit`` (default 20; None: all). The query language: :mod:`journal.search`."""
        from .search import search_frame

        return search_frame(self, query, **options)

    # -- checking -----------------------------------------------------------------

    def check(self, *, repair: bool = True) -> list[Finding]:
        """Validate the store; with ``repair``, restore what can be restored.

        Returns human-readable findings (empty: all is well)."""
        from .check import check_journal

        return check_journal(self, repair=repair)
