"""This machine's cache of an ``s3://`` journal's Delta table, so that an unchanged journal
costs one request and a changed one only its new files.

Layout, under ``$JOURNAL_CACHE/<bucket>/<prefix>/table-cache/``::

    state.json              {"table": <table URI>, "version": V, "files": [<data file paths>],
                             "layout": {"protocol", "features", "partitions", "columns"}
                             as of the last load through delta-rs}
    files/<sha>.parquet     a data file of the table, as downloaded (keyed by its path)

Data files never change once written, so a file is cached by its path for good. The
version is never trusted from the cache: each read first lists ``_delta_log/`` (one
request: :meth:`TableCache.latest_version`) and uses the cache only for that version. If
the table moved on, the new commits' JSON files are read and only their new data files
downloaded. An empty cache (or one whose commits cannot be followed: a commit is gone or
does more than add and remove files) reads the newest checkpoint and the commits after it
with pyarrow (:mod:`journal.store.delta_log`, no delta-rs), and only a log that cannot
read that way (multi-part or v2 checkpoints, deletion vectors, reader features) is
loaded through delta-rs; then the files not cached are downloaded. The cache is never a second source of truth: no read is
answered from it without the store saying which version is the latest, and deleting
the folder only costs the next read its downloads.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.parquet as pq

from journal.fileio import keep_cached, write_atomic
from journal.store.delta_io import S3Location, reading
from journal.store.delta_log import COMMIT, Unfollowable, apply_commit, replay
from journal.store.objects import Bucket, filesystem
from journal.store.schema import cast_table

LOG = "_delta_log"


class TableCache:
    """The cached table of the journal at ``where`` (see the module doc)."""

    def __init__(self, where: S3Location, options: dict[str, str], folder: Path) -> None:
        self.where = where
        self.options = options
        self.folder = folder
        self._bucket: Bucket | None = None
        self._state: dict[str, Any] | None = None
        self.loads = 0  # how often this process had to load the table through delta-rs
        self._layout: dict[str, Any] | None = None
        self._listed: dict[int, list[str]] = {}  # latest version -> the names in _delta_log/ then

    @property
    def bucket(self) -> Bucket:
        """The table's folder in the bucket (``<prefix>/entries``)."""
        if self._bucket is None:
            root = "/".join(p for p in (self.where.bucket, self.where.prefix, "entries") if p)
            self._bucket = Bucket(self.where.url, filesystem(self.options), root)
        return self._bucket

    # -- the version -----------------------------------------------------------------

    def latest_version(self) -> int | None:
        """The table's latest version by one listing of ``_delta_log/`` (None: no table)."""
        names = [o.name for o in self.bucket.list(LOG)]
        versions = [int(m.group(1)) for name in names if (m := COMMIT.match(name))]
        if not versions:
            return None
        self._listed = {max(versions): names}
        return max(versions)

    # -- the state -------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """What the cache holds: ``version`` (None: nothing) and ``files``."""
        if self._state is None:
            try:
                state = json.loads((self.folder / "state.json").read_text(encoding="utf-8"))
                if state.get("table") != self.where.table_uri or not isinstance(state.get("files"), list):
                    raise ValueError("another table")
                if "layout" not in state:  # kept by an older build: load once through delta-rs
                    raise ValueError("no layout")
            except (OSError, ValueError):
                state = {"version": None, "files": []}
            self._state = state
        return self._state

    def _keep(self, version: int, files: list[str]) -> None:
        state = {"table": self.where.table_uri, "version": version, "files": files}
        layout = self._layout or self.state().get("layout")
        if layout:
            state["layout"] = layout
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            write_atomic(self.folder / "state.json", json.dumps(state).encode("utf-8"), durable=False)
        except OSError:
            pass  # a cache that cannot be written costs the next read its downloads, nothing else
        self._state = state

    def appended(self, version: int, path: str, data: bytes) -> None:
        """Version ``version`` is the cached one plus data file ``path`` (``data``), which
        this machine just committed on top of it: keep both, so that reading costs nothing."""
        state = self.state()
        if state["version"] != version - 1:
            return
        if keep_cached(self._file(path), data):
            self._keep(version, [*state["files"], path])

    def _file(self, path: str) -> Path:
        return self.folder / "files" / f"{hashlib.sha256(path.encode('utf-8')).hexdigest()[:40]}.parquet"

    # -- reading ---------------------------------------------------------------------

    def files_at(self, version: int) -> list[str]:
        """The data files of ``version``, with every one of them in the cache."""
        state = self.state()
        files: list[str] | None = None
        if state["version"] == version:
            files = list(state["files"])
        elif state["version"] is not None and state["version"] < version:
            try:
                files = self._follow(state["version"], version, list(state["files"]))
            except Unfollowable:
                files = None
        if files is None:
            files = self._load(version)
        for path in files:
            self._download(path)
        if state["version"] is None or version >= state["version"]:
            self._keep(version, files)
        return files

    def read(self, version: int, schema: pa.Schema) -> pa.Table:
        """The rows of ``version`` (every data file), from the cache: the columns of
        ``schema`` each file has, cast to its types (delta-rs writes strings as views
        in some files and not in others): :func:`journal.store.schema.cast_table`."""
        tables = []
        for path in self.files_at(version):
            with pq.ParquetFile(self._file(path)) as file:
                raw = file.read()
            tables.append(cast_table(raw, pa.schema([f for f in schema if f.name in raw.column_names])))
        if not tables:
            return pa.table({})
        return pa.concat_tables(tables, promote_options="default")

    def _follow(self, start: int, version: int, files: list[str]) -> list[str]:
        """The files of ``version`` from those of ``start`` and the commits in between."""
        live = dict.fromkeys(files)
        for v in range(start + 1, version + 1):
            data = self.bucket.get(f"{LOG}/{v:020d}.json")
            if data is None:
                raise Unfollowable(v)  # cleaned up: the log starts at a checkpoint now
            apply_commit(data, live)
        return list(live)

    def _load(self, version: int) -> list[str]:
        """The files of ``version`` from the newest checkpoint and the commits after it, read
        here (:mod:`journal.store.delta_log`); through delta-rs if that cannot follow the log."""
        names = self._listed.get(version)
        if names is not None:
            try:
                files, self._layout = replay(names, version, lambda n: self.bucket.get(f"{LOG}/{n}"))
                return files
            except (Unfollowable, ValueError, KeyError, TypeError):
                pass  # (a log this build cannot parse: delta-rs may)
        return self._load_delta_rs(version)

    def _load_delta_rs(self, version: int) -> list[str]:
        """The files of ``version`` as delta-rs reads the log (checkpoint and commits)."""
        from deltalake import DeltaTable

        self.loads += 1

        def load() -> list[str]:
            dt = DeltaTable(self.where.table_uri, version=version, storage_options=self.options)
            protocol, metadata = dt.protocol(), dt.metadata()
            self._layout = {  # what a blind append must match (delta_append.matches)
                "protocol": [protocol.min_reader_version, protocol.min_writer_version],
                "features": [*(protocol.reader_features or []), *(protocol.writer_features or [])],
                "partitions": list(metadata.partition_columns),
                "columns": [f.name for f in dt.schema().fields],
            }
            paths = pa.table(dt.get_add_actions(flatten=True))["path"].to_pylist()
            return [unquote(str(p)) for p in paths]

        return reading(self.where.url, load)

    def _download(self, path: str) -> None:
        target = self._file(path)
        if target.exists():
            return
        data = self.bucket.get(path)
        if data is None:
            raise FileNotFoundError(path)  # vacuumed: the caller reads the latest version again
        keep_cached(target, data)
