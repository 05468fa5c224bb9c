"""The storage part of ``journal check`` for the local Parquet store: restore a damaged
snapshot from its backup, move unreadable change files aside (to ``damaged/``, never
deleted), upgrade a snapshot of an older schema version. Works through the public
methods of :class:`journal.store.local.LocalParquetBackend` (typed here by what it uses)."""

from __future__ import annotations

import os
import shutil
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from journal.errors import CorruptJournal, JournalError, NewerSchema
from journal.store.backend import Finding, SideState
from journal.store.schema import SCHEMA_VERSION, rows_to_table


class LocalStore(Protocol):
    """What the check uses of the local backend."""

    path: Path
    sidecar: Path
    changes_dir: Path
    backup_path: Path

    def side_path(self, kind: SideState) -> Path: ...
    def change_names(self) -> list[str]: ...
    def read_snapshot(self, columns: list[str] | None = None) -> Any: ...
    def restore_backup(self) -> None: ...
    def write_lock(self, *, check_file: bool = True) -> AbstractContextManager[None]: ...
    def snapshot_outdated(self) -> bool: ...
    def upgrade(self) -> bool: ...


def _readable(path: os.PathLike[str]) -> bool:
    try:
        pq.read_table(path).validate(full=True)
    except (OSError, pa.ArrowException, UnicodeDecodeError):
        return False
    return True


def _quarantine(store: LocalStore, path: os.PathLike[str], label: str) -> str:
    keep = store.side_path(SideState.DAMAGED)
    keep.mkdir(parents=True, exist_ok=True)
    target = keep / f"{time.strftime('%Y%m%d-%H%M%S')}-{label}"
    shutil.move(os.fspath(path), target)
    return os.fspath(target)


def _repair_snapshot(store: LocalStore, repair: bool) -> list[Finding]:
    if not store.path.exists():
        return []
    try:
        store.read_snapshot()
        return []
    except NewerSchema as e:
        return [Finding("error", str(e))]
    except CorruptJournal as e:
        problem = str(e).replace("; run `journal check` to restore the last good state", "")
    if not repair:
        return [Finding("error", problem)]
    if store.backup_path.exists() and _readable(store.backup_path):
        kept = _quarantine(store, store.path, store.path.name)
        store.restore_backup()
        return [
            Finding(
                "repaired",
                f"{store.path} could not be read; restored the last good snapshot from "
                f"{store.backup_path} (pending changes still apply; the damaged file is kept at {kept})",
            )
        ]
    return [Finding("error", f"{problem}; no readable backup to restore from")]


def _repair_changes(store: LocalStore, repair: bool) -> list[Finding]:
    findings = []
    for name in store.change_names():
        path = store.changes_dir / name
        try:
            rows_to_table(path.read_bytes())
        except (pa.ArrowException, OSError) as e:
            if repair:
                kept = _quarantine(store, path, name)
                findings.append(
                    Finding("repaired", f"change {name} could not be read ({e}); moved to {kept}")
                )
            else:
                findings.append(Finding("error", f"change {name} could not be read ({e})"))
    return findings


def check_local(store: LocalStore, *, repair: bool = True) -> list[Finding]:
    """The storage findings of the local journal ``store`` (see the module doc)."""
    findings: list[Finding] = []
    if not store.path.exists() and not store.sidecar.exists():
        return [Finding("error", f"{store.path}: no journal here (the first `journal add` creates one)")]
    if repair and store.sidecar.exists():
        with store.write_lock(check_file=False):  # taking the lock also clears what killed writers left
            findings += _repair_snapshot(store, repair)
            findings += _repair_changes(store, repair)
    else:
        findings += _repair_snapshot(store, repair)
        findings += _repair_changes(store, repair)
    if any(f.severity == "error" for f in findings):
        return findings
    if repair and store.path.exists() and store.snapshot_outdated():
        try:
            if store.upgrade():
                findings.append(
                    Finding("repaired", f"{store.path} upgraded to schema version {SCHEMA_VERSION}")
                )
        except JournalError as error:  # e.g. read-only: it still reads as the current version
            findings.append(Finding("warning", f"not upgraded to schema version {SCHEMA_VERSION}: {error}"))
    return findings
