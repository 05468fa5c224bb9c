"""An entry as HTML for the browser's entry view (everything escaped; URLs linked)."""

from __future__ import annotations

import html
import re

from journal.model import Entry, split_paragraphs

_LINK = "color:#1565c0;text-decoration:underline"
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def _text(text: str) -> str:
    """Escaped text with its URLs as links and single newlines kept."""
    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        url = html.escape(m.group(0), quote=True)
        out.append(f'<a href="{url}" target="_blank" rel="noopener" style="{_LINK}">{url}</a>')
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out).replace("\n", "<br>")


def entry_html(entry: Entry) -> str:
    """Title (linked to its URL), authors, date and ids, abstract, commentary, tags."""
    title = html.escape(entry.title)
    if entry.url:
        href = html.escape(entry.url, quote=True)
        title = f'<a href="{href}" target="_blank" rel="noopener" style="{_LINK}">{title}</a>'
    # the HTML widget's line height is a form row's (28 px): reset it for reading
    entry_id = html.escape(entry.id, quote=True)
    parts = [f'<div class="journal-entry" data-entry-id="{entry_id}" style="line-height:1.45">']
    parts.append(f'<h3 style="margin:0.2em 0">{title}</h3>')
    if entry.authors:
        parts.append(f"<div>{html.escape(', '.join(entry.authors))}</div>")
    meta = [entry.date.isoformat()]
    if entry.arxiv_id:
        version = f"v{entry.arxiv_version}" if entry.arxiv_version else ""
        meta.append(f"arXiv {html.escape(entry.arxiv_id)}{version}")
    meta.append(f"id <code>{html.escape(entry.id)}</code>")
    parts.append(f'<div style="color:#666">{" · ".join(meta)}</div>')
    if entry.abstract:
        parts.append(f'<h4 style="margin:0.8em 0 0.2em">Abstract</h4><p>{_text(entry.abstract)}</p>')
    if entry.commentary:
        paragraphs = "".join(f"<p>{_text(p)}</p>" for p in split_paragraphs(entry.commentary))
        parts.append(f'<h4 style="margin:0.8em 0 0.2em">Commentary</h4>{paragraphs}')
    for link in entry.links:
        parts.append(f"<div>{_text(link)}</div>")
    if entry.tags:
        tags = " ".join(f"<code>#{html.escape(t)}</code>" for t in entry.tags)
        parts.append(f'<div style="margin-top:0.5em">{tags}</div>')
    parts.append("</div>")
    return "".join(parts)
