"""Snippets and highlighting: the piece of an entry's text around the first match of a
query (:func:`snippet`), and a query's words marked in a text (:func:`highlight`,
:func:`query_pattern`). Matching in Python's ``re``, for the few hits shown: the search
itself (:mod:`journal.search.query`) matches in Arrow.
"""

from __future__ import annotations

import re

from journal.search import textindex as ti
from journal.search.parse import Condition, Query
from journal.text.phrases import phrase_pattern

SNIPPET_WIDTH = 160


def snippet(text: str, conditions: list[Condition], width: int = SNIPPET_WIDTH) -> str:
    """About ``width`` characters of the commentary or abstract around the first match
    of the first of ``conditions`` found there (commentary first); else the start of the
    commentary (or abstract). White space is collapsed; empty when the entry has neither."""
    parts = text.split(ti.SEP)
    fields = [parts[3], parts[2]] if len(parts) in (4, 5) else [text]  # else: a field held SEP
    for c in conditions:
        pattern = phrase_pattern(c.words)
        for body in fields:
            found = pattern.search(body)
            if found:
                return _around(body, found.start(), found.end(), width)
    body = next((f for f in fields if f.strip()), "")
    return _around(body, 0, 0, width)


def _around(body: str, start: int, end: int, width: int) -> str:
    """The window of ``body`` around ``start:end``, white space collapsed in the piece
    looked at only (a commentary may be long)."""
    a, b = max(0, start - width), min(len(body), end + 2 * width)
    if a > 0:  # start and end the piece at white space, so no word is cut
        space = next((i for i in range(a, start) if body[i].isspace()), start)
        a = space if space < start else a
    if b < len(body):
        space = next((i for i in range(b - 1, end, -1) if body[i].isspace()), end)
        b = space if space > end else b
    before, match, after = _flat(body[a:start]), _flat(body[start:end]), _flat(body[end:b])
    if before and match and body[start - 1].isspace():
        before += " "
    if after and (match or before) and body[end].isspace():
        after = " " + after
    piece = before + match + after
    window = _window(piece, len(before), len(before) + len(match), width)
    if a > 0 and not window.startswith("…"):
        window = "…" + window
    if b < len(body) and not window.endswith("…"):
        window += "…"
    return window


def _flat(text: str) -> str:
    return " ".join(text.split())


def _window(body: str, start: int, end: int, width: int) -> str:
    if len(body) <= width:
        return body
    lead = min(start, max(width // 4, width - (len(body) - start)))
    a = start - lead
    if a > 0:  # start at a word
        space = body.find(" ", a, start)
        a = space + 1 if space >= 0 else a
    b = min(len(body), a + width)
    if b < len(body):  # end at a word
        space = body.rfind(" ", max(end, a + width // 2), b)
        b = space if space > 0 else b
    return ("…" if a > 0 else "") + body[a:b] + ("…" if b < len(body) else "")


def highlight(text: str, query: Query, before: str = "\x1b[1m", after: str = "\x1b[0m") -> str:
    """``text`` with the query's words and phrases marked (for a terminal)."""
    marks = query_pattern(query)
    return marks.sub(lambda m: before + m.group(0) + after, text) if marks else text


def query_pattern(query: Query) -> re.Pattern[str] | None:
    """One pattern for all the query's scored words and phrases, longest first (None: none)."""
    patterns = sorted((phrase_pattern(c.words).pattern for c in query.scored), key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None
