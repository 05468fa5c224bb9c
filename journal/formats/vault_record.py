"""The sync record of a markdown vault: what each note looked like when it was last
imported or exported (modification time, size, SHA-256) and which entry it is, kept in
the journal's side state of this machine (``<journal>.d/markdown-sync.json`` for a local
journal, the cache's side folder for an ``s3://`` one: a vault is a folder on a machine). :mod:`journal.formats.markdown_sync` reads it to skip
unchanged notes and find conflicts; an export (:func:`journal.formats.markdown.write`)
checks it before overwriting a note and records what it wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.errors import JournalError, JournalFileError
from journal.fileio import write_atomic
from journal.formats.vault_files import read_bytes
from journal.model import Entry, format_timestamp
from journal.store import SideState
from journal.store.registry import scheme_of

if TYPE_CHECKING:
    from journal.store import Journal, StorageBackend

STATE_NAME = SideState.MARKDOWN_SYNC.value
STATE_FORMAT = 1

Record = dict[str, Any]  # {"id", "mtime_ns", "size", "sha256", "updated_at"}


def state_path(backend: StorageBackend) -> Path:
    """The record's file: the side state of the journal ``backend`` keeps, on this machine
    (``<journal>.d/markdown-sync.json`` for a local journal)."""
    return backend.side_path(SideState.MARKDOWN_SYNC)


def vault_key(root: str) -> str:
    """The record's key for a vault: its real absolute path."""
    return os.path.realpath(root)


def load_state(backend: StorageBackend) -> dict[str, dict[str, Record]]:
    """Every vault's record (empty when there is none, or the journal is gone: its file,
    or for a journal kept elsewhere, its table)."""
    local = scheme_of(backend.location) in ("", "file")
    if not (backend.path.exists() if local else backend.exists()):
        return {}  # a record without its journal would keep deleted entries out
    try:
        data = json.loads(state_path(backend).read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a damaged record only costs reading every note again
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        return {}
    vaults = data.get("vaults")
    if not isinstance(vaults, dict):
        return {}
    return {  # a hand-edited record: what is not a record is forgotten (that note is read again)
        key: {rel: r for rel, r in records.items() if isinstance(r, dict) and isinstance(r.get("id"), str)}
        for key, records in vaults.items()
        if isinstance(records, dict)
    }


def update_state(journal: Journal, key: str, changes: dict[str, Record | None]) -> None:
    """Apply ``changes`` (None: forget the note) to vault ``key``'s record; the caller
    holds the journal's write lock."""
    if not changes:
        return
    vaults = load_state(journal.backend)
    records = vaults.setdefault(key, {})
    for rel, record in changes.items():
        if record is None:
            records.pop(rel, None)
        else:
            records[rel] = record
    data = json.dumps({"format": STATE_FORMAT, "vaults": vaults}, ensure_ascii=False, separators=(",", ":"))
    try:
        write_atomic(state_path(journal.backend), data.encode("utf-8"))
    except OSError as e:
        raise JournalFileError(state_path(journal.backend), f"cannot be written ({e.strerror})") from None


def record(entry: Entry, stat: tuple[int, int], digest: str, *, entry_ahead: bool = False) -> Record:
    """What the sync keeps about one note. ``entry_ahead``: the entry was edited since the
    note was imported (``updated_at`` None: any change of the note is then a conflict)."""
    assert entry.updated_at is not None
    return {
        "id": entry.id,
        "mtime_ns": stat[0],
        "size": stat[1],
        "sha256": digest,
        "updated_at": None if entry_ahead else format_timestamp(entry.updated_at),
    }


def digest_of(data: bytes) -> str:
    """The SHA-256 (hex) the record keeps of a note's bytes."""
    return hashlib.sha256(data).hexdigest()


def record_export(journal: Journal, root: str, written: list[tuple[str, str, Entry, bytes]]) -> None:
    """Record notes an export wrote (``(relative path, file, entry, bytes)``), so that
    importing the folder again finds them unchanged."""
    if not written:
        return
    changes: dict[str, Record | None] = {}
    for rel, target, entry, data in written:
        if entry.updated_at is None:
            continue
        st = os.stat(target)
        changes[rel] = record(entry, (st.st_mtime_ns, st.st_size), digest_of(data))
    try:
        with journal.write_lock():
            update_state(journal, vault_key(root), changes)
    except JournalError:
        pass  # e.g. a read-only journal: the notes are written; importing them reads them again


def unsynced_notes(journal: Journal, root: str, planned: list[tuple[str, str, bytes]]) -> list[str]:
    """The files among ``planned`` (``(relative path, file, bytes to write)``) that an
    export would overwrite although they changed since this journal last imported or
    exported them: edits made in the vault and not yet imported."""
    records = load_state(journal.backend).get(vault_key(root), {})
    found = []
    for rel, target, data in planned:
        known = records.get(rel)
        if known is None:
            continue
        try:
            st = os.stat(target)
        except OSError:
            continue  # gone: nothing to overwrite
        if (st.st_mtime_ns, st.st_size) == (known.get("mtime_ns"), known.get("size")):
            continue
        try:
            current = read_bytes(target)
        except OSError:
            continue  # the write reports it
        if current != data and digest_of(current) != known.get("sha256"):
            found.append(target)
    return found
