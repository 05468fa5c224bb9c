"""Text formats, one module each, found by name.

An importer module has ``read(source: Path, journal=None) -> list[Entry]``; an exporter
module has ``write(entries, dest: Path, journal=None, **options) -> int`` (how many
entries it wrote). ``dest`` of ``-`` means standard output for single-file formats.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from journal.errors import UnknownFormat

IMPORTERS: dict[str, str] = {
    "digest": "journal.formats.digest_io",
    "jsonl": "journal.formats.jsonl",
    "markdown": "journal.formats.markdown",
    "bibtex": "journal.formats.bibtex",
}
EXPORTERS: dict[str, str] = {
    "digest": "journal.formats.digest_io",
    "jsonl": "journal.formats.jsonl",
    "csv": "journal.formats.csv",
    "markdown": "journal.formats.markdown",
    "bibtex": "journal.formats.bibtex",
    "html": "journal.publish.site",
}
#: Formats whose export destination is a folder rather than a file.
FOLDER_FORMATS: set[str] = {"markdown", "html"}


def importer(name: str) -> ModuleType:
    if name not in IMPORTERS:
        raise UnknownFormat(name, sorted(IMPORTERS), "import")
    return importlib.import_module(IMPORTERS[name])


def exporter(name: str) -> ModuleType:
    if name not in EXPORTERS:
        raise UnknownFormat(name, sorted(EXPORTERS), "export")
    return importlib.import_module(EXPORTERS[name])
