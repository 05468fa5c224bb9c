"""Replacing a file whole or not at all: the one way the package writes a file that a
reader (or a crash) must never see half written."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make a rename in folder ``path`` durable (where folders can be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes, *, durable: bool) -> None:
    """Create ``path`` (it must not exist) holding ``data``, fsynced when ``durable``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, durable: bool = True, tmp_dir: Path | None = None) -> None:
    """Replace ``path`` by ``data``: readers see the old file or the new one, never part.

    ``durable``: the file and its folder are fsynced before returning, so a power cut
    keeps the new file (a cache can skip that). ``tmp_dir``: where the temporary file is
    made (on the same file system); by default a hidden file beside ``path``. Raises
    ``OSError`` (callers turn it into their own error); no temporary file is left.
    """
    path = Path(path)
    folder = path.parent if tmp_dir is None else tmp_dir
    tmp = folder / f".{path.name}.{os.urandom(4).hex()}.tmp"
    try:
        write_new(tmp, data, durable=durable)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        fsync_dir(path.parent)


def keep_cached(path: Path, data: bytes) -> bool:
    """Write a cache file whole (its folders made, nothing fsynced); False, and nothing
    raised, if it cannot be written (a read-only folder, a full disk): a cache that cannot
    be kept only costs work later."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, durable=False)
    except OSError:
        return False
    return True


def write_all(files: dict[Path, bytes], *, durable: bool = False) -> None:
    """Write several files as one: every file goes to a temporary file beside it first,
    and only when all are written are they renamed into place. If any write fails, the
    temporary files are removed and no file changed. Raises ``OSError``."""
    written: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            if path.is_dir():  # the one thing that would make a rename below fail
                raise IsADirectoryError(21, "Is a directory", str(path))
            tmp = path.parent / f".{path.name}.{os.urandom(4).hex()}.tmp"
            written.append((tmp, path))
            write_new(tmp, data, durable=durable)
    except BaseException:
        for tmp, _ in written:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    renamed = 0
    try:
        for tmp, path in written:  # renames in a folder need no space
            os.replace(tmp, path)
            renamed += 1
    except BaseException:
        for tmp, _ in written[renamed:]:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    if durable:
        for folder in {path.parent for path in files}:
            fsync_dir(folder)
