"""A static HTML site of the journal: one page per day, an index by month, one by tag.

``journal export html site/`` writes into the folder ``site/``::

    index.html          the days by month, newest first, with every entry's title
    tags.html           the entries by tag (a reading list by topic)
    2024-05-09.html     one page per day: each entry in full
    feed.xml            an Atom feed of the most recent days (journal/feed.py)
    .journal-site       marks the folder as ours, so a later export may overwrite it

Every page is self-contained (inline stylesheet, no script, a Content-Security-Policy that
forbids scripts) and links to the others relatively, so the folder works from
``file://``, from any web server, or zipped. Every text from the journal is escaped;
links are only ever ``http(s)``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ExportFailed
from ..model import Entry, abs_url
from ._files import write_text
from .digest import MONTHS

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

STYLE = """
:root { color-scheme: light dark; --fg: #1d1d1f; --muted: #6e6e73; --line: #d2d2d7; --accent: #0b57d0;
  --bg: #fff; --tag-bg: #eef2fb; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8e8ed; --muted: #a1a1a6; --line: #3a3a3c;
  --accent: #8ab4f8; --bg: #161617; --tag-bg: #26303f; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 2rem 1.25rem 4rem; background: var(--bg); color: var(--fg);
  font: 16px/1.65 system-ui, -apple-system, "Segoe UI", "Apple SD Gothic Neo", "Noto Sans KR",
  "Malgun Gothic", sans-serif; word-break: keep-all; overflow-wrap: anywhere; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
header, nav.days { display: flex; gap: 1rem; justify-content: space-between; align-items: baseline;
  flex-wrap: wrap; }
header { border-bottom: 1px solid var(--line); margin-bottom: 1.5rem; }
header h1 { font-size: 1.6rem; margin: 0.5rem 0; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; }
.entry { border-bottom: 1px solid var(--line); padding: 0.5rem 0 1.25rem; }
.entry h2 { margin-top: 1rem; line-height: 1.35; }
.authors, .meta, .count { color: var(--muted); font-size: 0.92rem; margin: 0.25rem 0; }
.abstract { border-left: 3px solid var(--line); margin: 0.75rem 0; padding: 0 0 0 1rem; color: var(--muted);
  font-size: 0.95rem; }
.abstract summary { cursor: pointer; }
.tags a { display: inline-block; background: var(--tag-bg); border-radius: 1rem; padding: 0 0.6rem;
  margin: 0 0.25rem 0.25rem 0; font-size: 0.88rem; }
ul.list { padding-left: 1.2rem; } ul.list li { margin: 0.2rem 0; }
nav.days { margin-top: 2rem; font-size: 0.95rem; }
.day { white-space: nowrap; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _href(url: str | None) -> str | None:
    """A link target, only ever http(s) (the model checks this too: belt and braces)."""
    if url and re.match(r"https?://[^\s\"'<>]+$", url, re.IGNORECASE):
        return _e(url)
    return None


def _link(url: str | None, text: str) -> str:
    href = _href(url)
    return f'<a href="{href}">{_e(text)}</a>' if href else _e(text)


_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'()\[\],]+[^\s<>\"'()\[\],.;:!?]")


def _linkify(text: str) -> str:
    """Escaped text with its http(s) URLs as links."""
    out, pos = [], 0
    for m in _URL_IN_TEXT.finditer(text):
        out.append(_e(text[pos : m.start()]))
        out.append(_link(m.group(0), m.group(0)))
        pos = m.end()
    out.append(_e(text[pos:]))
    return "".join(out)


def day_file(day: dt.date) -> str:
    return f"{day.isoformat()}.html"


def tag_anchor(tag: str) -> str:
    # letters of any script, digits, _ and - stay readable; anything else is spelt out
    return "tag-" + re.sub(r"[^\w\-]", lambda m: f"_{ord(m.group(0)):x}_", tag)


def _date_title(day: dt.date, lang: str) -> str:
    from .digest import date_line

    return date_line(day, lang)


def _month_title(year: int, month: int, lang: str) -> str:
    return f"{year}년 {month}월" if lang == "ko" else f"{MONTHS[month - 1]} {year}"


def _count(entries: int, days: int, lang: str) -> str:
    if lang == "ko":
        return f"{entries}편 · {days}일"
    return f"{entries} {'entry' if entries == 1 else 'entries'} · {days} {'day' if days == 1 else 'days'}"


def _page(title: str, body: str, lang: str, heading: str | None = None, nav: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="generator" content="journal">\n'
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(heading or title)}</h1>{nav}</header>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def _entry_ref(entry: Entry) -> str:
    return f'<a href="{day_file(entry.date)}#e-{entry.id}">{_e(entry.title)}</a>'


def render_entry(entry: Entry, labels: dict[str, str], links: Any = None, by_id: Any = None) -> str:
    parts = [f'<article class="entry" id="e-{_e(entry.id)}">', f"<h2>{_link(entry.url, entry.title)}</h2>"]
    if entry.authors:
        parts.append(f'<p class="authors">{_e(", ".join(entry.authors))}</p>')
    meta = []
    if entry.arxiv_id:
        version = f"v{entry.arxiv_version}" if entry.arxiv_version else ""
        meta.append(_link(abs_url(entry.arxiv_id, entry.arxiv_version), f"arXiv:{entry.arxiv_id}{version}"))
    meta += [_link(u, u) for u in entry.links]
    if meta:
        parts.append(f'<p class="meta">{" · ".join(meta)}</p>')
    if entry.abstract:
        parts.append(
            f'<details class="abstract" open><summary>{_e(labels["abstract"])}</summary>'
            + "".join(f"<p>{_linkify(p)}</p>" for p in entry.abstract.split("\n\n"))
            + "</details>"
        )
    for paragraph in entry.paragraphs:
        lines = paragraph.split("\n")
        parts.append("<p>" + "<br>\n".join(_linkify(line) for line in lines) + "</p>")
    if entry.tags:
        tags = " ".join(f'<a href="tags.html#{_e(tag_anchor(t))}">#{_e(t)}</a>' for t in entry.tags)
        parts.append(f'<p class="tags">{tags}</p>')
    if links is not None and by_id is not None:
        for key, ids in (
            ("links_to", links.links_of(entry.id)),
            ("linked_from", links.backlinks_of(entry.id)),
        ):
            shown = [by_id[i] for i in ids if i in by_id]
            if shown:
                refs = ", ".join(_entry_ref(e) for e in shown)
                parts.append(f'<p class="meta">{_e(labels[key])}: {refs}</p>')
    parts.append("</article>")
    return "\n".join(parts) + "\n"


def feed_summary(entries: Sequence[Entry], lang: str = "ko") -> str:
    """A day's entries as HTML for a feed item: title (linked), authors, commentary, tags;
    only absolute links, since a feed reader shows it away from the site."""
    parts = []
    for entry in entries:
        url = entry.url or (abs_url(entry.arxiv_id, entry.arxiv_version) if entry.arxiv_id else None)
        parts.append(f"<h3>{_link(url, entry.title)}</h3>")
        if entry.authors:
            parts.append(f"<p><i>{_e(', '.join(entry.authors))}</i></p>")
        for paragraph in entry.paragraphs:
            parts.append("<p>" + "<br>\n".join(_linkify(line) for line in paragraph.split("\n")) + "</p>")
        if entry.tags:
            parts.append("<p>" + " ".join(f"#{_e(t)}" for t in entry.tags) + "</p>")
    return "\n".join(parts)


def _day_pages(days: dict[dt.date, list[Entry]], entries: Sequence[Entry], lang: str) -> dict[str, str]:
    from ..links import build_index

    labels = _LABELS.get(lang, _LABELS["en"])
    links = build_index(entries)
    by_id = {e.id: e for e in entries}
    ordered = sorted(days)
    home = f'<a href="index.html">{_e(labels["home"])}</a> · <a href="tags.html">{_e(labels["by_tag"])}</a>'
    pages = {}
    for i, day in enumerate(ordered):
        body = "".join(render_entry(e, labels, links, by_id) for e in days[day])
        prev_link = (
            f'<a href="{day_file(ordered[i - 1])}">← {_e(labels["prev"])}</a>' if i > 0 else "<span></span>"
        )
        next_link = (
            f'<a href="{day_file(ordered[i + 1])}">{_e(labels["next"])} →</a>'
            if i + 1 < len(ordered)
            else "<span></span>"
        )
        body += f'<nav class="days">{prev_link}{next_link}</nav>\n'
        title = _date_title(day, lang)
        pages[day_file(day)] = _page(
            f"{title} · {labels['journal']}", body, lang, title, f"<nav>{home}</nav>"
        )
    return pages


def _index_page(days: dict[dt.date, list[Entry]], count: int, lang: str) -> str:
    """The months, newest first; each day with its entries."""
    labels = _LABELS.get(lang, _LABELS["en"])
    months: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for day in sorted(days, reverse=True):
        months[(day.year, day.month)].append(day)
    body = [f'<p class="count">{_e(_count(count, len(days), lang))}</p>']
    for (year, month), month_days in months.items():
        title = _e(_month_title(year, month, lang))
        body.append(f'<h2 id="m-{year:04d}-{month:02d}">{title}</h2>\n<ul class="list">')
        for day in month_days:
            items = "".join(f"<li>{_entry_ref(e)}</li>" for e in days[day])
            body.append(
                f'<li><a href="{day_file(day)}">{_e(_date_title(day, lang))}</a><ul>{items}</ul></li>'
            )
        body.append("</ul>")
    nav = f'<nav><a href="tags.html">{_e(labels["by_tag"])}</a></nav>'
    return _page(labels["journal"], "\n".join(body) + "\n", lang, nav=nav)


def _tags_page(entries: Sequence[Entry], lang: str) -> str:
    """The tags, most used first; each entry with its paper link and its day."""
    labels = _LABELS.get(lang, _LABELS["en"])
    by_tag: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        for t in e.tags:
            by_tag[t].append(e)
    ranked = sorted(by_tag.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    toc = " ".join(
        f'<a href="#{_e(tag_anchor(t))}">#{_e(t)}</a> <span class="count">{len(es)}</span>'
        for t, es in ranked
    )
    body = [f'<p class="tags">{toc}</p>'] if ranked else []
    for tag, tagged in ranked:
        body.append(f'<h2 id="{_e(tag_anchor(tag))}">#{_e(tag)}</h2>\n<ul class="list">')
        for e in tagged:
            day_link = f'<a class="day" href="{day_file(e.date)}#e-{e.id}">{e.date.isoformat()}</a>'
            title = _link(e.url, e.title) if _href(e.url) else _entry_ref(e)
            body.append(f"<li>{title} ({day_link})</li>")
        body.append("</ul>")
    nav = f'<nav><a href="index.html">{_e(labels["home"])}</a></nav>'
    title = f"{labels['by_tag']} · {labels['journal']}"
    return _page(title, "\n".join(body) + "\n", lang, labels["by_tag"], nav)


def render_site(entries: Sequence[Entry], lang: str = "ko") -> dict[str, str]:
    """Every page of the site: file name -> HTML."""
    days: dict[dt.date, list[Entry]] = defaultdict(list)
    for e in entries:
        days[e.date].append(e)
    pages = _day_pages(days, entries, lang)
    pages["index.html"] = _index_page(days, len(entries), lang)
    pages["tags.html"] = _tags_page(entries, lang)
    return pages


def write(
    entries: Sequence[Entry],
    dest: Path,
    journal: Any = None,
    *,
    lang: str = "ko",
    feed_days: int | None = None,
    base_url: str | None = None,
    **_: Any,
) -> int:
    """Write the site into the folder ``dest`` (created if missing; a non-empty folder
    is only overwritten when an earlier export made it), with ``feed.xml``, an Atom feed
    of the ``feed_days`` most recent days (default 30; see :mod:`journal.feed`)."""
    from .. import feed

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
    pages = render_site(entries, lang)
    items = feed.items_of(entries, lang, feed_days)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as e:
        raise ExportFailed(folder, f"cannot be created ({e.strerror})") from None
    write_text(folder / MARKER, "This folder is a static site written by `journal export html`.\n")
    for name, text in pages.items():
        write_text(folder / name, text)
    feed.write_feed(folder, items, lang, base_url, feed_days)
    return len(entries)
