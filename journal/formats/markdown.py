"""Import and export of markdown note vaults: one ``YYMMDD Title.md`` file per entry.

The note format itself (and the layout hint that makes export byte-identical) is in
:mod:`.markdown_note`; this module walks folders, decodes files, names the entries'
dates and sources, and chooses safe file names on export. See ``docs/markdown.md``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import stat
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ExportFailed, ImportFailed, ValidationError
from ..model import Entry, make_entry
from ..textrules import clean_text

# The note format (:mod:`.markdown_note`) is imported where notes are parsed or written:
# re-importing an unchanged vault only walks it and never needs it.

#: Show a progress bar from this many notes on (and only on a terminal or in Jupyter).
PROGRESS_MIN = 500
#: The title part of a new note's file name is cut to this many UTF-8 bytes.
MAX_TITLE_BYTES = 150

_DATE_PREFIX = re.compile(
    r"(?P<iso>(?P<y1>\d{4})-(?P<m1>\d{2})-(?P<d1>\d{2}))(?!\d)"
    r"|(?P<long>(?P<y2>\d{4})(?P<m2>\d{2})(?P<d2>\d{2}))(?!\d)"
    r"|(?P<short>(?P<y3>\d{2})(?P<m3>\d{2})(?P<d3>\d{2}))(?!\d)"
)
_YEAR = re.compile(r"\d{4}")
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


# --- file names ------------------------------------------------------------------------


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


def _redate(path: str, date: dt.date) -> str:
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


# --- import ----------------------------------------------------------------------------

#: Where an imported note's date came from (the import summary lists all but the first).
DATE_FROM_NAME = "file name"
DATE_FROM_MTIME = "modification time"

_FRONT_MATTER = re.compile(r"---[ \t]*\n(?P<body>(?:.*\n)*?)---[ \t]*(?:\n|$)")
_FRONT_KEY = re.compile(r"^(?P<key>date|created)[ \t]*:[ \t]*(?P<value>\S.*?)[ \t]*$", re.M)
_FRONT_DATE = re.compile(
    r"^(?P<key>date|created)[ \t]*:[ \t]*[\"']?(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d])", re.M
)


@dataclass
class Scan:
    """What a walk of a vault found: the notes (relative path -> ``(mtime_ns, size)``) and
    the paths that are no readable note, with the reason."""

    root: str
    notes: dict[str, tuple[int, int]] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)


def scan(root: str) -> Scan:
    """The ``.md`` files under ``root`` with their size and modification time; hidden
    files and folders (``.obsidian``, ``.trash``, ``.git``) and folder links skipped.
    What cannot be a note (a link to a folder, a broken link, a pipe, an unreadable
    folder) is listed in ``skipped``."""
    found = Scan(root)
    stack = [""]
    while stack:
        rel = stack.pop()
        path = os.path.join(root, rel) if rel else root
        try:
            with os.scandir(path) as it:
                items = list(it)
        except OSError as e:
            if not rel:
                raise ImportFailed(path, f"cannot be read ({e.strerror})") from None
            found.skipped.append((rel, f"is a folder that cannot be read ({e.strerror})"))
            continue
        for item in items:
            if item.name.startswith("."):
                continue
            child = f"{rel}/{item.name}" if rel else item.name
            if item.is_dir(follow_symlinks=False):
                stack.append(child)
            elif item.name.lower().endswith(".md"):
                try:
                    st = item.stat()
                except OSError as e:
                    found.skipped.append((child, f"cannot be read ({e.strerror}; a broken link?)"))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    found.skipped.append(
                        (child, "is a link to a folder, not a note (folder links are not followed)")
                    )
                elif not stat.S_ISREG(st.st_mode):
                    found.skipped.append((child, "is not a regular file (a pipe, socket or device)"))
                else:
                    found.notes[child] = (st.st_mtime_ns, st.st_size)
    found.notes = dict(sorted(found.notes.items()))
    found.skipped.sort()
    return found


def _walk(root: str) -> list[str]:
    """Relative paths (with ``/``) of the notes under ``root``, sorted (see :func:`scan`)."""
    return list(scan(root).notes)


def note_path(root: str, rel: str) -> str:
    """The file of note ``rel`` (a vault path with ``/``) under ``root``."""
    return os.path.join(root, *rel.split("/"))


def locate(source: Path) -> tuple[str, Scan, bool]:
    """``(root, scan, whole folder)`` of what ``source`` names: a folder (its notes) or
    one note (root: its folder, or the folder above its year folder)."""
    src = Path(source)
    if src.is_dir():
        found = scan(str(src))
        if not found.notes and not found.skipped:
            raise ImportFailed(src, "holds no markdown notes (*.md files)")
        return str(src), found, True
    if src.exists() or src.is_symlink():
        if not src.name.lower().endswith(".md"):
            raise ImportFailed(src, "is not a markdown note (give a .md file or a folder of them)")
        parent = src.parent
        if _YEAR.fullmatch(parent.name):  # as importing the folder above the year folders
            root, rel = str(parent.parent), f"{parent.name}/{src.name}"
        else:
            root, rel = str(parent), src.name
        found = Scan(root)
        try:
            st = os.stat(src)
        except OSError as e:
            found.skipped.append((rel, f"cannot be read ({e.strerror})"))
            return root, found, False
        if stat.S_ISREG(st.st_mode):
            found.notes[rel] = (st.st_mtime_ns, st.st_size)
        else:  # never open a pipe: reading it would wait for a writer
            found.skipped.append((rel, "is not a regular file (a pipe, socket or device)"))
        return root, found, False
    raise ImportFailed(src, "no such file or folder")


def _progress(items: Sequence[str], desc: str) -> Iterable[str]:
    if len(items) < PROGRESS_MIN:
        return items
    if "ipykernel" in sys.modules:  # in Jupyter: tqdm's notebook widget
        from tqdm.auto import tqdm

        return tqdm(items, desc=desc, unit="note", leave=False)
    if not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="note", leave=False, file=sys.stderr)


def _decode(data: bytes, path: str) -> tuple[str, bool]:
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ImportFailed(path, "is a binary file, not a markdown note", line=line)
    try:
        return data.decode("utf-8"), bom
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        guess = ""
        try:
            data.decode("cp949")
            guess = ", it looks like CP949/EUC-KR Korean"
        except UnicodeDecodeError:
            pass
        raise ImportFailed(
            path,
            f"is not UTF-8 text (byte 0x{data[e.start]:02x}{guess}); convert the file to UTF-8 "
            "(e.g. `iconv -f CP949 -t UTF-8`) and import again",
            line=line,
        ) from None


def front_matter_date(text: str) -> tuple[dt.date, str] | None:
    """The date of a note's YAML front matter (``date:``, else ``created:``, as
    ``YYYY-MM-DD`` with or without a time) and the key it came from."""
    block = _FRONT_MATTER.match(text)
    if block is None:
        return None
    found: dict[str, dt.date] = {}
    for m in _FRONT_DATE.finditer(block["body"]):
        try:
            found.setdefault(m["key"], dt.date(int(m["y"]), int(m["m"]), int(m["d"])))
        except ValueError:
            continue
    for key in ("date", "created"):
        if key in found:
            return found[key], f"front matter `{key}:`"
    return None


def _unread_front_date(text: str) -> str:
    """`` (front matter `date: 2024-13-45` is not ...)`` when a note's front matter has a
    date that :func:`front_matter_date` cannot read (else ``""``): the summary says why
    the note is dated by its file time."""
    block = _FRONT_MATTER.match(text)
    m = _FRONT_KEY.search(block["body"]) if block else None
    return f" (front matter `{m['key']}: {m['value']}` is not a YYYY-MM-DD date)" if m else ""


def read_note(
    data: bytes,
    rel: str,
    *,
    folders: Sequence[str] = (),
    display: str | None = None,
    mtime_ns: int | None = None,
) -> tuple[Entry, str]:
    """The entry of one note and where its date came from (:data:`DATE_FROM_NAME`,
    ``front matter `date:```..., :data:`DATE_FROM_MTIME`). ``data`` is the file's bytes,
    ``rel`` its path relative to the imported folder (``2024/240509 Title.md``), which
    becomes its ``source`` and id; ``mtime_ns`` dates a note whose name and front matter
    give no date (default: today)."""
    where = display or rel
    name = rel.rpartition("/")[2]
    folder_names = [*folders, *rel.split("/")[:-1]]
    found = name_date(name, folder_names)
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        raise ImportFailed(where, "the file name is not valid UTF-8; rename it") from None
    text, bom = _decode(data, where)
    from .markdown_note import parse_note, render_text, split_newlines, verbatim_layout

    lf_text, newline, _exact = split_newlines(text)
    # the journal's rule for text (journal.textrules): a page break is a paragraph break,
    # other control characters are dropped; such a note is the one kind not kept byte for byte
    lf_text = clean_text(lf_text)
    if found is not None:
        date, origin = found[0], DATE_FROM_NAME
    else:
        dated = front_matter_date(lf_text)
        if dated is not None:
            date, origin = dated
        else:
            seconds = mtime_ns / 1e9 if mtime_ns is not None else None
            date = dt.date.fromtimestamp(seconds) if seconds is not None else dt.date.today()
            origin = DATE_FROM_MTIME + _unread_front_date(lf_text)
    title = file_title(name)
    only_date = found is not None and not name[found[1] :].lower().removesuffix(".md").strip(" _-\t")
    fields, lay = parse_note(lf_text, title, title_line_wanted=only_date)
    for _attempt in range(2):
        lay.newline, lay.bom = newline, bom
        try:
            entry = make_entry(
                date=date,
                title=fields.get("title", title),
                authors=fields.get("authors"),
                url=fields.get("url"),
                links=fields.get("links"),
                abstract=fields.get("abstract"),
                commentary=fields.get("commentary"),
                tags=fields.get("tags"),
                source=rel,
                layout=lay.to_hint() or None,
                source_key=rel,
            )
        except ValidationError as e:
            if _attempt:
                raise ImportFailed(where, str(e)) from None
        else:
            if render_text(entry, lay, title) == lf_text:
                return entry, origin
        # not expected: a reading that cannot be stored (a title line with a control
        # character) or would not write back exactly falls back to keeping the whole note
        # as commentary, which always does
        fields, lay = verbatim_layout(lf_text)
    raise ImportFailed(where, "cannot be kept exactly (please report this note as a bug)")


def note_to_entry(
    data: bytes,
    rel: str,
    *,
    folders: Sequence[str] = (),
    display: str | None = None,
    mtime_ns: int | None = None,
) -> Entry:
    """The entry of one note (see :func:`read_note`)."""
    return read_note(data, rel, folders=folders, display=display, mtime_ns=mtime_ns)[0]


def read_bytes(path: str) -> bytes:
    """A note's bytes (one function, so that tests can make a note unreadable as root)."""
    with open(path, "rb") as f:
        return f.read()


def read(source: Path, journal: Any = None) -> list[Entry]:
    """Every note under the folder ``source`` (or the one note ``source``), as entries;
    one note that cannot be read imports nothing (:func:`journal.formats.markdown_sync.sync`
    skips it instead, and keeps a vault in sync)."""
    root, found, _ = locate(Path(source))
    if found.skipped:
        rel, reason = found.skipped[0]
        raise ImportFailed(os.path.join(root, rel), reason)
    folders = list(Path(os.path.abspath(root)).parts)
    entries = []
    for rel in _progress(list(found.notes), "reading notes"):
        path = note_path(root, rel)
        try:
            data = read_bytes(path)
        except OSError as e:
            raise ImportFailed(path, f"cannot be read ({e.strerror})") from None
        entries.append(note_to_entry(data, rel, folders=folders, display=path, mtime_ns=found.notes[rel][0]))
    return entries


# --- export ----------------------------------------------------------------------------


def _numbered(path: str, n: int) -> str:
    return f"{path[:-3]} ({n}).md"


def plan(entries: Iterable[Entry]) -> list[tuple[str, bytes]]:
    """``(relative path, bytes)`` of every entry's note, paths unique.

    A note imported from a vault goes back to its path (moved to its new date if the
    entry's date was changed); any other entry gets ``YYYY/YYMMDD Title.md``. Paths that
    could leave the folder are not used. When two notes would get the same name (ignoring
    case, as macOS and Windows do, for new names), the later gets `` (2)``, `` (3)``..."""
    from .markdown_note import Layout, render_bytes

    items = []
    for entry in entries:
        # a schema-1 hint in `source` was moved to `layout` when the entry was read or made
        path, layout = entry.source, Layout.from_hint(entry.layout or "")
        if path and path.lower().endswith(".md") and is_safe_relative(path):
            items.append((entry, _redate(path, entry.date), layout, True))
        else:
            items.append((entry, new_note_path(entry), layout, False))
    exact: set[str] = set()
    folded: set[str] = set()
    chosen: list[str | None] = [None] * len(items)
    # notes with a path of their own choose first, so that they keep it
    for keep in (True, False):
        for i, (_, path, _, sourced) in enumerate(items):
            if sourced is not keep:
                continue
            candidate, n = path, 1
            while candidate in exact or (not sourced and _fold(candidate) in folded):
                n += 1
                candidate = _numbered(path, n)
            exact.add(candidate)
            folded.add(_fold(candidate))
            chosen[i] = candidate
    out = []
    for (entry, path, layout, _), final in zip(items, chosen, strict=True):
        assert final is not None
        out.append((final, render_bytes(entry, layout, file_title(path.rpartition("/")[2]))))
    return out


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def write(entries: Sequence[Entry], dest: Path, journal: Any = None, **_: Any) -> int:
    """Write one note per entry into the folder ``dest`` (created if missing). Existing
    files of the same name are replaced (each file atomically); no other file is
    touched, and nothing is written outside ``dest``."""
    if str(dest) == "-":
        raise ExportFailed("-", "the markdown export writes a folder of notes; give a folder, not '-'")
    folder = Path(dest)
    if folder.exists() and not folder.is_dir():
        raise ExportFailed(folder, "is a file; give a folder (it is created if missing)")
    notes = plan(entries)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportFailed(folder, f"cannot be created ({e.strerror})") from None
    root = os.path.realpath(folder)
    targets = []
    for rel, _data in notes:
        target = note_path(root, rel)
        if not os.path.realpath(target).startswith(root + os.sep):
            raise ExportFailed(
                target, f"would be written outside {folder} (through a link); nothing was written"
            )
        if os.path.isdir(target):
            raise ExportFailed(target, "is a folder; nothing was written")
        targets.append(target)
    if journal is not None:
        from .markdown_sync import unsynced_notes

        changed = unsynced_notes(
            journal, str(folder), [(r, t, d) for (r, d), t in zip(notes, targets, strict=True)]
        )
        if changed:
            more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
            raise ExportFailed(
                changed[0],
                f"was changed in the vault since its last import{more}; writing it would lose those edits: "
                f"import the folder first (`journal import markdown {folder}`); nothing was written",
            )
    written: set[tuple[int, int]] = set()
    done: list[tuple[str, str, Entry, bytes]] = []
    for entry, target, (_rel, data) in zip(entries, targets, notes, strict=True):
        final = _unwritten(target, written)
        try:
            os.makedirs(os.path.dirname(final), exist_ok=True)
            tmp = os.path.join(os.path.dirname(final), f".journal-{secrets.token_hex(6)}.tmp")
            try:
                with open(tmp, "wb") as f:
                    f.write(data)
                os.replace(tmp, final)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            st = os.stat(final)
        except OSError as e:
            raise ExportFailed(final, f"cannot be written ({e.strerror})") from None
        written.add((st.st_dev, st.st_ino))
        done.append((os.path.relpath(final, root).replace(os.sep, "/"), final, entry, data))
    if journal is not None:  # importing this folder again then finds these notes unchanged
        from .markdown_sync import record_export

        record_export(journal, str(folder), done)
    return len(notes)


def _unwritten(target: str, written: set[tuple[int, int]]) -> str:
    """``target``, or a numbered variant when the file system folds it onto a file this
    export already wrote (case-insensitive or normalising file systems)."""
    candidate, n = target, 1
    while True:
        try:
            st = os.stat(candidate)
        except OSError:
            return candidate
        if (st.st_dev, st.st_ino) not in written:
            return candidate
        n += 1
        candidate = _numbered(target, n)
