"""The journal's entries: :class:`Journal` reads and writes them through a storage
backend (:mod:`journal.store.backend`), the local Parquet store of
:mod:`journal.store.local` unless the location names another (:mod:`journal.store.registry`).

Reading: the backend gives one consistent state as two layers (a snapshot table and change
rows pending on top); the entries are the snapshot with the changes replayed (the last row
of an id wins), kept per state. Writing: under the backend's write lock, the new rows are
checked against the current entries and committed as one atomic change.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

from journal.errors import AmbiguousId, DuplicateEntry, EntryNotFound
from journal.model import FIELDS, LIST_FIELDS, Entry, make_entry, parse_date, update_entry, utc_now
from journal.store import kernels as pc
from journal.store.backend import Finding, Layers, SideState, StorageBackend
from journal.store.readers import Owners, check_owner, current_reader, for_reader
from journal.store.refs import not_found, resolve_paper
from journal.store.registry import backend_for, journal_name
from journal.store.schema import (
    EPOCH,
    date_slice,
    encode,
    encode_delete,
    entries_from_table,
    equals,
    merge,
    one_of,
    strings,
    tag_rows,
)

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")


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


# --- the journal ----------------------------------------------------------------------


class Journal:
    """A reading journal stored at ``path``: a file path (the local Parquet store) or a
    location a registered backend handles (``scheme://...``)."""

    def __init__(self, path: str | os.PathLike[str] = "entries.parquet") -> None:
        self.backend: StorageBackend = backend_for(path)
        self.path: Path = self.backend.path  # a local place: side state is derived from it
        self.name: str = journal_name(self.backend)  # how messages name it (an s3 journal: its URL)
        self._ids: set[str] | None = None
        self._ids_key: tuple[Any, tuple[str, ...]] | None = None
        self._view: pa.Table | None = None
        self._view_key: tuple[Any, tuple[str, ...]] | None = None
        self._added_before = False

    def __repr__(self) -> str:
        return f"<Journal {self.name!r}>"

    def side_path(self, kind: SideState) -> Path:
        """Where this journal's side state of ``kind`` lives (recorded listings, caches,
        drafts...: :class:`journal.store.backend.SideState`)."""
        return self.backend.side_path(kind)

    # -- reading ------------------------------------------------------------------

    def read_layers(self, read: Callable[[Layers], T]) -> T:
        """``read(layers)`` on one consistent state of the journal (run again if a
        compaction raced with it). For data derived from the store and kept per state,
        such as the search index (:mod:`journal.search.textindex`): ``layers.state`` keys it,
        ``layers.snapshot()`` and ``layers.changes()`` are what it is built from."""
        return self.backend.read_layers(read)

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
        reader: str | None = None,
    ) -> pd.DataFrame:
        """All entries (or those matching the filters) as a DataFrame, columns of SPEC 1.

        Strings are pandas strings, ``authors``/``links``/``tags`` hold arrays of strings
        (as ``pandas.read_parquet`` gives them), ``date`` holds ``datetime.date`` values
        (likewise), ``arxiv_version`` is a nullable integer and the timestamps are UTC.
        """
        import pandas as pd

        table = self._filtered(date=date, start=start, end=end, tag=tag, reader=reader)
        return table.to_pandas(types_mapper={pa.int32(): pd.Int32Dtype()}.get)

    def _filtered(
        self,
        *,
        date: Any = None,
        start: Any = None,
        end: Any = None,
        tag: str | None = None,
        reader: str | None = None,
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
        if reader is not None:  # one reader's entries
            table = pc.filter(table, equals(table["reader"], reader))
        return table

    def entries(self, **filters: Any) -> list[Entry]:
        """Entries in journal order, optionally for one ``date``, a ``start``..``end``
        range (inclusive), one ``tag`` and/or one ``reader`` (the filters of :meth:`columns`)."""
        return entries_from_table(self._filtered(**filters))

    def columns(
        self,
        names: Sequence[str],
        *,
        date: Any = None,
        start: Any = None,
        end: Any = None,
        tag: str | None = None,
        reader: str | None = None,
    ) -> pa.Table:
        """The ``names`` columns of the entries (or of those matching the filters, as in
        :meth:`entries`), in journal order, as an Arrow table: no Entry objects, no
        pandas (``journal list`` shows four of fourteen fields). The whole snapshot is
        still read, so that damage anywhere in it is found."""
        return self._filtered(date=date, start=start, end=end, tag=tag, reader=reader).select(list(names))

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())

    def __len__(self) -> int:
        return self.to_arrow().num_rows

    def __contains__(self, entry_id: object) -> bool:
        return isinstance(entry_id, str) and entry_id in self._live_ids()

    def resolve(self, id_or_prefix: str) -> str:
        """The full id for an id, a unique prefix of one (at least 4 characters), or the
        arXiv id or URL of the one entry about that paper (:mod:`journal.store.refs`)."""
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
        return self.read_layers(self._ids_for)

    def _ids_for(self, layers: Layers) -> set[str]:
        key, names = layers.state
        if self._ids is not None and self._ids_key is not None and self._ids_key[0] == key:
            seen = self._ids_key[1]
            if names[: len(seen)] == seen:
                self._apply_ids(self._ids, layers.source.change_rows(names[len(seen) :]))
                self._ids_key = (key, names)
                return self._ids
        if key is None:
            ids: set[str] = set()
        else:
            ids = {i for i in strings(layers.snapshot_columns(["id"])["id"]) if i is not None}
        self._apply_ids(ids, layers.change_rows())
        self._ids, self._ids_key = ids, (key, names)
        return ids

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

        def read(layers: Layers) -> dict[str, tuple[str, dt.date, str]]:
            found: dict[str, tuple[str, dt.date, str]] = {}
            if layers.snapshot_key is not None and column in layers.snapshot_fields():
                values_col = layers.snapshot_columns([column])[column]
                hits = pc.indices_nonzero(one_of(values_col, wanted))
                if len(hits):
                    rows = pc.take(layers.snapshot_columns(["id", "date", "title"]), hits)
                    for i in range(rows.num_rows):
                        ref = (rows["id"][i].as_py(), rows["date"][i].as_py(), rows["title"][i].as_py())
                        found[ref[0]] = ref
            for line in layers.change_rows().splitlines():  # replayed: the last row of an id wins
                row = json.loads(line)
                found.pop(row["id"], None)
                if not row.get("_deleted") and row.get(column) in wanted:
                    found[row["id"]] = (row["id"], EPOCH + dt.timedelta(days=row["date"]), row["title"])
            return found

        return sorted(self.read_layers(read).values(), key=lambda ref: ref[1])

    def _apply_ids(self, ids: set[str], rows: bytes) -> None:
        for line in rows.splitlines():
            row = json.loads(line)
            if row.get("_deleted"):
                ids.discard(row["id"])
            else:
                ids.add(row["id"])

    # -- writing ------------------------------------------------------------------

    def _commit(self, data: bytes, rows: int) -> None:
        """Commit encoded change rows (the write lock is held); the view is rebuilt on
        the next read."""
        self.backend.commit(data, rows)

    def compact(self) -> int:
        """Fold pending changes into ``entries.parquet``; returns how many were folded."""
        return self.backend.compact()

    def upgrade(self) -> bool:
        """Rewrite a snapshot of an older schema version in the current one (pending
        changes folded in); False if there was nothing to upgrade. Any write does the same."""
        return self.backend.upgrade()

    def pending_changes(self) -> int:
        """How many change files wait beside the snapshot (0: the file alone is current)."""
        return self.backend.pending_changes()

    def _stamp_new(self, entries: list[Entry]) -> list[Entry]:
        now = utc_now()
        out = []
        for i, e in enumerate(entries):
            # distinct microseconds keep the batch's order as journal order
            created = e.created_at or now + dt.timedelta(microseconds=i)
            out.append(e.replace(created_at=created, updated_at=e.updated_at or created))
        return out

    @property
    def shared(self) -> bool:
        """Whether several machines write this journal (:mod:`journal.store.readers`)."""
        return bool(getattr(self.backend, "shared", False))

    def _taken(self, entry_id: str) -> bool:
        if self._ids is None and not self._added_before:  # a first add (the CLI's only one):
            return bool(self.lookup("id", [entry_id]))  # one column, not the whole id set
        return entry_id in self._live_ids()

    def add(self, entry: Entry | None = None, /, **fields: Any) -> Entry:
        """Add one entry (an :class:`Entry` or the fields of one); returns it as stored,
        recorded under the current reader (:mod:`journal.store.readers`).

        Refuses (:class:`DuplicateEntry`) an entry whose id is already in the journal.
        """
        new = entry if entry is not None else make_entry(**fields)
        reader = current_reader()
        with self.backend.write_lock():
            is_taken = functools.cache(self._taken)  # one lookup per id, for_reader's included
            owner_of = lambda i: (self.get(i).reader or "") if is_taken(i) else None  # noqa: E731
            new = for_reader(new, reader, shared=self.shared, owner_of=owner_of)
            taken = is_taken(new.id)
            self._added_before = True
            if taken:
                existing = self.get(new.id)
                raise DuplicateEntry(existing.id, existing.title, existing.date.isoformat())
            (stamped,) = self._stamp_new([new])
            self._commit(encode(stamped), 1)
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
        reader = current_reader()
        with self.backend.write_lock():
            ids = self._live_ids()
            owner_of = Owners(ids, self.to_arrow)
            seen: set[str] = set()
            fresh: list[Entry] = []
            for e in batch:
                e = for_reader(e, reader, shared=self.shared, owner_of=owner_of)
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
                self._commit(b"".join(encode(e) for e in stamped), len(stamped))
                result.added = stamped
                ids.update(seen)
        return result

    def update(self, id_or_prefix: str, *, any_reader: bool = False, **changes: Any) -> Entry:
        """Change fields of one entry; ``updated_at`` is set, ``id``/``created_at`` kept.
        Another reader's entry is refused (``NotYourEntry``) unless ``any_reader``."""
        reader = current_reader()
        before = self.get(id_or_prefix)
        check_owner(before, reader, any_reader=any_reader)
        update_entry(before, **changes)  # bad input fails before the lock creates files
        with self.backend.write_lock():
            old = self.get(id_or_prefix)
            check_owner(old, reader, any_reader=any_reader)
            new = update_entry(old, **changes).replace(created_at=old.created_at, updated_at=utc_now())
            self._commit(encode(new), 1)
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
        with self.backend.write_lock():
            batch = given if given is not None else list(entries(self.entries()))  # type: ignore[operator]
            if not batch:
                return 0
            ids = self._live_ids()
            for e in batch:
                if e.id not in ids:
                    raise EntryNotFound(e.id)
            data = b"".join(encode(e.replace(updated_at=now)) for e in batch)
            self._commit(data, len(batch))
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
        guards the ``tmp`` side state. Entry changes go through add/update/delete/apply instead."""
        with self.backend.write_lock(check_file=False):
            yield

    def apply(
        self, plan: Callable[[Journal], Batch], *, then: Callable[[Batch], None] | None = None
    ) -> Batch:
        """Commit the :class:`Batch` that ``plan(journal)`` returns as one atomic change
        (all of it or, on any error or crash, none). ``plan`` runs under the write lock,
        so no other writer's change falls between what it read and what it writes;
        ``then(batch)`` runs after the commit, still under the lock (e.g. to record
        state beside the journal). Entries without timestamps get them as in an add."""
        reader = current_reader()
        with self.backend.write_lock():
            batch = plan(self)
            if batch:
                ids = self._live_ids()  # new entries are the current reader's
                batch.put = [e if e.reader or e.id in ids else e.replace(reader=reader) for e in batch.put]
                batch.put = [
                    e if e.created_at and e.updated_at else stamped
                    for e, stamped in zip(batch.put, self._stamp_new(batch.put), strict=True)
                ]
                data = b"".join(encode(e) for e in batch.put) + b"".join(
                    encode_delete(i) for i in batch.delete
                )
                self._commit(data, len(batch.put) + len(batch.delete))
            if then is not None:
                then(batch)
            return batch

    def delete(self, id_or_prefix: str, *, any_reader: bool = False) -> Entry:
        """Remove one entry (another reader's only with ``any_reader``); returns it."""
        reader = current_reader()
        check_owner(self.get(id_or_prefix), reader, any_reader=any_reader)  # before the lock creates any file
        with self.backend.write_lock():
            old = self.get(id_or_prefix)
            check_owner(old, reader, any_reader=any_reader)
            self._commit(encode_delete(old.id), 1)
            if self._ids is not None:
                self._ids.discard(old.id)
            return old

    # -- checking -----------------------------------------------------------------

    def check(self, *, repair: bool = True) -> list[Finding]:
        """Validate the store; with ``repair``, restore what can be restored.

        Returns human-readable findings (empty: all is well)."""
        from journal.store.check import check_journal

        return check_journal(self, repair=repair)

    def check_storage(self, *, repair: bool) -> list[Finding]:
        """The storage part of :meth:`check`, done by the backend."""
        return self.backend.check_storage(repair=repair)
