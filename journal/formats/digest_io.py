"""Import and export of digest files (the format itself is in :mod:`.digest`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ImportFailed
from ..model import Entry
from . import digest
from ._files import read_text, write_export


def read(source: Path, journal: Any = None) -> list[Entry]:
    text = read_text(source)
    if not text.strip():
        raise ImportFailed(source, "is empty")
    try:
        return digest.to_entries(text)
    except digest.DigestError as e:
        raise ImportFailed(source, str(e).split(": ", 1)[1], line=e.line) from None


def write(
    entries: Sequence[Entry],
    dest: Path,
    journal: Any = None,
    *,
    lang: str = "ko",
    force: bool = False,
    **_: Any,
) -> int:
    """The digest of ``entries`` into ``dest``; replaces only a file this journal's export
    wrote, unless ``force`` (see :func:`._files.write_export`)."""
    text = digest.render(entries, lang)
    write_export(dest, text + "\n" if text else "", journal=journal, force=force)
    return len(entries)
