"""journal: a Jupyter-native reading journal for research papers.

import journal
j = journal.open("entries.parquet")
j.add(title="You Only Cache Once", arxiv_id="2405.05254", tags="efficiency")
df = j.to_pandas()
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from journal.errors import (
    DuplicateEntry,
    EntryNotFound,
    JournalError,
    ValidationError,
)
from journal.model import Entry, make_entry

if TYPE_CHECKING:
    from journal.facade import Journal

from journal.version import __version__

__all__ = [
    "DuplicateEntry",
    "Entry",
    "EntryNotFound",
    "Journal",
    "JournalError",
    "ValidationError",
    "__version__",
    "make_entry",
    "open",
]


def open(path: str | os.PathLike[str] = "entries.parquet") -> Journal:  # noqa: A001 - journal.open() reads naturally
    """Open the journal at ``path`` (created on the first write)."""
    from journal.facade import Journal

    return Journal(path)


#: Modules that sat at the package's top before 0.2 (docs/architecture.md has the map):
#: ``from journal import analysis`` still works for one release, with a DeprecationWarning.
MOVED_MODULES = {
    "analysis": "journal.publish.analysis",
    "arxiv": "journal.capture.arxiv",
    "browse": "journal.search.browse",
    "drafts": "journal.capture.drafts",
    "feed": "journal.publish.atom",
    "forms": "journal.capture.form_values",
    "links": "journal.search.links",
    "mdtext": "journal.publish.mdtext",
    "related": "journal.search.related",
    "render": "journal.publish.notebooks",
    "summary": "journal.publish.summary",
    "table": "journal.store.schema",
    "tags": "journal.search.tags",
    "termtable": "journal.text.termtable",
    "textindex": "journal.search.textindex",
    "kernels": "journal.store.kernels",
    "views": "journal.cli.views",
}


def __getattr__(name: str) -> Any:
    # pyarrow is imported on first use, so `import journal` stays fast
    if name == "Journal":
        from journal.facade import Journal

        return Journal
    if name in MOVED_MODULES:
        import importlib
        import warnings

        new = MOVED_MODULES[name]
        warnings.warn(
            f"journal.{name} moved to {new}; import it from there (the old name goes in the next release)",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module(new)
    raise AttributeError(f"module 'journal' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))  # Journal too, though loaded on first use
