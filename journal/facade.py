"""The public :class:`Journal`: the store's journal with search on top.

:class:`journal.store.Journal` reads and writes entries and knows nothing of search, so
that the store imports no module above it; this class adds :meth:`Journal.search`. It is
what ``journal.open()`` and ``journal.Journal`` give, and what the faces (the CLI, the
widgets) open.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from journal.store import Journal as StoreJournal

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Journal", "open"]


class Journal(StoreJournal):
    """A reading journal stored at ``path``, searchable (see :class:`journal.store.Journal`)."""

    def search(self, query: str = "", **options: Any) -> pd.DataFrame:
        """Entries matching ``query``, best first, as a DataFrame (``id``, ``date``,
        ``title``, ``score``, ``snippet``, ``tags``). Options: ``tag``, ``start``, ``end``,
        ``limit`` (default 20; None: all). The query language: :mod:`journal.search.query`."""
        from journal.search.query import search_frame

        return search_frame(self, query, **options)


def open(path: str | os.PathLike[str] = "entries.parquet") -> Journal:  # noqa: A001
    """Open the journal at ``path`` (created on the first write)."""
    return Journal(path)
