"""CSV for spreadsheets: the columns of SPEC section 1; authors joined by "; ", links and
tags by spaces."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..model import FIELDS, Entry, format_timestamp
from ._files import write_export


def row(entry: Entry) -> list[str]:
    d = entry.to_dict()
    out = []
    for f in FIELDS:
        value = d[f]
        if f == "authors":
            out.append("; ".join(value))
        elif f in ("links", "tags"):
            out.append(" ".join(value))
        elif f in ("created_at", "updated_at"):
            out.append(format_timestamp(value) if value else "")
        elif value is None:
            out.append("")
        else:
            out.append(str(value))
    return out


def write(entries: Sequence[Entry], dest: Path, journal: Any = None, *, force: bool = False, **_: Any) -> int:
    """A header row and one row per entry; replaces only a file this journal's export
    wrote, unless ``force`` (see :func:`._files.write_export`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for e in entries:
        writer.writerow(row(e))
    write_export(dest, buffer.getvalue(), journal=journal, force=force)
    return len(entries)
