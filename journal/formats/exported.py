"""Which single files a journal's exports wrote: exporting again replaces them, and no
other file is overwritten without ``force`` (``--force``).

``journal export html`` marks its folder (``.journal-site``); a single file has no room
for a mark that every format would still read back, so the record is kept beside the
journal instead: ``<journal>.d/exported.json`` maps each file an export wrote (its real
path) to the SHA-256 of the bytes written. A file on disk may be replaced when it is
byte-identical to what this journal last wrote there; one edited since, or one the
journal never wrote, is refused. Recording is best effort: a journal on a read-only
mount still exports (the next export to that file then needs ``--force``).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..fileio import sidecar_of, write_atomic

RECORD_NAME = "exported.json"
RECORD_FORMAT = 1


def record_path(journal: Any) -> Path | None:
    """The record of ``journal`` (a Journal, or the path of one); None without a journal."""
    if journal is None:
        return None
    path = getattr(journal, "path", journal)
    return sidecar_of(Path(path)) / RECORD_NAME


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load(record: Path) -> dict[str, str]:
    try:
        data = json.loads(record.read_bytes())
    except (OSError, ValueError):
        return {}  # no record, or a damaged one: no file counts as ours (--force replaces)
    files = data.get("files") if isinstance(data, dict) and data.get("format") == RECORD_FORMAT else None
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def wrote(journal: Any, path: Path) -> bool:
    """Whether the file at ``path`` is exactly what ``journal``'s last export to it wrote."""
    record = record_path(journal)
    if record is None:
        return False
    key = os.path.realpath(path)
    known = _load(record).get(key)
    if known is None:
        return False
    try:
        return digest(Path(key).read_bytes()) == known
    except OSError:
        return False


def remember(journal: Any, path: Path, data: bytes) -> None:
    """Record that ``journal``'s export wrote ``data`` to ``path`` (files gone since are
    forgotten). Never fails: without a record the next export to the file asks for force."""
    record = record_path(journal)
    if record is None or not record.parent.parent.is_dir():
        return
    files = {k: v for k, v in _load(record).items() if os.path.isfile(k)}
    files[os.path.realpath(path)] = digest(data)
    text = json.dumps({"format": RECORD_FORMAT, "files": files}, ensure_ascii=False, indent=1)
    try:
        record.parent.mkdir(exist_ok=True)
        write_atomic(record, text.encode("utf-8"), durable=False)
    except OSError:
        pass
