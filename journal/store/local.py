"""The local Parquet store: ``entries.parquet`` plus a log of small change files beside it.

Layout, for a journal at ``entries.parquet``::

    entries.parquet            the snapshot: every entry, in journal order
    entries.parquet.d/lock     taken by every writer (never by readers)
    entries.parquet.d/changes/ one JSON-lines file per committed change, named in commit order
    entries.parquet.d/backup.parquet   a copy of the last snapshot, for `journal check`
    entries.parquet.d/tmp/     files being written; anything left here is garbage
    entries.parquet.d/...      side state (listings, caches, drafts: see :class:`SideState`)

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
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: filelock instead
    fcntl = None  # type: ignore[assignment]
import pyarrow.parquet as pq

from journal.errors import CorruptJournal, JournalBusy, JournalError, JournalFileError, NewerSchema
from journal.fileio import fsync_dir, write_atomic
from journal.store import kernels as pc
from journal.store import writable
from journal.store.backend import Finding, Layers, SharedFolder, SideState
from journal.store.local_check import check_local
from journal.store.schema import (
    GENERATION_KEY,
    ORDER,
    SCHEMA,
    SCHEMA_VERSION,
    VERSION_KEY,
    cast_table,
    empty_table,
    merge,
    rows_to_table,
    split_legacy_sources,
)

SMALL_JOURNAL_ROWS = 5_000
BATCH_ROWS = 1_000
MAX_PENDING_CHANGES = 1_000
LOCK_TIMEOUT = 60.0
T = TypeVar("T")
CHECKSUM_KEY = b"journal.page_checksums"  # in the footer of snapshots written with them
SnapshotKey = tuple[int, int, int]  # the snapshot file's identity: inode, mtime, size


def sidecar_of(journal_path: Path) -> Path:
    """The folder beside a journal file that holds its change log and side state
    (``entries.parquet`` -> ``entries.parquet.d``)."""
    return journal_path.with_name(journal_path.name + ".d")


def _durable_write(path: Path, data: bytes, tmp_dir: Path) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one."""
    write_atomic(path, data, tmp_dir=tmp_dir)


class LocalParquetBackend:
    """The journal at the local path ``location`` (see the module doc for the layout)."""

    def __init__(self, location: str | os.PathLike[str]) -> None:
        self.location = os.fspath(location)
        self.path = Path(location)
        if self.path.is_dir():
            raise JournalError(f"{self.path} is a folder; give the path of a .parquet file")
        self.sidecar = sidecar_of(self.path)
        self.changes_dir = self.sidecar / "changes"
        self.tmp_dir = self.sidecar / "tmp"
        self.backup_path = self.sidecar / "backup.parquet"
        self._snap_key: SnapshotKey | None = None
        self._snap_table: pa.Table | None = None
        self._change_cache: dict[str, bytes] = {}
        self._info: tuple[Any, int, int, int] | None = None

    def __repr__(self) -> str:
        return f"<LocalParquetBackend {str(self.path)!r}>"

    def side_path(self, kind: SideState) -> Path:
        """``<journal>.d/<kind>``: every kind of side state lives in the sidecar folder."""
        return self.sidecar / SideState(kind).value

    def shared_folder(self, kind: SideState) -> SharedFolder:
        """``side_path(kind)`` as a folder (:mod:`journal.store.shared`)."""
        from journal.store.shared import LocalFolder

        return LocalFolder(self.side_path(kind), self.tmp_dir)

    def exists(self) -> bool:
        """Whether the snapshot file or its sidecar folder is here."""
        return self.path.exists() or self.sidecar.is_dir()

    # -- reading ------------------------------------------------------------------

    def snapshot_key(self) -> SnapshotKey | None:
        """The snapshot file's identity (None: no file yet)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def change_names(self) -> list[str]:
        """The pending change files, in commit order."""
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

    def read_snapshot(self, columns: list[str] | None = None) -> pa.Table:
        """Read the snapshot file whole (``columns``: only those, as stored), checking
        every page: :class:`CorruptJournal` for a damaged file, :class:`NewerSchema` for
        one of a later version."""
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

    def _current_snapshot(self) -> pa.Table:
        key = self.snapshot_key()
        if key is None:
            self._snap_key, self._snap_table = None, empty_table(SCHEMA)
            return self._snap_table
        if key != self._snap_key or self._snap_table is None:
            table = self.read_snapshot()
            self._snap_key, self._snap_table = key, table
        assert self._snap_table is not None
        return self._snap_table

    def snapshot(self, key: Any) -> pa.Table:
        """The whole snapshot, guaranteed to be the file of state ``key``."""
        table = self._current_snapshot()
        if self._snap_key != key or self.snapshot_key() != key:
            # compacted meanwhile: read_layers runs the read again on the new state
            raise FileNotFoundError(self.path)
        return table

    def snapshot_columns(self, key: Any, columns: list[str]) -> pa.Table:
        """Only ``columns`` of the snapshot file (as stored)."""
        return self.read_snapshot(columns=columns)

    def snapshot_fields(self, key: Any) -> list[str]:
        """The columns of the snapshot file (its footer alone is read)."""
        return list(self._parquet_file().schema_arrow.names)

    def _read_change(self, name: str) -> bytes:
        data = self._change_cache.get(name)
        if data is None:
            with (self.changes_dir / name).open("rb") as f:  # change files never change
                data = f.read()
            self._change_cache[name] = data
        return data

    def change_rows(self, names: tuple[str, ...]) -> bytes:
        """The bytes of the change files ``names``, in that order."""
        return b"".join(self._read_change(n) for n in names)

    def read_layers(self, read: Callable[[Layers], T]) -> T:
        """``read(layers)`` until no compaction raced with it."""
        try:
            for _ in range(50):
                key = self.snapshot_key()
                names = self.change_names()
                try:
                    result = read(Layers(self, key, tuple(names)))
                except FileNotFoundError:
                    time.sleep(0.01)  # a change file was folded away mid-read: read again
                    continue
                if self.snapshot_key() == key:
                    self._change_cache = {n: self._change_cache[n] for n in names if n in self._change_cache}
                    return result
        except pa.ArrowException as e:
            raise CorruptJournal(
                self.changes_dir, f"holds an unreadable change ({e}); run `journal check`"
            ) from None
        raise JournalBusy(self.path, "kept changing while being read; try again")

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

    def _outdated(self, key: Any) -> bool:
        self._snapshot_info(key)
        return key is not None and self._info is not None and 0 < self._info[3] < SCHEMA_VERSION

    def snapshot_outdated(self) -> bool:
        """Whether the snapshot was written by an older schema (upgraded on the next write)."""
        return self._outdated(self.snapshot_key())

    # -- writing ------------------------------------------------------------------

    @contextlib.contextmanager
    def write_lock(self, *, check_file: bool = True) -> Iterator[None]:
        """Hold the journal's write lock (waiting up to ``LOCK_TIMEOUT``); taking it also
        clears what killed writers left in ``tmp/``.

        ``check_file``: first make sure the snapshot is a journal this version can write
        (a damaged, foreign or newer file then fails before any file is created beside it);
        ``journal check`` passes False to repair a damaged one."""
        if not self.path.parent.is_dir():  # a mistyped path must not grow a tree of folders
            raise JournalFileError(
                self.path, f"folder {self.path.parent} does not exist; create it first or check the path"
            )
        if check_file:
            self._snapshot_info(self.snapshot_key())  # the footer only, and kept for commit
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

    def commit(self, data: bytes, rows: int) -> None:
        """Make ``data`` (encoded change rows) durable as one change; the caller holds the
        lock. A small journal, a big batch or a snapshot of an older schema version is
        rewritten whole (compacted), otherwise ``data`` becomes one change file."""
        key, names = self.snapshot_key(), self.change_names()
        snap_rows, _ = self._snapshot_info(key)
        if rows >= BATCH_ROWS or snap_rows + rows <= SMALL_JOURNAL_ROWS or self._outdated(key):
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
        snapshot = self._current_snapshot()
        changes = rows_to_table(b"".join(self._read_change(n) for n in names) + extra)
        merged = merge(snapshot, changes)
        _, generation = self._snapshot_info(self.snapshot_key())
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
        self._snap_key, self._snap_table = self.snapshot_key(), merged.replace_schema_metadata(None)
        self._change_cache.clear()

    def compact(self) -> int:
        """Fold pending changes into ``entries.parquet``; returns how many were folded."""
        with self.write_lock():
            names = self.change_names()
            if names or not self.path.exists():
                self._compact_locked(names)
            return len(names)

    def upgrade(self) -> bool:
        """Rewrite a snapshot of an older schema version in the current one (pending
        changes folded in); False if there was nothing to upgrade."""
        with self.write_lock():
            if not self.snapshot_outdated():
                return False
            self._compact_locked(self.change_names())
            return True

    def pending_changes(self) -> int:
        """How many change files wait beside the snapshot (0: the file alone is current)."""
        return len(self.change_names())

    def restore_backup(self) -> None:
        """Replace the snapshot by a copy of its backup (for `journal check`; lock held)."""
        tmp = self.tmp_dir / "restore.tmp"
        shutil.copyfile(self.backup_path, tmp)
        os.replace(tmp, self.path)

    def check_storage(self, *, repair: bool) -> list[Finding]:
        """Damaged snapshot restored from the backup, unreadable changes moved to
        ``damaged/``, an older schema upgraded (with ``repair``); see :mod:`journal.store.local_check`."""
        return check_local(self, repair=repair)
