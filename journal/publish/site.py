"""A static HTML site of the journal: one page per day, an index by month, one by tag.

``journal export html site/`` writes into the folder ``site/``::

    index.html          the days by month, newest first, with every entry's title
    tags.html           the entries by tag (a reading list by topic)
    2024-05-09.html     one page per day: each entry in full
    feed.xml            an Atom feed of the most recent days (journal.publish.atom)
    .journal-site       marks the folder as ours, so a later export may overwrite it

The pages come from the Jinja2 templates in ``journal/publish/templates/`` (``day.html.j2``,
``index.html.j2``, ``tags.html.j2``, the ``entry.html.j2`` article and the
``page.html.j2`` frame); ``template_dir`` (``--template-dir``) overrides any of them by
file name, and its ``journal.css`` the stylesheet (see :mod:`journal.publish.templating`).
Text becomes HTML (escaped, URLs as links) in :mod:`journal.publish.htmllinks`.

Every page is self-contained (inline stylesheet, no script, a Content-Security-Policy that
forbids scripts) and links to the others relatively, so the folder works from
``file://``, from any web server, or zipped. Every text from the journal is escaped;
links are only ever ``http(s)``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from journal.errors import ExportFailed
from journal.fileio import write_all
from journal.formats.digest import MONTHS
from journal.model import Entry, abs_url
from journal.publish import atom as feed
from journal.publish import templating
from journal.publish.htmllinks import day_file, escape, lines_html, link, linkify, safe_href
from journal.publish.papers import ReaderNote, papers, reader_note
from journal.text.wording import count, entries_count

MARKER = ".journal-site"

_LABELS = {
    "ko": {
        "journal": "읽기 일지",
        "by_month": "월별",
        "by_tag": "태그별",
        "abstract": "초록",
        "links_to": "이 글이 언급한 글",
        "linked_from": "이 글을 언급한 글",
        "prev": "이전 날",
        "next": "다음 날",
        "home": "목록",
        "untagged": "태그 없음",
    },
    "en": {
        "journal": "Reading journal",
        "by_month": "By month",
        "by_tag": "By tag",
        "abstract": "Abstract",
        "links_to": "Mentions",
        "linked_from": "Mentioned by",
        "prev": "Previous day",
        "next": "Next day",
        "home": "Index",
        "untagged": "Untagged",
    },
}


def tag_anchor(tag: str) -> str:
    # letters of any script, digits, _ and - stay readable; anything else is spelt out
    return "tag-" + re.sub(r"[^\w\-]", lambda m: f"_{ord(m.group(0)):x}_", tag)


def _date_title(day: dt.date, lang: str) -> str:
    from journal.formats.digest import date_line

    return date_line(day, lang)


def _month_title(year: int, month: int, lang: str) -> str:
    return f"{year}년 {month}월" if lang == "ko" else f"{MONTHS[month - 1]} {year}"


def _count(entries: int, days: int, lang: str) -> str:
    if lang == "ko":
        return f"{entries}편 · {days}일"
    return f"{entries_count(entries)} · {count(days, 'day')}"


class _Site:
    """The templates of one export, with the helpers they use."""

    def __init__(self, lang: str, template_dir: Path | str | None = None) -> None:
        folder = templating.check_template_dir(template_dir)
        self.env = templating.environment(folder, _FILTERS)
        self.lang = lang
        self.labels = _LABELS.get(lang, _LABELS["en"])
        self.common = {
            "lang": lang,
            "labels": self.labels,
            "stylesheet": _markup(templating.stylesheet(folder)),
            "link": lambda url, text: _markup(link(url, text)),
        }
        # an export renders an article per entry: the shipped one is made in Python
        self.shipped_entry = folder is None or not (folder / "entry.html.j2").is_file()

    def render(self, name: str, **context: Any) -> str:
        return templating.render(self.env, name, **self.common, **context)

    def entry(
        self,
        entry: Entry,
        links: Any = None,
        by_id: Any = None,
        resolver: Any = None,
        readers: Sequence[Entry] = (),
    ) -> str:
        """``entry``'s article; with ``readers`` (several readers' entries of one paper, see
        :mod:`journal.publish.papers`), each one's commentary under their name."""
        meta: list[tuple[str | None, str]] = []
        if entry.arxiv_id:
            version = f"v{entry.arxiv_version}" if entry.arxiv_version else ""
            meta.append((abs_url(entry.arxiv_id, entry.arxiv_version), f"arXiv:{entry.arxiv_id}{version}"))
        meta += [(u, u) for u in entry.links]
        mentions = []
        if links is not None and by_id is not None:
            for key, ids in (
                ("links_to", _of_all(links.links_of, entry, readers)),
                ("linked_from", _of_all(links.backlinks_of, entry, readers)),
            ):
                shown = [by_id[i] for i in ids if i in by_id]
                if shown:
                    mentions.append((key, shown))
        wiki = _wiki(resolver, entry)
        notes = [reader_note(r, entry, _wiki(resolver, r)) for r in readers]
        if self.shipped_entry:
            return shipped_article(entry, self.labels, meta, mentions, wiki, notes)
        return self.render(
            "entry.html.j2", entry=entry, meta=meta, mentions=mentions, wiki=wiki, readers=notes
        )


def _of_all(ids_of: Any, entry: Entry, readers: Sequence[Entry]) -> list[str]:
    """``ids_of(entry.id)``, or of every reader's entry of the paper (each id once)."""
    if not readers:
        return list(ids_of(entry.id))
    return list(dict.fromkeys(i for r in readers for i in ids_of(r.id)))


def _wiki(resolver: Any, entry: Entry) -> dict[str, str]:
    """Where ``entry``'s wiki links lead: the linked entry on its day page."""
    if resolver is None:
        return {}
    return {name: f"{day_file(t.date)}#e-{t.id}" for name, t in resolver.wiki_links(entry).items()}


def shipped_article(
    entry: Entry,
    labels: dict[str, str],
    meta: Sequence[tuple[str | None, str]],
    mentions: Sequence[tuple[str, Sequence[Entry]]],
    wiki: dict[str, str],
    readers: Sequence[ReaderNote] = (),
) -> str:
    """Byte for byte what the shipped ``entry.html.j2`` makes of the same values (a test
    renders both), at a third of the cost: Jinja's machinery per value made a 4,000-entry
    export 1.3x slower than the Python pages before templates (bench/bench_slowdowns.py).
    A user's ``entry.html.j2`` is rendered by Jinja."""
    parts = [f'<article class="entry" id="e-{escape(entry.id)}">\n<h2>{link(entry.url, entry.title)}</h2>\n']
    if entry.authors:
        parts.append(f'<p class="authors">{escape(", ".join(entry.authors))}</p>\n')
    if meta:
        parts.append(f'<p class="meta">{" · ".join(link(url, text) for url, text in meta)}</p>\n')
    if entry.abstract:
        abstract = "".join(f"<p>{linkify(p)}</p>" for p in entry.abstract.split("\n\n"))
        parts.append(
            f'<details class="abstract"><summary>{escape(labels["abstract"])}</summary>{abstract}</details>\n'
        )
    for paragraph in [] if readers else entry.paragraphs:
        parts.append(f"<p>{lines_html(paragraph, wiki)}</p>\n")
    for note in readers:
        anchor = f' id="e-{escape(note.anchor)}"' if note.anchor else ""
        parts.append(f'<section class="reader"{anchor}>\n<h3>{escape(note.name)}</h3>\n')
        for paragraph in note.paragraphs:
            parts.append(f"<p>{lines_html(paragraph, note.wiki)}</p>\n")
        parts.append("</section>\n")
    if entry.tags:
        tags = " ".join(f'<a href="tags.html#{escape(tag_anchor(t))}">#{escape(t)}</a>' for t in entry.tags)
        parts.append(f'<p class="tags">{tags}</p>\n')
    for label, targets in mentions:
        refs = ", ".join(
            f'<a href="{escape(day_file(e.date))}#e-{escape(e.id)}">{escape(e.title)}</a>' for e in targets
        )
        parts.append(f'<p class="meta">{escape(labels[label])}: {refs}</p>\n')
    parts.append("</article>\n")
    return "".join(parts)


def _markup(text: str) -> Any:
    return templating.markup(text)


def _linkify_lines(text: str, wiki: dict[str, str] | None = None) -> Any:
    return _markup(lines_html(text, wiki))


#: What the templates may use besides Jinja's own filters.
_FILTERS = (
    ("linkify", lambda text: _markup(linkify(text))),
    ("linkify_lines", _linkify_lines),
    ("tag_anchor", tag_anchor),
    ("day_file", day_file),
    ("href", safe_href),
)


def render_entry(entry: Entry, lang: str = "ko", links: Any = None, by_id: Any = None) -> str:
    """One entry as the day page shows it (an ``<article>``)."""
    return _Site(lang).entry(entry, links, by_id)


def _day_pages(site: _Site, days: dict[dt.date, list[Entry]], entries: Sequence[Entry]) -> dict[str, str]:
    from journal.search.links import Resolver, build_index

    resolver = Resolver(entries)
    links = build_index(entries, resolver)
    by_id = {e.id: e for e in entries}
    ordered = sorted(days)
    pages = {}
    for i, day in enumerate(ordered):
        title = _date_title(day, site.lang)
        shown = papers(days[day])
        readers = {p.entry.id: p.readers for p in shown}
        pages[day_file(day)] = site.render(
            "day.html.j2",
            title=f"{title} · {site.labels['journal']}",
            heading=title,
            day=day,
            entries=[p.entry for p in shown],
            prev=ordered[i - 1] if i > 0 else None,
            next=ordered[i + 1] if i + 1 < len(ordered) else None,
            render_entry=lambda e, r=readers: _markup(site.entry(e, links, by_id, resolver, r[e.id])),
        )
    return pages


def _index_page(site: _Site, days: dict[dt.date, list[Entry]], count: int) -> str:
    """The months, newest first; each day with its entries."""
    lang = site.lang
    months: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for day in sorted(days, reverse=True):
        months[(day.year, day.month)].append(day)
    return site.render(
        "index.html.j2",
        title=site.labels["journal"],
        count=_count(count, len(days), lang),
        months=[
            {
                "year": year,
                "month": month,
                "title": _month_title(year, month, lang),
                "days": [{"date": d, "title": _date_title(d, lang), "entries": days[d]} for d in month_days],
            }
            for (year, month), month_days in months.items()
        ],
    )


def _tags_page(site: _Site, entries: Sequence[Entry]) -> str:
    """The tags, most used first; each entry with its paper link and its day."""
    by_tag: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        for t in e.tags:
            by_tag[t].append(e)
    ranked = sorted(by_tag.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    title = f"{site.labels['by_tag']} · {site.labels['journal']}"
    return site.render("tags.html.j2", title=title, heading=site.labels["by_tag"], tags=ranked)


def render_site(
    entries: Sequence[Entry], lang: str = "ko", template_dir: Path | str | None = None
) -> dict[str, str]:
    """Every page of the site: file name -> HTML (templates from ``template_dir`` first)."""
    site = _Site(lang, template_dir)
    days: dict[dt.date, list[Entry]] = defaultdict(list)
    for e in entries:
        days[e.date].append(e)
    pages = _day_pages(site, days, entries)
    pages["index.html"] = _index_page(site, days, len(entries))
    pages["tags.html"] = _tags_page(site, entries)
    return pages


def write(
    entries: Sequence[Entry],
    dest: Path,
    journal: Any = None,
    *,
    lang: str = "ko",
    feed_days: int | None = None,
    base_url: str | None = None,
    template_dir: Path | str | None = None,
    **_: Any,
) -> int:
    """Write the site into the folder ``dest`` (created if missing; a non-empty folder
    is only overwritten when an earlier export made it), with ``feed.xml``, an Atom feed
    of the ``feed_days`` most recent days (default 30; see :mod:`journal.publish.atom`)."""
    if str(dest) == "-":
        raise ExportFailed("-", "the html export writes a folder of pages; give a folder name")
    folder = Path(dest)
    if folder.exists() and not folder.is_dir():
        raise ExportFailed(folder, "is a file; the html export writes a folder of pages")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).exists():
        raise ExportFailed(folder, "is a folder that holds other files; give a new or empty folder")
    if not folder.parent.exists():
        raise ExportFailed(folder, f"folder {folder.parent} does not exist")
    feed.check_base_url(base_url)
    feed_days = feed.check_days(feed_days)
    # every file is made before the first is written, and they are written as one
    # (journal.fileio.write_all): an export completes or changes nothing
    pages = render_site(entries, lang, template_dir)
    items = feed.items_of(entries, lang, feed_days)
    files = {folder / MARKER: b"This folder is a static site written by `journal export html`.\n"}
    files.update((folder / name, text.encode("utf-8")) for name, text in pages.items())
    files[folder / feed.FEED] = feed.feed_bytes(folder, items, lang, base_url, feed_days)
    created = not folder.exists()
    try:
        folder.mkdir(exist_ok=True)
    except OSError as e:
        raise ExportFailed(folder, f"cannot be created ({e.strerror})") from None
    try:
        write_all(files)
    except OSError as e:
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise ExportFailed(folder, f"cannot be written ({e.strerror or e}); nothing was written") from None
    return len(entries)
