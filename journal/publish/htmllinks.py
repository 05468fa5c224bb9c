"""Text as HTML for the static site and its feed: escaped, with its http(s) URLs (and,
on the site, its ``[[wiki links]]``) as links, and the file name of a day's page. Shared
by :mod:`journal.publish.site` (the pages) and :mod:`journal.publish.atom` (the feed's
summaries, which link to those pages).
"""

from __future__ import annotations

import datetime as dt
import html
import re

from journal.search.links import WIKI_LINK, wiki_label


def escape(text: str) -> str:
    """``text`` escaped for HTML, quotes included."""
    return html.escape(text, quote=True)


def safe_href(url: str | None) -> str | None:
    """A link target, only ever http(s) (the model checks this too: belt and braces)."""
    if url and re.match(r"https?://[^\s\"'<>]+$", url, re.IGNORECASE):
        return escape(url)
    return None


def link(url: str | None, text: str) -> str:
    """``text`` escaped, as a link to ``url`` when that is an http(s) URL."""
    href = safe_href(url)
    return f'<a href="{href}">{escape(text)}</a>' if href else escape(text)


_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'()\[\],]+[^\s<>\"'()\[\],.;:!?]")


def linkify(text: str, wiki: dict[str, str] | None = None) -> str:
    """Escaped text with its http(s) URLs as links; with ``wiki`` (target as written ->
    a page of this site), the ``[[wiki links]]`` it names lead there (others stay text)."""
    found = list(_URL_IN_TEXT.finditer(text))
    if wiki and "[[" in text:
        found = sorted([*WIKI_LINK.finditer(text), *found], key=lambda m: (m.start(), m.re is _URL_IN_TEXT))
    out, pos = [], 0
    for m in found:
        if m.start() < pos:
            continue  # inside a link already made
        out.append(escape(text[pos : m.start()]))
        if m.re is _URL_IN_TEXT:
            out.append(link(m.group(0), m.group(0)))
        else:
            target = (wiki or {}).get(m.group(1).strip())
            out.append(
                f'<a href="{escape(target)}">{escape(wiki_label(m))}</a>' if target else escape(m.group(0))
            )
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def lines_html(text: str, wiki: dict[str, str] | None = None) -> str:
    """:func:`linkify` of each line of ``text`` (a paragraph), the lines joined by ``<br>``."""
    return "<br>\n".join(linkify(line, wiki) for line in text.split("\n"))


def day_file(day: dt.date) -> str:
    """The file name of a day's page (``YYYY-MM-DD.html``)."""
    return f"{day.isoformat()}.html"
