"""The storage seam: what any place that keeps a journal must offer.

:class:`journal.store.entrystore.Journal` reads and writes entries through a
:class:`StorageBackend`; :mod:`journal.store.registry` picks one by the location's URL
scheme (a plain path or ``file://``: the local Parquet store of
:mod:`journal.store.local`). A second backend is a new module that implements this
protocol and calls ``register_backend(scheme, factory)``; ``Journal`` does not change.

Entries travel in two layers, whatever the backend: a snapshot table (the store's schema,
journal order) and change rows pending on top of it, encoded by
:func:`journal.store.schema.encode` / :func:`~journal.store.schema.encode_delete` (the
last row of an id wins). Besides its entries a journal keeps side state (recorded
listings, caches, the vault sync record, drafts...): each kind is a :class:`SideState`,
and :meth:`StorageBackend.side_path` says where it lives on this machine.

Side state every machine must see (the recorded listings, the readers' feedback) goes
through :meth:`StorageBackend.shared_folder` instead: a :class:`SharedFolder` that lists
names, reads bytes and writes bytes, a write being conditional on what was read (so a
writer that raced with another reads again and retries: :func:`journal.store.shared.update_shared`).
For the local store it is the ``<journal>.d/<kind>`` folder; for an ``s3://`` journal, the
bucket under ``<prefix>/<kind>/`` (:mod:`journal.store.shared`). Its errors are the
store's one-line :class:`~journal.errors.StoreError`.

This module imports nothing heavy (no pyarrow): modules that only need a side path use it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    import pyarrow as pa

T = TypeVar("T")


class SideState(str, enum.Enum):
    """The kinds of state a journal keeps beside its entries. The value is the name under
    the local store's ``<journal>.d/`` folder; another backend may put each elsewhere."""

    LISTINGS = "listings"  # recorded arXiv listings, one file per day (shared: synced data)
    FEEDBACK = "feedback"  # triage feedback (dismiss, follow, mute), one JSONL file per reader (shared: data)
    ARXIV_CACHE = "arxiv-cache"  # arXiv API answers, one JSON file per id
    ARXIV_RSS = "arxiv-rss"  # arXiv RSS answers, per announcement day and category
    TRIAGE_CACHE = "triage-cache"  # term counts of listed papers (triage ranking)
    SEARCH_INDEX = "search.arrow"  # the search index of the snapshot
    MARKDOWN_SYNC = "markdown-sync.json"  # what imported vaults' notes looked like
    EXPORTED = "exported.json"  # files single-file exports wrote, with their SHA-256
    DRAFTS = "drafts"  # unsaved capture forms, one JSON file each
    DAMAGED = "damaged"  # files `journal check` moved aside (never deleted)
    TMP = "tmp"  # files being written (anything left there is garbage)
    OUTBOX = "outbox"  # writes that could not reach a remote store yet (journal sync sends them)


@dataclass(frozen=True)
class Stored:
    """An object of a :class:`SharedFolder` as read: its bytes and the store's tag of
    that version (an S3 ETag; locally the file's size and time)."""

    data: bytes
    tag: str


class SharedChanged(Exception):
    """A conditional write of a :class:`SharedFolder` found the object changed (or
    created) since it was read: read it again and retry."""


class SharedFolder(Protocol):
    """Side state of one kind that every machine of a journal sees (see the module doc).
    Names are ``/``-separated paths below the folder."""

    where: str  # how messages name the folder (a path or a URL)

    def names(self) -> list[str]:
        """The names of the objects in the folder, sorted (none if there is no folder)."""

    def tags(self) -> dict[str, str]:
        """:meth:`names` with each object's tag as :meth:`read` would give it (an S3
        ETag, from the one listing): what a copy of an object is checked against."""

    def read(self, name: str) -> Stored | None:
        """Object ``name`` and its tag, None if there is none."""

    def write(self, name: str, data: bytes, *, replacing: Stored | None) -> None:
        """Create or replace object ``name`` with ``data``, whole; ``replacing`` is what
        :meth:`read` gave (None: there was none). Raises :class:`SharedChanged` if it has
        changed since (the local store's write lock already rules that out)."""

    def name_of(self, name: str) -> str:
        """How a message names object ``name`` (a path, a URL)."""

    def local_path(self, name: str) -> Path | None:
        """The file on this machine that is object ``name`` (locally: read it there, with
        no copy), None where objects are remote."""


@dataclass
class Finding:
    """One result of ``journal check``."""

    severity: str  # "error" (still wrong), "repaired", "warning" (for the reader to decide)
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


class LayerSource(Protocol):
    """What :class:`Layers` reads through (a backend): the parts of one journal state."""

    def snapshot(self, key: Any) -> pa.Table:
        """The whole snapshot of state ``key`` (the store's schema, journal order); raises
        ``FileNotFoundError`` if the snapshot is no longer that of ``key``."""

    def snapshot_columns(self, key: Any, columns: list[str]) -> pa.Table:
        """Only ``columns`` of the snapshot (as stored, not conformed): cheap reads."""

    def snapshot_fields(self, key: Any) -> list[str]:
        """The column names the snapshot has (a foreign file may lack some)."""

    def change_rows(self, names: tuple[str, ...]) -> bytes:
        """The encoded change rows of the pending changes ``names``, in commit order."""


@dataclass(frozen=True)
class Layers:
    """One state of a journal as its two layers: the snapshot and the change rows pending
    on top of it. Given by ``read_layers``, valid inside its call."""

    source: LayerSource
    snapshot_key: Any  # the snapshot's identity (None: no snapshot yet)
    change_names: tuple[str, ...]  # the pending changes, in commit order

    @property
    def state(self) -> tuple[Any, tuple[str, ...]]:
        """Equal for equal journal states: a key for data derived from the journal."""
        return (self.snapshot_key, self.change_names)

    def snapshot(self) -> pa.Table:
        """The entries of the snapshot alone (the store's schema, journal order),
        guaranteed to be the one named by ``snapshot_key``."""
        return self.source.snapshot(self.snapshot_key)

    def snapshot_columns(self, columns: list[str]) -> pa.Table:
        """Some columns of the snapshot, read without the rest."""
        return self.source.snapshot_columns(self.snapshot_key, columns)

    def snapshot_fields(self) -> list[str]:
        """The column names of the snapshot."""
        return self.source.snapshot_fields(self.snapshot_key)

    def change_rows(self) -> bytes:
        """The pending change rows, encoded (JSON lines), in commit order."""
        return self.source.change_rows(self.change_names)

    def changes(self) -> pa.Table:
        """The pending change rows in commit order (every field nullable, plus a
        ``_deleted`` mark; the last row of an id wins), as :func:`journal.store.schema.merge` takes them."""
        from journal.store.schema import rows_to_table

        return rows_to_table(self.change_rows())


class StorageBackend(LayerSource, Protocol):
    """What any storage of a journal must offer (the local Parquet store is the first)."""

    location: str  # as given by the user (a path or a URL)
    path: Path  # how messages name the journal (local: the snapshot file)

    def read_layers(self, read: Callable[[Layers], T]) -> T:
        """``read(layers)`` on one consistent state (run again if a writer raced with it)."""

    def write_lock(self, *, check_file: bool = True) -> AbstractContextManager[None]:
        """Hold the journal's write lock: one writer at a time, for entries and side state.
        ``check_file``: first make sure the stored journal is one this version can write."""

    def commit(self, data: bytes, rows: int) -> None:
        """Make ``data`` (``rows`` encoded change rows) durable as one atomic change; the
        caller holds the write lock."""

    def compact(self) -> int:
        """Fold pending changes into the snapshot; returns how many were folded."""

    def upgrade(self) -> bool:
        """Rewrite a snapshot of an older schema version; False if there was none."""

    def pending_changes(self) -> int:
        """How many changes wait on top of the snapshot."""

    def exists(self) -> bool:
        """Whether a journal (or the beginnings of one) is stored here."""

    def check_storage(self, *, repair: bool) -> list[Finding]:
        """The storage part of ``journal check``: readable snapshot and changes, current
        schema; with ``repair``, restore what can be restored."""

    def side_path(self, kind: SideState) -> Path:
        """Where side state of ``kind`` lives (a local folder or file, made by its user)."""

    def shared_folder(self, kind: SideState) -> SharedFolder:
        """Side state of ``kind`` as every machine sees it (local store: ``side_path(kind)``).
        Code reaches it through :func:`journal.store.shared.shared_folder`."""
