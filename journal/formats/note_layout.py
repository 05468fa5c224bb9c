"""The layout of a markdown note: everything beyond its entry's fields, as a short hint.

Whatever makes a note differ from the canonical form (a plain title line, the tags inline
at the end of a paragraph or above a trailing ``# Links`` section, the gaps between
blocks, the final newline, CRLF line endings, a byte order mark, a title that lives only
in the file name) is a :class:`Layout`. A non-canonical layout travels with the entry as
a short hint in its ``layout`` field::

    plain,inline,end=0

(schema version 1 kept it at the end of ``source``, ``x.md#md:plain``, which
:func:`split_source` still separates). :mod:`journal.formats.markdown_note` reads a note
into fields and a layout, and writes them back. See ``docs/markdown.md`` for the list of
hint tokens.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from journal.model import split_legacy_source

#: The gap before each kind of block (``lead``: before the first one, ``end``: after the
#: last one, ``sep``: between a paragraph and inline tags); ``linkN`` defaults to "\n".
DEFAULT_GAPS: dict[str, str] = {
    "lead": "",
    "title": "\n\n",
    "authors": "\n",
    "abstract": "\n\n",
    "body": "\n\n",
    "tags": "\n\n",
    "tail": "\n\n",
    "sep": " ",
    "end": "\n",
}
_GAP_ORDER = ("lead", "title", "authors", "abstract", "body", "tags", "tail", "sep", "end")
_FLAGS = ("crlf", "cr", "bom", "plain", "notitle", "aown", "aempty", "qtight", "qspace", "inline")
_MAX_RUN = 10_000  # a hint is user-editable text: no gigantic gaps from a typo
_GAP_RUN = re.compile(r"(\d+)(n|s|t|u[0-9a-f]{4})")


@dataclass
class Layout:
    """How a note is laid out, beyond its fields (the default: the canonical form)."""

    newline: str = "\n"  # "\r\n" (hint crlf) or "\r" (cr)
    bom: bool = False
    title: str = "star"  # "plain": no *...*; "file": no title line, title from the name
    authors_own_line: bool = False  # "(A, B)" on the line below the title
    empty_parens: bool = False  # "()" written when there are no authors
    quote: str = "> "  # ">" (qtight): abstract lines written ">text"
    quote_blank: str = ">"  # "> " (qspace): how an empty abstract line is written
    inline_tags: bool = False  # tags at the end of a paragraph, not on their own line
    tags_before: int = 0  # the tags come before the last N commentary paragraphs
    gaps: dict[str, str] = field(default_factory=dict)  # only those that differ

    def gap(self, key: str) -> str:
        if key in self.gaps:
            return self.gaps[key]
        return "\n" if key.startswith("link") else DEFAULT_GAPS[key]

    def to_hint(self) -> str:
        """The compact hint for ``source`` ("" for the canonical layout)."""
        flags = {
            "crlf": self.newline == "\r\n",
            "cr": self.newline == "\r",
            "bom": self.bom,
            "plain": self.title == "plain",
            "notitle": self.title == "file",
            "aown": self.authors_own_line,
            "aempty": self.empty_parens,
            "qtight": self.quote == ">",
            "qspace": self.quote_blank == "> ",
            "inline": self.inline_tags,
        }
        tokens = [name for name in _FLAGS if flags[name]]
        if self.tags_before:
            tokens.append(f"k={self.tags_before}")
        keys = [k for k in _GAP_ORDER if k in self.gaps]
        keys[1:1] = sorted((k for k in self.gaps if k.startswith("link")), key=lambda k: int(k[4:]))
        for key in keys:
            value = self.gaps[key]
            if value != self.gap_default(key):
                tokens.append(f"{key}={_encode_gap(value)}")
        return ",".join(tokens)

    @staticmethod
    def gap_default(key: str) -> str:
        return "\n" if key.startswith("link") else DEFAULT_GAPS[key]

    @classmethod
    def from_hint(cls, hint: str) -> Layout:
        """The layout a hint describes; unknown or damaged tokens are ignored."""
        lay = cls()
        for token in hint.split(","):
            key, _, value = token.partition("=")
            if not value:
                if key == "crlf":
                    lay.newline = "\r\n"
                elif key == "cr":
                    lay.newline = "\r"
                elif key == "bom":
                    lay.bom = True
                elif key in ("plain", "notitle"):
                    lay.title = "plain" if key == "plain" else "file"
                elif key == "aown":
                    lay.authors_own_line = True
                elif key == "aempty":
                    lay.empty_parens = True
                elif key == "qtight":
                    lay.quote = ">"
                elif key == "qspace":
                    lay.quote_blank = "> "
                elif key == "inline":
                    lay.inline_tags = True
            elif key == "k" and value.isdigit():
                lay.tags_before = min(int(value), _MAX_RUN)
            elif key in DEFAULT_GAPS or (key.startswith("link") and key[4:].isdigit()):
                gap = _decode_gap(value)
                if gap is not None:
                    lay.gaps[key] = gap
        return lay


def _encode_gap(ws: str) -> str:
    if ws.count("\n") == len(ws):
        return str(len(ws))
    runs = []
    for ch, group in itertools.groupby(ws):
        code = {"\n": "n", " ": "s", "\t": "t"}.get(ch) or f"u{ord(ch):04x}"
        runs.append(f"{len(list(group))}{code}")
    return "".join(runs)


def _decode_gap(value: str) -> str | None:
    if value.isdigit():
        return "\n" * min(int(value), _MAX_RUN)
    out, pos = [], 0
    for m in _GAP_RUN.finditer(value):
        if m.start() != pos:
            return None
        code = m.group(2)
        ch = {"n": "\n", "s": " ", "t": "\t"}.get(code) or chr(int(code[1:], 16))
        if not ch.isspace():
            return None
        out.append(ch * min(int(m.group(1)), _MAX_RUN))
        pos = m.end()
    return "".join(out) if pos == len(value) else None


def split_source(source: str | None) -> tuple[str | None, str]:
    """``(note path, layout hint)`` of a ``source`` of schema version 1 (path None if
    there is none); a version-2 ``source`` is the path alone."""
    path, hint = split_legacy_source(source)
    return path, hint or ""
