"""Reading source files and writing destinations, shared by the format modules."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import ExportFailed, ImportFailed
from ..fileio import write_atomic


def read_text(path: Path) -> str:
    """A source file as text: one clear error for a missing, binary or non-UTF-8 file."""
    path = Path(path)
    if path.is_dir():
        raise ImportFailed(path, "is a folder; give a file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(path, "no such file") from None
    except OSError as e:
        raise ImportFailed(path, f"cannot be read ({e.strerror})") from None
    if b"\x00" in data[:8192]:
        raise ImportFailed(path, "is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ImportFailed(path, "is not UTF-8 text (convert it to UTF-8 first)", line=line) from None
    return text


def write_text(dest: Path | str, text: str) -> None:
    """Write ``text`` to ``dest`` atomically (``-``: standard output)."""
    if str(dest) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(dest)
    if path.is_dir():
        raise ExportFailed(path, "is a folder; give a file name")
    if not path.parent.exists():
        raise ExportFailed(path, f"folder {path.parent} does not exist")
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as e:
        raise ExportFailed(path, f"cannot be written ({e.strerror})") from None
