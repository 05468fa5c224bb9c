"""JSON Lines: one entry per line with the field names of SPEC section 1."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ImportFailed, ValidationError
from ..model import Entry, entry_from_mapping
from ._files import read_text, write_export


def read(source: Path, journal: Any = None) -> list[Entry]:
    """Every line must be a valid entry; one bad line imports nothing."""
    text = read_text(source)
    entries: list[Entry] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as e:
            raise ImportFailed(source, f"not valid JSON ({e.msg})", line=number) from None
        if not isinstance(data, dict):
            raise ImportFailed(source, "expected a JSON object", line=number)
        try:
            entries.append(entry_from_mapping(data))
        except ValidationError as e:
            raise ImportFailed(source, str(e), line=number) from None
        except TypeError as e:
            raise ImportFailed(source, f"bad value ({e})", line=number) from None
    if not entries:
        raise ImportFailed(source, "holds no entries")
    return entries


def dumps(entry: Entry) -> str:
    return json.dumps(entry.to_json_dict(), ensure_ascii=False)


def write(entries: Sequence[Entry], dest: Path, journal: Any = None, *, force: bool = False, **_: Any) -> int:
    """One line per entry into ``dest``; an existing file is replaced only when this
    journal's export wrote it, or with ``force`` (see :func:`._files.write_export`)."""
    write_export(dest, "".join(dumps(e) + "\n" for e in entries), journal=journal, force=force)
    return len(entries)
