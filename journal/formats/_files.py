"""Reading source files and writing destinations, shared by the format modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

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
    if path.exists() and not path.is_file():
        _write_into(path, text)  # a pipe or device (/dev/stdout): nothing to replace
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))  # replace the file the link points at, keep the link
    if not path.parent.exists():
        raise ExportFailed(path, f"folder {path.parent} does not exist")
    if _is_parquet(path):
        raise ExportFailed(
            path, "is a Parquet file (a journal?); give another file name, it is not overwritten"
        )
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as e:
        raise ExportFailed(path, f"cannot be written ({e.strerror})") from None


def write_export(dest: Path | str, text: str, *, journal: Any = None, force: bool = False) -> None:
    """Write a single-file export: as :func:`write_text`, but an existing file is only
    replaced when ``journal``'s export wrote it and it is unchanged since (see
    :mod:`.exported`), when it is empty, or with ``force``; any other is refused and left
    as it was. ``-`` (standard output), pipes and devices are written as before."""
    from . import exported

    if str(dest) == "-":
        write_text(dest, text)
        return
    path = Path(dest)
    real = Path(os.path.realpath(path))
    if (
        not force
        and real.is_file()
        and real.stat().st_size
        and not _is_parquet(real)  # write_text refuses that one even with force
        and not exported.wrote(journal, real)
    ):
        raise ExportFailed(
            path,
            "already exists and is not a file this journal exported (or it was changed since); "
            "nothing was written; pass --force to replace it",
        )
    data = text.encode("utf-8")
    write_text(path, text)
    if real.is_file():  # not a pipe or device
        exported.remember(journal, real, data)


def _write_into(path: Path, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    except OSError as e:
        raise ExportFailed(path, f"cannot be written ({e.strerror})") from None


def _is_parquet(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PAR1"
    except OSError:
        return False
