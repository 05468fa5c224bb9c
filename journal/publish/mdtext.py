"""Plain text into markdown that shows exactly those words (for the daily summary).

A reader's titles, abstracts and commentary are plain text: ``*``, ``_``, ``<b>``, ``[[x]]``
or a line starting with ``#`` or ``1.`` must show as typed, not as markup or raw HTML.
Two things are kept live on purpose: URLs become links, and ``$...$`` spans that look like
TeX (pandoc's rule: no space just inside the dollars, no digit right after the closing
one) stay verbatim so that titles such as ``PixArt-$\\alpha$`` render as math in Jupyter
and in the HTML. ``costs $5 and $10`` stays dollars.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from journal.search.links import WIKI_LINK

_URL = re.compile(r"https?://[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]]")
_MATH = re.compile(r"\$(?=\S)([^$\n]*?\S)\$(?!\d)")
# Characters that start markup anywhere in a line. `&` only matters before an entity.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$])|&(?=#?\w+;)")
# Line starts that would make a heading, quote, list item, rule or setext underline.
_LINE_START = re.compile(r"^(?:(#|[-+](?=\s|$)|=+\s*$|-+\s*$)|(\d+)([.)])(?=\s|$))")


#: Turns a ``[[wiki link]]`` match (:data:`journal.search.links.WIKI_LINK`) into markdown, or
#: ``None`` to show it as typed.
WikiLinks = Callable[[re.Match[str]], "str | None"]


def escape(text: str, wiki: WikiLinks | None = None) -> str:
    """``text`` (one line or several) as markdown inline content showing those characters;
    with ``wiki``, the wiki links it resolves become what it returns."""
    out: list[str] = []
    pos = 0
    for m in _tokens(text, wiki is not None):
        out.append(_escape_plain(text[pos : m.start()]))
        if m.re is _MATH:
            out.append(m.group(0))
        elif m.re is _URL:
            out.append(_autolink(m.group(0)))
        else:
            out.append(_wiki(m, wiki))
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    return "".join(out)


def _wiki(m: re.Match[str], wiki: WikiLinks | None) -> str:
    shown = wiki(m) if wiki is not None else None
    return shown if shown is not None else _escape_plain(m.group(0))


def _tokens(text: str, wiki: bool = False) -> list[re.Match[str]]:
    """URLs, math spans (and wiki links), left to right, not overlapping (a wiki link
    wins, then a URL)."""
    wikis = list(WIKI_LINK.finditer(text)) if wiki and "[[" in text else []
    order = {WIKI_LINK: 0, _URL: 1, _MATH: 2}
    found = sorted(
        [*wikis, *_URL.finditer(text), *_MATH.finditer(text)], key=lambda m: (m.start(), order[m.re])
    )
    kept: list[re.Match[str]] = []
    end = 0
    for m in found:
        if m.start() >= end:
            kept.append(m)
            end = m.end()
    return kept


def _escape_plain(text: str) -> str:
    return _SPECIAL.sub(lambda m: "\\" + (m.group(1) or "&"), text)


def _autolink(url: str) -> str:
    # an autolink shows the URL as written; its text is never read as markup
    return "<" + url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E") + ">"


def autolink(url: str) -> str:
    """A bare URL as a markdown link showing the URL."""
    return _autolink(url.strip())


def paragraph(text: str, wiki: WikiLinks | None = None) -> str:
    """One paragraph: line starts escaped, leading spaces dropped (they would make a code
    block), and the reader's single line breaks kept as hard breaks."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    lines = [_LINE_START.sub(_escape_start, escape(line, wiki), count=1) for line in lines]
    return "\\\n".join(lines)


def _escape_start(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return "\\" + m.group(1)
    return m.group(2) + "\\" + m.group(3)  # `1\.`: the number stays, no list starts


def paragraphs(text: str, wiki: WikiLinks | None = None) -> str:
    """Text whose paragraphs are separated by blank lines, as markdown paragraphs."""
    parts = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n\n".join(paragraph(p, wiki) for p in parts)


def link(text: str, url: str | None) -> str:
    """``[text](url)``, or the escaped text alone when there is no URL."""
    label = escape(text.replace("\n", " "))
    if not url:
        return label
    target = url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    return f"[{label}](<{target}>)"


def code_span(text: str) -> str:
    """``text`` in a code span, with a fence longer than any backtick run inside."""
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(text: str, info: str = "text") -> str:
    """A fenced code block holding ``text`` verbatim (ready to copy)."""
    longest = max((len(r) for r in re.findall(r"^ {0,3}(`{3,})", text, flags=re.M)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"
