"""One compaction at a time per ``s3://`` journal: a lease object in the bucket.

delta-rs lets the second of two compactions that read the same version commit on top of
the first (it rebases an OPTIMIZE onto another without a conflict), which stores every
rewritten row twice. So a compaction first creates ``<prefix>/_journal/compacting`` with a
conditional PUT (``If-None-Match: *``); one that finds it waits for it to go (the other
compaction's work is then done, and it finds only what is left) and removes it when done.
A lease older than :data:`STALE` seconds was left by a compaction that was killed: it is
removed and taken.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from journal.errors import StoreConflict
from journal.store.delta_io import S3Location, backoff, store_error
from journal.store.objects import condition_failed, s3_client

LEASE = "_journal/compacting"
STALE = 3600.0  # seconds: no compaction takes this long
WAIT = 300.0  # seconds a compaction waits for another one


@contextlib.contextmanager
def compacting(url: str, where: S3Location, options: dict[str, str]) -> Iterator[None]:
    """Hold the journal's compaction lease for the ``with`` block."""
    import botocore.exceptions

    client: Any = s3_client(options)
    key = "/".join(p for p in (where.prefix, LEASE) if p)
    deadline = time.monotonic() + WAIT
    attempt = 0
    while True:
        try:
            client.put_object(Bucket=where.bucket, Key=key, Body=b"", IfNoneMatch="*")
            break
        except botocore.exceptions.ClientError as e:
            if not condition_failed(e):
                raise store_error(url, e) from None
        except botocore.exceptions.BotoCoreError as e:
            raise store_error(url, e) from None
        try:  # another compaction holds it
            age = time.time() - client.head_object(Bucket=where.bucket, Key=key)["LastModified"].timestamp()
            if age > STALE:  # abandoned by a compaction that died: take it over
                client.delete_object(Bucket=where.bucket, Key=key)
                continue
        except botocore.exceptions.ClientError as e:
            if e.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise store_error(url, e) from None
            continue  # gone meanwhile: take it
        except botocore.exceptions.BotoCoreError as e:
            raise store_error(url, e) from None
        if time.monotonic() > deadline:
            raise StoreConflict(url, "another compaction of the journal is still running; try again later")
        attempt += 1
        time.sleep(backoff(min(attempt, 6)))
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            client.delete_object(Bucket=where.bucket, Key=key)
