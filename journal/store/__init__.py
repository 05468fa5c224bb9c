"""The store: where a journal's entries and side state live. It owns the Parquet table
(:mod:`~journal.store.schema`), the change log, locking, compaction, upgrade and the
storage part of ``journal check`` (:mod:`~journal.store.local`,
:mod:`~journal.store.local_check`), the entry-level check (:mod:`~journal.store.check`),
and the seam under them (:mod:`~journal.store.backend`): a backend per URL scheme
(:mod:`~journal.store.registry`), so that a second storage is a new module, not an edit
of :class:`Journal` (:mod:`~journal.store.entrystore`). Names load on first use, so that
``import journal`` does not import pyarrow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from journal.store.backend import Finding, Layers, SideState, StorageBackend
    from journal.store.entrystore import Batch, Journal, WriteResult, as_journal, open  # noqa: A004
    from journal.store.readers import config_path, current_reader
    from journal.store.registry import backend_for, register_backend, side_path_for
    from journal.store.shared import shared_folder, update_shared

_HOMES = {
    "Batch": "entrystore",
    "Journal": "entrystore",
    "WriteResult": "entrystore",
    "as_journal": "entrystore",
    "open": "entrystore",
    "Finding": "backend",
    "Layers": "backend",
    "SideState": "backend",
    "StorageBackend": "backend",
    "backend_for": "registry",
    "register_backend": "registry",
    "side_path_for": "registry",
    "shared_folder": "shared",
    "update_shared": "shared",
    "config_path": "readers",
    "current_reader": "readers",
}
__all__ = [
    "Batch",
    "Finding",
    "Journal",
    "Layers",
    "SideState",
    "StorageBackend",
    "WriteResult",
    "as_journal",
    "backend_for",
    "config_path",
    "current_reader",
    "open",
    "register_backend",
    "shared_folder",
    "side_path_for",
    "update_shared",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'journal.store' has no attribute {name!r}")
    return getattr(importlib.import_module(f"journal.store.{home}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
