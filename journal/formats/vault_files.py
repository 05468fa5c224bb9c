"""Walking a vault and reading its files: which ``.md`` files are notes (:func:`scan`,
:func:`locate`), their bytes and their text (:func:`read_bytes`, :func:`decode_note`), and
the progress bar of a long walk. What a note says is :mod:`journal.formats.markdown`'s job.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from journal.errors import ImportFailed
from journal.formats.vault_names import is_year_folder

#: Show a progress bar from this many notes on (and only on a terminal or in Jupyter).
PROGRESS_MIN = 500


@dataclass
class Scan:
    """What a walk of a vault found: the notes (relative path -> ``(mtime_ns, size)``) and
    the paths that are no readable note, with the reason."""

    root: str
    notes: dict[str, tuple[int, int]] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)


def scan(root: str) -> Scan:
    """The ``.md`` files under ``root`` with their size and modification time; hidden
    files and folders (``.obsidian``, ``.trash``, ``.git``) and folder links skipped.
    What cannot be a note (a link to a folder, a broken link, a pipe, an unreadable
    folder) is listed in ``skipped``."""
    found = Scan(root)
    stack = [""]
    while stack:
        rel = stack.pop()
        path = os.path.join(root, rel) if rel else root
        try:
            with os.scandir(path) as it:
                items = list(it)
        except OSError as e:
            if not rel:
                raise ImportFailed(path, f"cannot be read ({e.strerror})") from None
            found.skipped.append((rel, f"is a folder that cannot be read ({e.strerror})"))
            continue
        for item in items:
            if item.name.startswith("."):
                continue
            child = f"{rel}/{item.name}" if rel else item.name
            if item.is_dir(follow_symlinks=False):
                stack.append(child)
            elif item.name.lower().endswith(".md"):
                try:
                    st = item.stat()
                except OSError as e:
                    found.skipped.append((child, f"cannot be read ({e.strerror}; a broken link?)"))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    found.skipped.append(
                        (child, "is a link to a folder, not a note (folder links are not followed)")
                    )
                elif not stat.S_ISREG(st.st_mode):
                    found.skipped.append((child, "is not a regular file (a pipe, socket or device)"))
                else:
                    found.notes[child] = (st.st_mtime_ns, st.st_size)
    found.notes = dict(sorted(found.notes.items()))
    found.skipped.sort()
    return found


def walk(root: str) -> list[str]:
    """Relative paths (with ``/``) of the notes under ``root``, sorted (see :func:`scan`)."""
    return list(scan(root).notes)


def note_path(root: str, rel: str) -> str:
    """The file of note ``rel`` (a vault path with ``/``) under ``root``."""
    return os.path.join(root, *rel.split("/"))


def locate(source: Path) -> tuple[str, Scan, bool]:
    """``(root, scan, whole folder)`` of what ``source`` names: a folder (its notes) or
    one note (root: its folder, or the folder above its year folder)."""
    src = Path(source)
    if src.is_dir():
        found = scan(str(src))
        if not found.notes and not found.skipped:
            raise ImportFailed(src, "holds no markdown notes (*.md files)")
        return str(src), found, True
    if src.exists() or src.is_symlink():
        if not src.name.lower().endswith(".md"):
            raise ImportFailed(src, "is not a markdown note (give a .md file or a folder of them)")
        parent = src.parent
        if is_year_folder(parent.name):  # as importing the folder above the year folders
            root, rel = str(parent.parent), f"{parent.name}/{src.name}"
        else:
            root, rel = str(parent), src.name
        found = Scan(root)
        try:
            st = os.stat(src)
        except OSError as e:
            found.skipped.append((rel, f"cannot be read ({e.strerror})"))
            return root, found, False
        if stat.S_ISREG(st.st_mode):
            found.notes[rel] = (st.st_mtime_ns, st.st_size)
        else:  # never open a pipe: reading it would wait for a writer
            found.skipped.append((rel, "is not a regular file (a pipe, socket or device)"))
        return root, found, False
    raise ImportFailed(src, "no such file or folder")


def progress(items: Sequence[str], desc: str) -> Iterable[str]:
    """``items``, with a progress bar (tqdm) when there are :data:`PROGRESS_MIN` or more and
    the output is a terminal or Jupyter; else ``items`` themselves."""
    if len(items) < PROGRESS_MIN:
        return items
    if "ipykernel" in sys.modules:  # in Jupyter: tqdm's notebook widget
        from tqdm.auto import tqdm

        return tqdm(items, desc=desc, unit="note", leave=False)
    if not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="note", leave=False, file=sys.stderr)


def decode_note(data: bytes, path: str) -> tuple[str, bool]:
    """``(text, had a byte order mark)`` of a note's bytes; :class:`ImportFailed` (with the
    line) when they are binary or not UTF-8."""
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ImportFailed(path, "is a binary file, not a markdown note", line=line)
    try:
        return data.decode("utf-8"), bom
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        guess = ""
        try:
            data.decode("cp949")
            guess = ", it looks like CP949/EUC-KR Korean"
        except UnicodeDecodeError:
            pass
        raise ImportFailed(
            path,
            f"is not UTF-8 text (byte 0x{data[e.start]:02x}{guess}); convert the file to UTF-8 "
            "(e.g. `iconv -f CP949 -t UTF-8`) and import again",
            line=line,
        ) from None


def read_bytes(path: str) -> bytes:
    """A note's bytes (one function, so that tests can make a note unreadable as root)."""
    with open(path, "rb") as f:
        return f.read()
