"""The one rule for control characters and sizes of text (README, "What a field may
hold").

Text comes in many ways (the command line, the capture form, JSONL, BibTeX, markdown
notes, arXiv, listings) and they all meet in :func:`journal.model.make_entry`, which
applies this rule; text goes out to terminals and XML, which must not see control
characters either. Only ``re`` is imported here: every command loads this module.

- Multi-line fields (commentary, abstract): :func:`clean_text`. ``\\r\\n`` and a lone
  ``\\r`` become ``\\n``; a form feed, vertical tab or U+2029 (a page or paragraph break,
  as a PDF paste brings) becomes a paragraph break (a blank line); NEL and U+2028 (line
  separators) become ``\\n``; tabs and newlines stay; every other C0/C1 control
  character (ESC, NUL, DEL, U+0080-U+009F) is dropped. A paste never fails.
- One-line fields (title, authors, tags, url, links): white space (tabs, newlines, form
  feeds) folds to spaces where the field allows spaces; any other control character is
  refused with :func:`refuse_control`, naming the field.
- Sizes: :data:`LIMITS` characters per value (:func:`check_size`) and :data:`MAX_ITEMS`
  values per list field (:func:`check_count`).
- Out: :func:`for_terminal` (what the command line prints to a terminal, through
  :func:`terminal_stdout`) and :func:`for_xml` (what goes into the Atom feed).
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from journal.errors import ValidationError

#: Every C0 and C1 control character and DEL: what a one-line field may not hold.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: What :func:`clean_text` changes (nothing else: most text passes untouched).
_UNCLEAN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_NEWLINE = re.compile(r"\r\n?|[\x85\u2028]")
_PARAGRAPH = re.compile(r"\n*(?:[\x0b\x0c\u2029]\n*)+")
_DROP = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and newline
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # bytes that were not UTF-8 (argv, stdin)
_NOT_XML = re.compile(r"[\ufffe\uffff]")  # not characters in XML 1.0 (surrogates: see above)

#: The most characters one value of a field may hold. Commentary and abstract take a
#: long essay (a few hundred KB is common, a book chapter fits); the rest are one line.
LIMITS: dict[str, int] = {
    "commentary": 1_000_000,
    "abstract": 1_000_000,
    "title": 1_000,
    "authors": 1_000,  # each name
    "tags": 1_000,  # each tag
    "url": 8_000,
    "links": 8_000,  # each link
    "source": 8_000,
    "layout": 1_000,
}
#: The most values a list field (authors, links, tags) may hold.
MAX_ITEMS = 10_000


def clean_text(text: str) -> str:
    """``text`` of a multi-line field under the rule above (nothing stripped)."""
    if not _UNCLEAN.search(text):
        return text
    return _clean(text)


def _clean(text: str) -> str:
    text = _NEWLINE.sub("\n", text)
    text = _PARAGRAPH.sub("\n\n", text)
    return _DROP.sub("", text)


_SUSPECT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")  # one scan for both


def multi_line(text: str, field: str) -> str:
    """A multi-line field's value: :func:`clean_text`, stripped, at most ``LIMITS[field]``
    characters; refused only when it is not UTF-8 text."""
    if _SUSPECT.search(text):
        text = _clean(refuse_not_utf8(text, field))
    return check_size(text.strip(), field)


def refuse_not_utf8(text: str, field: str) -> str:
    """``text`` unless it holds lone surrogates (bytes that were not UTF-8)."""
    if _SURROGATE.search(text):
        raise ValidationError(
            field, "holds bytes that are not UTF-8 text (a terminal or file in another encoding?); use UTF-8"
        )
    return text


def refuse_control(text: str, field: str) -> str:
    """``text`` of a one-line field; a control character (or non-UTF-8) is refused."""
    refuse_not_utf8(text, field)
    found = CONTROL.search(text)
    if found:
        raise ValidationError(field, f"contains the control character {found.group()!r}; remove it")
    return text


def check_size(text: str, field: str) -> str:
    """``text`` unless it is longer than ``LIMITS[field]`` characters."""
    limit = LIMITS.get(field)
    if limit is not None and len(text) > limit:
        raise ValidationError(
            field,
            f"is {len(text):,} characters long, over the limit of {limit:,}; shorten it"
            + (", or keep the full text in a file and give its URL" if limit >= 100_000 else ""),
        )
    return text


def check_count(count: int, field: str) -> None:
    if count > MAX_ITEMS:
        raise ValidationError(field, f"holds {count:,} values; the limit is {MAX_ITEMS:,}")


def one_line(text: str) -> str:
    """Text from elsewhere (a listing) as one line: white space folded, controls dropped."""
    return CONTROL.sub("", " ".join(text.split()))


# --- out -----------------------------------------------------------------------------

#: What the command line itself writes to a terminal: bold and back (search's matches).
_OWN_STYLE = re.compile(r"(\x1b\[[01]m)")


def for_terminal(text: str) -> str:
    """``text`` as it may reach a terminal: :func:`clean_text` without stripping, keeping
    only the bold/normal switches that ``journal search`` puts around matches."""
    if "\x1b" not in text:
        return clean_text(text)
    parts = _OWN_STYLE.split(text)
    return "".join(part if i % 2 else clean_text(part) for i, part in enumerate(parts))


def for_xml(text: str) -> str:
    """``text`` with nothing XML 1.0 refuses (control characters, U+FFFE/U+FFFF)."""
    return _NOT_XML.sub("", clean_text(_SURROGATE.sub("\ufffd", text)))


class TerminalText:
    """A text stream that passes what is written through :func:`for_terminal`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(for_terminal(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextlib.contextmanager
def terminal_stdout() -> Iterator[None]:
    """While inside, standard output (when it is a terminal) carries no control
    characters but tabs and newlines: an old journal may still hold an escape sequence."""
    out = sys.stdout
    isatty = getattr(out, "isatty", None)
    if out is None or isatty is None or not isatty():
        yield
        return
    sys.stdout = TerminalText(out)
    try:
        yield
    finally:
        sys.stdout = out
