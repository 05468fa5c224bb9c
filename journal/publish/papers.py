"""A day's entries as papers: the entries several readers wrote of one paper on one day
are shown once, the paper with each reader's commentary under their name (the daily page
and the static site's day page). A journal of one reader has a paper per entry, shown
as it always was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from journal.model import Entry, tag_key, title_key


@dataclass(frozen=True)
class Paper:
    """One paper of a day: ``entry`` (the first entry of it, with the links and tags of
    all of them) and ``readers``, the entries of it by reader when several readers wrote
    one (empty for a paper of one entry: shown as the entry)."""

    entry: Entry
    readers: tuple[Entry, ...] = ()


def _key(entry: Entry) -> str | None:
    """What makes two entries one paper: the arXiv id (any version), else the URL, else
    the title as the entry's id is made from it (:func:`journal.model.title_key`)."""
    if entry.arxiv_id:
        return "arxiv:" + entry.arxiv_id
    if entry.url:
        return "url:" + entry.url
    return "title:" + title_key(entry.title) if entry.title.strip() else None


def papers(entries: Sequence[Entry]) -> list[Paper]:
    """``entries`` (one day's, in journal order) as papers, in order of each paper's first
    entry. Entries of one paper join when each names a different reader; any other entry
    (an entry from before readers, a second entry of one reader) is a paper of its own."""
    groups: list[list[Entry]] = []
    where: dict[str, int] = {}
    for e in entries:
        key = _key(e)
        group = groups[where[key]] if key in where else None
        if (
            group is not None
            and e.reader is not None
            and all(g.reader not in (None, e.reader) for g in group)
        ):
            group.append(e)
            continue
        if key is not None and key not in where:
            where[key] = len(groups)
        groups.append([e])
    return [_paper(g) for g in groups]


def _paper(group: list[Entry]) -> Paper:
    first = group[0]
    if len(group) == 1:
        return Paper(first)
    links = tuple(dict.fromkeys(u for e in group for u in e.links))
    tags: dict[str, str] = {}
    for e in group:
        for t in e.tags:
            tags.setdefault(tag_key(t), t)
    abstract = next((e.abstract for e in group if e.abstract.strip()), first.abstract)
    authors = next((e.authors for e in group if e.authors), first.authors)
    merged = first.replace(links=links, tags=tuple(tags.values()), abstract=abstract, authors=authors)
    return Paper(merged, tuple(group))


@dataclass(frozen=True)
class ReaderNote:
    """One reader's commentary on a paper of the day, as the site's article shows it:
    ``name``, ``anchor`` (the entry's id, the target of links to it; None for the entry
    the article itself is anchored at), ``paragraphs`` and where its ``wiki`` links lead."""

    name: str
    anchor: str | None
    paragraphs: tuple[str, ...]
    wiki: dict[str, str]


def reader_note(entry: Entry, paper: Entry, wiki: dict[str, str]) -> ReaderNote:
    """``entry``'s part of the article of ``paper`` (its first entry, merged)."""
    anchor = None if entry.id == paper.id else entry.id
    return ReaderNote(entry.reader or "", anchor, tuple(entry.paragraphs), wiki)
