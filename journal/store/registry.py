"""Which backend keeps the journal at a location: picked by the location's URL scheme, as
papermill's ``iorw`` picks an I/O handler. A plain path and ``file://`` are the local
Parquet store; ``register_backend("s3", factory)`` adds another."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from journal.errors import JournalError, UnknownLocation
from journal.store.backend import SideState, StorageBackend

Factory = Callable[[str], StorageBackend]
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def local_backend(location: str) -> StorageBackend:
    """The local Parquet store at a path or ``file://`` URL."""
    from journal.store.local import LocalParquetBackend

    if scheme_of(location) == "file":
        from urllib.parse import urlsplit
        from urllib.request import url2pathname

        parts = urlsplit(location)
        if parts.netloc not in ("", "localhost"):
            raise JournalError(f"{location}: a file:// location must be on this machine (file:///path)")
        location = url2pathname(parts.path)
    return LocalParquetBackend(location)


def s3_backend(location: str) -> StorageBackend:
    """The Delta Lake table at an ``s3://bucket/prefix`` URL (:mod:`journal.store.delta`,
    imported on first use: it needs the ``s3`` extra)."""
    from journal.store.delta import DeltaBackend

    return DeltaBackend(location)


_BACKENDS: dict[str, Factory] = {"file": local_backend, "s3": s3_backend}


def register_backend(scheme: str, factory: Factory) -> None:
    """Keep journals at ``scheme://...`` locations with ``factory(location)`` (replacing
    any backend registered for that scheme). A factory touches no storage: the backend
    reads or writes on first use."""
    _BACKENDS[scheme.lower()] = factory


def known_schemes() -> list[str]:
    """The URL schemes with a backend, sorted."""
    return sorted(_BACKENDS)


def journal_name(backend: StorageBackend) -> str:
    """How messages name the journal ``backend`` keeps: its file for a local journal, its
    URL (``s3://bucket/prefix``) for one kept elsewhere, never this machine's cache of it
    (``backend.path``)."""
    location = backend.location
    return str(backend.path) if scheme_of(location) in ("", "file") else str(location)


def scheme_of(location: str | os.PathLike[str]) -> str:
    """The URL scheme of ``location`` (``""`` for a plain path)."""
    if not isinstance(location, str):
        return ""
    match = _SCHEME.match(location)
    return match.group(1).lower() if match else ""


def backend_for(location: str | os.PathLike[str]) -> StorageBackend:
    """The backend that keeps the journal at ``location`` (a path, or ``scheme://...``)."""
    scheme = scheme_of(location)
    if not scheme:
        return local_backend(os.fspath(location))
    factory = _BACKENDS.get(scheme)
    if factory is None:
        raise UnknownLocation(str(location), scheme, known_schemes())
    return factory(str(location))


def side_path_for(location: str | os.PathLike[str], kind: SideState) -> Path:
    """Where side state ``kind`` of the journal at ``location`` lives (for code given a
    journal's location rather than a Journal)."""
    return backend_for(location).side_path(kind)
