"""Why a journal file cannot be changed, told from what the system says rather than guessed.

The advice used to be ``chmod u+w`` whenever ``os.access`` said no, which is wrong on a
read-only mount (the mode already allows writing; chmod fails there too) and for a file
owned by someone else. :func:`advice` decides from three facts and is pure, so each case
is tested without mounting anything; :func:`probe` gathers the facts for a path.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def probe(path: Path) -> tuple[int | None, int, bool]:
    """``(errno, mode, access)`` for ``path``: the errno that writing would meet as far as
    can be told without writing (``EROFS`` for a file on a read-only file system, else
    ``EACCES`` when ``os.access`` refuses, else None), its ``st_mode`` and whether
    ``os.access(path, W_OK)`` allows writing."""
    mode = os.stat(path).st_mode
    access = os.access(path, os.W_OK)
    code: int | None = None
    if _read_only_mount(path):
        code = errno.EROFS
    elif not access:
        code = errno.EACCES
    return code, mode, access


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):  # pragma: no cover - no statvfs (Windows)
        return False


def advice(code: int | None, mode: int, access: bool) -> str | None:
    """What is wrong with writing a journal file, and what to do; None when nothing is.

    ``code``: the errno writing met (or would meet, see :func:`probe`); ``mode``: the
    file's ``st_mode``; ``access``: ``os.access(path, os.W_OK)``. ``chmod`` is only
    suggested when the mode itself lacks write permission for the owner.
    """
    elsewhere = "copy the journal to a writable place, or point --journal (or $JOURNAL) at one"
    if code == errno.EROFS:
        return f"is on a read-only file system (nothing there can be changed); {elsewhere}"
    if not mode & stat.S_IWUSR and (code in (errno.EACCES, errno.EPERM) or not access):
        return "is read-only; make it writable (chmod u+w) to change it"
    if code in (errno.EACCES, errno.EPERM) or not access:
        reason = os.strerror(code) if code is not None else os.strerror(errno.EACCES)
        return (
            f"cannot be written by you ({reason}; its mode allows writing, so it belongs to "
            f"another user or is locked); ask its owner, or {elsewhere}"
        )
    return None


def advice_after(error: OSError) -> str | None:
    """The advice for a write that failed with ``error`` when the errno alone tells what
    is wrong (a read-only file system), else None (the caller says what the system said)."""
    if error.errno == errno.EROFS:
        return advice(errno.EROFS, stat.S_IWUSR, False)
    return None
