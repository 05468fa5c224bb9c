"""The plain-text digest of a day (SPEC section 2).

::

    2024년 5월 9일                 the date line (lang ko) / May 9, 2024 (lang en)
    Title                         every entry starts with a title line
    (Author, Author)              ... and a parenthesised authors line (``()``: none)
    https://...                   zero or more bare URL lines: the url, then the links
    Abstract in one line          when the entry has one
    Commentary paragraph          one line per paragraph
    #tag #tag                     when the entry has tags

Several days in one file are separated by a blank line.

Telling the abstract from the first commentary paragraph is a heuristic: the first
paragraph after the URLs is the abstract when it has no Hangul, kana or CJK ideographs
and a later paragraph does (an English abstract followed by commentary in the reader's
own language, as in the seed). Otherwise every paragraph is commentary, so nothing is
ever lost, only filed as commentary. Journals whose commentary is in English therefore
import their abstracts as the first commentary paragraph.

Also by construction of the format: a commentary paragraph that is a bare URL right after
the authors line, a last paragraph made only of ``#words``, or a paragraph that is wholly
parenthesised right after a line that could be a title, reads back differently; and the
single newlines inside a paragraph become spaces. Everything else round-trips.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from journal.errors import JournalError, ValidationError
from journal.model import Entry, make_entry, split_paragraphs

NAME = "digest"
LANGS = ("ko", "en")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_KO_DATE = re.compile(r"(\d{4})년 (\d{1,2})월 (\d{1,2})일")
_EN_DATE = re.compile(r"(" + "|".join(MONTHS) + r") (\d{1,2}), (\d{4})")
_URL_LINE = re.compile(r"https?://\S+")
_TAGS_LINE = re.compile(r"#\S+(?: #\S+)*")
_AUTHORS_LINE = re.compile(r"\((.*)\)")
_CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


class DigestError(JournalError):
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}")


@dataclass
class DigestEntry:
    """What a digest says of one entry (no id, no timestamps)."""

    title: str
    authors: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    abstract: str = ""
    commentary: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    line: int = 0

    def to_entry(self, date: dt.date) -> Entry:
        return make_entry(
            title=self.title,
            date=date,
            authors=self.authors,
            url=self.urls[0] if self.urls else None,
            links=self.urls[1:],
            abstract=self.abstract,
            commentary="\n\n".join(self.commentary),
            tags=self.tags,
        )


def check_lang(lang: str) -> str:
    """``lang`` if it is a digest language, else a ValidationError listing them."""
    if lang not in LANGS:
        raise ValidationError("lang", f"{lang!r} is not a digest language; choose one of: {', '.join(LANGS)}")
    return lang


def date_line(day: dt.date, lang: str = "ko") -> str:
    if check_lang(lang) == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def parse_date_line(line: str) -> dt.date | None:
    text = line.strip()
    try:
        m = _KO_DATE.fullmatch(text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _EN_DATE.fullmatch(text)
        if m:
            return dt.date(int(m.group(3)), MONTHS.index(m.group(1)) + 1, int(m.group(2)))
    except ValueError:
        return None
    return None


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.split("\n") if part.strip())


def render_entry(entry: Entry) -> list[str]:
    lines = [_one_line(entry.title), "(" + ", ".join(entry.authors) + ")"]
    if entry.url:
        lines.append(entry.url)
    lines.extend(entry.links)
    if entry.abstract.strip():
        lines.append(_one_line(entry.abstract))
    lines.extend(_one_line(p) for p in split_paragraphs(entry.commentary))
    if entry.tags:
        lines.append(" ".join("#" + t for t in entry.tags))
    return lines


def render_day(day: dt.date, entries: Iterable[Entry], lang: str = "ko") -> str:
    """One day's digest, without a final newline (as the seed file)."""
    lines = [date_line(day, lang)]
    for entry in entries:
        lines.extend(render_entry(entry))
    return "\n".join(lines)


def render(entries: Sequence[Entry], lang: str = "ko") -> str:
    """Every day of ``entries`` (in journal order), days separated by a blank line."""
    days: dict[dt.date, list[Entry]] = {}
    for e in entries:
        days.setdefault(e.date, []).append(e)
    return "\n\n".join(render_day(d, es, lang) for d, es in sorted(days.items()))


def _is_entry_start(lines: list[str], i: int) -> bool:
    return (
        i + 1 < len(lines)
        and bool(lines[i].strip())
        and _AUTHORS_LINE.fullmatch(lines[i + 1]) is not None
        and parse_date_line(lines[i]) is None
    )


def _parse_body(lines: list[str], start: int, item: DigestEntry) -> None:
    body = lines
    i = 0
    while i < len(body) and _URL_LINE.fullmatch(body[i]):
        item.urls.append(body[i])
        i += 1
    rest = body[i:]
    if rest and _TAGS_LINE.fullmatch(rest[-1]):
        item.tags = [t[1:] for t in rest[-1].split(" ")]
        rest = rest[:-1]
    if len(rest) >= 2 and not _CJK.search(rest[0]) and any(_CJK.search(p) for p in rest[1:]):
        item.abstract, rest = rest[0], rest[1:]
    item.commentary = rest


def parse_days(text: str) -> list[tuple[dt.date, list[DigestEntry]]]:
    """Parse digest text (one day or several) into ``(date, entries)`` pairs.

    Raises :class:`DigestError` (with the line number) on text that is not a digest.
    """
    if not isinstance(text, str):
        raise DigestError(1, "not text")
    if "\x00" in text:
        raise DigestError(1, "binary data, not a digest")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    days: list[tuple[dt.date, list[DigestEntry]]] = []
    i = 0
    n = len(lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        day = parse_date_line(lines[i])
        if day is None:
            raise DigestError(
                i + 1,
                f"expected a date line such as '2024년 5월 9일' or 'May 9, 2024', found {lines[i][:60]!r}",
            )
        i += 1
        # the day's block runs to the next blank line followed by a date line, or the end
        end = i
        while end < n and not (not lines[end].strip() and _next_is_date(lines, end)):
            end += 1
        block = lines[i:end]
        entries: list[DigestEntry] = []
        j = 0
        if block and not _is_entry_start(block, 0) and any(line.strip() for line in block):
            raise DigestError(i + 1, "expected a title line followed by an '(authors)' line")
        while j < len(block):
            if not block[j].strip() and all(not b.strip() for b in block[j:]):
                break
            if not _is_entry_start(block, j):  # pragma: no cover - guarded by the scan below
                raise DigestError(i + j + 1, "expected a title line followed by an '(authors)' line")
            m = _AUTHORS_LINE.fullmatch(block[j + 1])
            assert m is not None
            authors = [a.strip() for a in m.group(1).split(", ")] if m.group(1).strip() else []
            item = DigestEntry(title=block[j].strip(), authors=authors, line=i + j + 1)
            k = j + 2
            while k < len(block) and not _is_entry_start(block, k):
                k += 1
            body = [b for b in block[j + 2 : k]]
            if any(not b.strip() for b in body):
                trailing = body
                while trailing and not trailing[-1].strip():
                    trailing = trailing[:-1]
                if any(not b.strip() for b in trailing):
                    bad = j + 2 + next(x for x, b in enumerate(trailing) if not b.strip())
                    raise DigestError(i + bad + 1, "blank line inside an entry")
                body = trailing
            _parse_body(body, i + j + 2, item)
            entries.append(item)
            j = k
        days.append((day, entries))
        i = end
    return days


def _next_is_date(lines: list[str], blank: int) -> bool:
    k = blank
    while k < len(lines) and not lines[k].strip():
        k += 1
    return k < len(lines) and parse_date_line(lines[k]) is not None


def parse(text: str) -> tuple[dt.date, list[DigestEntry]]:
    """Parse one day's digest."""
    days = parse_days(text)
    if not days:
        raise DigestError(1, "empty digest: expected a date line such as '2024년 5월 9일'")
    if len(days) > 1:
        raise DigestError(1, f"holds {len(days)} days; use parse_days()")
    return days[0]


def render_parsed(day: dt.date, items: Sequence[DigestEntry], lang: str = "ko") -> str:
    """Render what :func:`parse` returned (used to check ``render(parse(x)) == x``)."""
    return render_day(day, [item.to_entry(day) for item in items], lang)


def to_entries(text: str) -> list[Entry]:
    """Entries of a digest (all days), validated; errors name the line."""
    out: list[Entry] = []
    for day, items in parse_days(text):
        for item in items:
            try:
                out.append(item.to_entry(day))
            except ValidationError as e:
                raise DigestError(item.line, str(e)) from None
    return out
