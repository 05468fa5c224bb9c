"""Finding and tidying: the query language and its ranked, snippeted results
(:mod:`~journal.search.query`), the search text kept per journal state
(:mod:`~journal.search.textindex`), links and backlinks between entries
(:mod:`~journal.search.links`), the entries most like one entry
(:mod:`~journal.search.related`), tag counts, renames and merges (:mod:`~journal.search.tags`)
and the in-memory filtering of the browser (:mod:`~journal.search.browse`). It reads the
store and writes only through it (tag renames); it knows nothing of formats, publishing,
triage or the faces.

``journal.search.search(journal, query)`` and ``search_frame`` are the library's search
(``Journal.search`` calls the latter); they load on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["hits_text", "parse_query", "search", "search_frame"]


def __getattr__(name: str) -> Any:
    # pyarrow loads on first use, so `journal --help` stays fast
    if name in __all__:
        from journal.search import query

        return getattr(query, name)
    raise AttributeError(f"module 'journal.search' has no attribute {name!r}")
