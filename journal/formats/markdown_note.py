"""One markdown note <-> one entry (SPEC section 3), byte for byte.

The canonical note::

    https://arxiv.org/abs/2405.05254      the url, then one line per other link
                                          (blank line)
    *Title* (Author, Author)              the title line (authors in parentheses)
                                          (blank line)
    > abstract                            a blockquote; ">" lines between its paragraphs
                                          (blank line)
    commentary paragraph ...              everything else, kept verbatim
                                          (blank line)
    #tag #tag                             the tags line, then one final newline

A note is read as *blocks* separated by *gaps* (runs of white space). The blocks are
recognised from the top (URL lines, the title line, an own-line authors line, the
abstract) and from the bottom (the tags), and only when writing them back gives exactly
the same text; whatever is not recognised stays in the commentary, verbatim. So reading
never loses a character, and everything that makes a note differ from the canonical
form (a plain title line, the tags inline at the end of a paragraph, the gaps, the line
endings, a title that lives only in the file name) is a
:class:`~journal.formats.note_layout.Layout`, which travels with the entry as a short
hint (:mod:`journal.formats.note_layout`). Rendering the entry's fields with its layout
gives the note back; after an edit, the edited fields are written in the same layout.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from journal.errors import ValidationError
from journal.formats.note_layout import Layout
from journal.model import Entry, check_url

#: A note named only by a date takes a first line this short that stands alone as its title.
MAX_TITLE_LINE = 150

_WS = re.compile(r"\s*")
_URL_LINE = re.compile(r"https?://\S+")
_STAR = re.compile(r"\*(?P<t>.+)\*(?: \((?P<a>.*)\))?")
_PLAIN = re.compile(r"(?P<t>.*\S) \((?P<a>[^()]*)\)")
_AUTHORS_LINE = re.compile(r"\((?P<a>.*)\)")
_TOKEN = r"#[\w/-]*[^\W\d_][\w/-]*"  # an Obsidian-style tag: letters needed, no spaces
_TAGS_LINE = re.compile(rf"{_TOKEN}(?: {_TOKEN})*")
_INLINE_TAGS = re.compile(rf"(?P<sep>[^\S\n]+)(?P<tags>{_TOKEN}(?: {_TOKEN})*)$")
_HEADING = re.compile(r"(?m)^#{1,6}[ \t]")
_PARA_SEP = re.compile(r"(\n(?:[^\S\n]*\n)+)")  # a blank (or white-space-only) line


# --- reading ---------------------------------------------------------------------------


def split_newlines(text: str) -> tuple[str, str, bool]:
    """``(text with \\n line breaks, the file's line break, exact)``; not exact when a file
    mixes line break styles (then they all become the most common one)."""
    if "\r" not in text:
        return text, "\n", True
    crlf, cr, lf = text.count("\r\n"), text.count("\r"), text.count("\n")
    if crlf == cr == lf:
        return text.replace("\r\n", "\n"), "\r\n", True
    if lf == 0:
        return text.replace("\r", "\n"), "\r", True
    style = max((crlf, "\r\n"), (cr - crlf, "\r"), (lf - crlf, "\n"))[1]
    return text.replace("\r\n", "\n").replace("\r", "\n"), style, False


def loose(text: str) -> str:
    """Letters and digits only, case-folded: to compare a title with a file name."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text).casefold() if ch.isalnum())


def _names(inner: str | None) -> tuple[str, ...] | None:
    """Authors from the text between the parentheses, if writing them back is exact."""
    if inner is None:
        return None
    if inner == "":
        return ()
    names = inner.split(", ")
    for name in names:
        if not name or name != " ".join(name.split()):
            return None
    return tuple(names)


def _exact_title(title: str) -> bool:
    return bool(title) and title == " ".join(title.split())


def parse_title_line(line: str) -> tuple[str, str, tuple[str, ...] | None] | None:
    """``(style, title, authors or None)`` of a title line, if it is one exactly."""
    m = _STAR.fullmatch(line)
    if m and _exact_title(m["t"]):
        authors = _names(m["a"])
        if m["a"] is None or authors is not None:
            return "star", m["t"], authors
    if line.startswith(("#", ">", "*")) or _URL_LINE.fullmatch(line):
        return None
    m = _PLAIN.fullmatch(line)
    if m and _exact_title(m["t"]) and _names(m["a"]) is not None:
        return "plain", m["t"], _names(m["a"])
    return ("plain", line, None) if _exact_title(line) else None


def _quote_lines(contents: list[str], quote: str, blank: str) -> list[str]:
    return [blank if c == "" else quote + c for c in contents]


def _unquote(lines: list[str]) -> tuple[str, str, str] | None:
    """``(abstract, quote, blank)`` of blockquote lines, if writing them back is exact."""
    for quote, blank in (("> ", ">"), ("> ", "> "), (">", ">")):
        contents = []
        for line in lines:
            if line == blank:
                contents.append("")
            elif line.startswith(quote):
                contents.append(line[len(quote) :])
            else:
                break
        else:
            abstract = "\n".join(contents)
            if abstract and abstract == abstract.strip() and _quote_lines(contents, quote, blank) == lines:
                return abstract, quote, blank
    return None


def _valid_tags(tokens: str) -> tuple[str, ...] | None:
    tags = tuple(t[1:] for t in tokens.split(" "))
    return tags if len(set(tags)) == len(tags) else None


@dataclass
class _Tags:
    commentary: str
    tags: tuple[str, ...]
    inline: bool
    before: int  # commentary paragraphs after the tags
    gap_tags: str | None = None  # None: the tags open the body (the body's gap applies)
    gap_tail: str = ""
    sep: str = " "


def _count_paragraphs(text: str) -> int:
    return (len(_PARA_SEP.split(text)) + 1) // 2 if text else 0


def _find_tags(body: str) -> _Tags | None:
    """The tags at the end of ``body`` (which starts and ends with non-space), or just
    above a trailing section that opens with a heading (such as ``# Links``)."""
    ends = [len(body)]
    for heading in reversed(list(_HEADING.finditer(body))):
        before = body[: heading.start()]
        if before.rstrip() and (before[len(before.rstrip()) :]).count("\n") >= 2:
            ends.append(heading.start())
    for end in ends:
        text = body[:end].rstrip()
        rest = body[end:]
        gap_tail = body[len(text) : end]
        start = text.rfind("\n") + 1
        line = text[start:]
        stripped = line.lstrip()
        if _TAGS_LINE.fullmatch(stripped):
            tags = _valid_tags(stripped)
            if tags is not None:
                tag_start = start + len(line) - len(stripped)
                before = text[:tag_start].rstrip()
                commentary = f"{before}\n\n{rest}" if before and rest else before or rest
                return _Tags(
                    commentary,
                    tags,
                    inline=False,
                    before=_count_paragraphs(rest),
                    gap_tags=text[len(before) : tag_start] if before else None,
                    gap_tail=gap_tail,
                )
        m = _INLINE_TAGS.search(line)
        if m and line[: m.start()].strip():
            tags = _valid_tags(m["tags"])
            if tags is not None:
                commentary = text[: start + m.start()] + body[len(text) :]
                return _Tags(commentary, tags, inline=True, before=_count_paragraphs(rest), sep=m["sep"])
    return None


def parse_note(
    text: str, file_title: str, *, title_line_wanted: bool = False
) -> tuple[dict[str, Any], Layout]:
    """The entry fields and the layout of a note (``text`` with ``\\n`` line breaks).

    ``file_title`` is the title the file name gives (used when there is no title line);
    ``title_line_wanted``: the name gives none (``250311.md``), so a short first line
    that stands alone is the title.
    """
    lay = Layout()
    fields: dict[str, Any] = {"title": file_title, "authors": (), "url": None, "links": ()}
    stop = len(text.rstrip())
    if stop == 0:
        lay.title = "file"
        lay.gaps["end"] = text
        return fields, lay
    pos = _skip_ws(text)
    lay.gaps["lead"] = text[:pos]
    lay.gaps["end"] = text[stop:]
    prev_end: int | None = None

    def line_at(p: int) -> tuple[str, int]:
        e = text.find("\n", p, stop)
        line = text[p : stop if e < 0 else e].rstrip()
        return line, p + len(line)

    def accept(key: str, start: int, end: int) -> int:
        nonlocal prev_end
        if prev_end is not None:
            lay.gaps[key] = text[prev_end:start]
        prev_end = end
        return _skip_ws(text, end) if end < stop else stop

    # URL lines: the first is the url, the others are links
    urls: list[str] = []
    while pos < stop:
        line, end = line_at(pos)
        if not _URL_LINE.fullmatch(line) or line in urls or not _is_url(line):
            break
        pos = accept(f"link{len(urls)}" if urls else "url", pos, end)
        urls.append(line)

    # the title line, and the authors below it when they are not on it
    title_found = False
    if pos < stop:
        line, end = line_at(pos)
        parsed = parse_title_line(line)
        own: tuple[int, int, tuple[str, ...]] | None = None
        after = _skip_ws(text, end) if end < stop else stop
        if parsed and parsed[2] is None and end < stop and text.count("\n", end, after) == 1:
            below, below_end = line_at(after)
            m = _AUTHORS_LINE.fullmatch(below)
            if m and _names(m["a"]) is not None:
                own = (after, below_end, _names(m["a"]) or ())
        if parsed and parsed[0] == "plain":
            # a line without *...* is the title only with support (documented heuristic)
            nxt = own[1] if own else end
            nxt_start = _skip_ws(text, nxt) if nxt < stop else stop
            alone = nxt >= stop or text.count("\n", nxt, nxt_start) >= 2
            quote_next = nxt < stop and text.startswith(">", nxt_start)
            named = loose(parsed[1]) == loose(file_title) != "" or (
                title_line_wanted and alone and len(parsed[1]) <= MAX_TITLE_LINE
            )
            signals = bool(urls) + (parsed[2] is not None or own is not None) + quote_next
            if not (named or signals >= 2) or not (alone or quote_next):
                parsed = None
        if parsed:
            style, title, authors = parsed
            lay.title = style
            fields["title"] = title
            pos = accept("title", pos, end)
            if own:
                lay.authors_own_line = True
                authors = own[2]
                lay.empty_parens = not authors
                pos = accept("authors", own[0], own[1])
            else:
                lay.empty_parens = authors == ()
            fields["authors"] = authors or ()
            title_found = True
    if not title_found:
        lay.title = "file"

    # the abstract: consecutive lines that start with ">" (after a title or URL: an essay
    # that opens with a quotation keeps it in its commentary)
    if pos < stop and (title_found or urls) and text.startswith(">", pos):
        lines, p = [], pos
        while True:
            e = text.find("\n", p)
            e = len(text) if e < 0 else e
            lines.append(text[p:e])
            if e < stop and text.startswith(">", e + 1):
                p = e + 1
                continue
            break
        lines[-1] = lines[-1].rstrip()
        found = _unquote(lines)
        if found:
            fields["abstract"], lay.quote, lay.quote_blank = found
            pos = accept("abstract", pos, p + len(lines[-1]))

    # the rest: commentary, with the tags found at its end
    fields["url"] = urls[0] if urls else None
    fields["links"] = tuple(urls[1:])
    if pos < stop:
        body = text[pos:stop]
        tags = _find_tags(body)
        if tags is None:
            fields["commentary"] = body
            accept("body", pos, stop)
        else:
            fields["commentary"] = tags.commentary
            fields["tags"] = tags.tags
            lay.inline_tags = tags.inline
            lay.tags_before = tags.before
            if tags.inline or tags.gap_tags is not None:
                accept("body", pos, stop)
            else:  # the body opens with the tags line
                accept("tags", pos, stop)
            if tags.gap_tags is not None:
                lay.gaps["tags"] = tags.gap_tags
            if tags.inline:
                lay.gaps["sep"] = tags.sep
            elif tags.before:
                lay.gaps["tail"] = tags.gap_tail
    for key, value in list(lay.gaps.items()):
        if value == Layout.gap_default(key):
            del lay.gaps[key]
    return fields, lay


def _skip_ws(text: str, pos: int = 0) -> int:
    """Where the run of white space at ``pos`` ends."""
    m = _WS.match(text, pos)
    return m.end() if m else pos


def _is_url(text: str) -> bool:
    try:
        check_url(text)
    except (ValidationError, ValueError):  # urlsplit raises ValueError on "https://a.b["
        return False
    return True


def verbatim_layout(text: str) -> tuple[dict[str, Any], Layout]:
    """The fallback reading: the whole note as commentary, the title from the file name."""
    stop = len(text.rstrip())
    start = _skip_ws(text) if stop else 0
    lay = Layout(title="file")
    lay.gaps.update(lead=text[:start], end=text[stop:])
    return {"commentary": text[start:stop]}, lay


# --- writing ---------------------------------------------------------------------------


def _paragraphs(text: str) -> tuple[list[str], list[str]]:
    pieces = _PARA_SEP.split(text)
    return pieces[0::2], pieces[1::2]


def _join(paras: list[str], seps: list[str]) -> str:
    out = [paras[0]] if paras else []
    for sep, para in zip(seps, paras[1:], strict=True):
        out += [sep, para]
    return "".join(out)


def _title_blocks(entry: Entry, lay: Layout) -> list[tuple[str, str]]:
    authors = ", ".join(entry.authors)
    parens = bool(entry.authors) or lay.empty_parens
    if lay.title == "plain" and not lay.authors_own_line:
        line = f"{entry.title} ({authors})" if parens else entry.title
        if parse_title_line(line) == ("plain", entry.title, entry.authors if parens else None):
            return [("title", line)]
    elif lay.title == "plain" and parse_title_line(entry.title) == ("plain", entry.title, None):
        return [("title", entry.title)] + ([("authors", f"({authors})")] if parens else [])
    star = f"*{entry.title}*"
    if lay.authors_own_line or (
        parens and parse_title_line(f"{star} ({authors})") != ("star", entry.title, entry.authors)
    ):
        return [("title", star)] + ([("authors", f"({authors})")] if parens else [])
    return [("title", f"{star} ({authors})" if parens else star)]


def _body_blocks(entry: Entry, lay: Layout) -> list[tuple[str, str]]:
    text = entry.commentary
    if not entry.tags:
        return [("body", text)] if text else []
    tags = " ".join("#" + t for t in entry.tags)
    paras, seps = _paragraphs(text) if text else ([], [])
    n = len(paras)
    if lay.inline_tags and n:
        i = max(n - 1 - lay.tags_before, 0)
        core = paras[i].rstrip()
        paras[i] = core + lay.gap("sep") + tags + paras[i][len(core) :]
        return [("body", _join(paras, seps))]
    i = max(n - lay.tags_before, 0)
    blocks = [("body", _join(paras[:i], seps[: max(i - 1, 0)]))] if i else []
    blocks.append(("tags", tags))
    if i < n:
        blocks.append(("tail", _join(paras[i:], seps[i:])))
    return blocks


def render_text(entry: Entry, lay: Layout, file_title: str) -> str:
    """The note of ``entry`` in ``lay``, with ``\\n`` line breaks and no byte order mark."""
    blocks: list[tuple[str, str]] = []
    urls = ([entry.url] if entry.url else []) + list(entry.links)
    for i, url in enumerate(urls):
        blocks.append((f"link{i}" if i else "url", url))
    no_title_line = lay.title == "file" and entry.title == file_title and not entry.authors
    if not (no_title_line and (urls or not entry.abstract)):
        blocks += _title_blocks(entry, lay)
    if entry.abstract:
        contents = entry.abstract.split("\n")
        blocks.append(("abstract", "\n".join(_quote_lines(contents, lay.quote, lay.quote_blank))))
    blocks += _body_blocks(entry, lay)
    parts = [lay.gap("lead")]
    for i, (key, text) in enumerate(blocks):
        if i:
            parts.append(lay.gap(key))
        parts.append(text)
    parts.append(lay.gap("end"))
    return "".join(parts)


def render_bytes(entry: Entry, lay: Layout, file_title: str) -> bytes:
    """The note file's bytes: line breaks and byte order mark as the layout says."""
    text = render_text(entry, lay, file_title)
    if lay.newline != "\n":
        text = text.replace("\n", lay.newline)
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if lay.bom else data
