"""Side state every machine of a journal sees: the :class:`~journal.store.backend.SharedFolder`
of the local store (a folder beside the journal) and of an ``s3://`` journal (the bucket
under ``<prefix>/<kind>/``), and :func:`update_shared`, the read-change-write they are changed by.

A bucket folder reads and writes through boto3 (imported on first use): a listing is one
request per 1000 objects, a read one GET, a write one PUT, conditional on the ETag read
(``If-Match``; ``If-None-Match: *`` for an object that was not there), so of two machines
changing one object at once the second reads again and retries, and neither change is
lost. Its errors are the store's one-line :class:`~journal.errors.StoreError` (read-only
keys: :class:`~journal.errors.StoreReadOnly`).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.errors import JournalError, StoreAccessDenied, StoreConflict
from journal.fileio import fsync_dir, write_atomic
from journal.store.backend import SharedChanged, SharedFolder, SideState, Stored

if TYPE_CHECKING:
    from journal.store.backend import StorageBackend
    from journal.store.delta_io import S3Location

#: Attempts of one :func:`update_shared` before giving up (each after a jittered, growing pause).
ATTEMPTS = 8


def shared_folder(backend: StorageBackend, kind: SideState) -> SharedFolder:
    """The shared folder of ``kind`` of a journal's ``backend`` (``journal.backend``), or
    for a backend without one, its ``side_path(kind)`` as a local folder."""
    make = getattr(backend, "shared_folder", None)
    return make(kind) if make is not None else LocalFolder(backend.side_path(kind))


def update_shared(folder: SharedFolder, name: str, change: Callable[[bytes | None], bytes | None]) -> None:
    """Replace object ``name`` by ``change(its bytes, None if there is none)`` (None: leave
    it), run again on what is there now if another writer changed it in between."""
    from journal.store.delta_io import backoff

    for attempt in range(1, ATTEMPTS + 1):
        stored = folder.read(name)
        data = change(None if stored is None else stored.data)
        if data is None:
            return
        try:
            folder.write(name, data, replacing=stored)
            return
        except SharedChanged:
            time.sleep(backoff(attempt))
    raise StoreConflict(
        folder.name_of(name), "other writers kept changing it; nothing was changed, try again"
    )


def _file_tag(path: Path) -> str | None:
    """A local file's tag (its size and time), None if it is gone."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return f"{info.st_size}-{info.st_mtime_ns}"


class LocalFolder:
    """A folder on this machine (``<journal>.d/<kind>``). Writes replace a file whole
    (temporary file in ``tmp_dir`` if given, fsync, rename, fsync of the folders made);
    they take the journal's write lock's word that nobody else writes meanwhile."""

    def __init__(self, root: Path, tmp_dir: Path | None = None) -> None:
        self.root = Path(root)
        self.tmp_dir = tmp_dir
        self.where = str(self.root)

    def names(self) -> list[str]:
        found = []
        for top, folders, files in os.walk(self.root):
            folders[:] = [f for f in folders if not f.startswith(".")]
            base = os.path.relpath(top, self.root)
            found += [n if base == "." else f"{base}/{n}" for n in files if not n.startswith(".")]
        return sorted(p.replace(os.sep, "/") for p in found)

    def tags(self) -> dict[str, str]:
        return {name: tag for name in self.names() if (tag := _file_tag(self.root / name))}

    def read(self, name: str) -> Stored | None:
        path = self.root / name
        try:
            data = path.read_bytes()
            info = path.stat()
        except FileNotFoundError:
            return None
        return Stored(data, f"{info.st_size}-{info.st_mtime_ns}")

    def write(self, name: str, data: bytes, *, replacing: Stored | None) -> None:
        target = self.root / name
        missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
        for folder in reversed(missing):  # outermost first, each made durable in its parent
            folder.mkdir(exist_ok=True)
            fsync_dir(folder.parent)
        tmp = self.tmp_dir if self.tmp_dir is not None and self.tmp_dir.is_dir() else None
        write_atomic(target, data, tmp_dir=tmp)

    def name_of(self, name: str) -> str:
        return str(self.root / name)

    def local_path(self, name: str) -> Path | None:
        return self.root / name


class BucketFolder:
    """The objects under ``<prefix>/<kind>/`` in the bucket of an ``s3://`` journal."""

    def __init__(self, where: S3Location, options: dict[str, str], kind: SideState) -> None:
        self.url = where.url
        self.bucket = where.bucket
        self.root = "/".join(p for p in (where.prefix, SideState(kind).value) if p)
        self.where = f"{where.url}/{SideState(kind).value}"
        self.options = options
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            from journal.store.objects import s3_client

            self._client = s3_client(self.options)
        return self._client

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """boto3's errors as the store's one line (no key, no secret in it)."""
        import botocore.exceptions

        from journal.store.delta_io import store_error

        try:
            yield
        except JournalError:
            raise
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            raise store_error(self.url, e) from None

    def names(self) -> list[str]:
        return sorted(self.tags())

    def tags(self) -> dict[str, str]:
        start = len(self.root) + 1
        with self.errors():
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.root + "/"
            )
            return {o["Key"][start:]: o["ETag"] for page in pages for o in page.get("Contents", ())}

    def read(self, name: str) -> Stored | None:
        with self.errors():
            try:
                got = self.client.get_object(Bucket=self.bucket, Key=f"{self.root}/{name}")
            except self.client.exceptions.NoSuchKey:
                return None
            return Stored(got["Body"].read(), got["ETag"])

    def write(self, name: str, data: bytes, *, replacing: Stored | None) -> None:
        import botocore.exceptions

        from journal.store.objects import condition_failed

        condition = {"IfNoneMatch": "*"} if replacing is None else {"IfMatch": replacing.tag}
        try:
            with self.errors():
                try:
                    self.client.put_object(
                        Bucket=self.bucket, Key=f"{self.root}/{name}", Body=data, **condition
                    )
                except botocore.exceptions.ClientError as e:
                    if condition_failed(e):
                        raise SharedChanged(name) from None
                    raise
        except StoreAccessDenied as denied:
            from journal.store.delta_io import read_only

            try:
                self.names()  # they may read: the keys are read-only
            except StoreAccessDenied:
                raise denied from None
            raise read_only(self.url) from None

    def name_of(self, name: str) -> str:
        return f"{self.where}/{name}"

    def local_path(self, name: str) -> Path | None:
        return None
