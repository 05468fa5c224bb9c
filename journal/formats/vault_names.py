"""The file names of a vault's notes: the date a name starts with, the title it gives, and
safe names (``YYYY/YYMMDD Title.md``) for notes written by an export (``docs/markdown.md``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

from journal.model import Entry

#: The title part of a new note's file name is cut to this many UTF-8 bytes.
MAX_TITLE_BYTES = 150

_DATE_PREFIX = re.compile(
    r"(?P<iso>(?P<y1>\d{4})-(?P<m1>\d{2})-(?P<d1>\d{2}))(?!\d)"
    r"|(?P<long>(?P<y2>\d{4})(?P<m2>\d{2})(?P<d2>\d{2}))(?!\d)"
    r"|(?P<short>(?P<y3>\d{2})(?P<m3>\d{2})(?P<d3>\d{2}))(?!\d)"
)
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{d}{i}" for d in ("COM", "LPT") for i in "0123456789¹²³"
}
_NAME_REPLACE = {
    ":": " -",
    "/": "-",
    "\\": "",
    "|": "-",
    "?": "",
    "*": "",
    '"': "'",
    "<": "(",
    ">": ")",
    "[": "(",
    "]": ")",
    "#": "",
    "^": "",
}

_YEAR = re.compile(r"\d{4}")


def is_year_folder(name: str) -> bool:
    """Whether a folder name is a year (``2024``): notes in it may be named ``YYMMDD``."""
    return bool(_YEAR.fullmatch(name))


def name_date(name: str, folders: Sequence[str] = ()) -> tuple[dt.date, int] | None:
    """The date a note's file name starts with (``YYMMDD``, ``YYYYMMDD`` or
    ``YYYY-MM-DD``) and the prefix length; None if it starts with no valid date.

    A two-digit year is taken from an enclosing year folder that ends in it
    (``1999/990101 X.md``), else as 20YY."""
    m = _DATE_PREFIX.match(name)
    if not m:
        return None
    if m["short"]:
        yy = m["y3"]
        year = next(
            (int(f) for f in reversed(folders) if _YEAR.fullmatch(f) and f.endswith(yy)), 2000 + int(yy)
        )
        month, day = m["m3"], m["d3"]
    else:
        year = int(m["y1"] or m["y2"])
        month, day = (m["m1"], m["d1"]) if m["iso"] else (m["m2"], m["d2"])
    try:
        return dt.date(year, int(month), int(day)), m.end()
    except ValueError:
        return None


def file_title(name: str) -> str:
    """The title a file name gives: the name without ``.md`` and without its date."""
    stem = name[:-3] if name.lower().endswith(".md") else name
    found = _DATE_PREFIX.match(stem)
    rest = stem[found.end() :].lstrip(" _-\t") if found else stem
    title = " ".join(unicodedata.normalize("NFC", rest).split())
    return title or " ".join(unicodedata.normalize("NFC", stem).split()) or "untitled"


def safe_title(title: str, max_bytes: int = MAX_TITLE_BYTES) -> str:
    """``title`` as the title part of a file name that is valid on Linux, macOS and
    Windows (and keeps Obsidian's wiki links working): no path separators, reserved
    characters, control characters, trailing dots or spaces, reserved device names;
    at most ``max_bytes`` bytes of UTF-8."""
    out = []
    for ch in unicodedata.normalize("NFC", title):
        if ch in _NAME_REPLACE:
            out.append(_NAME_REPLACE[ch])
        elif ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(ch)
    name = " ".join("".join(out).split()).strip(" .")
    data = name.encode("utf-8")
    if len(data) > max_bytes:
        name = data[:max_bytes].decode("utf-8", "ignore").rstrip(" .")
    if not name:
        name = "untitled"
    if name.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        name = "_" + name
    return name


def new_note_path(entry: Entry) -> str:
    """Where a note for an entry that came from no note goes: ``YYYY/YYMMDD Title.md``."""
    d = entry.date
    return f"{d.year:04d}/{d.year % 100:02d}{d.month:02d}{d.day:02d} {safe_title(entry.title)}.md"


def is_safe_relative(path: str) -> bool:
    """A relative path that stays inside the folder it is joined to (on any OS)."""
    if not path or "\x00" in path or path.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", path):
        return False
    return all(part not in ("", ".", "..") for part in re.split(r"[/\\]", path))


def redate_path(path: str, date: dt.date) -> str:
    """``path`` with its file name's date (and year folder) changed to ``date``."""
    folder, _, name = path.rpartition("/")
    folders = folder.split("/") if folder else []
    found = name_date(name, folders)
    if found is None:  # a note named without a date goes back where it came from
        return path
    yymmdd = f"{date.year % 100:02d}{date.month:02d}{date.day:02d}"
    old, length = found
    if old == date:
        return path
    prefix = name[:length]
    if "-" in prefix:
        new_prefix = date.isoformat()
    elif length == 8:
        new_prefix = f"{date.year:04d}{date.month:02d}{date.day:02d}"
    else:
        new_prefix = yymmdd
    if folders and folders[-1] == f"{old.year:04d}":
        folders[-1] = f"{date.year:04d}"
    name = new_prefix + name[length:]
    return "/".join([*folders, name])
