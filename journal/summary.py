"""Summaries of a journal as data (and as text for ``journal stats``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .model import Entry
from .termtable import table


def per_month(entries: Sequence[Entry]) -> list[tuple[str, int]]:
    counts = Counter(e.date.strftime("%Y-%m") for e in entries)
    return sorted(counts.items())


def top_tags(entries: Sequence[Entry], n: int = 10) -> list[tuple[str, int]]:
    return Counter(t for e in entries for t in e.tags).most_common(n)


def top_authors(entries: Sequence[Entry], n: int = 10) -> list[tuple[str, int]]:
    return Counter(a for e in entries for a in e.authors).most_common(n)


def stats_text(entries: Sequence[Entry]) -> str:
    if not entries:
        return "no entries"
    first, last = entries[0].date, entries[-1].date
    with_commentary = sum(1 for e in entries if e.commentary)
    parts = [
        f"{len(entries)} entries from {first} to {last}; {with_commentary} with commentary",
        "",
        table(["month", "entries"], [[m, str(c)] for m, c in per_month(entries)], flex=0),
        "",
        table(["tag", "entries"], [["#" + t, str(c)] for t, c in top_tags(entries)] or [["-", "0"]], flex=0),
        "",
        table(["author", "entries"], [[a, str(c)] for a, c in top_authors(entries)] or [["-", "0"]], flex=0),
    ]
    return "\n".join(parts)
