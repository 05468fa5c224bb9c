"""This machine's copy of a lab journal's recorded days: the files of the bucket's
``listings/`` folder, kept under ``<side folder>/triage-cache/listings/`` as
``date=YYYY-MM-DD/listing.parquet.<tag digest>``, each under the ETag it had when fetched.

A ranking reads its window's days (up to 60) from the bucket; with this copy an unchanged
day costs no GET: the one LIST that names the days gives each one's ETag, and a copy
under that ETag is the day as the bucket holds it. The copy is never a source of truth: a
day whose ETag changed (re-recorded on any machine) is fetched again and its old copy
removed; a day gone from the bucket is not listed, so it is not read (its copy is removed
at the next fetch); an unreadable copy is fetched again. A local journal's recorded days
are read in place and have no copy.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from journal.fileio import write_atomic
from journal.store import SideState

if TYPE_CHECKING:
    from journal.store import Journal
    from journal.store.backend import SharedFolder, Stored

FOLDER = "listings"


class DayCopies:
    """The objects of a remote shared folder as one listing found them (``tags``: name to
    ETag), with this machine's copies under ``root``."""

    def __init__(self, root: Path, tags: dict[str, str]) -> None:
        self.root = root
        self.tags = tags

    @classmethod
    def of(cls, journal: Journal, folder: SharedFolder) -> DayCopies | None:
        """The copies of ``folder``'s objects, listed now (one LIST); None for a folder on
        this machine (read in place)."""
        if folder.local_path(".") is not None:
            return None
        return cls(journal.side_path(SideState.TRIAGE_CACHE) / FOLDER, folder.tags())

    def names(self) -> list[str]:
        return sorted(self.tags)

    def _file(self, name: str, tag: str) -> Path:
        return self.root / f"{name}.{hashlib.sha256(tag.encode()).hexdigest()[:20]}"

    def path(self, name: str) -> Path | None:
        """The copy of ``name`` as listed, None when there is none."""
        tag = self.tags.get(name)
        path = None if tag is None else self._file(name, tag)
        return path if path is not None and path.is_file() else None

    def keep(self, name: str, stored: Stored) -> None:
        """Keep ``stored`` (object ``name`` as fetched) as its copy, in place of older
        ones; copies of objects no longer listed go. Skipped if it cannot be written."""
        target = self._file(name, stored.tag)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, stored.data, durable=False)
            self.forget(name, but=target)
            listed = {self.root / n.partition("/")[0] for n in self.tags}
            for old in self.root.iterdir():
                if old.is_dir() and old not in listed:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError:
            return

    def forget(self, name: str, but: Path | None = None) -> None:
        """Remove the copies of ``name`` (except ``but``)."""
        path = self.root / name
        for old in path.parent.glob(f"{path.name}.*"):
            if old != but:
                old.unlink(missing_ok=True)
