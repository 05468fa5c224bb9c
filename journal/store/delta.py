"""A journal kept as a Delta Lake table on S3-compatible storage (``s3://bucket/prefix``),
written by several machines at once with no server and no lock service.

The entries are the Delta table at ``<prefix>/entries`` (the store's Arrow schema,
:mod:`journal.store.schema`), read and written through delta-rs (``deltalake``, the ``s3``
extra). A journal state is one table version: the snapshot is the table at that version
and no changes are ever pending (``commit`` applies change rows to the table at once).

Concurrency comes from Delta's conditional commits, not from a lock: a commit is a PUT of
``_delta_log/<version>.json`` with ``If-None-Match: *``, so of two writers racing for a
version one wins and the other retries on top of it (jittered backoff,
:func:`journal.store.delta_io.retrying`). A commit that fails may still have happened, so
every write is idempotent: new entries are appended only if their ids are not in the table
yet, changes and deletions are a MERGE on ``id`` (values set, never incremented), and reads
fold the table by id (the row with the latest ``updated_at`` wins) should an id ever be
stored twice. The table stays at protocol reader 1 / writer 2 with no table features, so
every Delta reader can read it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

from journal.errors import (
    AmbiguousId,
    ChangeKept,
    EntryNotFound,
    JournalError,
    StoreAccessDenied,
    StoreError,
    StoreReadOnly,
    StoreUnreachable,
)
from journal.store import delta_append
from journal.store import kernels as pc
from journal.store.backend import Finding, Layers, SharedFolder, SideState
from journal.store.delta_cache import TableCache
from journal.store.delta_io import parse_location, read_only, reading, retrying, storage_options
from journal.store.outbox import Outbox, encode_rows
from journal.store.schema import ORDER, SCHEMA, cast_table, empty_table, rows_to_table, strings
from journal.text import wording

if TYPE_CHECKING:
    from deltalake import DeltaTable

T = TypeVar("T")
MERGE_COLUMNS = {name: f"s.{name}" for name in SCHEMA.names}
PROTOCOL = (1, 2)  # reader, writer: what every Delta reader reads


def fold(raw: pa.Table) -> pa.Table:
    """The rows of a Delta table as the journal's entries: the store's schema, one row per
    id (the latest ``updated_at`` wins, should a retried write have doubled one), in
    journal order."""
    columns = [raw[f.name] if f.name in raw.column_names else pa.nulls(raw.num_rows, f.type) for f in SCHEMA]
    table = cast_table(pa.Table.from_arrays(columns, schema=SCHEMA.remove_metadata()), SCHEMA)
    ids = strings(table["id"])
    if len(set(ids)) != len(ids):
        updated = pc.cast(table["updated_at"], pa.int64()).to_pylist()
        best: dict[str | None, int] = {}
        for i, entry_id in enumerate(ids):
            j = best.get(entry_id)
            if j is None or (updated[i] or 0) > (updated[j] or 0):
                best[entry_id] = i
        table = pc.take(table, pa.array(sorted(best.values()), pa.int64()))
    return pc.take(table, pc.sort_indices(table, sort_keys=ORDER))


def latest_rows(data: bytes) -> dict[str, dict[str, Any]]:
    """Encoded change rows folded by id (the last row of an id wins), in commit order."""
    rows: dict[str, dict[str, Any]] = {}
    for line in data.splitlines():
        if line.strip():
            row = json.loads(line)
            rows.pop(row["id"], None)
            rows[row["id"]] = row
    return rows


class DeltaBackend:
    """The journal at ``s3://bucket/prefix`` (see the module doc)."""

    #: written from several machines: a reader is part of every new entry's id
    #: (:mod:`journal.store.readers`), so two readers' adds of one paper never collide
    shared = True

    def __init__(self, location: str) -> None:
        if importlib.util.find_spec("deltalake") is None:
            raise JournalError(f"{location}: S3 journals need the s3 extra: pip install 'journal[s3]'")
        self.where = parse_location(location)
        self.location = location
        self.url = self.where.url
        # messages and code that take a path see this machine's cache of the journal;
        # side_path_for(self.path, kind) is side_path(kind)
        self.path: Path = self.where.cache_root() / "entries"
        self._options: dict[str, str] | None = None
        self._dt: DeltaTable | None = None
        self._snap: tuple[int, pa.Table] | None = None
        self._cache: TableCache | None = None
        self.outbox = Outbox(self.side_path(SideState.OUTBOX))
        self._writing = False
        self._held: StoreError | None = None  # the store failed in this write: keep it, do not retry
        self._probed = False
        #: where a note goes (writes waiting in the outbox that a read could not send): the
        #: CLI prints it on stderr; None: a warning
        self.notify: Callable[[str], None] | None = None
        self._outbox_tried = False

    def __repr__(self) -> str:
        return f"<DeltaBackend {self.url!r}>"

    @property
    def options(self) -> dict[str, str]:
        if self._options is None:
            self._options = storage_options()
        return self._options

    @property
    def cache(self) -> TableCache:
        """This machine's cache of the table (the version is always asked of the store)."""
        if self._cache is None:
            self._cache = TableCache(self.where, self.options, self.where.cache_root() / "table-cache")
        return self._cache

    def side_path(self, kind: SideState) -> Path:
        """This machine's folder for side state: ``<cache>/entries.d/<kind>`` under
        ``$JOURNAL_CACHE/<bucket>/<prefix>`` or ``~/.cache/journal/<bucket>/<prefix>``.

        Caches, drafts, the search index, tmp and the outbox belong there; the recorded
        listings and the readers' feedback live in the bucket (:meth:`shared_folder`)."""
        return self.path.with_name("entries.d") / SideState(kind).value

    def shared_folder(self, kind: SideState) -> SharedFolder:
        """Recorded listings and feedback: the bucket under ``<prefix>/<kind>/``
        (:mod:`journal.store.shared`); any other kind: this machine's ``side_path(kind)``."""
        from journal.store.shared import BucketFolder, LocalFolder

        if kind in (SideState.LISTINGS, SideState.FEEDBACK):
            return BucketFolder(self.where, self.options, kind)
        return LocalFolder(self.side_path(kind))

    # -- reading ------------------------------------------------------------------

    def table(self) -> DeltaTable | None:
        """The table at its latest version (None: no journal here yet)."""
        from deltalake import DeltaTable
        from deltalake.exceptions import TableNotFoundError

        def load() -> DeltaTable | None:
            if self._dt is None:
                try:
                    self._dt = DeltaTable(self.where.table_uri, storage_options=self.options)
                except TableNotFoundError:
                    return None
            else:
                self._dt.update_incremental()
            return self._dt

        return reading(self.url, load)

    def exists(self) -> bool:
        """Whether the table exists (at least one commit): one listing of its log."""
        return self.cache.latest_version() is not None

    def snapshot(self, key: Any) -> pa.Table:
        """The entries of table version ``key`` (kept for the last version read), read
        through this machine's cache of the table (:mod:`journal.store.delta_cache`)."""
        if key is None:
            return empty_table(SCHEMA)
        if self._snap is not None and self._snap[0] == key:
            return self._snap[1]
        table = fold(self.cache.read(key, SCHEMA.remove_metadata()))
        self._snap = (key, table)
        return table

    def snapshot_columns(self, key: Any, columns: list[str]) -> pa.Table:
        return self.snapshot(key).select(columns)

    def snapshot_fields(self, key: Any) -> list[str]:
        return list(SCHEMA.names)

    def change_rows(self, names: tuple[str, ...]) -> bytes:
        return b""  # nothing is ever pending: every commit is a table version

    def read_layers(self, read: Callable[[Layers], T]) -> T:
        """``read(layers)`` on the table's latest version, found by one listing of its log
        (a version never changes, so one run suffices). Inside a write that cannot read the
        store, an empty journal (the write then goes to the outbox, see :meth:`write_lock`)."""
        if self._writing and isinstance(self._held, StoreUnreachable):
            return read(Layers(self, None, ()))  # known unreachable: no second wait
        try:
            version = self.cache.latest_version()
        except StoreError as e:
            if not self._writing:
                raise
            self._held = e
            return read(Layers(self, None, ()))
        if not self._writing:
            version = self.send_waiting(version)
        return read(Layers(self, version, ()))

    def send_waiting(self, version: Any) -> Any:
        """At the first read that reached the store: send what this machine's outbox holds,
        once per journal opened (the version to read then). A send that fails keeps the
        writes there and says so in one note (:attr:`notify`); the read goes on."""
        if self._outbox_tried or not self.outbox.path.exists():
            return version
        self._outbox_tried = True
        try:
            sent = self.send_outbox()
        except ChangeKept as e:
            if isinstance(e.reason, StoreReadOnly):
                waiting = len(self.outbox.pending())
                one = waiting == 1
                message = (
                    f"{self.url}: {wording.count(waiting, 'change')} {'waits' if one else 'wait'} in "
                    f"{self.outbox.path} and {'needs' if one else 'need'} keys that may write "
                    "(these credentials are read-only)"
                )
            else:
                message = str(e)
            if self.notify is None:
                warnings.warn(message, stacklevel=4)
            else:
                self.notify(message)
            return version
        return self.cache.latest_version() if sent else version

    def pending_changes(self) -> int:
        return 0

    # -- writing ------------------------------------------------------------------

    @contextlib.contextmanager
    def write_lock(self, *, check_file: bool = True) -> Iterator[None]:
        """No lock: writers on any machine commit at once, and a conditional commit makes
        a racing one retry on top of the winner (see the module doc). Side state written
        under this context is per machine (:meth:`side_path`). First sends what this
        machine's outbox holds. If the store fails (there, or reading the journal for the
        write's checks, which then see an empty journal) the write is kept in the outbox
        without a second attempt; one that needed an entry it could not read fails with
        the store's error."""
        self._writing, self._held = True, None
        try:
            self.send_outbox()
        except StoreError as e:
            self._held = e
        try:
            yield
        except (EntryNotFound, AmbiguousId):
            if self._held is not None:
                raise self._held from None
            raise
        finally:
            self._writing, self._held = False, None

    def send_outbox(self) -> int:
        """Send the writes this machine's outbox holds (``journal sync``); how many."""
        return self.outbox.send(self.send)

    def commit(self, data: bytes, rows: int) -> None:
        """Keep ``data`` (encoded change rows) in the outbox, then apply it to the table as
        one commit (retried on a conflict): new ids appended, other puts and deletions
        merged on ``id``. If the store fails the rows stay in the outbox and the error
        (:class:`~journal.errors.ChangeKept`) names it."""
        if latest_rows(data):
            self.outbox.commit(data, self.send, self._held)

    def send(self, data: bytes) -> None:
        """Apply encoded change rows to the table, now (after checking, once, that the
        store honours conditional writes)."""
        from journal.store.delta_upgrade import missing_fields

        latest = latest_rows(data)
        if not latest:
            return
        version = self.cache.latest_version()  # the store answers, the keys may read
        if not self._probed:
            self._check_conditional_writes()
        puts = [r for r in latest.values() if not r.get("_deleted")]
        put_table = cast_table(rows_to_table(encode_rows(puts)), SCHEMA) if puts else None
        try:
            if version is not None and put_table is not None and len(puts) == len(latest):
                # new entries only: a blind append without loading the table (delta_append)
                ids = lambda v: set(strings(self.snapshot(v)["id"]))  # noqa: E731
                if delta_append.append(self.url, self.cache, self.options, version, put_table, ids):
                    return
            dt = self.table()  # (a blind append refuses a table whose columns are not ours)
            if dt is not None and missing_fields(dt):  # a table from before a column: add it first
                self.upgrade()
            retrying(self.url, "the change", lambda: self._apply(latest, put_table))
            self._checkpoint_if_due()
        except StoreAccessDenied as e:
            raise read_only(self.url) from e

    def _checkpoint_if_due(self) -> None:
        """A checkpoint at each hundredth version delta-rs committed (delta-rs writes its own
        one version earlier, which blind appends skip)."""
        dt = self._dt
        if dt is not None and delta_append.checkpoint_due(dt.version()):
            reading(self.url, dt.create_checkpoint)

    def _check_conditional_writes(self) -> None:
        from journal.store import delta_probe

        folder = self.outbox.folder
        if not delta_probe.checked(folder, self.where, self.options):
            try:
                delta_probe.probe(self.where, self.options)
            except StoreAccessDenied as e:  # they could read (table() above), not write
                raise read_only(self.url) from e
            delta_probe.remember(folder, self.where, self.options)
        self._probed = True

    def _apply(self, latest: dict[str, dict[str, Any]], put_table: pa.Table | None) -> None:
        """One attempt at a commit, doing only what the latest version still lacks."""
        from deltalake import write_deltalake

        dt = self.table()
        if dt is None:
            if put_table is not None:  # the first write creates the table (version 0)
                write_deltalake(self.where.table_uri, put_table, mode="append", storage_options=self.options)
            return
        stored = set(strings(self.snapshot(dt.version())["id"]))
        touched = stored & set(latest)
        if not touched:  # only new entries: a blind append, which no other writer's commit can conflict with
            if put_table is not None:
                write_deltalake(dt, put_table, mode="append")
            return
        source = rows_to_table(encode_rows(list(latest.values())))
        (
            dt.merge(source, "t.id = s.id", source_alias="s", target_alias="t", streamed_exec=False)
            .when_matched_delete(predicate="s._deleted")
            .when_matched_update(updates=MERGE_COLUMNS, predicate="NOT s._deleted")
            .when_not_matched_insert(updates=MERGE_COLUMNS, predicate="NOT s._deleted")
            .execute()
        )

    def compact(self) -> int:
        """Rewrite the table's small files into few (``optimize.compact``), write a
        checkpoint and remove files unreferenced for longer than the retention (7 days,
        Delta's default: readers of older versions keep working). Two compactions at once:
        the second waits for the first (:mod:`journal.store.delta_lease`), then finds
        little left to do. Returns how many files this call folded."""
        if self.table() is None:
            return 0

        def step() -> int:
            dt = self.table()
            assert dt is not None
            metrics = dt.optimize.compact()
            return int(metrics.get("numFilesRemoved", 0))

        from journal.store.delta_lease import compacting

        try:  # the table could be read (above): a refusal now means read-only keys
            with compacting(self.url, self.where, self.options):  # one at a time (delta_lease)
                removed = retrying(self.url, "the compaction", step, attempts=6)
                dt = self.table()
                assert dt is not None
                reading(self.url, dt.create_checkpoint)
                reading(self.url, lambda: dt.vacuum(dry_run=False))
        except StoreAccessDenied as e:
            raise read_only(self.url) from e
        return removed

    def orphan_files(self, dt: DeltaTable) -> list[str]:
        """Data files under the table that no version ever referenced (a writer killed
        between writing its file and committing it), found without deleting anything."""

        def unreferenced(full: bool) -> set[str]:
            return set(dt.vacuum(0, dry_run=True, enforce_retention_duration=False, full=full))

        return sorted(reading(self.url, lambda: unreferenced(True) - unreferenced(False)))

    def upgrade(self) -> bool:
        """Add the columns a table created by an older build lacks (``reader``), keeping
        protocol 1/2 (:mod:`journal.store.delta_upgrade`); False if none was missing."""
        from journal.store.delta_upgrade import add_missing_columns, missing_fields

        dt = self.table()
        if dt is None or not missing_fields(dt):
            return False
        return bool(add_missing_columns(self.url, self.table))

    def check_storage(self, *, repair: bool) -> list[Finding]:
        """The table's version, files and protocol (it must stay reader 1 / writer 2 with
        no table features), and ids stored more than once (folded on reading)."""
        from journal.store.delta_upgrade import missing_fields

        dt = self.table()
        if dt is None:
            return [Finding("error", f"{self.url}: no journal here (the first `journal add` creates one)")]
        findings = []
        lacking = ", ".join(f.name for f in missing_fields(dt))
        if lacking and repair and self.upgrade():
            findings.append(Finding("repaired", f"{self.url}: the table got the {lacking} column it lacked"))
            dt = self.table() or dt
        elif lacking:
            findings.append(
                Finding(
                    "warning", f"{self.url}: the table lacks the {lacking} column; `journal check` adds it"
                )
            )
        protocol = dt.protocol()
        found = (protocol.min_reader_version, protocol.min_writer_version)
        features = [*(protocol.reader_features or []), *(protocol.writer_features or [])]
        if found != PROTOCOL or features:
            findings.append(
                Finding(
                    "warning",
                    f"{self.url}: the table needs Delta reader {found[0]} / writer {found[1]}"
                    + (f" with {', '.join(features)}" if features else "")
                    + "; some Delta readers may not read it (the journal writes reader 1 / writer 2)",
                )
            )
        actions = pa.table(reading(self.url, dt.get_add_actions))
        rows = sum(n or 0 for n in actions["num_records"].to_pylist())
        entries = self.snapshot(dt.version()).num_rows
        if rows > entries:
            findings.append(
                Finding("warning", f"{self.url}: {rows - entries} rows repeat an id (the latest is read)")
            )
        orphans = self.orphan_files(dt)
        if orphans:
            findings.append(
                Finding(
                    "warning",
                    f"{self.url}: {wording.count(len(orphans), 'data file')} "
                    f"{'is' if len(orphans) == 1 else 'are'} in no table version (left by a writer "
                    "stopped mid-commit); readers ignore them, and `journal compact` removes them once "
                    "they are 7 days old",
                )
            )
        findings.append(
            Finding(
                "info",
                f"{self.url}: Delta table version {dt.version()}, {actions.num_rows} data files, {entries} entries",
            )
        )
        return findings
