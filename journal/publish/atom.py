"""An Atom feed of the daily pages: one item per day, newest first.

``journal export html DIR`` writes ``DIR/feed.xml`` for the journal's most recent days;
``journal render DATE --to DIR`` adds (or replaces) the rendered days in ``DIR/feed.xml``,
keeping the other days already there. An item is a day: its title is the date line of
the digest (``2024년 5월 9일``), its link the day's page (``YYYY-MM-DD.html``), its
summary the day's entries as HTML.

Feed readers must never show a day twice and must only show it again when it changed, so
an item's id depends on the day alone (``urn:journal:day:YYYY-MM-DD``: the same whatever
the base URL or the machine) and its ``updated`` is the latest ``updated_at`` of the day's
entries (or, when the day's text changed without a newer edit, the time of writing). Links are absolute with a base URL (``--base-url``), else relative to the feed
(Atom allows relative references; readers resolve them against the feed's address).

The XML is written by feedgen (imported lazily) and read back with feedparser.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from journal.errors import ExportFailed, ValidationError
from journal.model import EPOCH_UTC, Entry
from journal.publish.htmllinks import day_file, escape, lines_html, link
from journal.text.rules import for_xml

FEED = "feed.xml"
#: How many days (those with entries, newest first) a feed holds by default.
DEFAULT_DAYS = 30
_ID_PREFIX = "urn:journal:day:"
_DAY_IN_ID = re.compile(re.escape(_ID_PREFIX) + r"(\d{4}-\d{2}-\d{2})$")
_TITLES = {"ko": "읽기 일지", "en": "Reading journal"}


@dataclass(frozen=True)
class FeedItem:
    """One day of the feed."""

    day: dt.date
    title: str
    summary: str  # HTML (escaped in the XML)
    updated: dt.datetime

    @property
    def id(self) -> str:
        return f"{_ID_PREFIX}{self.day.isoformat()}"


def check_base_url(base_url: str | None) -> str | None:
    """``base_url`` ending in ``/`` (``None`` stays ``None``); only absolute http(s) URLs."""
    if base_url is None:
        return None
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValidationError(
            "base-url",
            f"{base_url!r} is not a site address; give an absolute http(s) URL such as https://example.org/journal/",
        )
    url = parts.geturl()
    return url if url.endswith("/") else url + "/"


def check_days(days: int | None) -> int:
    if days is None:
        return DEFAULT_DAYS
    if days < 1:
        raise ValidationError("feed-days", f"{days} is not a number of days; give 1 or more")
    return days


def feed_summary(entries: Sequence[Entry], lang: str = "ko") -> str:
    """A day's entries as HTML for a feed item: title (linked), authors, commentary, tags;
    only absolute links, since a feed reader shows it away from the site."""
    parts = []
    for entry in entries:
        parts.append(f"<h3>{link(entry.paper_url, entry.title)}</h3>")
        if entry.authors:
            parts.append(f"<p><i>{escape(', '.join(entry.authors))}</i></p>")
        for paragraph in entry.paragraphs:
            parts.append(f"<p>{lines_html(paragraph)}</p>")
        if entry.tags:
            parts.append("<p>" + " ".join(f"#{escape(t)}" for t in entry.tags) + "</p>")
    return "\n".join(parts)


def day_item(day: dt.date, entries: Sequence[Entry], lang: str = "ko") -> FeedItem:
    """The feed item of one day with its entries."""
    from journal.formats.digest import date_line

    stamps = [e.updated_at or e.created_at for e in entries]
    known = [s for s in stamps if s is not None]
    updated = max(known) if known else dt.datetime.combine(day, dt.time(), dt.timezone.utc)
    # an old journal may hold control characters, which XML cannot: they are left out
    return FeedItem(day, date_line(day, lang), for_xml(feed_summary(entries, lang)), updated)


def items_of(entries: Iterable[Entry], lang: str = "ko", days: int | None = None) -> list[FeedItem]:
    """Items of the ``days`` most recent days that have entries (default 30), newest first."""
    by_day: dict[dt.date, list[Entry]] = {}
    for e in entries:
        by_day.setdefault(e.date, []).append(e)
    newest = sorted(by_day, reverse=True)[: check_days(days)]
    return [day_item(day, by_day[day], lang) for day in newest]


def read_items(path: Path) -> list[FeedItem]:
    """The items of a feed written by :func:`write_feed` (other items are ignored; a
    missing or unreadable file has none)."""
    if not path.is_file():
        return []  # a first export: no feedparser import (80 ms)
    import feedparser

    parsed = feedparser.parse(str(path), sanitize_html=False, resolve_relative_uris=False)
    items = []
    for e in parsed.entries:
        m = _DAY_IN_ID.match(e.get("id", ""))
        if not m or not e.get("updated"):
            continue
        try:
            updated = dt.datetime.fromisoformat(e.updated)
        except ValueError:
            continue
        summary = e.get("summary_detail", {}).get("value", e.get("summary", ""))
        items.append(FeedItem(dt.date.fromisoformat(m.group(1)), e.get("title", ""), summary, updated))
    return items


def merge(
    old: Iterable[FeedItem], new: Iterable[FeedItem], replaced: Iterable[dt.date] = ()
) -> list[FeedItem]:
    """``old`` items with the days of ``new`` (and the ``replaced`` days) replaced by ``new``."""
    drop = {i.day for i in new} | set(replaced)
    return [i for i in old if i.day not in drop] + list(new)


def feed_xml(items: Sequence[FeedItem], lang: str = "ko", base_url: str | None = None) -> bytes:
    """The Atom document of ``items`` (in the given order)."""
    from feedgen.feed import FeedGenerator

    base = check_base_url(base_url)
    fg = FeedGenerator()
    fg.id(base or "urn:journal:feed")
    fg.title(_TITLES.get(lang, _TITLES["en"]))
    fg.language(lang)
    fg.generator("journal")
    if base:
        fg.link(href=base, rel="alternate")
        fg.link(href=base + FEED, rel="self")
    # stable: the newest change of any day, never the time of writing
    fg.updated(max((i.updated for i in items), default=EPOCH_UTC))
    for item in items:
        fe = fg.add_entry(order="append")
        fe.id(item.id)
        fe.title(for_xml(item.title))
        fe.link(href=(base or "") + day_file(item.day), rel="alternate")
        fe.summary(for_xml(item.summary), type="html")
        fe.updated(item.updated)
    try:
        return bytes(fg.atom_str(pretty=True))
    except ValueError as e:  # lxml refusing a string: not expected once for_xml has run
        raise ExportFailed(FEED, f"cannot be made ({e}); nothing was written") from None


def feed_bytes(
    folder: Path,
    items: Sequence[FeedItem],
    lang: str = "ko",
    base_url: str | None = None,
    days: int | None = None,
    previous: Sequence[FeedItem] | None = None,
) -> bytes:
    """What :func:`write_feed` writes, without writing it (an export that writes several
    files makes them all first: see :func:`journal.fileio.write_all`)."""
    path = Path(folder) / FEED
    before = {i.day: i for i in (read_items(path) if previous is None else previous)}
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    newest = [
        _carry(i, before.get(i.day), now)
        for i in sorted(items, key=lambda i: i.day, reverse=True)[: check_days(days)]
    ]
    return feed_xml(newest, lang, base_url)


def write_feed(
    folder: Path,
    items: Sequence[FeedItem],
    lang: str = "ko",
    base_url: str | None = None,
    days: int | None = None,
    previous: Sequence[FeedItem] | None = None,
) -> Path:
    """Write ``folder/feed.xml`` with the ``days`` newest of ``items`` (default 30).

    ``previous`` (default: what ``feed.xml`` holds now) keeps ``updated`` honest where the
    latest ``updated_at`` cannot: a day whose text changed without a newer edit (an entry
    of it deleted) gets the time of writing, and keeps it while the day stays the same."""
    from journal.fileio import write_atomic

    path = Path(folder) / FEED
    data = feed_bytes(folder, items, lang, base_url, days, previous)
    try:
        write_atomic(path, data, durable=False)  # rebuilt by every export
    except OSError as e:
        raise ExportFailed(path, f"cannot be written ({e.strerror or e})") from None
    return path


_SECOND = dt.timedelta(seconds=1)


def _carry(item: FeedItem, old: FeedItem | None, now: dt.datetime) -> FeedItem:
    if old is None:
        return item
    if (old.title, old.summary) == (item.title, item.summary):
        return replace(item, updated=max(item.updated, old.updated))
    return item if item.updated > old.updated else replace(item, updated=max(now, old.updated + _SECOND))


def days_feed(
    folder: Path,
    entries: Sequence[Entry],
    days: Sequence[dt.date],
    lang: str = "ko",
    base_url: str | None = None,
    feed_days: int | None = None,
) -> bytes:
    """``folder/feed.xml`` with ``days`` (and their ``entries``) put in, the other days
    already there kept, a day without entries left out; not written (see :func:`add_days`)."""
    wanted = set(days)
    by_day: dict[dt.date, list[Entry]] = {}
    for e in entries:
        if e.date in wanted:
            by_day.setdefault(e.date, []).append(e)
    new = [day_item(day, by_day[day], lang) for day in sorted(by_day)]
    old = read_items(Path(folder) / FEED)
    return feed_bytes(folder, merge(old, new, wanted), lang, base_url, feed_days, previous=old)


def add_days(
    folder: Path,
    entries: Sequence[Entry],
    days: Sequence[dt.date],
    lang: str = "ko",
    base_url: str | None = None,
    feed_days: int | None = None,
) -> Path:
    """Put ``days`` (with their ``entries``) into ``folder/feed.xml``, keeping the other
    days already there; a day without entries leaves the feed."""
    from journal.fileio import write_atomic

    path = Path(folder) / FEED
    data = days_feed(folder, entries, days, lang, base_url, feed_days)
    try:
        write_atomic(path, data, durable=False)
    except OSError as e:
        raise ExportFailed(path, f"cannot be written ({e.strerror or e})") from None
    return path
