"""Links between entries: an entry links to another when its commentary (or links) names
the other's arXiv id or URL, or holds a ``[[wiki link]]`` to the other's note."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Entry

_ARXIV_MENTION = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|arXiv:\s?)(\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[^\s)\]>\"',]+")
_LAYOUT_HINT = re.compile(r"(?i)(?<=\.md)#md:[a-z0-9=,]*$")  # see formats/markdown_note.py
_WIKI = re.compile(r"\[\[([^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|[^\[\]]*)?\]\]")


def wiki_targets(text: str) -> list[str]:
    """Targets of ``[[...]]`` links in ``text``, as written (alias and heading dropped)."""
    return [m.group(1).strip() for m in _WIKI.finditer(text)]


def _note_key(name: str) -> str:
    name = _LAYOUT_HINT.sub("", name.strip()).rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


@dataclass
class LinkIndex:
    """Outgoing links and backlinks of every entry of a journal, by id."""

    outgoing: dict[str, list[str]]
    incoming: dict[str, list[str]]

    def links_of(self, entry_id: str) -> list[str]:
        return self.outgoing.get(entry_id, [])

    def backlinks_of(self, entry_id: str) -> list[str]:
        return self.incoming.get(entry_id, [])


def build_index(entries: Sequence[Entry]) -> LinkIndex:
    """Resolve every mention among ``entries``. Where several entries match a mention
    (the same paper read twice), the link goes to the most recent one not after the
    mentioning entry's day, else the earliest."""
    by_arxiv: dict[str, list[Entry]] = defaultdict(list)
    by_url: dict[str, list[Entry]] = defaultdict(list)
    by_note: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.arxiv_id:
            by_arxiv[e.arxiv_id.lower()].append(e)
        if e.url:
            by_url[e.url.rstrip("/")].append(e)
        if e.source:
            by_note[_note_key(e.source)].append(e)

    def pick(candidates: list[Entry], source: Entry) -> Entry | None:
        others = [c for c in candidates if c.id != source.id]
        if not others:
            return None
        before = [c for c in others if c.date <= source.date]
        return before[-1] if before else others[0]

    outgoing: dict[str, list[str]] = {}
    incoming: dict[str, list[str]] = defaultdict(list)
    for e in entries:
        text = "\n".join([e.commentary, *e.links])
        targets: list[Entry] = []
        for m in _ARXIV_MENTION.finditer(text):
            hit = pick(by_arxiv.get(m.group(1).lower(), []), e)
            if hit:
                targets.append(hit)
        for m in _URL.finditer(text):
            hit = pick(by_url.get(m.group(0).rstrip("/.").rstrip("/"), []), e)
            if hit:
                targets.append(hit)
        for name in wiki_targets(e.commentary):
            hit = pick(by_note.get(_note_key(name), []), e)
            if hit:
                targets.append(hit)
        ids: list[str] = []
        for t in targets:
            if t.id not in ids:
                ids.append(t.id)
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
