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
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from journal.fileio import keep_cached
from journal.store import SideState

if TYPE_CHECKING:
    from journal.store import Journal

FOLDER = SideState.TRIAGE_CACHE.value
FILE_NAME = "term-counts.npz"
# The layout of the file itself (the hashing settings have their own version).
# 2: keys as 16-byte rows of uint8 (numpy's "S16" drops a digest's trailing zero bytes,
# so about one key in 256 never matched again).
FORMAT = "term-counts/2"
KEY_BYTES = 16

Row = tuple[Any, Any]  # (column indices, counts) of one text


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=KEY_BYTES).digest()


class TermCounts(MutableMapping[str, Row]):
    """text -> (column indices, counts): rows loaded from the file plus rows added now.

    ``tokenised`` counts the rows added (texts the ranker had to tokenise); only the rows
    looked up or added since loading are written back (:func:`save_term_counts`).
    """

    def __init__(self, version: str, arrays: dict[str, np.ndarray] | None = None) -> None:
        self.version = version
        self.tokenised = 0
        blob = b"" if arrays is None else arrays["keys"].tobytes()
        keys = [blob[i : i + KEY_BYTES] for i in range(0, len(blob), KEY_BYTES)]
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
        """The rows used since loading, as the file stores them (held rows gathered at
        once, then the added ones)."""
        used_stored = [k for k in self._used if k not in self._added and k in self._keys]
        used_added = [k for k in self._used if k in self._added]
        rows = np.fromiter((self._keys[k] for k in used_stored), np.int64, len(used_stored))
        starts, ends = self._indptr[rows], self._indptr[rows + 1]
        lengths = np.r_[ends - starts, np.fromiter((len(self._added[k][0]) for k in used_added), np.int64)]
        # Positions of every kept value in the stored arrays, by row (no Python loop per row).
        offsets = np.repeat(starts - np.r_[0, np.cumsum(ends - starts)[:-1]], ends - starts)
        picked = np.arange(int((ends - starts).sum()), dtype=np.int64) + offsets
        indices = [self._indices[picked]] + [self._added[k][0] for k in used_added]
        data = [self._data[picked]] + [self._added[k][1] for k in used_added]
        return {
            "format": np.array(FORMAT),
            "version": np.array(self.version),
            "keys": np.frombuffer(b"".join(used_stored + used_added), np.uint8).reshape(-1, KEY_BYTES),
            "indptr": np.r_[0, np.cumsum(lengths)].astype(np.int64),
            "indices": np.concatenate(indices).astype(np.int32),
            "data": np.concatenate(data).astype(np.float32),
        }

    def matrix(self, texts: list[str], tokenise: Callable[[list[str]], Any], width: int) -> Any:
        """The rows of ``texts`` as one CSR matrix of ``width`` columns, tokenising (with
        ``tokenise``, texts -> CSR) and adding only the texts not held: what ``[text]``
        for each text gives, gathered in C rather than row by row (a window of tens of
        thousands of papers every morning)."""
        import scipy.sparse as sp

        keys = [self._hash(text) for text in texts]
        missing = {
            key: text
            for key, text in zip(keys, texts, strict=True)
            if key not in self._added and key not in self._keys
        }
        if missing:
            fresh = tokenise(list(missing.values()))
            for row, key in enumerate(missing):
                start, end = fresh.indptr[row], fresh.indptr[row + 1]
                self._added[key] = (fresh.indices[start:end], fresh.data[start:end])
            self.tokenised += len(missing)
        self._used.update(dict.fromkeys(keys))
        stored = np.fromiter(
            (self._keys.get(key, -1) if key not in self._added else -1 for key in keys), np.int64, len(keys)
        )
        held = stored >= 0
        parts = [self._stored_matrix(width)[stored[held]]]
        added = [self._added[key] for key, row in zip(keys, stored, strict=True) if row < 0]
        if added:
            parts.append(_rows(added, width))
        gathered = sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0]
        # The stored rows came first, then the added ones: back to the order of ``texts``.
        order = np.empty(len(keys), np.int64)
        order[np.flatnonzero(held)] = np.arange(int(held.sum()))
        order[np.flatnonzero(~held)] = np.arange(int(held.sum()), len(keys))
        return gathered[order] if len(parts) > 1 else gathered

    def _stored_matrix(self, width: int) -> Any:
        import scipy.sparse as sp

        return sp.csr_matrix((self._data, self._indices, self._indptr), shape=(len(self._indptr) - 1, width))

    def _stored(self, key: bytes) -> Row:
        row = self._keys[key]
        start, end = self._indptr[row], self._indptr[row + 1]
        return self._indices[start:end], self._data[start:end]


def _rows(rows: list[Row], width: int) -> Any:
    import scipy.sparse as sp

    lengths = np.fromiter((len(indices) for indices, _ in rows), np.int64, len(rows))
    indices = np.concatenate([indices for indices, _ in rows]).astype(np.int32)
    data = np.concatenate([data for _, data in rows]).astype(np.float32)
    return sp.csr_matrix((data, indices, np.r_[0, np.cumsum(lengths)]), shape=(len(rows), width))


def cache_path(journal: Journal) -> Path:
    """``<journal>.d/triage-cache/term-counts.npz``."""
    return journal.side_path(SideState.TRIAGE_CACHE) / FILE_NAME


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
        and keys.dtype == np.uint8
        and keys.ndim == 2
        and keys.shape[1] == KEY_BYTES
        and indptr.ndim == indices.ndim == data.ndim == 1
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
    return keep_cached(path, buffer.getvalue())
