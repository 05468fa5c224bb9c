"""The entry model (SPEC section 1): fields, validation, normalisation and ids.

No I/O here: everything takes and returns plain Python values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from journal.errors import InvalidArxivId, ValidationError
from journal.text.rules import check_count, check_size, multi_line, refuse_control

#: Column order of the table, the JSONL objects and the CSV export.
FIELDS: tuple[str, ...] = (
    "id",
    "date",
    "title",
    "authors",
    "url",
    "links",
    "arxiv_id",
    "arxiv_version",
    "abstract",
    "commentary",
    "tags",
    "source",
    "layout",
    "created_at",
    "updated_at",
    "reader",
)
LIST_FIELDS = ("authors", "links", "tags")
#: Fields a user may set (the rest are set by the store).
EDITABLE_FIELDS: tuple[str, ...] = tuple(
    f for f in FIELDS if f not in ("id", "created_at", "updated_at", "reader")
)


@dataclasses.dataclass(frozen=True)
class Entry:
    """One thing read: a paper or a post, with the reader's commentary."""

    id: str
    date: dt.date
    title: str
    authors: tuple[str, ...] = ()
    url: str | None = None
    links: tuple[str, ...] = ()
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    abstract: str = ""
    commentary: str = ""
    tags: tuple[str, ...] = ()
    source: str | None = None
    layout: str | None = None  # how the note it came from was laid out (formats.markdown_note)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    reader: str | None = None  # who wrote it (set by the store; None: from before readers)

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values (lists, date and datetime objects)."""
        d = {f: getattr(self, f) for f in FIELDS}
        for f in LIST_FIELDS:
            d[f] = list(d[f])
        return d

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready values: dates as YYYY-MM-DD, timestamps as ISO 8601 (UTC)."""
        d = self.to_dict()
        d["date"] = self.date.isoformat()
        for f in ("created_at", "updated_at"):
            value = d[f]
            d[f] = None if value is None else format_timestamp(value)
        return d

    def replace(self, **changes: Any) -> Entry:
        return dataclasses.replace(self, **changes)

    @property
    def paragraphs(self) -> list[str]:
        """Commentary paragraphs (split on blank lines)."""
        return split_paragraphs(self.commentary)

    @property
    def paper_url(self) -> str | None:
        """Where the paper is read: its URL, else its arXiv page (None: neither)."""
        if self.url:
            return self.url
        return abs_url(self.arxiv_id, self.arxiv_version) if self.arxiv_id else None


# --- small normalisers --------------------------------------------------------------

_NEW_ARXIV = re.compile(r"(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?")
_OLD_ARXIV = re.compile(r"(?P<id>[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?")
_ARXIV_URL = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/(?P<rest>.+?)(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)


def parse_arxiv(text: str) -> tuple[str, int | None]:
    """``(arxiv_id, version)`` from an id or any arXiv URL form.

    Accepts ``2405.05254``, ``2405.05254v2``, ``arXiv:2405.05254``, ``hep-th/9901001v1``,
    ``https://arxiv.org/abs/...``, ``.../pdf/...v2.pdf``, ``export.arxiv.org``.
    """
    if not isinstance(text, str):
        raise InvalidArxivId(repr(text))
    raw = text.strip()
    candidate = raw
    m = _ARXIV_URL.match(raw)
    if m:
        candidate = m.group("rest")
    elif raw.lower().startswith("arxiv:"):
        candidate = raw[6:].strip()
    for pattern in (_NEW_ARXIV, _OLD_ARXIV):
        found = pattern.fullmatch(candidate)
        if found:
            version = found.group("v")
            return found.group("id"), int(version) if version else None
    raise InvalidArxivId(text)


def abs_url(arxiv_id: str, version: int | None = None) -> str:
    """The arXiv abstract page of a paper (of one version when ``version`` is given)."""
    return f"https://arxiv.org/abs/{arxiv_id}" + (f"v{version}" if version else "")


def arxiv_from_url(url: str | None) -> tuple[str, int | None] | None:
    """The arXiv id of an arXiv URL, else None."""
    if not url or not _ARXIV_URL.match(url.strip()):
        return None
    try:
        return parse_arxiv(url)
    except InvalidArxivId:
        return None


_SPACE = re.compile(r"\s")


def check_url(url: str, field: str = "url") -> str:
    if not isinstance(url, str):
        raise ValidationError(field, f"{url!r} is not a URL (expected text such as https://...)")
    url = check_size(refuse_control(url.strip(), field), field)
    bad = ValidationError(field, f"{url!r} is not a URL (expected http:// or https:// and a host)")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise bad from None
    if (
        parts.scheme not in ("http", "https")
        or not host
        or not ("." in host or host == "localhost" or ":" in host)
        or _SPACE.search(url) is not None
    ):
        raise bad
    return url


def normalise_tags(tags: str | Iterable[str] | None) -> tuple[str, ...]:
    """Tags without ``#``, order kept, duplicates dropped.

    A string is split on whitespace and commas: ``"#a b, c"`` -> ``("a", "b", "c")``.
    """
    if tags is None:
        return ()
    items = re.split(r"[\s,]+", tags) if isinstance(tags, str) else list(tags)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValidationError("tags", f"{item!r} is not text")
        tag = check_size(refuse_control(item.strip().lstrip("#").strip(), "tags"), "tags")
        if not tag:
            continue
        if _SPACE.search(tag):
            raise ValidationError("tags", f"{tag!r} contains a space; use - or _ inside a tag")
        if tag not in out:
            out.append(tag)
    check_count(len(out), "tags")
    return tuple(out)


def tag_key(tag: str) -> str:
    """What two spellings of one tag share, the one rule by which a tag is matched
    everywhere (``list``/``export --tag``, search's ``tag:``, the browser's tag filter,
    ``tags rename``/``merge``, related entries, ``stats``; ``journal check`` groups
    near-duplicate tags by it): case (Unicode case folding), compatibility forms (NFKC:
    full-width letters, decomposed Hangul), a leading ``#``, ``-``, ``_`` and spaces are
    ignored (``Self-Supervised``, ``self_supervised`` -> ``selfsupervised``). Tags are
    stored as written."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", tag).casefold())
    return re.sub(r"[\s_\-]+", "", folded.lstrip("#"))


def normalise_authors(authors: str | Iterable[str] | None) -> tuple[str, ...]:
    """Authors as a tuple of names; a string is split on commas (and `` and ``)."""
    if authors is None:
        return ()
    if isinstance(authors, str):
        text = authors.strip()
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1]
        items = re.split(r",|\s+and\s+|;", text)
    else:
        items = list(authors)
    out = []
    for item in items:
        if not isinstance(item, str):
            raise ValidationError("authors", f"{item!r} is not text")
        name = check_size(refuse_control(" ".join(item.split()), "authors"), "authors")
        if name:
            out.append(name)
    check_count(len(out), "authors")
    return tuple(out)


def normalise_text(text: str | None, field: str = "text") -> str:
    """A multi-line field (commentary, abstract) under the rule of :mod:`journal.text.rules`:
    newlines as ``\\n``, a page break as a paragraph break, other control characters
    dropped, no white space at the ends, at most ``LIMITS[field]`` characters."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise ValidationError(field, f"{text!r} is not text")
    return multi_line(text, field)


def split_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def parse_date(value: str | dt.date | dt.datetime, field: str = "date") -> dt.date:
    """A calendar date from ``YYYY-MM-DD`` (also ``today``/``yesterday``) or a date object."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValidationError(field, f"{value!r} is not a date (expected YYYY-MM-DD)")
    text = value.strip().lower()
    if text == "today":
        return dt.date.today()
    if text == "yesterday":
        return dt.date.today() - dt.timedelta(days=1)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        if re.fullmatch(r"\d{8}", text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValidationError(field, f"{value!r} is not a real date") from None
    raise ValidationError(field, f"{value!r} is not a date (expected YYYY-MM-DD)")


def day_range(start: str | dt.date, until: str | dt.date | None = None) -> list[dt.date]:
    """The days from ``start`` to ``until`` inclusive (one day without ``until``)."""
    first = parse_date(start, "date")
    last = parse_date(until, "until") if until is not None else first
    if last < first:
        raise ValidationError("until", f"{last} is before {first}; give a later --until")
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def parse_timestamp(value: Any, field: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        ts = value
    elif isinstance(value, str):
        try:
            ts = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(field, f"{value!r} is not an ISO 8601 timestamp") from None
    else:
        raise ValidationError(field, f"{value!r} is not a timestamp")
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.timezone.utc)
    return ts.astimezone(dt.timezone.utc)


def format_timestamp(ts: dt.datetime) -> str:
    return ts.astimezone(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


#: Where timestamps count from (stored as microseconds since then).
EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# --- ids ---------------------------------------------------------------------------


def title_key(title: str) -> str:
    """``title`` as ids compare it (whitespace runs as one space, case folded)."""
    return " ".join(title.split()).casefold()


def make_id(
    date: dt.date,
    *,
    arxiv_id: str | None = None,
    url: str | None = None,
    title: str = "",
    source_key: str | None = None,
) -> str:
    """A stable id from what identifies the entry in its source (SPEC section 1).

    ``source_key`` (e.g. a note's relative path) wins; else arXiv id + date, else URL +
    date, else title + date. Twelve hex digits of SHA-256: short enough to type, and any
    unique prefix is accepted where an id is asked for."""
    if source_key is not None:
        key = f"source:{source_key}"
    elif arxiv_id:
        key = f"arxiv:{arxiv_id}|{date.isoformat()}"
    elif url:
        key = f"url:{url.strip()}|{date.isoformat()}"
    else:
        key = f"title:{title_key(title)}|{date.isoformat()}"
    import hashlib  # here: loading OpenSSL costs every command ~5 ms

    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def reader_id(entry_id: str, reader: str) -> str:
    """The id of ``reader``'s entry whose id would be ``entry_id`` without a reader: the
    reader is part of what it is derived from, so two readers' entries for one paper on one
    day are two entries (SPEC section 1). Deterministic: importing again adds nothing."""
    import hashlib

    return hashlib.sha256(f"{entry_id}|reader:{reader}".encode()).hexdigest()[:12]


def check_reader(reader: str, field: str = "reader") -> str:
    """A reader's name as stored: one line of text, not empty, at most 100 characters."""
    if not isinstance(reader, str):
        raise ValidationError(field, f"{reader!r} is not text")
    name = refuse_control(" ".join(reader.split()), field)
    if not name:
        raise ValidationError(field, "must not be empty")
    if len(name) > 100:
        raise ValidationError(field, f"{name[:20]!r}... is too long (at most 100 characters)")
    return name


#: A layout hint riding in ``source`` (``x.md#md:plain``), as schema version 1 stored it.
LEGACY_LAYOUT_PATTERN = r"(?P<path>.*\.[mM][dD])#md:(?P<layout>[a-z0-9=,]*)"
LEGACY_LAYOUT = re.compile(LEGACY_LAYOUT_PATTERN, re.S)


def split_legacy_source(source: str | None) -> tuple[str | None, str | None]:
    """``(path, layout)`` of a ``source`` that may still carry a layout hint (journals and
    JSONL exports of schema version 1); the layout is None when there is none."""
    found = LEGACY_LAYOUT.fullmatch(source) if source else None
    if found is None:
        return source, None
    return found["path"], found["layout"] or None


_MAX_VERSION = 2**31 - 1  # stored as int32
_ID = re.compile(r"[0-9a-z][0-9a-z_.:\-]{0,127}")


# --- building entries ----------------------------------------------------------------


def make_entry(
    *,
    title: str,
    date: str | dt.date | None = None,
    authors: str | Iterable[str] | None = None,
    url: str | None = None,
    links: Iterable[str] | None = None,
    arxiv_id: str | None = None,
    arxiv_version: int | None = None,
    abstract: str | None = None,
    commentary: str | None = None,
    tags: str | Iterable[str] | None = None,
    source: str | None = None,
    layout: str | None = None,
    id: str | None = None,
    source_key: str | None = None,
    created_at: Any = None,
    updated_at: Any = None,
    reader: str | None = None,
) -> Entry:
    """Validate and normalise user input into an :class:`Entry` (with its id)."""
    if not isinstance(title, str) or not title.strip():
        raise ValidationError("title", "must not be empty")
    clean_title = check_size(refuse_control(" ".join(title.split()), "title"), "title")
    day = dt.date.today() if date is None or date == "" else parse_date(date)
    if not 1 <= day.year <= 9999:
        raise ValidationError("date", f"{day} is out of range (years 1 to 9999)")

    clean_url = check_url(url) if url not in (None, "") else None
    clean_links: list[str] = []
    if isinstance(links, str):  # JSONL/CSV may give the links as one space-separated string
        links = links.split()
    links = list(links or ())
    check_count(len(links), "links")
    for link in links:
        link = check_url(link, "links")
        if link != clean_url and link not in clean_links:
            clean_links.append(link)

    version = arxiv_version
    clean_arxiv: str | None
    if arxiv_id:
        clean_arxiv, parsed_version = parse_arxiv(arxiv_id)
        version = version if version is not None else parsed_version
    else:
        found = arxiv_from_url(clean_url)
        clean_arxiv, parsed_version = found if found else (None, None)
        version = version if version is not None else parsed_version
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        try:
            version = int(str(version))
        except ValueError:
            version = 0
        if version < 1:
            raise ValidationError("arxiv_version", "must be a positive whole number")
    if version is not None and version > _MAX_VERSION:
        raise ValidationError("arxiv_version", f"{version} is too large (at most {_MAX_VERSION})")
    if source is not None and not isinstance(source, str):
        raise ValidationError("source", f"{source!r} is not text")
    if layout is not None and not isinstance(layout, str):
        raise ValidationError("layout", f"{layout!r} is not text")
    if layout is None:
        source, layout = split_legacy_source(source)

    if id is not None:
        if not isinstance(id, str) or not _ID.fullmatch(id):
            raise ValidationError("id", f"{id!r} is not a valid id (letters, digits, . _ : - only)")
        entry_id = id
    else:
        entry_id = make_id(day, arxiv_id=clean_arxiv, url=clean_url, title=clean_title, source_key=source_key)

    return Entry(
        id=entry_id,
        date=day,
        title=clean_title,
        authors=normalise_authors(authors),
        url=clean_url,
        links=tuple(clean_links),
        arxiv_id=clean_arxiv,
        arxiv_version=version,
        abstract=normalise_text(abstract, "abstract"),
        commentary=normalise_text(commentary, "commentary"),
        tags=normalise_tags(tags),
        source=check_size(refuse_control(source, "source"), "source") if source else None,
        layout=check_size(refuse_control(layout, "layout"), "layout") if layout else None,
        created_at=parse_timestamp(created_at, "created_at"),
        updated_at=parse_timestamp(updated_at, "updated_at"),
        reader=check_reader(reader) if reader not in (None, "") else None,
    )


def entry_from_mapping(data: Mapping[str, Any]) -> Entry:
    """An entry from a mapping with the field names of section 1 (JSONL, CSV, forms)."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationError(sorted(unknown)[0], f"unknown field; known fields are: {', '.join(FIELDS)}")
    kwargs = {k: v for k, v in data.items() if k in FIELDS}
    for f in LIST_FIELDS:
        value = kwargs.get(f)
        if value is not None and not isinstance(value, (list, tuple, str)):
            raise ValidationError(f, f"{value!r} is not a list")
    if "title" not in kwargs:
        raise ValidationError("title", "is missing")
    return make_entry(**kwargs)


def update_entry(entry: Entry, **changes: Any) -> Entry:
    """A copy of ``entry`` with ``changes`` applied and validated again (id kept)."""
    bad = set(changes) - set(EDITABLE_FIELDS)
    if bad:
        raise ValidationError(
            sorted(bad)[0], f"cannot be edited; editable fields are: {', '.join(EDITABLE_FIELDS)}"
        )
    data = entry.to_dict()
    data.update(changes)
    if "url" in changes and "arxiv_id" not in changes and entry.arxiv_id is not None:
        # a new arXiv URL brings its own id; a non-arXiv URL leaves the old one alone
        found = arxiv_from_url(changes["url"])
        if found:
            data["arxiv_id"], data["arxiv_version"] = found
    return make_entry(**data)
