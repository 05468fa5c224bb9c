"""Counts as English: ``1 entry``, ``2 entries``; the one helper every printed count uses."""

from __future__ import annotations

from typing import Any


def count(n: int, singular: str, plural: str | None = None, *, grouped: bool = False) -> str:
    """``n`` and the noun in the right number: ``count(1, "entry", "entries")`` is
    ``"1 entry"``, ``count(0, "entry", "entries")`` ``"0 entries"``; ``plural`` defaults to
    ``singular + "s"``; ``grouped`` writes thousands with commas (``1,024 entries``)."""
    noun = singular if n == 1 else (plural if plural is not None else singular + "s")
    return f"{n:,} {noun}" if grouped else f"{n} {noun}"


def entries_count(n: int) -> str:
    """``1 entry``, ``2 entries``: the count printed most."""
    return count(n, "entry", "entries")


def import_line(result: Any, source: str) -> str:
    """What ``journal import`` did, from a :class:`journal.store.entrystore.WriteResult`: entries
    already in the journal and entries repeated inside the file are told apart, and a
    repeat that differs from the first entry with its id (whose text was not imported)
    is pointed out."""
    first: dict[str, Any] = {}
    for e in result.added:
        first.setdefault(e.id, e)
    for e in result.skipped:
        first.setdefault(e.id, e)
    parts = [f"{len(result.skipped)} already present in the journal"]
    if result.repeated:
        differ = sum(1 for e in result.repeated if e.id in first and _text_of(e) != _text_of(first[e.id]))
        note = f"; {differ} of them differ from it" if differ else ""
        parts.append(f"{len(result.repeated)} repeated in the file (the first of each id kept{note})")
    return f"imported {entries_count(len(result.added))} from {source} ({'; '.join(parts)})"


def _text_of(entry: Any) -> Any:
    return entry.replace(created_at=None, updated_at=None)
