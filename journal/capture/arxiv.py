"""Paper metadata from the arXiv API, with a local cache and arXiv's rate limit.

``fetch(["2405.05254", "https://arxiv.org/pdf/2309.15807v1"])`` asks arXiv once for every
id it does not already have in the cache (one ``id_list=`` request per 100 ids) and returns
one :class:`ArxivRecord` per id given, in order.

- The API address is ``https://export.arxiv.org/api/query`` unless ``JOURNAL_ARXIV_API``
  names another (a mirror, or a local server in tests).
- The cache is one JSON file per id in ``<journal>.d/arxiv-cache/`` (or in the folder
  ``JOURNAL_CACHE`` names): fetching an id again costs no request and works offline.
  ``2405.05254.json`` is the newest version as last fetched; ``2405.05254v2.json`` is
  that version (a version never changes, so it never goes stale).
- At most one request every 3 s, across processes: the time of the last request is kept
  in ``last-request`` in the cache folder, under a file lock (arXiv's terms of use).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.errors import (
    ArxivBadResponse,
    ArxivError,
    ArxivNotFound,
    ArxivTimeout,
    ArxivUnreachable,
    InvalidArxivId,
    ValidationError,
)
from journal.fileio import write_atomic
from journal.model import abs_url, parse_arxiv
from journal.store import SideState, side_path_for

if TYPE_CHECKING:
    from journal.store import Journal

DEFAULT_API = "https://export.arxiv.org/api/query"
#: Seconds between two requests to arXiv (https://info.arxiv.org/help/api/tou.html).
MIN_INTERVAL = 3.0
#: Seconds to wait for an answer before giving up.
TIMEOUT = 30.0
#: Ids per request (arXiv answers up to a few hundred; small batches fail faster).
BATCH = 100
CACHE_FOLDER = SideState.ARXIV_CACHE.value


@dataclasses.dataclass(frozen=True)
class ArxivRecord:
    """What arXiv says about one paper (one version of it).

    ``url`` is the abstract page *without* a version (``https://arxiv.org/abs/2405.05254``):
    the link a reader shares, which always shows the newest version; ``version`` records
    which version this metadata (and so the reading) is of.
    """

    arxiv_id: str
    version: int | None
    title: str
    authors: tuple[str, ...]
    abstract: str
    url: str
    primary_category: str | None = None
    published: dt.date | None = None
    updated: dt.date | None = None
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["authors"] = list(self.authors)
        for f in ("published", "updated"):
            d[f] = None if d[f] is None else d[f].isoformat()
        return d

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> ArxivRecord:
        values: dict[str, Any] = {f.name: data.get(f.name) for f in dataclasses.fields(cls)}
        values["authors"] = tuple(values["authors"] or ())
        for f in ("published", "updated"):
            values[f] = dt.date.fromisoformat(values[f]) if values[f] else None
        return cls(**values)

    def entry_fields(self) -> dict[str, Any]:
        """The entry fields this record fills (see :func:`journal.capture.paper.fetch_fields`)."""
        return {
            "title": self.title,
            "authors": list(self.authors),
            "abstract": self.abstract,
            "url": self.url,
            "arxiv_id": self.arxiv_id,
            "arxiv_version": self.version,
        }


def api_url(api: str | None = None) -> str:
    """The API address: ``api``, else ``$JOURNAL_ARXIV_API``, else arXiv's own."""
    url = api or os.environ.get("JOURNAL_ARXIV_API") or DEFAULT_API
    if not url.startswith(("http://", "https://")):
        raise ArxivError(f"arXiv API address {url!r} is not an http(s) URL; fix JOURNAL_ARXIV_API")
    return url


def cache_dir_for(journal_path: str | os.PathLike[str] | Journal | None) -> Path | None:
    """Where fetched metadata is kept: ``$JOURNAL_CACHE``, else with the journal's side
    state (``entries.parquet.d/arxiv-cache``), else nowhere. ``journal_path``: a journal's
    location, or the journal itself (whatever its backend)."""
    env = os.environ.get("JOURNAL_CACHE")
    if env:
        return Path(env)
    if journal_path is None:
        return None
    if isinstance(journal_path, (str, os.PathLike)):
        return side_path_for(journal_path, SideState.ARXIV_CACHE)
    return journal_path.side_path(SideState.ARXIV_CACHE)


def _user_state_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "journal"


def shared_limiter(cache_dir: Path | None) -> RateLimiter:
    """The rate limiter every request to arXiv (API or RSS) of a journal goes through: kept
    in the journal's cache folder, else in the user's cache folder."""
    return RateLimiter(cache_dir or _user_state_dir())


# --- the rate limit ---------------------------------------------------------------------


class RateLimiter:
    """At most one request per ``interval`` seconds for every process sharing ``folder``.

    A caller reserves the next free slot under a file lock (so concurrent processes get
    distinct slots), then sleeps until it. ``clock`` and ``sleep`` are injectable so the
    logic is testable without waiting.
    """

    def __init__(
        self,
        folder: Path,
        interval: float | None = None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.folder = Path(folder)
        self.interval = MIN_INTERVAL if interval is None else interval
        self.clock = clock
        self.sleep = sleep
        self.stamp = self.folder / "last-request"

    def reserve(self) -> float:
        """Claim the next slot; returns how many seconds to wait for it."""
        from filelock import FileLock, Timeout

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(self.stamp) + ".lock", timeout=60)
            with lock:
                now = self.clock()
                try:
                    last = float(self.stamp.read_text().strip() or 0)
                except (FileNotFoundError, ValueError):
                    last = 0.0
                if last > now + self.interval:  # a clock set back: don't wait for ever
                    last = now
                slot = max(now, last + self.interval)
                _atomic_write(self.stamp, f"{slot:.6f}\n")
        except Timeout:
            raise ArxivError(f"another process held {self.stamp}.lock for 60 s; try again") from None
        except OSError as e:
            raise ArxivError(f"cannot write {self.stamp} ({e.strerror}); check JOURNAL_CACHE") from None
        return slot - now

    def wait(self) -> float:
        """Reserve a slot and sleep until it; returns the seconds slept."""
        delay = self.reserve()
        if delay > 0:
            self.sleep(delay)
        return max(delay, 0.0)


# --- the cache --------------------------------------------------------------------------


def _cache_file(folder: Path, key: str) -> Path:
    return folder / (key.replace("/", "_") + ".json")


def _atomic_write(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"), durable=False)  # a cache and a time stamp


def cache_get(folder: Path | None, key: str) -> ArxivRecord | None:
    """The cached record for ``key`` (``2405.05254`` or ``2405.05254v2``), if any."""
    if folder is None:
        return None
    try:
        data = json.loads(_cache_file(folder, key).read_text(encoding="utf-8"))
        return ArxivRecord.from_json_dict(data["record"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: fetch again


def cache_put(folder: Path | None, key: str, record: ArxivRecord) -> None:
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        payload = {
            "fetched_at": dt.datetime.now(dt.timezone.utc).isoformat(),
            "record": record.to_json_dict(),
        }
        _atomic_write(_cache_file(folder, key), json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    except OSError:
        pass  # a cache that cannot be written only costs a request next time


# --- parsing ----------------------------------------------------------------------------


def _collapse(text: str | None) -> str:
    return " ".join((text or "").split())


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def parse_feed(data: bytes, api: str = DEFAULT_API) -> tuple[list[ArxivRecord], list[str]]:
    """The records of an arXiv Atom answer, and the messages of its error entries."""
    import feedparser

    head = data.lstrip()[:200]
    if b"Rate exceeded" in head:
        raise ArxivBadResponse(
            api, 'is limiting the request rate ("Rate exceeded"); wait a minute and try again'
        )
    if not head.startswith(b"<"):
        shown = head[:60].decode("utf-8", "replace").strip()
        raise ArxivBadResponse(
            api, f"did not answer with an Atom feed (it said {shown!r}); check JOURNAL_ARXIV_API"
        )
    feed = feedparser.parse(data)
    if not str(feed.get("version", "")).startswith("atom"):
        raise ArxivBadResponse(
            api, "answered with a document that is not an Atom feed; check JOURNAL_ARXIV_API"
        )
    records: list[ArxivRecord] = []
    errors: list[str] = []
    for entry in feed.entries:
        entry_id = entry.get("id", "")
        title = _collapse(entry.get("title"))
        if "/api/errors" in entry_id or title == "Error":
            errors.append(_collapse(entry.get("summary")) or entry_id)
            continue
        if not title:  # a placeholder for an id arXiv does not have
            continue
        try:
            arxiv_id, version = parse_arxiv(entry_id)
        except ValidationError:
            raise ArxivBadResponse(
                api, f"answered with an entry whose id {entry_id!r} is not an arXiv id"
            ) from None
        category = entry.get("arxiv_primary_category") or {}
        records.append(
            ArxivRecord(
                arxiv_id=arxiv_id,
                version=version,
                title=title,
                authors=tuple(n for n in (_collapse(a.get("name")) for a in entry.get("authors", [])) if n),
                abstract=_collapse(entry.get("summary")),
                url=abs_url(arxiv_id),
                primary_category=category.get("term") or None,
                published=_date(entry.get("published")),
                updated=_date(entry.get("updated")),
                doi=_collapse(entry.get("arxiv_doi")) or None,
                journal_ref=_collapse(entry.get("arxiv_journal_ref")) or None,
                comment=_collapse(entry.get("arxiv_comment")) or None,
            )
        )
    return records, errors


# --- fetching ---------------------------------------------------------------------------


def fetch_bytes(url: str, api: str, timeout: float, variable: str = "JOURNAL_ARXIV_API") -> bytes:
    """The body arXiv answers at ``url`` (the API or the RSS feed); ``variable`` is the
    setting an error message names (the environment variable that points at ``api``).
    Unreachable, slow or refusing: an :class:`ArxivError` saying what to do."""
    import http.client
    import socket
    import urllib.error
    import urllib.request

    from journal.version import __version__

    request = urllib.request.Request(url, headers={"User-Agent": f"journal/{__version__} (reading journal)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as e:
        body = e.read() or b""
        if e.code in (429, 503) or b"Rate exceeded" in body[:200]:
            raise ArxivBadResponse(
                api, f"is busy or limiting the request rate (HTTP {e.code}); wait a minute and try again"
            ) from None
        if body.lstrip().startswith(b"<"):
            return body  # arXiv answers a rejected id with HTTP 400 and an Atom error entry
        raise ArxivBadResponse(api, f"answered HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise ArxivTimeout(api, timeout, variable) from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise ArxivUnreachable(api, text, variable) from None
    except TimeoutError:
        raise ArxivTimeout(api, timeout, variable) from None
    except (http.client.HTTPException, ConnectionError) as e:
        raise ArxivUnreachable(api, f"the connection failed: {e.__class__.__name__}", variable) from None
    except OSError as e:
        raise ArxivUnreachable(api, e.strerror or str(e), variable) from None


def _query_url(api: str, keys: Sequence[str]) -> str:
    from urllib.parse import urlencode

    query = urlencode({"id_list": ",".join(keys), "max_results": len(keys)}, safe="/,")
    return f"{api}{'&' if '?' in api else '?'}{query}"


def check_plausible(arxiv_id: str, text: str | None = None) -> None:
    """Reject new-style ids arXiv cannot have issued (month 13, ``2405.0525``), so a typo
    fails here rather than as a confusing answer from arXiv."""
    match = re.fullmatch(r"(\d\d)(\d\d)\.(\d{4,5})", arxiv_id)
    if not match:
        return
    year, month, number = int(match[1]), int(match[2]), match[3]
    if not 1 <= month <= 12 or (year, month) < (7, 4) or len(number) != (5 if year >= 15 else 4):
        raise InvalidArxivId(text if text is not None else arxiv_id)


def fetch(
    ids: Sequence[str],
    *,
    cache_dir: Path | None = None,
    api: str | None = None,
    refresh: bool = False,
    timeout: float | None = None,
    limiter: RateLimiter | None = None,
) -> list[ArxivRecord]:
    """Metadata for ``ids`` (ids or arXiv URLs, any form), one record per id, in order.

    Every id is checked first (:class:`~journal.errors.InvalidArxivId` before any
    network). Ids found in ``cache_dir`` (default ``$JOURNAL_CACHE``; ``None`` and no
    variable: no cache) cost nothing unless ``refresh``; the rest are asked for in one
    request (per 100 ids). An id arXiv does not have raises
    :class:`~journal.errors.ArxivNotFound`; no connection
    :class:`~journal.errors.ArxivUnreachable`; no answer in time
    :class:`~journal.errors.ArxivTimeout`.
    """
    if isinstance(ids, str):
        ids = [ids]
    # A request for the newest version is keyed by the bare id, one for a version by idvN.
    keys = []
    for text in ids:
        arxiv_id, version = parse_arxiv(text)
        check_plausible(arxiv_id, text)
        keys.append(f"{arxiv_id}v{version}" if version else arxiv_id)
    if cache_dir is None and os.environ.get("JOURNAL_CACHE"):
        cache_dir = Path(os.environ["JOURNAL_CACHE"])
    found: dict[str, ArxivRecord] = {}
    if not refresh:
        for key in keys:
            record = cache_get(cache_dir, key)
            if record is not None:
                found[key] = record
    missing = list(dict.fromkeys(k for k in keys if k not in found))
    if missing:
        address = api_url(api)
        limiter = limiter or shared_limiter(cache_dir)
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            limiter.wait()
            data = fetch_bytes(_query_url(address, batch), address, timeout or TIMEOUT)
            records, errors = parse_feed(data, address)
            got = _match(batch, records)
            for key, record in got.items():
                cache_put(cache_dir, key, record)
                if record.version is not None:
                    cache_put(cache_dir, f"{record.arxiv_id}v{record.version}", record)
            found.update(got)
            absent = [k for k in batch if k not in got]
            if absent:
                raise ArxivNotFound(absent, "; ".join(errors))
    return [found[k] for k in keys]


def _match(keys: Sequence[str], records: Sequence[ArxivRecord]) -> dict[str, ArxivRecord]:
    """Requested keys to the records that answer them (arXiv orders entries its own way)."""
    by_version = {f"{r.arxiv_id}v{r.version}": r for r in records if r.version is not None}
    newest: dict[str, ArxivRecord] = {}
    for r in records:
        if r.arxiv_id not in newest or (r.version or 0) > (newest[r.arxiv_id].version or 0):
            newest[r.arxiv_id] = r
    out = {}
    for key in keys:
        record = by_version.get(key) or newest.get(key)
        if record is not None:
            out[key] = record
    return out
