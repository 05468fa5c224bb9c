"""Links between entries: an entry links to another when its commentary (or links) names
the other's arXiv id (``arXiv:2405.05254``, an arXiv URL, or a bare ``2405.05254``) or
URL, or holds a ``[[wiki link]]`` to the other's note (its file name, or failing that its
title, with or without the ``YYMMDD`` date prefix of note names).

``build_index(entries)`` resolves every mention among a list of entries;
``entry_links(journal, entry)`` gives one entry's links and backlinks in a big journal
without building Entry objects for all of it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journal.model import Entry

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from journal.store import Journal

_ARXIV_MENTION = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|arXiv:\s?)(\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?",
    re.IGNORECASE,
)
# a new-style id on its own (YYMM.NNNNN): not inside a number, a path or another URL
_BARE_ARXIV = re.compile(r"(?<![\w./-])(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v\d+)?(?!\d)(?!\.\d)")
_URL = re.compile(r"https?://[^\s)\]>\"',]+")
#: ``[[target#heading|alias]]``: group 1 the target, group 2 the alias
WIKI_LINK = re.compile(r"\[\[([^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|([^\[\]]*))?\]\]")
_DATED = re.compile(r"(\d{6})\s+(.+)")
#: Journals up to this size are indexed whole by ``entry_links``.
SMALL = 3_000


def wiki_targets(text: str) -> list[str]:
    """Targets of ``[[...]]`` links in ``text``, as written (alias and heading dropped)."""
    return [m.group(1).strip() for m in WIKI_LINK.finditer(text)]


def arxiv_mentions(text: str) -> list[str]:
    """arXiv ids named in ``text`` (lower case, no version), in order of appearance."""
    found = [(m.start(), m.group(1).lower()) for m in _ARXIV_MENTION.finditer(text)]
    found += [(m.start(), m.group(1)) for m in _BARE_ARXIV.finditer(text)]
    return list(dict.fromkeys(i for _, i in sorted(found)))


def url_mentions(text: str) -> list[str]:
    return list(dict.fromkeys(_url_key(m.group(0).rstrip("/.")) for m in _URL.finditer(text)))


def _url_key(url: str) -> str:
    return url.rstrip("/")


def _note_key(name: str) -> str:
    name = name.strip().rsplit("/", 1)[-1]  # a schema-1 layout hint left `source` on reading
    return name[:-3] if name.lower().endswith(".md") else name


def _title_key(text: str) -> str:
    # file names drop or replace characters such as ? : / so compare letters and digits only
    return re.sub(r"\W+", "", text.casefold())


def _mention_text(entry: Entry) -> str:
    return "\n".join([entry.commentary, *entry.links])


@dataclass
class LinkIndex:
    """Outgoing links and backlinks of every entry of a journal, by id."""

    outgoing: dict[str, list[str]]
    incoming: dict[str, list[str]]

    def links_of(self, entry_id: str) -> list[str]:
        return self.outgoing.get(entry_id, [])

    def backlinks_of(self, entry_id: str) -> list[str]:
        return self.incoming.get(entry_id, [])


def wiki_label(m: re.Match[str]) -> str:
    """What a wiki link shows: its alias, else its target without ``.md``."""
    alias = (m.group(2) or "").strip()
    target = m.group(1).strip()
    return alias or (target[:-3] if target.lower().endswith(".md") else target)


class Resolver:
    """The entry a mention names, among a list of entries (in journal order). Where
    several entries match (the same paper read twice), the most recent one not after
    the mentioning entry's day wins, else the earliest; a wiki link ``[[YYMMDD Title]]``
    prefers the entry of that day."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.by_arxiv: dict[str, list[Entry]] = defaultdict(list)
        self.by_url: dict[str, list[Entry]] = defaultdict(list)
        self.by_note: dict[str, list[Entry]] = defaultdict(list)
        self.by_title: dict[str, list[Entry]] = defaultdict(list)
        for e in entries:
            if e.arxiv_id:
                self.by_arxiv[e.arxiv_id.lower()].append(e)
            if e.url:
                self.by_url[_url_key(e.url)].append(e)
            if e.source:
                self.by_note[_note_key(e.source)].append(e)
            key = _title_key(e.title)
            if key:
                self.by_title[key].append(e)

    @staticmethod
    def pick(candidates: list[Entry], source: Entry) -> Entry | None:
        others = [c for c in candidates if c.id != source.id]
        if not others:
            return None
        before = [c for c in others if c.date <= source.date]
        return before[-1] if before else others[0]

    def wiki(self, name: str, source: Entry) -> Entry | None:
        """The entry that ``[[name]]`` in ``source`` links to."""
        key = _note_key(name)
        hit = self.pick(self.by_note.get(key, []), source)
        if hit:
            return hit
        dated = _DATED.fullmatch(key)
        if dated:
            candidates = self.by_title.get(_title_key(dated.group(2)), [])
            same_day = [c for c in candidates if c.date.strftime("%y%m%d") == dated.group(1)]
            hit = self.pick(same_day, source) or self.pick(candidates, source)
            if hit:
                return hit
        return self.pick(self.by_title.get(_title_key(key), []), source) if _title_key(key) else None

    def wiki_links(self, entry: Entry) -> dict[str, Entry]:
        """The wiki links of ``entry``'s commentary that name an entry: target as
        written (``WIKI_LINK`` group 1, stripped) -> that entry."""
        found = {}
        for name in dict.fromkeys(wiki_targets(entry.commentary)):
            hit = self.wiki(name, entry)
            if hit is not None:
                found[name] = hit
        return found

    def mentions(self, entry: Entry) -> list[Entry]:
        """Every entry ``entry`` mentions (arXiv ids, URLs, wiki links), in order, once."""
        text = _mention_text(entry)
        targets: list[Entry | None] = []
        targets += [self.pick(self.by_arxiv.get(i, []), entry) for i in arxiv_mentions(text)]
        targets += [self.pick(self.by_url.get(u, []), entry) for u in url_mentions(text)]
        targets += [self.wiki(name, entry) for name in wiki_targets(entry.commentary)]
        return list({t.id: t for t in targets if t is not None}.values())


def build_index(entries: Sequence[Entry], resolver: Resolver | None = None) -> LinkIndex:
    """Resolve every mention among ``entries`` (in journal order; see :class:`Resolver`,
    which may be given when it was built over the same entries)."""
    resolver = resolver or Resolver(entries)
    outgoing: dict[str, list[str]] = {}
    incoming: dict[str, list[str]] = defaultdict(list)
    for e in entries:
        ids = [t.id for t in resolver.mentions(e)]
        if ids:
            outgoing[e.id] = ids
            for target_id in ids:
                incoming[target_id].append(e.id)
    return LinkIndex(outgoing, dict(incoming))


def outgoing(entry: Entry, entries: Sequence[Entry]) -> list[Entry]:
    """Entries that ``entry`` links to."""
    index = build_index(entries)
    by_id = {e.id: e for e in entries}
    return [by_id[i] for i in index.links_of(entry.id)]


def backlinks(entry: Entry, entries: Sequence[Entry]) -> list[Entry]:
    """Entries that link to ``entry``."""
    index = build_index(entries)
    by_id = {e.id: e for e in entries}
    return [by_id[i] for i in index.backlinks_of(entry.id)]


def entry_links(journal: Journal, entry: Entry | str) -> tuple[list[Entry], list[Entry]]:
    """``(links, backlinks)`` of one entry (an Entry or an id), exactly as
    :func:`build_index` over the whole journal gives them. A big journal is not read into
    Entry objects: only the entries that can take part are (those whose text could
    mention this one, and every entry that a mention by these could resolve to)."""
    from journal.store.schema import entries_from_table

    if isinstance(entry, str):
        entry = journal.get(entry)
    table = journal.to_arrow()
    if table.num_rows > SMALL:
        table = _take(table, _relevant_rows(table, entry))
    entries = entries_from_table(table)
    index = build_index(entries)
    by_id = {e.id: e for e in entries}
    return [by_id[i] for i in index.links_of(entry.id)], [by_id[i] for i in index.backlinks_of(entry.id)]


def _take(table: pa.Table, rows: np.ndarray) -> pa.Table:
    from journal.search import textindex as ti
    from journal.store import kernels as pc

    return pc.take(table, ti.indices(rows))


def _relevant_rows(table: pa.Table, entry: Entry) -> np.ndarray:
    import numpy as np

    from journal.search import textindex as ti
    from journal.store import kernels as pc
    from journal.store.schema import entries_from_table

    n = table.num_rows
    # entries whose commentary or links could mention this one (substrings: a superset)
    links = pc.binary_join(table["links"], ti.repeat_string("\n", n))
    text = pc.binary_join_element_wise(
        table["commentary"], links, ti.repeat_string("\n", n), null_handling="replace", null_replacement=""
    )
    probes = [p for p in (entry.arxiv_id, entry.url and _url_key(entry.url)) if p] + ["[["]
    mentioning = ti.distinct(
        np.concatenate(
            [ti.true_positions(pc.match_substring(text, pattern=p, ignore_case=True)) for p in probes]
        )
    )
    mentioners = entries_from_table(_take(table, mentioning)) if len(mentioning) else []

    # every key under which this entry's mentions and theirs are resolved, and its own keys
    arxiv_ids: set[str] = {entry.arxiv_id.lower()} if entry.arxiv_id else set()
    urls: set[str] = {_url_key(entry.url)} if entry.url else set()
    notes: set[str] = {_note_key(entry.source)} if entry.source else set()
    titles: set[str] = {_title_key(entry.title)}
    for e in [entry, *mentioners]:
        text_e = _mention_text(e)
        arxiv_ids.update(arxiv_mentions(text_e))
        urls.update(url_mentions(text_e))
        for name in wiki_targets(e.commentary):
            key = _note_key(name)
            notes.add(key)
            titles.add(_title_key(key))
            dated = _DATED.fullmatch(key)
            if dated:
                titles.add(_title_key(dated.group(2)))
    titles.discard("")
    if not notes - ({_note_key(entry.source)} if entry.source else set()):
        titles = set()  # no wiki link among them: titles are never looked up

    arxiv_column, url_column = ti.strings(table["arxiv_id"]), ti.strings(table["url"])
    source_column = ti.strings(table["source"])
    title_column = ti.strings(table["title"]) if titles else [""] * n
    wanted = [
        row
        for row in range(n)
        if arxiv_column[row].lower() in arxiv_ids
        or (url_column[row] and _url_key(url_column[row]) in urls)
        or (source_column[row] and _note_key(source_column[row]) in notes)
        or (titles and _title_key(title_column[row]) in titles)
    ]
    return ti.distinct(np.concatenate([mentioning, np.asarray(wanted, dtype=np.int64)]))
