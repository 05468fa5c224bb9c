"""Whether an S3-compatible store honours conditional writes, checked before the journal
first writes there.

The Delta backend's concurrency rests on ``If-None-Match: *``: of two writers PUTting the
same log entry, the second must fail. A store (or a proxy in front of it) that ignores the
header would let concurrent commits overwrite each other, silently. So before the first
write the backend PUTs a marker object ``<prefix>/_journal/probe-<random>`` twice with
that header: the second PUT must be refused (412, or 409 for a racing one). The marker is
then deleted. The verdict is remembered on this machine per endpoint and bucket
(``store-checked.json`` in the outbox folder), so the check costs one boto3 client per
machine, not per command.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from journal.errors import StoreUnsafe
from journal.fileio import write_atomic
from journal.store.delta_io import S3Location, store_error
from journal.store.objects import condition_failed, s3_client

VERDICT = "store-checked.json"


def endpoint_of(options: dict[str, str]) -> str:
    return options.get("AWS_ENDPOINT_URL", "AWS S3")


def checked(folder: Path, where: S3Location, options: dict[str, str]) -> bool:
    """Whether this machine has already seen the store honour conditional writes."""
    try:
        seen = json.loads((folder / VERDICT).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(seen, list) and [endpoint_of(options), where.bucket] in seen


def remember(folder: Path, where: S3Location, options: dict[str, str]) -> None:
    path = folder / VERDICT
    try:
        seen = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        seen = []
    seen = [s for s in seen if isinstance(s, list)] + [[endpoint_of(options), where.bucket]]
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(seen).encode("utf-8"))


def probe(where: S3Location, options: dict[str, str]) -> None:
    """PUT a marker twice with ``If-None-Match: *``; raise :class:`StoreUnsafe` if the
    second PUT is accepted, or the store's error (e.g. read-only keys) if the first fails.
    The marker is deleted either way."""
    import botocore.exceptions

    client = s3_client(options)
    key = "/".join(p for p in (where.prefix, "_journal", f"probe-{uuid.uuid4().hex}") if p)
    body = b"a marker the journal writes to check conditional writes; safe to delete\n"
    errors = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)
    try:
        client.put_object(Bucket=where.bucket, Key=key, Body=body, IfNoneMatch="*")
    except errors as e:
        raise store_error(where.url, e) from None
    try:
        try:
            client.put_object(Bucket=where.bucket, Key=key, Body=body, IfNoneMatch="*")
        except botocore.exceptions.ClientError as e:
            if condition_failed(e):
                return  # refused, as it must be
            raise store_error(where.url, e) from None
        except botocore.exceptions.BotoCoreError as e:
            raise store_error(where.url, e) from None
        raise StoreUnsafe(
            where.url,
            f"the store at {endpoint_of(options)} ignores conditional writes (If-None-Match), so "
            "writers on two machines could overwrite each other's commits; nothing was written. "
            "Use a store that honours them (AWS S3, or a proxy that passes the header on)",
        )
    finally:
        try:
            client.delete_object(Bucket=where.bucket, Key=key)
        except errors:
            pass  # a marker left behind is harmless: no Delta reader looks at _journal/
