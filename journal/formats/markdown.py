"""Import and export of markdown note vaults: one ``YYMMDD Title.md`` file per entry.

This module turns a vault's notes into entries (dated by file name, front matter or
file time) and entries into notes (:func:`plan`, :func:`write`). Its neighbours own the
parts: the note format itself, byte for byte, is :mod:`.markdown_note` (with its layout
hint, :mod:`.note_layout`); file names are :mod:`.vault_names`; walking and reading the
folder is :mod:`.vault_files`; the record that keeps an export from overwriting notes
edited in the vault is :mod:`.vault_record`. See ``docs/markdown.md``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from journal.errors import ExportFailed, ImportFailed, ValidationError
from journal.formats.vault_files import decode_note, locate, note_path, progress, read_bytes
from journal.formats.vault_names import file_title, is_safe_relative, name_date, new_note_path, redate_path
from journal.formats.vault_record import record_export, unsynced_notes
from journal.model import Entry, make_entry
from journal.text.rules import clean_text

# The note format (:mod:`.markdown_note`) is imported where notes are parsed or written:
# re-importing an unchanged vault only walks it and never needs it.

# --- import ----------------------------------------------------------------------------

#: Where an imported note's date came from (the import summary lists all but the first).
DATE_FROM_NAME = "file name"
DATE_FROM_MTIME = "modification time"

_FRONT_MATTER = re.compile(r"---[ \t]*\n(?P<body>(?:.*\n)*?)---[ \t]*(?:\n|$)")
_FRONT_KEY = re.compile(r"^(?P<key>date|created)[ \t]*:[ \t]*(?P<value>\S.*?)[ \t]*$", re.M)
_FRONT_DATE = re.compile(
    r"^(?P<key>date|created)[ \t]*:[ \t]*[\"']?(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d])", re.M
)


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
    text, bom = decode_note(data, where)
    from journal.formats.markdown_note import parse_note, render_text, split_newlines, verbatim_layout

    lf_text, newline, _exact = split_newlines(text)
    # the journal's rule for text (journal.text.rules): a page break is a paragraph break,
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
    for rel in progress(list(found.notes), "reading notes"):
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
    from journal.formats.markdown_note import render_bytes
    from journal.formats.note_layout import Layout

    items = []
    for entry in entries:
        # a schema-1 hint in `source` was moved to `layout` when the entry was read or made
        path, layout = entry.source, Layout.from_hint(entry.layout or "")
        if path and path.lower().endswith(".md") and is_safe_relative(path):
            items.append((entry, redate_path(path, entry.date), layout, True))
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
