"""What the Delta Lake backend (:mod:`journal.store.delta`) needs around delta-rs: where an
``s3://bucket/prefix`` journal is, the storage options from the standard AWS settings, one
clear error for a store that cannot be used, and retrying a commit that lost a race.

Nothing here imports deltalake at module level; boto3 is imported only to resolve an
``AWS_PROFILE`` when no keys are given.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from journal.errors import (
    JournalError,
    StoreAccessDenied,
    StoreConflict,
    StoreError,
    StoreNotFound,
    StoreReadOnly,
    StoreUnreachable,
)

T = TypeVar("T")

#: Attempts of one write before giving up (each after a jittered, growing pause).
COMMIT_ATTEMPTS = 12
BACKOFF_FIRST = 0.05  # seconds
BACKOFF_MAX = 2.0

# What delta-rs / object_store say for each kind of failure (the text of their errors).
_NO_BUCKET = ("NoSuchBucket", "bucket does not exist")
_DENIED = (
    "403 Forbidden",
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "ACCESS_DENIED",  # pyarrow.fs (the table cache's listing), and its spellings of the above:
    "INVALID_ACCESS_KEY_ID",
    "SIGNATURE_DOES_NOT_MATCH",
    "EXPIRED_TOKEN",
)
_UNREACHABLE = (
    "client error (Connect)",
    "tcp connect error",
    "dns error",
    "Connection refused",
    "timed out",
    "NETWORK_CONNECTION",  # pyarrow.fs
    "Couldn't connect",
    "Could not connect to the endpoint",  # boto3 (the outbox's probe)
)
_CONFLICT = ("conflict", "concurrent", "already exists", "transaction failed", "version mismatch")


@dataclass(frozen=True)
class S3Location:
    """An ``s3://bucket/prefix`` journal: its table lives at ``<prefix>/entries``."""

    url: str  # normalised: no trailing slash
    bucket: str
    prefix: str

    @property
    def table_uri(self) -> str:
        return f"{self.url}/entries"

    def cache_root(self) -> Path:
        """This machine's folder for the journal's local side state:
        ``$JOURNAL_CACHE/<bucket>/<prefix>`` or ``~/.cache/journal/<bucket>/<prefix>``."""
        base = os.environ.get("JOURNAL_CACHE")
        root = Path(base) if base else Path.home() / ".cache" / "journal"
        return root.joinpath(self.bucket, *[p for p in self.prefix.split("/") if p])


def parse_location(location: str) -> S3Location:
    """``s3://bucket/prefix`` split up; a URL without a bucket is an error."""
    rest = location.split("://", 1)[1] if "://" in location else location
    rest = rest.strip("/")
    bucket, _, prefix = rest.partition("/")
    if not bucket or any(part in (".", "..") for part in prefix.split("/")):
        raise JournalError(
            f"{location}: give an S3 journal as s3://bucket/prefix (e.g. s3://my-bucket/journal)"
        )
    url = f"s3://{bucket}" + (f"/{prefix}" if prefix else "")
    return S3Location(url, bucket, prefix)


def storage_options() -> dict[str, str]:
    """delta-rs storage options from the standard AWS settings, and only those: endpoint,
    keys, session token, region, and ``AWS_ALLOW_HTTP`` for an ``http://`` endpoint.
    Commits then use conditional PUTs (``If-None-Match: *``), delta-rs's default on S3;
    ``AWS_S3_ALLOW_UNSAFE_RENAME`` and lock providers are never set."""
    env = os.environ
    options: dict[str, str] = {}
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["AWS_ENDPOINT_URL"] = endpoint
        if endpoint.lower().startswith("http://"):
            options["AWS_ALLOW_HTTP"] = "true"
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    key, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    token = env.get("AWS_SESSION_TOKEN")
    if not (key and secret) and env.get("AWS_PROFILE"):
        key, secret, token, profile_region = _profile_credentials(env["AWS_PROFILE"])
        region = region or profile_region
    if key and secret:
        options["AWS_ACCESS_KEY_ID"] = key
        options["AWS_SECRET_ACCESS_KEY"] = secret
        if token:
            options["AWS_SESSION_TOKEN"] = token
    if region:
        options["AWS_REGION"] = region
    return options


def _profile_credentials(profile: str) -> tuple[str | None, str | None, str | None, str | None]:
    """Keys, token and region of an AWS profile, through boto3's session."""
    try:
        import boto3
        import botocore.exceptions
    except ImportError:
        raise JournalError(
            f"AWS_PROFILE={profile} needs boto3: pip install 'journal[s3]' (or set AWS_ACCESS_KEY_ID "
            "and AWS_SECRET_ACCESS_KEY)"
        ) from None
    try:
        session = boto3.Session(profile_name=profile)
        creds = session.get_credentials()
    except botocore.exceptions.BotoCoreError as e:
        raise JournalError(f"AWS_PROFILE={profile}: {type(e).__name__}; check ~/.aws/config") from None
    if creds is None:
        return None, None, None, session.region_name
    frozen = creds.get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token, session.region_name


def _secrets() -> list[str]:
    env = os.environ
    return [v for k in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN") if (v := env.get(k))]


def scrub(text: str) -> str:
    """``text`` with any secret key or session token of the environment blanked out."""
    for secret in _secrets():
        text = text.replace(secret, "***")
    return text


def store_error(url: str, error: BaseException) -> StoreError:
    """The one-line error for a failure of the store behind ``url``."""
    text = str(error)
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or "AWS S3"
    bucket = parse_location(url).bucket
    if any(m in text for m in _NO_BUCKET):
        return StoreNotFound(
            url,
            f"bucket {bucket!r} does not exist at {endpoint}; create it, or check the URL and AWS_ENDPOINT_URL",
        )
    if any(m in text for m in _DENIED):
        return StoreAccessDenied(
            url,
            f"access denied by {endpoint}; check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) "
            f"and that they may read and write {bucket!r}",
        )
    if any(m in text for m in _UNREACHABLE):
        return StoreUnreachable(
            url,
            f"cannot reach the store at {endpoint}; check AWS_ENDPOINT_URL and the network, then try again",
        )
    first = " ".join(scrub(text).split())[:200] or type(error).__name__
    return StoreError(url, f"the store failed ({first}); nothing was changed, try again")


def read_only(url: str) -> StoreReadOnly:
    """The error for keys that may read the journal but were refused a write."""
    return StoreReadOnly(
        url,
        "these credentials are read-only: they may read the journal, not change it "
        "(reading commands, rendering and triage work); ask for keys that may write",
    )


def is_conflict(error: BaseException) -> bool:
    """Whether a delta-rs error means another writer won the race for this version."""
    from deltalake.exceptions import CommitFailedError, DeltaError

    if isinstance(error, CommitFailedError):
        return True
    text = str(error).lower()
    return isinstance(error, DeltaError) and any(m in text for m in _CONFLICT)


def is_store_failure(error: BaseException) -> bool:
    """Whether an error says the store cannot be used at all (retrying will not help)."""
    text = str(error)
    return any(m in text for m in (*_NO_BUCKET, *_DENIED, *_UNREACHABLE))


def backoff(attempt: int) -> float:
    """The pause before retry ``attempt`` (1, 2...): doubling, capped, jittered (±50 %),
    so that writers that collided do not collide again."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)


def retrying(url: str, what: str, step: Callable[[], T], *, attempts: int = COMMIT_ATTEMPTS) -> T:
    """``step()``, run again after a jittered pause while it loses a commit race (or fails
    in a way that may have committed). ``step`` must be idempotent: it looks at the
    table's latest version each time and does only what is still to do."""
    from deltalake.exceptions import DeltaError

    for attempt in range(1, attempts + 1):
        try:
            return step()
        except JournalError:
            raise
        except (DeltaError, OSError) as e:
            if is_store_failure(e) or not (is_conflict(e) or isinstance(e, OSError)):
                raise store_error(url, e) from None  # retrying would not help
            if attempt == attempts:
                if is_conflict(e):
                    raise StoreConflict(
                        url, f"other writers kept changing the journal; {what} was not done, try again"
                    ) from None
                raise store_error(url, e) from None
            time.sleep(backoff(attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def reading(url: str, step: Callable[[], T]) -> T:
    """``step()`` with delta-rs and storage errors as one clear :class:`StoreError`."""
    from deltalake.exceptions import DeltaError

    try:
        return step()
    except JournalError:
        raise
    except (DeltaError, OSError) as e:
        raise store_error(url, e) from None
