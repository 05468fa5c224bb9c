"""Summaries of a journal as data: ``journal stats`` (per month, top tags and authors) and
one day as the daily notebook shows it (:func:`day_summary`, :class:`DaySummary`), so that
the notebook is a thin call and the same summary is available in-process, without a kernel.
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from journal.model import Entry, tag_key
from journal.publish.mdtext import autolink, code_span, escape, fenced, link, paragraphs
from journal.text.termtable import table
from journal.text.wording import entries_count


def per_month(entries: Sequence[Entry]) -> list[tuple[str, int]]:
    counts = Counter(e.date.strftime("%Y-%m") for e in entries)
    return sorted(counts.items())


def top_tags(entries: Sequence[Entry], n: int = 10) -> list[tuple[str, int]]:
    """The most used tags, spellings of one tag (:func:`~journal.model.tag_key`) counted
    together under the most used spelling."""
    tags: list[str] = []
    for e in entries:
        once: dict[str, str] = {}  # an entry holding two spellings of a tag counts once
        for t in e.tags:
            once.setdefault(tag_key(t), t)
        tags.extend(once.values())
    return _by_tag_key(tags).most_common(n)


def _by_tag_key(tags: Sequence[str]) -> Counter[str]:
    """Counts of ``tags`` by the one rule of tag matching, each under its most used
    spelling (the first seen of equally used ones)."""
    spellings: dict[str, Counter[str]] = {}
    for t in tags:
        spellings.setdefault(tag_key(t), Counter())[t] += 1
    return Counter({c.most_common(1)[0][0]: c.total() for c in spellings.values()})


def top_authors(entries: Sequence[Entry], n: int = 10) -> list[tuple[str, int]]:
    return Counter(a for e in entries for a in e.authors).most_common(n)


def stats_text(entries: Sequence[Entry]) -> str:
    if not entries:
        return "no entries"
    first, last = entries[0].date, entries[-1].date
    with_commentary = sum(1 for e in entries if e.commentary)
    parts = [
        f"{entries_count(len(entries))} from {first} to {last}; {with_commentary} with commentary",
        "",
        table(["month", "entries"], [[m, str(c)] for m, c in per_month(entries)], flex=0),
        "",
        table(["tag", "entries"], [["#" + t, str(c)] for t, c in top_tags(entries)] or [["-", "0"]], flex=0),
        "",
        table(["author", "entries"], [[a, str(c)] for a, c in top_authors(entries)] or [["-", "0"]], flex=0),
    ]
    return "\n".join(parts)


# --- one day (the daily notebook and `journal render`) -----------------------------------

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "entries": "{n} entries",
        "entry": "1 entry",
        "none": "No entries on this day.",
        "abstract": "Abstract",
        "links": "Links",
        "related": "Earlier entries",
        "linked": "linked from ",
        "shares": "shares ",
        "digest": "Digest",
    },
    "ko": {
        "entries": "항목 {n}개",
        "entry": "항목 1개",
        "none": "이 날에는 항목이 없습니다.",
        "abstract": "초록",
        "links": "링크",
        "related": "관련된 이전 항목",
        "linked": "링크한 항목: ",
        "shares": "같은 태그: ",
        "digest": "다이제스트",
    },
}


@dataclass(frozen=True)
class Related:
    """An earlier entry that one of the day's entries links to, or that shares its tags."""

    entry: Entry
    linked_from: tuple[Entry, ...] = ()
    shared_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class DaySummary:
    """What the daily notebook shows for one day, as data (``to_markdown()`` renders it)."""

    date: dt.date
    entries: tuple[Entry, ...]
    tags: tuple[tuple[str, int], ...]
    related: tuple[Related, ...]
    digest: str
    lang: str = "ko"
    #: ``(entry id, wiki link target as written, where it leads)`` for the wiki links of
    #: the day's commentary that name an entry of the journal (the others stay text)
    wiki_links: tuple[tuple[str, str, str], ...] = ()

    def to_markdown(self) -> str:
        """The day as markdown (no final newline): the text of ``DIR/YYYY-MM-DD.md``."""
        return render_day_markdown(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


class _Rows:
    """The journal's entries up to the last day of a summary, read for speed: full
    entries for the days summarised (and, on demand, the related ones), light ones
    (id, date, title, url, arXiv id, tags, source: what links and tags need) for the
    rest. Converting abstracts and commentary of every row costs ~20 ms per 1,000 rows;
    this runs in the daily notebook's kernel, where start-up time counts."""

    def __init__(self, journal: Any, first: dt.date, last: dt.date) -> None:
        if isinstance(journal, Sequence) and not isinstance(journal, (str, bytes)):
            self.table = None
            self.entries = [e for e in journal if e.date <= last]
            self.full = {e.id: e for e in self.entries}  # already complete
            self.linkable: list[Entry] = sorted(journal, key=lambda e: e.date)
            return
        import pyarrow as pa

        from journal.store import Journal

        if isinstance(journal, (str, os.PathLike)):
            journal = Journal(journal)
        table = journal.to_arrow()
        epoch = dt.date(1970, 1, 1)
        lo, hi = (first - epoch).days, (last - epoch).days
        days = table["date"].cast(pa.int32()).to_pylist()
        keep = [i for i, d in enumerate(days) if d <= hi]
        self.table = table
        self.full = {e.id: e for e in _convert(table, [i for i in keep if days[i] >= lo])}
        light = table.select(["id", "title", "url", "arxiv_id", "tags", "source"]).to_pylist()
        self.row = {}
        self.entries = []
        #: every entry, later days too: what a wiki link may lead to (a note can link
        #: to one written after it)
        self.linkable = []
        for i, r in enumerate(light):
            e = self.full.get(r["id"])
            if e is None:
                e = Entry(
                    id=r["id"],
                    date=epoch + dt.timedelta(days=days[i]),
                    title=r["title"],
                    url=r["url"],
                    arxiv_id=r["arxiv_id"],
                    tags=tuple(r["tags"] or ()),
                    source=r["source"],
                )
            self.linkable.append(e)
            if days[i] <= hi:
                self.row[r["id"]] = i
                self.entries.append(e)
        self.linkable.sort(key=lambda e: e.date)

    def complete(self, entries: Sequence[Entry]) -> dict[str, Entry]:
        """Full versions of ``entries`` (by id)."""
        out = {e.id: self.full[e.id] for e in entries if e.id in self.full}
        missing = [e.id for e in entries if e.id not in out]
        if missing and self.table is not None:
            for e in _convert(self.table, sorted(self.row[i] for i in missing)):
                self.full[e.id] = out[e.id] = e
        return out


def _convert(table: Any, rows: list[int]) -> list[Entry]:
    """Entries of the given table rows (ascending), converted in runs of adjacent rows
    (``Table.take`` would build an index array, which imports pandas)."""
    import pyarrow as pa

    from journal.store.schema import entries_from_table

    if not rows:
        return []
    runs: list[tuple[int, int]] = []
    for i in rows:
        if runs and runs[-1][0] + runs[-1][1] == i:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((i, 1))
    return entries_from_table(pa.concat_tables([table.slice(start, n) for start, n in runs]))


def day_summaries(
    journal: Any,
    start: dt.date | str,
    until: dt.date | str | None = None,
    lang: str = "ko",
    *,
    related_limit: int = 10,
) -> list[DaySummary]:
    """A :class:`DaySummary` for every day from ``start`` to ``until`` (inclusive; one day
    without ``until``), days without entries included. The journal is read once.

    ``journal``: a :class:`~journal.store.Journal`, the path of one, or a list of entries.
    """
    from journal.formats.digest import check_lang
    from journal.model import day_range
    from journal.search.links import Resolver, build_index

    days = day_range(start, until)
    check_lang(lang)  # refused before any work
    rows = _Rows(journal, days[0], days[-1])
    entries = sorted(rows.entries, key=lambda e: e.date)  # stable: journal order within a day
    by_day: dict[dt.date, list[Entry]] = {}
    for e in entries:
        by_day.setdefault(e.date, []).append(e)
    resolver = Resolver(rows.linkable)
    context = _Context(entries, build_index(entries, resolver), resolver)  # light entries: only targets
    out = []
    for day in days:
        s = _summary(day, by_day.get(day, []), context, lang, related_limit)
        if s.related:
            full = rows.complete([r.entry for r in s.related])
            s = replace(s, related=tuple(replace(r, entry=full[r.entry.id]) for r in s.related))
        out.append(s)
    return out


class _Context:
    """What finding a day's related entries needs, built once for a range: entries by id
    and position (journal order, dates ascending), ids and dates per tag, the link index."""

    def __init__(self, entries: list[Entry], index: Any, resolver: Any) -> None:
        self.index = index
        self.resolver = resolver
        self.by_id = {e.id: e for e in entries}
        self.position = {e.id: n for n, e in enumerate(entries)}
        self.tag_ids: dict[str, list[str]] = {}
        self.tag_days: dict[str, list[dt.date]] = {}
        for e in entries:
            for key in dict.fromkeys(tag_key(t) for t in e.tags):  # the one rule of tag matching
                self.tag_ids.setdefault(key, []).append(e.id)
                self.tag_days.setdefault(key, []).append(e.date)

    def earlier_with_tag(self, tag: str, day: dt.date) -> list[str]:
        """Ids of the entries before ``day`` that carry ``tag`` (any spelling of it)."""
        key = tag_key(tag)
        return self.tag_ids.get(key, [])[: bisect_left(self.tag_days.get(key, []), day)]


def day_summary(
    journal: Any, date: dt.date | str, lang: str = "ko", *, related_limit: int = 10
) -> DaySummary:
    """One day of the journal as data: its entries, tags, related earlier entries, digest."""
    return day_summaries(journal, date, None, lang, related_limit=related_limit)[0]


def _summary(day: dt.date, todays: list[Entry], context: _Context, lang: str, limit: int) -> DaySummary:
    from journal.formats.digest import render_day

    tags = _by_tag_key([t for e in todays for t in e.tags])
    order = list(tags)  # each tag once, in order of first use
    by_id = context.by_id
    linked: dict[str, list[Entry]] = {}
    for e in todays:
        for target in context.index.links_of(e.id):
            hit = by_id.get(target)
            if hit is not None and hit.date < day and e not in linked.setdefault(target, []):
                linked[target].append(e)
    # tag neighbours: most tags in common first, then the most recent
    counts: Counter[str] = Counter()
    for t in order:
        counts.update(context.earlier_with_tag(t, day))
    position = context.position
    rest = heapq.nsmallest(
        max(limit, 0), (i for i in counts if i not in linked), key=lambda i: (-counts[i], -position[i])
    )
    day_tags = {tag_key(t) for t in order}

    def shared(entry_id: str) -> tuple[str, ...]:
        return tuple(x for x in by_id[entry_id].tags if tag_key(x) in day_tags)

    related = [Related(by_id[i], tuple(fs), shared(i)) for i, fs in linked.items()]
    related += [Related(by_id[i], (), shared(i)) for i in rest]
    return DaySummary(
        date=day,
        entries=tuple(todays),
        tags=tuple((t, tags[t]) for t in order),
        related=tuple(related),
        digest=render_day(day, todays, lang),
        lang=lang,
        wiki_links=tuple(
            (e.id, name, _entry_href(target))
            for e in todays
            for name, target in context.resolver.wiki_links(e).items()
        ),
    )


def _entry_href(entry: Entry) -> str:
    """Where a link to an entry leads from a rendered day: the paper (its URL, else its
    arXiv page), else the entry's own day page beside this one."""
    from journal.publish.site import day_file

    return entry.paper_url or day_file(entry.date)


def _tag_chips(tags: Sequence[str]) -> str:
    return " ".join(code_span("#" + t) for t in tags)


def render_day_markdown(summary: DaySummary) -> str:
    """A day as markdown: header (date, entry count, tags), every entry (title linked to
    its URL, authors, folded abstract, commentary, links, tags; a paper several readers
    journaled once, with each one's commentary under their name), related earlier entries,
    and the plain-text digest in a fenced block ready to copy."""
    from journal.formats.digest import date_line
    from journal.publish.papers import papers

    label = _LABELS.get(summary.lang, _LABELS["en"])
    n = len(summary.entries)
    parts = [f"# {date_line(summary.date, summary.lang)}"]
    if not n:
        parts.append(f"**{label['none']}**")
        return "\n\n".join(parts)
    count = label["entry"] if n == 1 else label["entries"].format(n=n)
    chips = " ".join(code_span("#" + t) + (f" ×{c}" if c > 1 else "") for t, c in summary.tags)
    parts.append(f"**{count}**" + (f" · {chips}" if chips else ""))
    wiki_hrefs = {(entry_id, name): href for entry_id, name, href in summary.wiki_links}
    for number, paper in enumerate(papers(summary.entries), 1):
        e = paper.entry
        parts.append(f"## {number}. {link(e.title, e.url)}")
        if e.authors:
            parts.append("*" + escape(", ".join(e.authors)) + "*")
        if e.abstract.strip():
            parts.append(
                f"<details><summary>{label['abstract']}</summary>\n\n{paragraphs(e.abstract)}\n\n</details>"
            )
        for r in paper.readers:  # one paper, several readers: each one's commentary, named
            parts.append(f"**{escape(r.reader or '')}**")
            if r.commentary.strip():
                parts.append(paragraphs(r.commentary, _wiki_markdown(r.id, wiki_hrefs)))
        if e.commentary.strip() and not paper.readers:
            parts.append(paragraphs(e.commentary, _wiki_markdown(e.id, wiki_hrefs)))
        if e.links:
            parts.append(f"{label['links']}: " + " · ".join(autolink(u) for u in e.links))
        if e.tags:
            parts.append(_tag_chips(e.tags))
    if summary.related:
        parts.append(f"## {label['related']}")
        parts.append("\n".join(_related_line(r, label) for r in summary.related))
    parts.append(f"## {label['digest']}")
    parts.append(fenced(summary.digest))
    return "\n\n".join(parts)


def _wiki_markdown(entry_id: str, hrefs: dict[tuple[str, str], str]) -> Any:
    from journal.search.links import wiki_label

    def show(m: Any) -> str | None:
        href = hrefs.get((entry_id, m.group(1).strip()))
        return link(wiki_label(m), href) if href else None

    return show


def _related_line(r: Related, label: dict[str, str]) -> str:
    e = r.entry
    why = []
    if r.linked_from:
        why.append(label["linked"] + ", ".join("*" + escape(x.title) + "*" for x in r.linked_from))
    if r.shared_tags:
        why.append(label["shares"] + _tag_chips(r.shared_tags))
    return f"- {e.date.isoformat()} · {link(e.title, e.url)} — " + "; ".join(why)


def show_days(
    journal: Any, date: dt.date | str, until: dt.date | str | None = None, lang: str = "ko"
) -> list[DaySummary]:
    """Display each day as a markdown output (the daily notebook's one call). Each output
    carries ``metadata["journal_day"]`` so a range rendered in one kernel can be split
    into one notebook per day."""
    from IPython.display import display

    summaries = day_summaries(journal, date, until, lang)
    for s in summaries:
        text = s.to_markdown()
        display(
            {"text/markdown": text, "text/plain": text},
            raw=True,
            metadata={"journal_day": s.date.isoformat()},
        )
    return summaries
