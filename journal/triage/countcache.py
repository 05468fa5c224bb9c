"""The ranker's hashed term counts, kept beside the journal between processes.

Tokenising the journal and the recorded window (tens of thousands of texts) is most of
what a fresh ``journal triage`` would do; the counts of a text never change, so they are
kept in ``<journal>.d/triage-cache/term-counts.npz`` and a new process tokenises only
the texts it has never seen (the new day, new or edited entries).

The file is a cache: keyed by a hash of each text and stamped with the version of the
hashing settings (``ranker.counts_version()``), so changing the settings makes it
ignored; a damaged, foreign or stale file is ignored and rebuilt, never an error. It is
replaced whole (``fileio.write_atomic``) and holds only the texts the last ranking used,
so it stays the size of the journal and the ranker's window. It lives outside the hive
``listings/`` dataset, which other tools read directly.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..fileio import write_atomic

if TYPE_CHECKING:
    from ..store import Journal

FOLDER = "triage-cache"
FILE_NAME = "term-counts.npz"
# The layout of the file itself (the hashing settings have their own version).
FORMAT = "term-counts/1"

Row = tuple[Any, Any]  # (column indices, counts) of one text


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class TermCounts(MutableMapping[str, Row]):
    """text -> (column indices, counts): rows loaded from the file plus rows added now.

    ``tokenised`` counts the rows added (texts the ranker had to tokenise); only the rows
    looked up or added since loading are written back (:func:`save_term_counts`).
    """

    def __init__(self, version: str, arrays: dict[str, np.ndarray] | None = None) -> None:
        self.version = version
        self.tokenised = 0
        keys = [] if arrays is None else arrays["keys"].tolist()
        self._keys: dict[bytes, int] = {key: row for row, key in enumerate(keys)}
        self._indptr = np.zeros(1, np.int64) if arrays is None else arrays["indptr"]
        self._indices = np.zeros(0, np.int32) if arrays is None else arrays["indices"]
        self._data = np.zeros(0, np.float32) if arrays is None else arrays["data"]
        self._added: dict[bytes, Row] = {}
        self._used: dict[bytes, None] = {}  # insertion-ordered set
        self._key_of: dict[str, bytes] = {}  # a text is looked up and then read: hash it once

    def _hash(self, text: str) -> bytes:
        key = self._key_of.get(text)
        if key is None:
            key = self._key_of[text] = _key(text)
        return key

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        key = self._hash(text)
        return key in self._added or key in self._keys

    def __getitem__(self, text: str) -> Row:
        key = self._hash(text)
        self._used[key] = None
        if key in self._added:
            return self._added[key]
        row = self._keys[key]  # KeyError when absent, as a mapping should
        start, end = self._indptr[row], self._indptr[row + 1]
        return self._indices[start:end], self._data[start:end]

    def __setitem__(self, text: str, row: Row) -> None:
        key = self._hash(text)
        self._added[key] = row
        self._used[key] = None
        self.tokenised += 1

    def __delitem__(self, text: str) -> None:
        key = self._hash(text)
        self._added.pop(key, None)
        self._keys.pop(key, None)
        self._used.pop(key, None)

    def __iter__(self) -> Iterator[str]:  # texts are not kept, only their hashes
        raise TypeError("TermCounts holds hashes of texts, not the texts: look texts up")

    def __len__(self) -> int:
        return len(self._keys) + sum(1 for key in self._added if key not in self._keys)

    def arrays(self) -> dict[str, np.ndarray]:
        """The rows used since loading, as the file stores them."""
        keys = list(self._used)
        rows = [self._added[k] if k in self._added else self._stored(k) for k in keys]
        lengths = np.fromiter((len(indices) for indices, _ in rows), np.int64, len(rows))
        return {
            "format": np.array(FORMAT),
            "version": np.array(self.version),
            "keys": np.array(keys, dtype="S16"),
            "indptr": np.r_[0, np.cumsum(lengths)].astype(np.int64),
            "indices": np.concatenate([i for i, _ in rows]).astype(np.int32)
            if rows
            else np.zeros(0, np.int32),
            "data": np.concatenate([d for _, d in rows]).astype(np.float32)
            if rows
            else np.zeros(0, np.float32),
        }

    def _stored(self, key: bytes) -> Row:
        row = self._keys[key]
        start, end = self._indptr[row], self._indptr[row + 1]
        return self._indices[start:end], self._data[start:end]


def cache_path(journal: Journal) -> Path:
    """``<journal>.d/triage-cache/term-counts.npz``."""
    return journal.sidecar / FOLDER / FILE_NAME


def load_term_counts(journal: Journal, version: str) -> TermCounts:
    """The cached counts of ``journal`` for hashing settings ``version``; an empty cache
    when there is no file or it is damaged, foreign or of other settings."""
    try:
        with np.load(cache_path(journal), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in ("format", "version", "keys", "indptr", "indices", "data")}
        if _valid(arrays, version):
            return TermCounts(version, arrays)
    # A cache is never worth an error: anything unreadable (a truncated zip, a bad header,
    # a missing array, a file of another program) is dropped and rebuilt.
    except Exception:
        pass
    return TermCounts(version)


def _valid(arrays: dict[str, np.ndarray], version: str) -> bool:
    keys, indptr, indices, data = arrays["keys"], arrays["indptr"], arrays["indices"], arrays["data"]
    return bool(
        str(arrays["format"]) == FORMAT
        and str(arrays["version"]) == version
        and keys.dtype == np.dtype("S16")
        and indptr.ndim == keys.ndim == indices.ndim == data.ndim == 1
        and indptr.dtype == np.int64
        and indices.dtype == np.int32
        and data.dtype == np.float32
        and len(indptr) == len(keys) + 1
        and indptr[0] == 0
        and indptr[-1] == len(indices) == len(data)
        and np.all(np.diff(indptr) >= 0)
        and (not len(indices) or int(indices.min()) >= 0)
    )


def save_term_counts(journal: Journal, counts: TermCounts) -> bool:
    """Write back the rows ``counts`` used, when it had to tokenise anything; whole or
    not at all. A cache that cannot be written (read-only folder, full disk) is skipped.
    Returns whether the file was written."""
    if not counts.tokenised:
        return False
    path = cache_path(journal)
    buffer = io.BytesIO()
    arrays: dict[str, Any] = counts.arrays()
    np.savez(buffer, **arrays)
    try:
        os.makedirs(path.parent, exist_ok=True)
        write_atomic(path, buffer.getvalue(), durable=False)
    except OSError:
        return False
    return True
