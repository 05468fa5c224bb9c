"""Capturing a paper: arXiv metadata as entry fields, and "have I read this before?".

Used by ``journal add --arxiv`` and by the capture form::

    fields = fetch_fields("https://arxiv.org/pdf/2405.05254v2", "entries.parquet")
    entry = make_entry(**fields, commentary="...", tags="efficiency")
    same = find_same_paper(journal, entry)   # an earlier entry of this paper, or None
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from journal.model import Entry, make_id, parse_arxiv

if TYPE_CHECKING:
    from journal.store import Journal


def fetch_fields(
    id_or_url: str,
    journal_path: str | os.PathLike[str] | None = None,
    *,
    api: str | None = None,
    cache_dir: Path | None = None,
    refresh: bool = False,
) -> dict[str, Any]:
    """arXiv metadata as entry fields: ``title``, ``authors`` (a list), ``abstract``,
    ``url`` (the abstract page, no version), ``arxiv_id`` and ``arxiv_version``.

    ``arxiv_version`` is the version named in ``id_or_url``, else the newest version at
    the time of fetching (the one the reader saw). The metadata is cached beside
    ``journal_path`` (see :mod:`journal.capture.arxiv`), so asking twice costs one request.
    Raises :class:`~journal.errors.InvalidArxivId` for a malformed id (before any network)
    and :class:`~journal.errors.ArxivError` subclasses when arXiv cannot answer.
    """
    from journal.capture.arxiv import cache_dir_for, fetch

    folder = cache_dir if cache_dir is not None else cache_dir_for(journal_path)
    (record,) = fetch([id_or_url], cache_dir=folder, api=api, refresh=refresh)
    fields = record.entry_fields()
    _, version = parse_arxiv(id_or_url)
    if version is not None:
        fields["arxiv_version"] = version
    return fields


def fill_from_arxiv(
    id_or_url: str,
    fields: dict[str, Any],
    journal_path: str | os.PathLike[str] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """``fields`` completed from arXiv; what the user gave explicitly wins.

    A user's own ``url`` (say a blog post about the paper) keeps the arXiv page as an
    extra link, so nothing fetched is dropped silently.
    """
    fetched = fetch_fields(id_or_url, journal_path, **options)
    merged = dict(fetched)
    for name, value in fields.items():
        if value is not None and value != "":
            merged[name] = value
    if merged.get("url") != fetched["url"]:
        links = list(merged.get("links") or [])
        if fetched["url"] not in links:
            merged["links"] = [*links, fetched["url"]]
    return merged


def _url_variants(url: str) -> list[str]:
    """The spellings of one link that should count as the same (scheme, final slash)."""
    url = url.strip()
    rest = url.split("://", 1)[1] if "://" in url else url
    bare = rest.rstrip("/")
    return [f"{scheme}://{body}" for scheme in ("https", "http") for body in (bare, bare + "/")]


class PaperRef(NamedTuple):
    """Enough of an entry to point at it: ``journal show ID``."""

    id: str
    date: dt.date
    title: str


def same_paper(journal: Journal, entry: Entry) -> PaperRef | None:
    """The most recent entry about the same paper as ``entry`` (see :func:`find_same_paper`),
    found by reading two or three columns rather than the whole journal, so ``journal add``
    stays fast on a large journal."""
    if entry.arxiv_id:
        found = _matches(journal, "arxiv_id", [entry.arxiv_id])
        if found:
            return found
    if entry.url:
        return _matches(journal, "url", _url_variants(entry.url))
    return None


def known_arxiv_paper(journal: Journal, id_or_url: str) -> PaperRef | None:
    """The most recent entry of the arXiv paper ``id_or_url`` names (any version, any
    form of id or URL), from the journal alone: ``journal add --arxiv`` refuses a paper
    already read before asking arXiv anything (so offline too). Raises
    :class:`~journal.errors.InvalidArxivId` for a malformed id."""
    arxiv_id, _ = parse_arxiv(id_or_url)
    return _matches(journal, "arxiv_id", [arxiv_id])


def find_same_paper(journal: Journal, entry: Entry) -> Entry | None:
    """An entry of the journal about the same paper as ``entry``, or None.

    Same paper means the same arXiv id (any version), else the same URL (ignoring
    http/https and a final slash). Of several, the most recent one (by journal day).
    Titles are not compared here: ``journal check`` lists near-duplicate titles.
    """
    ref = same_paper(journal, entry)
    return journal.get(ref.id) if ref is not None else None


def _matches(journal: Journal, column: str, wanted: list[str]) -> PaperRef | None:
    found = journal.lookup(column, wanted)
    if found:  # the current reader's entries and those from before readers; not another's
        from journal.store import current_reader

        reader = current_reader()
        entries = journal.get_many(ref[0] for ref in found)
        found = [ref for ref in found if entries[ref[0]].reader in (None, reader)]
    # the latest day; on one day, the last added
    return PaperRef(*found[-1]) if found else None


def with_fresh_id(journal: Journal, entry: Entry) -> Entry:
    """``entry`` itself if its id is free, else a copy with a new stable id.

    For ``journal add --again`` on the same day as an earlier entry of the paper: ids come
    from arXiv id + date, so the second reading needs its own (``<id>#2``, ``#3``, ...).
    """
    if entry.id not in journal:
        return entry
    n = 2
    while True:
        candidate = make_id(entry.date, source_key=f"{entry.id}#{n}")
        if candidate not in journal:
            return entry.replace(id=candidate)
        n += 1
