"""The journal in memory for browsing: entries newest first, filtered as the reader types.

The Arrow table of the store is read again only when the store changed
(:meth:`Journal.to_arrow` returns the same object while nothing was written), and a filter
is a few vectorised passes over it: well under 10 ms for 10,000 entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .links import LinkIndex, build_index
from .model import Entry, parse_date, tag_key
from .table import tag_rows
from .tags import table_tag_counts as tag_counts  # the name browse has always offered


@dataclass(frozen=True)
class Row:
    """What a list of entries shows for one entry."""

    id: str
    date: dt.date
    title: str
    tags: tuple[str, ...]

    @property
    def label(self) -> str:
        tags = " ".join("#" + t for t in self.tags)
        return f"{self.date.isoformat()}  {self.title}" + (f"  {tags}" if tags else "")


@dataclass(frozen=True)
class Matches:
    """The result of a filter: how many entries match and the first ``limit`` of them."""

    total: int
    rows: list[Row]


class EntryIndex:
    """Entries of ``journal`` newest first, with text, tag and date filters."""

    def __init__(self, journal: Any, table: pa.Table | None = None) -> None:
        """``table``: start from these rows instead of reading the store (e.g. an empty
        table of the store's schema when the store cannot be read)."""
        self.journal = journal
        self._source: pa.Table | None = None
        self.version = 0  # grows each time the entries were read again
        self._build(journal.to_arrow() if table is None else table)

    def sync(self) -> bool:
        """Read the store again if it changed since the last look; True when it had."""
        table = self.journal.to_arrow()
        if table is self._source:
            return False
        self._build(table)
        return True

    def _build(self, table: pa.Table) -> None:
        n = table.num_rows
        newest_first = table.take(pa.array(np.arange(n - 1, -1, -1, dtype=np.int64)))
        self._source = table
        self._links: LinkIndex | None = None
        self.version += 1
        self.ids: list[str] = newest_first["id"].to_pylist()
        self.titles: list[str] = newest_first["title"].to_pylist()
        self.dates: list[dt.date] = newest_first["date"].to_pylist()
        self.tags: list[tuple[str, ...]] = [tuple(t or ()) for t in newest_first["tags"].to_pylist()]
        self._position = {entry_id: i for i, entry_id in enumerate(self.ids)}
        self._date_col = newest_first["date"]
        self._tags_col = newest_first["tags"]

        def text(name: str) -> pa.ChunkedArray:
            return pc.fill_null(newest_first[name], "")

        def joined(name: str) -> pa.ChunkedArray:
            return pc.fill_null(pc.binary_join(newest_first[name], " "), "")

        # one column to search: every field a reader would type a word of
        self._haystack = pc.binary_join_element_wise(
            text("title"),
            joined("authors"),
            text("abstract"),
            text("commentary"),
            joined("tags"),
            text("arxiv_id"),
            text("url"),
            text("id"),
            "\n",
        )
        self.tag_counts: list[tuple[str, int]] = tag_counts(table)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._position

    def link_index(self) -> LinkIndex:
        """Links and backlinks of every entry (built on first use after each change, from
        only the columns links are made of: a tenth of the time of ``Journal.entries()``)."""
        if self._links is None:
            assert self._source is not None
            cols = {
                n: self._source[n].to_pylist()
                for n in ("id", "date", "url", "links", "arxiv_id", "commentary", "source")
            }
            entries = [
                Entry(
                    id=i,
                    date=d,
                    title="",
                    url=u,
                    links=tuple(ls or ()),
                    arxiv_id=a,
                    commentary=c or "",
                    source=s,
                )
                for i, d, u, ls, a, c, s in zip(*cols.values(), strict=True)
            ]
            self._links = build_index(entries)  # in journal order, as build_index expects
        return self._links

    def row(self, entry_id: str) -> Row:
        i = self._position[entry_id]
        return Row(self.ids[i], self.dates[i], self.titles[i], self.tags[i])

    def filter(
        self,
        text: str = "",
        *,
        tag: str | None = None,
        start: str | dt.date | None = None,
        end: str | dt.date | None = None,
        limit: int = 200,
    ) -> Matches:
        """Entries whose text contains every word of ``text`` (any case), that carry
        ``tag``, dated within ``start``..``end`` (inclusive); newest first."""
        n = len(self.ids)
        mask = np.ones(n, dtype=bool)
        for term in text.split():
            hits = pc.match_substring(self._haystack, pattern=term, ignore_case=True)
            mask &= np.asarray(hits.to_numpy(zero_copy_only=False), dtype=bool)
        if tag and tag_key(tag):  # the one rule of tag matching (case, - and _ ignored)
            has = np.zeros(n, dtype=bool)
            has[tag_rows(self._tags_col, tag).to_numpy()] = True
            mask &= has
        for bound, op in ((start, pc.greater_equal), (end, pc.less_equal)):
            if bound not in (None, ""):
                assert bound is not None
                day = parse_date(bound, "from" if op is pc.greater_equal else "to")
                hits = op(self._date_col, pa.scalar(day, pa.date32()))
                mask &= np.asarray(hits.to_numpy(zero_copy_only=False), dtype=bool)
        positions = np.flatnonzero(mask)
        rows = [
            Row(self.ids[i], self.dates[i], self.titles[i], self.tags[i]) for i in positions[:limit].tolist()
        ]
        return Matches(int(positions.size), rows)
