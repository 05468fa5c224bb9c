"""``journal check``: validate the store, repair what can be repaired, report duplicates."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import CorruptJournal, JournalError, NewerSchema
from .model import tag_key
from .table import SCHEMA_VERSION
from .textrules import CONTROL, clean_text, one_line
from .wording import count

if TYPE_CHECKING:
    from .model import Entry
    from .store import Journal


@dataclass
class Finding:
    severity: str  # "error" (still wrong), "repaired", "warning" (for the reader to decide)
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def _readable(path: os.PathLike[str]) -> bool:
    try:
        pq.read_table(path).validate(full=True)
    except (OSError, pa.ArrowException, UnicodeDecodeError):
        return False
    return True


def _quarantine(journal: Journal, path: os.PathLike[str], label: str) -> str:
    keep = journal.sidecar / "damaged"
    keep.mkdir(parents=True, exist_ok=True)
    target = keep / f"{time.strftime('%Y%m%d-%H%M%S')}-{label}"
    shutil.move(os.fspath(path), target)
    return os.fspath(target)


def _repair_snapshot(journal: Journal, repair: bool) -> list[Finding]:
    if not journal.path.exists():
        return []
    try:
        journal._open_snapshot()
        return []
    except NewerSchema as e:
        return [Finding("error", str(e))]
    except CorruptJournal as e:
        problem = str(e).replace("; run `journal check` to restore the last good state", "")
    if not repair:
        return [Finding("error", problem)]
    if journal.backup_path.exists() and _readable(journal.backup_path):
        kept = _quarantine(journal, journal.path, journal.path.name)
        tmp = journal.tmp_dir / "restore.tmp"
        shutil.copyfile(journal.backup_path, tmp)
        os.replace(tmp, journal.path)
        return [
            Finding(
                "repaired",
                f"{journal.path} could not be read; restored the last good snapshot from "
                f"{journal.backup_path} (pending changes still apply; the damaged file is kept at {kept})",
            )
        ]
    return [Finding("error", f"{problem}; no readable backup to restore from")]


def _repair_changes(journal: Journal, repair: bool) -> list[Finding]:
    from .table import rows_to_table

    findings = []
    for name in journal._change_names():
        path = journal.changes_dir / name
        try:
            rows_to_table(path.read_bytes())
        except (pa.ArrowException, OSError) as e:
            if repair:
                kept = _quarantine(journal, path, name)
                findings.append(
                    Finding("repaired", f"change {name} could not be read ({e}); moved to {kept}")
                )
            else:
                findings.append(Finding("error", f"change {name} could not be read ({e})"))
    return findings


def _norm_title(title: str) -> str:
    return re.sub(r"\W+", " ", title.casefold()).strip()


def duplicates(entries: list[Entry]) -> list[list[Entry]]:
    """Groups of entries that look like the same paper (same arXiv id, URL or title)."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        key = (
            f"arxiv:{e.arxiv_id}"
            if e.arxiv_id
            else f"url:{e.url}"
            if e.url
            else f"title:{_norm_title(e.title)}"
        )
        groups[key].append(e)
    return [g for g in groups.values() if len(g) > 1]


def near_duplicate_tags(entries: list[Entry]) -> list[list[str]]:
    """Tags that differ only in case, ``-``/``_`` or spaces (``self_supervised``/``Self-Supervised``),
    each group the most used tag first (the one to merge the others into)."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for e in entries:
        for t in e.tags:
            groups[tag_key(t)][t] += 1
    return [sorted(g, key=lambda t: (-g[t], t)) for g in groups.values() if len(g) > 1]


def without_controls(entry: Entry) -> Entry | None:
    """``entry`` under the rule for text (journal.textrules) when it breaks it (written
    before the rule, or by other tools), else None."""
    changes: dict[str, object] = {}
    for name in ("abstract", "commentary"):
        value = getattr(entry, name)
        if clean_text(value) != value:
            changes[name] = clean_text(value).strip()
    for name in ("title", "url", "source", "layout"):
        value = getattr(entry, name)
        if value and CONTROL.search(value):
            changes[name] = one_line(value) if name == "title" else CONTROL.sub("", value)
    for name in ("authors", "links", "tags"):
        values = getattr(entry, name)
        if any(CONTROL.search(v) for v in values):
            fold = one_line if name == "authors" else (lambda v: CONTROL.sub("", v))
            changes[name] = tuple(v for v in map(fold, values) if v)
    return entry.replace(**changes) if changes else None


def _repair_controls(journal: Journal, entries: list[Entry], repair: bool) -> list[Finding]:
    fixed = [e for e in map(without_controls, entries) if e is not None]
    if not fixed:
        return []
    ids = ", ".join(e.id for e in fixed[:5]) + (" ..." if len(fixed) > 5 else "")
    what = f"{len(fixed)} entries held control characters (a terminal escape, a page break): {ids}"
    if not repair:
        return [Finding("warning", f"{what}; `journal check` removes them")]
    journal.put_many(fixed)
    return [Finding("repaired", f"{what}; removed (a page break became a paragraph break)")]


def check_journal(journal: Journal, *, repair: bool = True) -> list[Finding]:
    findings: list[Finding] = []
    if not journal.path.exists() and not journal.sidecar.exists():
        return [Finding("error", f"{journal.path}: no journal here (the first `journal add` creates one)")]
    if repair and journal.sidecar.exists():
        with journal._lock(check_file=False):  # taking the lock also clears what killed writers left
            findings += _repair_snapshot(journal, repair)
            findings += _repair_changes(journal, repair)
    else:
        findings += _repair_snapshot(journal, repair)
        findings += _repair_changes(journal, repair)
    if any(f.severity == "error" for f in findings):
        return findings
    if repair and journal.path.exists() and journal._snapshot_outdated(journal._snapshot_key()):
        try:
            if journal.upgrade():
                findings.append(
                    Finding("repaired", f"{journal.path} upgraded to schema version {SCHEMA_VERSION}")
                )
        except JournalError as error:  # e.g. read-only: it still reads as the current version
            findings.append(Finding("warning", f"not upgraded to schema version {SCHEMA_VERSION}: {error}"))
    try:
        entries = journal.entries()
    except JournalError as error:
        return [*findings, Finding("error", str(error))]
    for entry in entries:
        if not entry.title.strip():
            findings.append(Finding("error", f"entry {entry.id} has an empty title"))
    try:
        findings += _repair_controls(journal, entries, repair)
    except JournalError as error:  # e.g. read-only
        findings.append(Finding("warning", f"control characters not removed: {error}"))
    for group in duplicates(entries):
        listed = ", ".join(f"{e.id} ({e.date})" for e in group)
        findings.append(Finding("warning", f"likely the same paper: {group[0].title!r}: {listed}"))
    for tags in near_duplicate_tags(entries):
        findings.append(
            Finding(
                "warning",
                f"near-duplicate tags: {' '.join('#' + t for t in tags)} "
                f"(merge with `journal tags merge {' '.join(tags[1:])} --into {tags[0]}`)",
            )
        )
    pending = journal.pending_changes()
    if pending:
        findings.append(
            Finding(
                "info",
                f"{count(pending, 'change')} pending beside {journal.path}; "
                f"`journal compact` folds {'it' if pending == 1 else 'them'} in",
            )
        )
    return findings
