"""Keeping a journal in sync with a markdown vault: import again = sync (SPEC section 3).

Each import (and each markdown export) records, per note, what the note looked like
(modification time in nanoseconds, size, SHA-256 of its bytes), which entry it is, and
that entry's ``updated_at`` as written. The record lives beside the journal, in
``<journal>.d/markdown-sync.json`` (for an ``s3://`` journal, in this machine's side
folder of it: ``Journal.side_path``): it is bookkeeping about files outside the journal,
not a fact about an entry, so it has no column in the Parquet file (which stays what
``pandas.read_parquet`` users see). The next import then:

- skips a note whose time and size are as recorded without reading it (a vault of
  4,000 unchanged notes costs a walk and a JSON file);
- reads a note whose time or size changed; same bytes (a ``touch``): nothing to do;
- updates the entry of a changed note, unless the entry was also edited in the journal
  since (its ``updated_at`` is not the recorded one): then the note and the entry are
  reported as a conflict and neither is overwritten;
- adds new notes, and reports notes that are gone (``prune``: their entries are removed,
  unless edited in the journal since).

All entry changes are one atomic store write (:meth:`journal.store.Journal.apply`); the
record is written after it, under the same lock. Losing the record (or a crash between
the two writes) loses no words: a note whose content equals its entry's is in sync, an
entry never edited since it was created takes its note's version, an edited entry whose
note is older than the entry stays as it is; any other difference is a conflict. The
record itself (its file, its entries) is :mod:`journal.formats.vault_record`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from journal.errors import ImportFailed
from journal.formats.markdown import DATE_FROM_MTIME, DATE_FROM_NAME, read_note
from journal.formats.vault_files import Scan, locate, note_path, progress, read_bytes
from journal.formats.vault_record import Record, digest_of, load_state, record, update_state, vault_key
from journal.model import EPOCH_UTC, FIELDS, Entry, format_timestamp, utc_now
from journal.text import wording

if TYPE_CHECKING:
    from journal.store import Batch, Journal

#: Exit status of an import that left notes out (skipped or in conflict).
EXIT_INCOMPLETE = 3
#: What a note says about its entry (the date is compared apart: a modification time is not content).
_CONTENT = tuple(f for f in FIELDS if f not in ("id", "date", "created_at", "updated_at", "reader"))


@dataclass
class SyncReport:
    """What an import of a vault did; ``str()`` is the summary line."""

    source: str
    added: list[tuple[str, Entry]] = field(default_factory=list)  # (note path, entry)
    updated: list[tuple[str, Entry]] = field(default_factory=list)
    unchanged: int = 0
    undated: list[tuple[str, Entry, str]] = field(default_factory=list)  # (path, entry, date origin)
    gone: list[tuple[str, str]] = field(default_factory=list)  # (path, entry id) kept in the journal
    pruned: list[tuple[str, str]] = field(default_factory=list)  # (path, entry id) removed
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)  # (path, entry id, what)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    @property
    def exit_code(self) -> int:
        """0: every note is in the journal; :data:`EXIT_INCOMPLETE`: some were skipped or
        are in conflict."""
        return EXIT_INCOMPLETE if self.skipped or self.conflicts else 0

    def __str__(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated", f"{self.unchanged} unchanged"]
        for count, label in (
            (len(self.gone), "gone"),
            (len(self.pruned), "pruned"),
            (len(self.conflicts), "in conflict"),
            (len(self.skipped), "skipped"),
        ):
            if count:
                parts.append(f"{count} {label}")
        return f"imported notes from {self.source}: {', '.join(parts)}"

    def details(self) -> Iterator[str]:
        """One line per undated, gone or pruned note (the summary's detail)."""
        for path, entry, origin in self.undated:
            yield f"  undated: {path}: dated {entry.date.isoformat()} from its {origin}"
        for path, entry_id in self.gone:
            yield f"  gone: {path} (entry {entry_id} kept; --prune removes it)"
        for path, entry_id in self.pruned:
            yield f"  pruned: {path} (entry {entry_id} removed)"

    def problems(self) -> Iterator[str]:
        """One line per skipped note or conflict (for standard error)."""
        for path, reason in self.skipped:
            yield f"skipped {path}: {reason}"
        for path, entry_id, what in self.conflicts:
            yield (
                f"conflict: {path} and entry {entry_id} {what}; neither was overwritten (merge them by hand "
                f"with `journal edit {entry_id}` or in the note, or keep the note's version with "
                f"`journal rm {entry_id}` and import again)"
            )


# --- the sync ------------------------------------------------------------------------


@dataclass
class _Changed:
    rel: str
    path: str
    entry: Entry
    origin: str
    stat: tuple[int, int]
    digest: str
    known: Record | None


def _same_content(a: Entry, b: Entry, *, compare_date: bool) -> bool:
    if compare_date and a.date != b.date:
        return False
    return all(getattr(a, f) == getattr(b, f) for f in _CONTENT)


def sync(
    journal: Journal | str | os.PathLike[str],
    source: Path | str,
    *,
    strict: bool = False,
    prune: bool = False,
) -> SyncReport:
    """Import the vault (or the one note) ``source`` into ``journal`` (a Journal or its
    path), or bring the entries up to date with it (see the module doc). ``strict``: a
    note that cannot be read fails the whole import (:class:`ImportFailed`), as
    ``--strict`` does."""
    from journal.store import backend_for

    # a location as given (an s3:// URL is no path); its record is this machine's side state
    backend = backend_for(journal) if isinstance(journal, (str, os.PathLike)) else journal.backend
    root, found, whole = locate(Path(source))
    report = SyncReport(str(source))
    vaults = load_state(backend)
    if not whole and found.notes:
        root, found = _home_vault(vaults, root, found)
    key = vault_key(root)
    known_notes = vaults.get(key, {})
    folders = list(Path(os.path.abspath(root)).parts)
    skipped = {rel: reason for rel, reason in found.skipped}
    changed: list[_Changed] = []
    touched: dict[str, Record | None] = {}
    for rel in progress(list(found.notes), "reading notes"):
        stat = found.notes[rel]
        known = known_notes.get(rel)
        if known and (known.get("mtime_ns"), known.get("size")) == stat:
            report.unchanged += 1
            continue
        path = note_path(root, rel)
        try:
            data = read_bytes(path)
        except OSError as e:
            skipped[rel] = f"cannot be read ({e.strerror})"
            continue
        digest = digest_of(data)
        if known and known.get("sha256") == digest:  # touched, not changed
            touched[rel] = {**known, "mtime_ns": stat[0], "size": stat[1]}
            report.unchanged += 1
            continue
        try:
            entry, origin = read_note(data, rel, folders=folders, display=path, mtime_ns=stat[0])
        except ImportFailed as e:
            skipped[rel] = e.reason if e.line is None else f"line {e.line}: {e.reason}"
            continue
        changed.append(_Changed(rel, path, entry, origin, stat, digest, known))
    report.skipped = [(note_path(root, rel), why) for rel, why in sorted(skipped.items())]
    if strict and report.skipped:
        path, reason = report.skipped[0]
        more = (
            f" (and {wording.count(len(report.skipped) - 1, 'more note')})" if len(report.skipped) > 1 else ""
        )
        raise ImportFailed(path, f"{reason}{more}")
    gone = [rel for rel in known_notes if rel not in found.notes and rel not in skipped] if whole else []
    # a gone note whose entry another note of the vault holds was moved (an export after
    # a date or title edit writes the entry under its new name): forget it, its entry stays
    present_ids = {known_notes[rel]["id"] for rel in found.notes if rel in known_notes}
    moved = [rel for rel in gone if known_notes[rel]["id"] in present_ids]
    if moved:
        touched.update(dict.fromkeys(moved))
        gone = [rel for rel in gone if rel not in touched]
    if not changed and not touched and not (gone and prune):
        report.gone = [(note_path(root, rel), known_notes[rel]["id"]) for rel in gone]
        return report  # nothing to write: the journal is not even opened (nor pyarrow imported)

    from journal.store import as_journal

    store = as_journal(journal)

    def plan(j: Journal) -> Batch:
        return _plan(j, root, changed, gone, known_notes, prune, report, touched)

    store.apply(plan, then=lambda _batch: update_state(store, key, touched))
    return report


def _home_vault(vaults: dict[str, dict[str, Record]], root: str, found: Scan) -> tuple[str, Scan]:
    """For one note: the imported vault it belongs to (so that it updates the entry
    imported with that vault), else its own folder."""
    ((rel, stat),) = found.notes.items()
    note = os.path.realpath(os.path.join(root, rel))
    for key, records in vaults.items():
        if note.startswith(key.rstrip(os.sep) + os.sep):
            in_vault = os.path.relpath(note, key).replace(os.sep, "/")
            if in_vault in records:
                return key, Scan(key, {in_vault: stat})
    return root, found


def _plan(
    journal: Journal,
    root: str,
    changed: list[_Changed],
    gone: list[str],
    known_notes: dict[str, Record],
    prune: bool,
    report: SyncReport,
    state: dict[str, Record | None],
) -> Batch:
    """The store change of a sync (run under the write lock); fills ``report`` and the
    record ``state`` to write after it."""
    from journal.store import Batch

    wanted = {c.entry.id for c in changed} | {c.known["id"] for c in changed if c.known}
    wanted |= {known_notes[rel]["id"] for rel in gone}
    current = journal.get_many(wanted)
    now = utc_now()
    batch = Batch()
    added = 0
    for c in changed:
        target = c.known["id"] if c.known and c.known["id"] in current else c.entry.id
        existing = current.get(target)
        if existing is None:  # a new note, or one changed since its entry was removed
            created = now + dt.timedelta(microseconds=added)  # distinct: the vault's order is kept
            added += 1
            new = c.entry.replace(created_at=created, updated_at=created)
            batch.put.append(new)
            report.added.append((c.path, new))
        elif _same_content(existing, c.entry, compare_date=not c.origin.startswith(DATE_FROM_MTIME)):
            state[c.rel] = record(existing, c.stat, c.digest)  # e.g. written by an export
            report.unchanged += 1
            continue
        elif c.known is None and _edited_since(existing, None) and _older_than(c.stat, existing.created_at):
            # no record (imported before the sync kept one): the note has not changed since
            # its entry was created, so only the entry moved on; a later note change conflicts
            state[c.rel] = record(existing, c.stat, c.digest, entry_ahead=True)
            report.unchanged += 1
            continue
        elif _edited_since(existing, c.known):
            report.conflicts.append((c.path, existing.id, "both changed since the last import"))
            continue
        else:
            date = (
                existing.date if c.origin.startswith(DATE_FROM_MTIME) else c.entry.date
            )  # an edit moves the mtime
            created = existing.created_at or now  # a foreign file may have none
            new = c.entry.replace(
                id=existing.id, date=date, created_at=created, updated_at=now, reader=existing.reader
            )
            batch.put.append(new)
            report.updated.append((c.path, new))
        if c.origin != DATE_FROM_NAME:
            report.undated.append((c.path, new, c.origin))
        state[c.rel] = record(new, c.stat, c.digest)
    for rel in gone:
        path = note_path(root, rel)
        known = known_notes[rel]
        existing = current.get(known["id"])
        if not prune:
            report.gone.append((path, known["id"]))
        elif existing is None:
            state[rel] = None  # its entry was removed already
        elif _edited_since(existing, known):
            report.conflicts.append((path, existing.id, "the note is gone but the entry was edited since"))
        else:
            batch.delete.append(existing.id)
            report.pruned.append((path, existing.id))
            state[rel] = None
    return batch


def _older_than(stat: tuple[int, int], when: dt.datetime | None) -> bool:
    """Whether a note's modification time (``stat[0]``, ns) is before ``when``."""
    return when is not None and stat[0] < (when - EPOCH_UTC) // dt.timedelta(microseconds=1) * 1000


def _edited_since(existing: Entry, known: Record | None) -> bool:
    """Whether the entry changed in the journal since its note was last imported (with no
    record: since it was created)."""
    if existing.updated_at is None:
        return False
    if known is None or known.get("id") != existing.id:
        return existing.created_at is not None and existing.updated_at != existing.created_at
    return format_timestamp(existing.updated_at) != known.get("updated_at")
