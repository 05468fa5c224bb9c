"""``journal check``: the storage's own check (by its backend), then the entries: empty
titles, likely duplicates, near-duplicate tags."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Protocol

from journal.errors import JournalError
from journal.model import Entry, tag_key
from journal.store.backend import Finding
from journal.text.rules import CONTROL, clean_text, one_line
from journal.text.wording import count

__all__ = [
    "Finding",
    "check_journal",
    "duplicates",
    "near_duplicate_tags",
    "repair_controls",
    "without_controls",
]


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
    """``entry`` under the rule for text (journal.text.rules) when it breaks it (written
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


def repair_controls(journal: Checked, entries: list[Entry], repair: bool) -> list[Finding]:
    """Findings (and, with ``repair``, the fix) for entries that hold control characters."""
    fixed = [e for e in map(without_controls, entries) if e is not None]
    if not fixed:
        return []
    ids = ", ".join(e.id for e in fixed[:5]) + (" ..." if len(fixed) > 5 else "")
    what = f"{len(fixed)} entries held control characters (a terminal escape, a page break): {ids}"
    if not repair:
        return [Finding("warning", f"{what}; `journal check` removes them")]
    journal.put_many(fixed)
    return [Finding("repaired", f"{what}; removed (a page break became a paragraph break)")]


class Checked(Protocol):
    """What the check uses of a journal (:class:`journal.store.entrystore.Journal`)."""

    path: Path
    name: str  # how messages name it

    def check_storage(self, *, repair: bool) -> list[Finding]: ...
    def entries(self) -> list[Entry]: ...
    def pending_changes(self) -> int: ...
    def put_many(self, entries: list[Entry]) -> int: ...


def check_journal(journal: Checked, *, repair: bool = True) -> list[Finding]:
    """Validate the journal; with ``repair``, restore what can be restored. The storage is
    checked by its backend; the entries (empty titles, likely duplicates, near-duplicate
    tags) here, whatever keeps them."""
    findings = journal.check_storage(repair=repair)
    if any(f.severity == "error" for f in findings):
        return findings
    try:
        entries = journal.entries()
    except JournalError as error:
        return [*findings, Finding("error", str(error))]
    for entry in entries:
        if not entry.title.strip():
            findings.append(Finding("error", f"entry {entry.id} has an empty title"))
    try:
        findings += repair_controls(journal, entries, repair)
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
                f"{count(pending, 'change')} pending beside {journal.name}; "
                f"`journal compact` folds {'it' if pending == 1 else 'them'} in",
            )
        )
    return findings
