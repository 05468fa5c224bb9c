"""A day's new arXiv announcements from arXiv's RSS feed, cached beside the journal.

- One request per category to ``https://rss.arxiv.org/rss/CAT`` (or the address in
  ``JOURNAL_ARXIV_RSS``, e.g. a local stand-in), parsed with feedparser; ``new`` and
  ``cross`` announcements are kept (replacements are old papers).
- Requests share ``--arxiv`` capture's limit of one every 3 s (across processes) and its
  timeout and errors.
- Each answer is kept in ``<journal>.d/arxiv-rss/YYYY-MM-DD/CAT.xml`` (the announcement
  day it holds) and ``latest.json`` notes which day the feed held when last asked on
  which (US Eastern) day: a second triage of the same day costs no request.
- The feed holds only the latest announcement day; an earlier day that is not cached is
  an error pointing to ``--listing`` (see docs/triage.md). Weekends and holidays have no
  announcements: the error names the last announcement day.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import arxiv
from ..errors import ArxivBadResponse, ArxivError, ArxivUnreachable, ListingError, NoAnnouncements
from ..fileio import write_atomic
from ..model import parse_arxiv
from .categories import CATEGORIES, check_categories

if TYPE_CHECKING:
    import pandas as pd

    from ..store import Journal

DEFAULT_RSS = "https://rss.arxiv.org/rss/"
RSS_VARIABLE = "JOURNAL_ARXIV_RSS"
#: Categories fetched when neither --cat nor the journal's arXiv papers say.
DEFAULT_CATEGORIES = ("cs.CL", "cs.LG", "cs.AI")
#: At most this many categories are guessed from the journal.
MAX_GUESSED = 4
KEEP = ("new", "cross")
CACHE_FOLDER = "arxiv-rss"
_ABSTRACT = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*Abstract:\s*", re.S)


def rss_base() -> str:
    """The feed address: ``$JOURNAL_ARXIV_RSS``, else arXiv's own."""
    url = os.environ.get(RSS_VARIABLE) or DEFAULT_RSS
    if not url.startswith(("http://", "https://")):
        raise ArxivError(f"arXiv feed address {url!r} is not an http(s) URL; fix {RSS_VARIABLE}")
    return url if url.endswith("/") else url + "/"


def default_categories(journal: Journal) -> list[str]:
    """The primary categories of the journal's arXiv papers as ``--arxiv`` capture cached
    them (those of at least 2 papers and 5% of them, most first, up to
    :data:`MAX_GUESSED`; retired ones such as ``cmp-lg`` left out), else
    :data:`DEFAULT_CATEGORIES`."""
    # where capture keeps it: $JOURNAL_CACHE, else beside the journal
    folder = arxiv.cache_dir_for(journal.path) or journal.sidecar / arxiv.CACHE_FOLDER
    counts: Counter[str] = Counter()
    try:
        names = [n for n in os.listdir(folder) if n.endswith(".json") and not re.search(r"v\d+\.json$", n)]
    except OSError:
        names = []
    for name in names:
        try:
            record = json.loads((folder / name).read_text(encoding="utf-8"))["record"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(record, dict) and record.get("primary_category") in CATEGORIES:  # not retired ones
            counts[record["primary_category"]] += 1
    total = sum(counts.values())
    chosen = [c for c, n in counts.most_common(MAX_GUESSED) if n >= 2 and n >= 0.05 * total]
    return chosen or list(DEFAULT_CATEGORIES)


def eastern_today(now: dt.datetime | None = None) -> dt.date:
    """Today in New York, where arXiv's day turns (the feed is rebuilt at midnight)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        from zoneinfo import ZoneInfo

        return now.astimezone(ZoneInfo("America/New_York")).date()
    except (ImportError, LookupError):  # no time zone data: standard time will do for a cache key
        return (now - dt.timedelta(hours=5)).date()


def previous_weekday(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


# --- parsing ----------------------------------------------------------------------------


def _feed_day(feed: Any) -> dt.date | None:
    for source in (feed.feed, *feed.entries[:1]):
        stamp = source.get("published") or source.get("updated")
        if stamp:
            try:
                return email.utils.parsedate_to_datetime(stamp).date()  # the day in its own zone
            except (TypeError, ValueError):
                continue
    return None


def _item_id(entry: Any) -> str | None:
    for text in (entry.get("id", "").replace("oai:arXiv.org:", ""), entry.get("link", "")):
        try:
            return parse_arxiv(text)[0]
        except ValueError:  # InvalidArxivId
            continue
    return None


def parse_listing(data: bytes, category: str, source: str) -> tuple[dt.date | None, list[dict[str, Any]]]:
    """The announcement day of an arXiv RSS (or Atom) answer and its ``new`` and ``cross``
    papers as listing rows (``category`` is the list they were announced in)."""
    import feedparser

    feed = feedparser.parse(data)
    if not feed.get("version"):
        shown = data.lstrip()[:60].decode("utf-8", "replace").strip()
        raise ArxivBadResponse(
            source, f"did not answer with an RSS feed (it said {shown!r}); check {RSS_VARIABLE}"
        )
    rows = []
    for entry in feed.entries:
        kind = (entry.get("arxiv_announce_type") or "new").strip()
        if kind not in KEEP:
            continue
        arxiv_id = _item_id(entry)
        if arxiv_id is None:
            raise ArxivBadResponse(source, f"listed an item without an arXiv id ({entry.get('id')!r})")
        creators = entry.get("author") or ", ".join(a.get("name", "") for a in entry.get("authors", []))
        rows.append(
            {
                "arxiv_id": arxiv_id,
                "title": " ".join(entry.get("title", "").split()),
                "authors": [a.strip() for a in creators.split(",") if a.strip()],
                "abstract": " ".join(_ABSTRACT.sub("", entry.get("summary", "")).split()),
                "category": category,
            }
        )
    return _feed_day(feed), rows


# --- the cache ----------------------------------------------------------------------------


class FeedCache:
    """Feed answers kept beside the journal, by announcement day and category."""

    def __init__(self, journal: Journal) -> None:
        self.folder = journal.sidecar / CACHE_FOLDER

    def path(self, day: dt.date, category: str) -> Path:
        return self.folder / day.isoformat() / f"{category}.xml"

    def get(self, day: dt.date, category: str) -> bytes | None:
        try:
            return self.path(day, category).read_bytes()
        except OSError:
            return None

    def latest(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads((self.folder / "latest.json").read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def put(self, day: dt.date | None, category: str, data: bytes, asked_on: dt.date) -> None:
        """Keep an answer (of ``day``; None: an empty feed) and when it was asked for."""
        try:
            if day is not None:
                self.path(day, category).parent.mkdir(parents=True, exist_ok=True)
                write_atomic(self.path(day, category), data, durable=False)  # a cache
            self.folder.mkdir(parents=True, exist_ok=True)
            latest = self.latest()
            latest[category] = {"asked_on": asked_on.isoformat(), "day": day.isoformat() if day else ""}
            write_atomic(self.folder / "latest.json", json.dumps(latest, indent=1).encode(), durable=False)
        except OSError:
            pass  # a cache that cannot be written only costs a request next time

    def days(self) -> list[dt.date]:
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        days = []
        for name in names:
            try:
                days.append(dt.date.fromisoformat(name))
            except ValueError:
                continue
        return sorted(days)


# --- fetching ----------------------------------------------------------------------------


def _fetch(
    category: str, limiter: arxiv.RateLimiter, timeout: float
) -> tuple[dt.date | None, bytes, list[dict[str, Any]]]:
    url = rss_base() + category
    limiter.wait()
    data = arxiv.fetch_bytes(url, url, timeout, RSS_VARIABLE)
    day, rows = parse_listing(data, category, url)
    return day, data, rows


def _last_day(journal: Journal, cache: FeedCache, before: dt.date) -> str:
    from .listings import recorded_days

    known = [d for d in (*recorded_days(journal), *cache.days()) if d < before]
    return (max(known) if known else previous_weekday(before)).isoformat()


def fetch_listing(
    journal: Journal,
    categories: list[str],
    *,
    day: dt.date | None = None,
    timeout: float | None = None,
    limiter: arxiv.RateLimiter | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """The ``new`` and ``cross`` papers of ``day`` (default: the latest announcement day) in
    ``categories``: the store's listing columns, one row per paper (the first category
    that lists it). Cached answers cost no request.

    Raises :class:`~journal.errors.NoAnnouncements` for a day without announcements,
    :class:`~journal.errors.ListingError` for an earlier day that is not cached, and
    :class:`~journal.errors.ArxivUnreachable` when arXiv cannot be reached and nothing is
    cached (for the latest day, the latest cached day stands in, said in
    ``frame.attrs["note"]``).
    """
    import pandas as pd

    categories = check_categories(categories)
    today = today or eastern_today()
    cache = FeedCache(journal)
    if day is not None and day > today:
        raise ListingError(day.isoformat(), f"is in the future (today is {today} in New York)")
    if day is None:  # the latest: what the feed held when last asked today, if asked today
        latest = cache.latest()
        days = {
            latest.get(c, {}).get("day")
            for c in categories
            if latest.get(c, {}).get("asked_on") == today.isoformat()
        }
        if len(days) == 1 and (noted := next(iter(days))):
            day = dt.date.fromisoformat(noted)
        elif days == {""} and all(latest.get(c, {}).get("asked_on") == today.isoformat() for c in categories):
            raise NoAnnouncements(
                today.isoformat(),
                _last_day(journal, cache, today + dt.timedelta(days=1)),
                "its feeds were empty when asked today: a weekend or a holiday",
            )
    if day is not None and day.weekday() >= 5 and not any(cache.get(day, c) for c in categories):
        raise NoAnnouncements(
            day.isoformat(), _last_day(journal, cache, day), "arXiv announces nothing on weekends"
        )
    rows: list[dict[str, Any]] = []
    feed_days: set[dt.date] = set()
    limiter = limiter or arxiv.shared_limiter(arxiv.cache_dir_for(journal.path))
    latest_asked = day is None
    note = ""
    for category in categories:
        data = cache.get(day, category) if day is not None else None
        if data is not None:
            rows += parse_listing(data, category, str(cache.path(day, category)))[1]  # type: ignore[arg-type]
            continue
        try:
            got, data, found = _fetch(category, limiter, timeout or arxiv.TIMEOUT)
        except ArxivUnreachable as error:
            cached = [d for d in reversed(cache.days()) if all(cache.get(d, c) for c in categories)]
            if not latest_asked or not cached:
                raise
            day, feed_days = cached[0], set()
            rows = [r for c in categories for r in parse_listing(cache.get(day, c) or b"", c, "cache")[1]]
            note = f"{error}; showing {day}, the latest day cached"
            break
        got = got or today  # a feed without a date: today's
        cache.put(got if found else None, category, data, today)
        if not found:
            continue
        feed_days.add(got)
        if day is not None and got != day:
            continue
        rows += found
    if day is None:
        if len(feed_days) > 1:
            shown = ", ".join(sorted(d.isoformat() for d in feed_days))
            raise ArxivBadResponse(
                rss_base(), f"feeds hold different days ({shown}); try again in a few minutes"
            )
        if not feed_days:
            raise NoAnnouncements(
                today.isoformat(),
                _last_day(journal, cache, today + dt.timedelta(days=1)),
                "its feeds are empty: a weekend or a holiday",
            )
        day = feed_days.pop()
    if not rows:
        newest = max(feed_days) if feed_days else None
        if newest is not None and newest > day:
            raise ListingError(
                day.isoformat(),
                f"arXiv's feed holds only the latest announcement day ({newest}) and {day} is not "
                "cached; for an earlier day rank a listing file: journal triage --listing FILE "
                "(see docs/triage.md)",
            )
        last = newest.isoformat() if newest is not None else _last_day(journal, cache, day)
        raise NoAnnouncements(day.isoformat(), last, "a holiday, or not announced yet")
    frame = pd.DataFrame(rows).drop_duplicates("arxiv_id", keep="first").reset_index(drop=True)
    frame.insert(0, "date", day)
    frame.attrs["note"] = note
    return frame
