"""BibTeX export and import (docs/bibtex-html.md has the field mapping).

Export writes one ``@misc`` per entry (``@article`` when arXiv's metadata in the local
cache names a journal), with a stable citation key such as ``sun2024you``. Import reads
what Zotero, Google Scholar and this exporter write; a file with a syntax error imports
nothing and names the line.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from journal.errors import ImportFailed, ValidationError
from journal.formats import latex as _latex
from journal.formats.files import read_text, write_export
from journal.model import Entry, abs_url, make_entry, parse_arxiv, parse_date, split_paragraphs
from journal.text.rules import clean_text

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "and",
        "to",
        "with",
        "at",
        "by",
        "from",
        "is",
        "are",
        "do",
        "does",
        "what",
        "how",
        "why",
        "when",
        "where",
        "towards",
        "toward",
        "via",
        "into",
    ]
)

# --- export -----------------------------------------------------------------------------


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _plain_words(text: str) -> list[str]:
    """Words of a title without math and LaTeX commands, for citation keys."""
    no_math = "".join(p for is_math, p in _latex.split_math(text) if not is_math)
    return [w for w in (_ascii(w) for w in re.split(r"[\s\-/:]+", no_math)) if w]


def paper_year(entry: Entry) -> tuple[int, int]:
    """``(year, month)`` of the paper: from the arXiv id's ``yymm`` when there is one
    (the month it was first submitted), else the entry's journal day."""
    if entry.arxiv_id:
        m = re.search(r"(\d\d)(\d\d)(?:\.\d+|\d{3})$", entry.arxiv_id)
        if m:
            yy, mm = int(m[1]), int(m[2])
            if 1 <= mm <= 12:
                return (1900 + yy if yy >= 91 else 2000 + yy), mm
    return entry.date.year, entry.date.month


def base_key(entry: Entry) -> str:
    """``surname + year + first title word``, ASCII-folded: ``sun2024you``."""
    surname = _ascii(entry.authors[0].split()[-1]) if entry.authors else ""
    words = [w for w in _plain_words(entry.title) if w not in _STOPWORDS] or _plain_words(entry.title)
    word = next((w for w in words if w[0].isalpha()), words[0] if words else "")
    return f"{surname or 'anon'}{paper_year(entry)[0]}{word}"


def citation_keys(entries: Sequence[Entry]) -> list[str]:
    """A unique key per entry, in order: the first of a kind keeps ``sun2024you``, later
    ones get ``sun2024youa``, ``sun2024youb``, ... (so earlier keys never change when
    later entries are added)."""
    used: set[str] = set()
    keys = []
    for entry in entries:
        base = key = base_key(entry)
        n = 0
        while key in used:
            key = base + _suffix(n)
            n += 1
        used.add(key)
        keys.append(key)
    return keys


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(ord("a") + r) + letters
    return letters


def _words_with_math(encoded: str) -> list[str]:
    """Split an encoded value into words and white space, never inside ``$...$``."""
    tokens: list[str] = [""]
    for is_math, piece in _latex.split_math(encoded):
        if is_math:
            tokens[-1] += piece
            continue
        for part in re.split(r"(\s+)", piece):
            if not part:
                continue
            if part.isspace():
                tokens += [part, ""]
            else:
                tokens[-1] += part
    return tokens


def encode_title(title: str) -> str:
    """The title with words whose capitals must survive a bibliography style's case
    changes (``YOCO``, ``GPT-4``, ``PixArt-$\\alpha$``, ``Decoder-Decoder``, ``N``) in
    braces; a word with only its first letter capital is left to the style."""
    out = []
    for token in _words_with_math(_latex.encode(title)):
        plain = _latex.decode(token)
        letters = [c for c in plain if c.isalpha()]
        inner_capital = any(c.isupper() for c in plain[1:]) or (len(letters) == 1 and letters[0].isupper())
        if token and not token.isspace() and inner_capital:
            token = "{" + token + "}"
        out.append(token)
    return "".join(out)


def encode_author(name: str) -> str:
    """One name; an organisation (one word, or a name BibTeX would misread) in braces."""
    text = _latex.encode(name)
    if len(name.split()) == 1 or "," in name or re.search(r"\band\b", name, re.IGNORECASE):
        return "{" + text + "}"
    return text


def _url(url: str) -> str:
    # url fields are verbatim, but BibTeX still counts braces and backslashes
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _arxiv_record(entry: Entry, journal: Any) -> Any:
    """arXiv metadata for the entry from the local cache (never the network)."""
    if journal is None or not entry.arxiv_id:
        return None
    from journal.capture.arxiv import cache_dir_for, cache_get

    folder = cache_dir_for(getattr(journal, "path", None))
    if entry.arxiv_version:
        found = cache_get(folder, f"{entry.arxiv_id}v{entry.arxiv_version}")
        if found is not None:
            return found
    return cache_get(folder, entry.arxiv_id)


def entry_fields(entry: Entry, record: Any = None) -> tuple[str, list[tuple[str, str]]]:
    """``(entry type, [(field, value as written)])`` for one entry."""
    year, month = paper_year(entry)
    journal_ref = getattr(record, "journal_ref", None)
    fields: list[tuple[str, str]] = [("title", "{" + encode_title(entry.title) + "}")]
    if entry.authors:
        fields.append(("author", "{" + " and ".join(encode_author(a) for a in entry.authors) + "}"))
    if journal_ref:
        fields.append(("journal", "{" + _latex.encode(journal_ref) + "}"))
    fields += [("year", "{" + str(year) + "}"), ("month", MONTHS[month - 1])]
    if entry.arxiv_id:
        version = f"v{entry.arxiv_version}" if entry.arxiv_version else ""
        fields += [("eprint", "{" + entry.arxiv_id + version + "}"), ("archivePrefix", "{arXiv}")]
        if getattr(record, "primary_category", None):
            fields.append(("primaryClass", "{" + record.primary_category + "}"))
    if getattr(record, "doi", None):
        fields.append(("doi", "{" + _url(record.doi) + "}"))
    if entry.url:
        fields.append(("url", "{" + _url(entry.url) + "}"))
    if entry.links:
        fields.append(("links", "{" + " ".join(_url(u) for u in entry.links) + "}"))
    fields.append(("urldate", "{" + entry.date.isoformat() + "}"))
    if entry.abstract:
        fields.append(("abstract", "{" + _latex.encode(entry.abstract) + "}"))
    if entry.tags:
        fields.append(("keywords", "{" + ", ".join(_latex.encode(t) for t in entry.tags) + "}"))
    if entry.commentary:
        fields.append(("annote", "{" + _latex.encode(entry.commentary) + "}"))
    return ("article" if journal_ref else "misc"), fields


def render(entries: Sequence[Entry], journal: Any = None) -> str:
    blocks = []
    for key, entry in zip(citation_keys(entries), entries, strict=True):
        kind, fields = entry_fields(entry, _arxiv_record(entry, journal))
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        blocks.append(f"@{kind}{{{key},\n{body}\n}}\n")
    return "\n".join(blocks)


def write(entries: Sequence[Entry], dest: Path, journal: Any = None, *, force: bool = False, **_: Any) -> int:
    """:func:`render` into ``dest``; replaces only a file this journal's export wrote,
    unless ``force`` (see :func:`._files.write_export`)."""
    write_export(dest, render(entries, journal), journal=journal, force=force)
    return len(entries)


# --- import -----------------------------------------------------------------------------


def _value(entry: Any, *names: str) -> str:
    for name in names:
        field = entry.fields_dict.get(name) or next((f for f in entry.fields if f.key.lower() == name), None)
        if field is not None and str(field.value).strip():
            return str(field.value)
    return ""


def _text(value: str) -> str:
    return " ".join(_latex.decode(value).split())


def _paragraphs(value: str) -> str:
    """Multi-paragraph text (abstract, commentary): blank lines and ``\\par`` separate
    paragraphs; a line's indentation is layout, not content; the journal's rule for text
    (:mod:`journal.text.rules`) comes first, so a page break is a paragraph break too."""
    value = re.sub(r"\\par\b\s*", "\n\n", clean_text(value))
    paragraphs = []
    for para in split_paragraphs(value):
        lines = [" ".join(line.split()) for line in _latex.decode(para).split("\n")]
        paragraphs.append("\n".join(line for line in lines if line))
    return "\n\n".join(p for p in paragraphs if p)


def _split_names(value: str) -> list[str]:
    """Names separated by ``and`` outside braces (as BibTeX splits them)."""
    names: list[str] = []
    current: list[str] = []
    depth = 0
    for token in re.split(r"(\s+and\s+|[{}])", " ".join(value.split()), flags=re.IGNORECASE):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and token.strip().lower() == "and" and token != token.strip():
            names.append("".join(current).strip())
            current = []
            continue
        current.append(token)
    names.append("".join(current).strip())
    return [n for n in names if n]


def _authors(value: str) -> list[str]:
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    names = []
    for raw in _split_names(value):
        if raw.lower() == "others":  # "and others": et al.
            continue
        if "," in _depth0(raw):
            parts = parse_single_name_into_parts(raw, strict=False)
            raw = parts.merge_first_name_first
        name = _text(raw)
        if name:
            names.append(name)
    return names


def _depth0(text: str) -> str:
    """``text`` with everything inside braces removed (to look at top-level commas)."""
    out, depth = [], 0
    for c in text:
        depth += c == "{"
        if depth == 0:
            out.append(c)
        depth -= c == "}"
    return "".join(out)


def _month(value: str) -> int | None:
    text = value.strip().lower()[:3]
    if text.isdigit():
        n = int(text)
        return n if 1 <= n <= 12 else None
    return MONTHS.index(text) + 1 if text in MONTHS else None


def _journal_day(entry: Any) -> dt.date | None:
    """When it was read: ``urldate`` (Zotero: when the item was saved), else the
    publication date (``date``, else ``year`` + ``month``, first of the month/year)."""
    for name in ("urldate", "date"):
        value = _value(entry, name).strip()
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                pass
    m = re.match(r"(\d{4})(?:-(\d{2}))?", _value(entry, "date").strip()) or re.match(
        r"\s*(\d{4})\s*$", _value(entry, "year")
    )
    if not m:
        return None
    month = int(m[2]) if m.lastindex and m.lastindex >= 2 and m[2] else _month(_value(entry, "month")) or 1
    try:
        return dt.date(int(m[1]), month, 1)
    except ValueError:
        return None


_ARXIV_IN_TEXT = re.compile(
    r"arxiv[:\s]*(?:abs/)?(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)", re.I
)


def _arxiv_id(entry: Any) -> str | None:
    eprint = _value(entry, "eprint").strip()
    prefix = _value(entry, "archiveprefix", "eprinttype").strip().lower()
    if eprint and prefix in ("arxiv", ""):
        try:
            arxiv_id, version = parse_arxiv(eprint)
            return arxiv_id + (f"v{version}" if version else "")
        except ValidationError:
            pass
    doi = _value(entry, "doi").strip()
    m = re.fullmatch(r"10\.48550/arxiv\.(.+)", doi, re.I)
    if m:
        return m[1]
    for name in ("journal", "note", "howpublished", "volume"):  # Google Scholar, Zotero
        m = _ARXIV_IN_TEXT.search(_value(entry, name))
        if m:
            return m[1]
    return None


def _url_from(value: str) -> str:
    m = re.search(r"\\url\{([^}]*)\}", value)
    return (m[1] if m else value).strip()


def _fields(entry: Any, default_date: dt.date | None) -> dict[str, Any]:
    title = _text(_value(entry, "title"))
    if not title:
        raise ValidationError("title", "is missing")
    arxiv_id = _arxiv_id(entry)
    url = _url_from(_value(entry, "url"))
    if not url and "://" in _value(entry, "howpublished"):
        url = _url_from(_value(entry, "howpublished"))
    doi = _value(entry, "doi").strip()
    doi_url = f"https://doi.org/{doi}" if doi and not doi.lower().startswith("10.48550/arxiv.") else ""
    links = _value(entry, "links").split()
    if not url:
        url = doi_url or (abs_url(parse_arxiv(arxiv_id)[0]) if arxiv_id else "")
    elif doi_url:
        links.append(doi_url)
    commentary = [_paragraphs(_value(entry, "annote", "annotation"))]
    note = _value(entry, "note")
    if note and not re.fullmatch(
        r"\s*(arxiv[:\s]*\S+(\s*\[[^\]]*\])?|[\d\s\-–,.()pages]*)\s*", _text(note), re.I
    ):
        commentary.append(_paragraphs(note))
    # "a, b" (this exporter, Zotero) or "a; b"; a tag never holds a comma or a space
    keywords = re.split(r",|;\s+", _text(_value(entry, "keywords")))
    tags = [re.sub(r"\s+", "_", re.sub(r"\s*-\s*", "-", k.strip())) for k in keywords]
    return {
        "title": title,
        "authors": _authors(_value(entry, "author")) or _authors(_value(entry, "editor")),
        "url": url or None,
        "links": links,
        "arxiv_id": arxiv_id,
        "abstract": _paragraphs(_value(entry, "abstract")),
        "commentary": "\n\n".join(c for c in commentary if c),
        "tags": [t.lstrip("#") for t in tags if t],
        "date": default_date or _journal_day(entry),
    }


_BARE_VALUE = re.compile(r"[\w.:+/\-]+")


def _syntax_errors(library: Any, source: Path) -> None:
    """One clear error for the first thing BibTeX could not read."""
    problems = []
    for block in library.failed_blocks:
        error = block.error
        reason = getattr(error, "abort_reason", None) or str(error).split(". Note:")[0]
        if block.__class__.__name__ == "DuplicateBlockKeyBlock":
            reason = f"the citation key {block.key!r} is used twice"
        elif block.__class__.__name__ == "DuplicateFieldKeyBlock":
            reason = f"this entry has the field {', '.join(sorted(block.duplicate_keys))} twice"
        else:
            kind = re.match(r"\s*@\s*(\w*)", block.raw or "")
            what = f"the @{kind[1]} entry starting on this line" if kind and kind[1] else "this entry"
            reason = (
                f"{what} is not valid BibTeX ({' '.join(str(reason).split())}); check its braces and commas"
            )
        problems.append(((block.start_line or 0) + 1, reason))
    for entry in library.entries:
        for field in entry.fields:
            if field.enclosing == "no-enclosing" and not _BARE_VALUE.fullmatch(str(field.value)):
                line = (field.start_line or entry.start_line or 0) + 1
                problems.append((line, f"syntax error in @{entry.entry_type}{{{entry.key}: field "
                                 f"{field.key!r} is not braced or quoted (a missing comma?)"))  # fmt: skip
    if problems:
        line, message = min(problems)
        raise ImportFailed(source, message, line=line)


def read(source: Path, journal: Any = None, *, date: Any = None) -> list[Entry]:
    """Entries of a BibTeX file. ``date`` (YYYY-MM-DD) sets the journal day of every
    entry; else each entry's ``urldate``, else its publication date, else today."""
    return read_string(read_text(source), source, date=date)


def read_string(text: str, source: Path | str = "<bibtex>", *, date: Any = None) -> list[Entry]:
    """Entries of BibTeX text (see :func:`read`); errors name ``source``."""
    import bibtexparser

    source = Path(source)
    default_date = parse_date(date, "date") if date not in (None, "") else None
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)  # it logs each syntax error; we report the first
    try:
        library = bibtexparser.parse_string(text)
    finally:
        logger.setLevel(level)
    _syntax_errors(library, source)
    if not library.entries:
        raise ImportFailed(source, "holds no BibTeX entries (@article{...}, @misc{...}, ...)")
    entries = []
    for bib in library.entries:
        line = (bib.start_line or 0) + 1
        try:
            fields = _fields(bib, default_date)
            if fields["date"] is None:
                # no date at all: today, with an id from the citation key so that
                # importing the file again another day adds nothing
                fields["date"] = dt.date.today()
                fields["source_key"] = f"bibtex:{bib.key}"
            entries.append(make_entry(**fields))
        except ValidationError as e:
            raise ImportFailed(source, f"entry {bib.key!r}: {e}", line=line) from None
    return entries
