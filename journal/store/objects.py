"""The bucket of an ``s3://`` journal as plain objects, through ``pyarrow.fs.S3FileSystem``
(pyarrow is there already; no delta-rs): list a folder, get whole objects; and
:func:`s3_client`, boto3's client for what pyarrow.fs cannot do (conditional PUTs, ETags).
What the table cache (:mod:`journal.store.delta_cache`) needs: a listing is one request per
1000 keys, a get two (a HEAD, then the GET). Shared side state (recorded listings,
feedback) goes through boto3: :mod:`journal.store.shared`.

The filesystem takes the same settings as delta-rs (:func:`journal.store.delta_io.storage_options`);
its errors become the same one-line :class:`~journal.errors.StoreError` as the table's.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journal.errors import JournalError
from journal.store.delta_io import store_error

if TYPE_CHECKING:
    from pyarrow.fs import FileSystem


def filesystem(options: dict[str, str]) -> FileSystem:
    """A ``pyarrow.fs.S3FileSystem`` for delta-rs ``options`` (endpoint, keys, region)."""
    from pyarrow.fs import S3FileSystem

    endpoint = options.get("AWS_ENDPOINT_URL")
    scheme = "http" if endpoint and endpoint.lower().startswith("http://") else "https"
    return S3FileSystem(
        access_key=options.get("AWS_ACCESS_KEY_ID"),
        secret_key=options.get("AWS_SECRET_ACCESS_KEY"),
        session_token=options.get("AWS_SESSION_TOKEN"),
        region=options.get("AWS_REGION") or "us-east-1",
        endpoint_override=endpoint,
        scheme=scheme,
        # the bucket must exist: never create one, and say so if it is missing
        allow_bucket_creation=False,
        allow_bucket_deletion=False,
    )


def s3_client(options: dict[str, str]) -> Any:
    """A boto3 S3 client for delta-rs ``options``, for what ``pyarrow.fs`` cannot do: a
    conditional PUT (``If-None-Match``). boto3 (the ``s3`` extra) is imported here, on use;
    one client per set of options and process (building one takes a few tenths of a second)."""
    return _client(tuple(sorted(options.items())))


@functools.cache
def _client(options: tuple[tuple[str, str], ...]) -> Any:
    import boto3

    settings = dict(options)
    return boto3.client(
        "s3",
        endpoint_url=settings.get("AWS_ENDPOINT_URL"),
        aws_access_key_id=settings.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=settings.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=settings.get("AWS_SESSION_TOKEN"),
        region_name=settings.get("AWS_REGION", "us-east-1"),
    )


#: What S3 answers a conditional PUT (``If-Match``, ``If-None-Match: *``) whose condition
#: failed: 412 PreconditionFailed, or 409 ConditionalRequestConflict for a racing PUT.
CONDITION_FAILED = (409, 412)


def status_of(error: Any) -> int:
    """The HTTP status of boto3's ``ClientError`` ``error`` (0 if it has none)."""
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def condition_failed(error: Any) -> bool:
    """Whether boto3's ``ClientError`` ``error`` is a conditional PUT refused because the
    object was there (or changed): another writer got there first."""
    code = str(error.response.get("Error", {}).get("Code") or "")
    return status_of(error) in CONDITION_FAILED or code in (
        "PreconditionFailed",
        "ConditionalRequestConflict",
    )


@dataclass(frozen=True)
class Listed:
    """One object of a listing: its path under the listed folder, size and time (ns)."""

    name: str
    size: int
    mtime_ns: int


@contextlib.contextmanager
def store_errors(url: str) -> Iterator[None]:
    """Storage errors inside as one clear :class:`~journal.errors.StoreError` for ``url``."""
    try:
        yield
    except (JournalError, FileNotFoundError):
        raise
    except OSError as e:
        raise store_error(url, e) from None


class Bucket:
    """Objects under one folder of a bucket (``bucket/prefix``), for the journal at ``url``."""

    def __init__(self, url: str, fs: FileSystem, root: str) -> None:
        self.url = url
        self.fs = fs
        self.root = root.rstrip("/")

    def key(self, name: str) -> str:
        return f"{self.root}/{name}" if name else self.root

    def list(self, folder: str = "", *, recursive: bool = False) -> list[Listed]:
        """The objects in ``folder`` (below the root), none if it is not there."""
        from pyarrow.fs import FileSelector, FileType

        base = self.key(folder)
        try:  # not allow_not_found: that would hide a missing bucket too
            with store_errors(self.url):
                infos = self.fs.get_file_info(FileSelector(base, recursive=recursive))
        except FileNotFoundError:
            return []
        return [
            Listed(i.path[len(base) + 1 :], i.size or 0, i.mtime_ns or 0)
            for i in infos
            if i.type == FileType.File
        ]

    def get(self, name: str) -> bytes | None:
        """The bytes of object ``name`` (a HEAD and a GET), None if there is none."""
        try:  # (a file, not a stream: one GET of its known size, where a stream reads in parts)
            with store_errors(self.url), self.fs.open_input_file(self.key(name)) as file:
                return bytes(file.read())
        except FileNotFoundError:
            return None
