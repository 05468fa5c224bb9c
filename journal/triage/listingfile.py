"""Reading a listing from a file: JSONL, CSV or Parquet, one paper a row.

Columns ``arxiv_id``, ``title``, ``authors``, ``abstract`` and optionally ``date`` (the
announcement day) and ``category`` (the layout of arXiv's daily listings as the
``listings`` store records them). ``authors`` is a list, or a string in one of the
forms :func:`parse_authors` reads (as a CSV file must hold it).
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.errors import ListingError
from journal.text.rules import clean_text, one_line

if TYPE_CHECKING:
    import pandas as pd

REQUIRED = ("arxiv_id", "title", "authors", "abstract")
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}
_VERSION = re.compile(r"v\d+$")
ARXIV_BEGAN = dt.date(1991, 8, 14)


AUTHOR_FORMS = "a list; ['A', 'B'] (pandas' to_csv of a list); 'A; B'; or 'A, B'"


# one string literal as repr() and numpy write them (an optional u/r prefix), or a comma
_ITEM = re.compile(r"""\s*(?:((?:[uUrR])?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"))|(,))""", re.S)


def _literal_names(text: str) -> list[str] | None:
    """The names of ``['A', 'B']`` / ``('A', 'B')`` (a Python literal) or ``['A' 'B']``
    (numpy's form: what ``DataFrame.to_csv`` writes for a Parquet list column), else
    None. Strings side by side are separate names here, never one joined name."""
    if len(text) < 2 or (text[0], text[-1]) not in (("[", "]"), ("(", ")")):
        return None
    body, pos, end = text, 1, len(text) - 1
    items: list[str] = []
    separators: set[str] = set()  # "," or "" (side by side)
    expect_item = True
    while True:
        match = _ITEM.match(body, pos, end)
        if match is None:
            break
        pos = match.end()
        if match.group(1) is not None:
            if not expect_item:
                separators.add("")
            items.append(match.group(1))
            expect_item = False
        elif expect_item:
            return None  # [, 'A'] or ['A',, 'B']
        else:
            separators.add(",")
            expect_item = True
    if body[pos:end].strip() or len(separators) > 1:
        return None  # something else, or ['A', 'B' 'C'] (ambiguous)
    if text[0] == "(" and separators == {""} and len(items) > 1:
        return None  # ('A' 'B') is one string in Python
    names = []
    for item in items:
        if "\\" in item or item[0] not in "'\"":  # an escape or a prefix: Python reads it
            try:
                value = ast.literal_eval(item)
            except (ValueError, SyntaxError):
                return None
        else:
            value = item[1:-1]
        if value.strip():
            names.append(value.strip())
    return names


def parse_authors(value: Any) -> list[str]:
    """The names of an ``authors`` cell: a list (JSON, Parquet), or a string holding
    ``['A', 'B']`` (or numpy's ``['A' 'B']``), ``A; B`` or ``A, B``; empty: no authors.
    Raises :class:`ValueError` saying what the cell is, for anything else."""
    if value is None or (isinstance(value, float) and value != value):  # NaN from CSV
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "(", "{")):
            names = _literal_names(text)
            if names is None:
                raise ValueError(f"{_shown(text)} is not a list of names")
            return names
        if "\n" in text or "\r" in text:
            raise ValueError(f"{_shown(text)} holds a line break")
        separator = ";" if ";" in text else ","
        return [a.strip() for a in text.split(separator) if a.strip()]
    if isinstance(value, (bytes, dict)) or not hasattr(value, "__iter__"):
        raise ValueError(f"{_shown(repr(value))} is not a list of names")
    names = []
    for name in value:
        if not isinstance(name, str):
            raise ValueError(f"{_shown(repr(name))} is not a name (a string)")
        if name.strip():
            names.append(name.strip())
    return names


def _shown(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _authors_column(values: Any, source: str) -> list[list[str]]:
    out = []
    for row, value in enumerate(values, start=1):
        try:
            out.append(parse_authors(value))
        except ValueError as e:
            raise ListingError(
                source, f"row {row}: authors cell {e}; write authors as {AUTHOR_FORMS} (see docs/triage.md)"
            ) from None
    return out


def bare_id(text: Any) -> str:
    """``2405.05254`` from ``2405.05254v2``, ``arXiv:2405.05254`` or an arXiv URL."""
    from journal.errors import InvalidArxivId
    from journal.model import parse_arxiv

    raw = str(text).strip()
    try:
        return parse_arxiv(raw)[0]
    except InvalidArxivId:
        return _VERSION.sub("", raw)


def normalize(frame: pd.DataFrame, source: str, *, day: dt.date | None = None) -> pd.DataFrame:
    """``frame`` as a listing: the columns of the store, ids without version, ``authors``
    lists, ``date`` holding dates (``day``, else today, where the frame has none).
    Raises :class:`~journal.errors.ListingError` for a missing column or a bad value."""
    import pandas as pd

    if frame.empty:
        raise ListingError(source, "holds no papers")
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ListingError(
            source,
            f"has no {', '.join(missing)} column; a listing needs {', '.join(REQUIRED)} "
            "(and optionally date, category)",
        )
    out = pd.DataFrame(index=range(len(frame)))
    if "date" in frame.columns:
        dates = frame["date"].reset_index(drop=True)
        # numbers are what DataFrame.to_json writes for dates: epoch milliseconds
        unit = "ms" if pd.api.types.is_numeric_dtype(dates) else None
        try:
            out["date"] = pd.to_datetime(dates, unit=unit).dt.date
        except (ValueError, TypeError, OverflowError) as e:
            raise ListingError(source, f"has a date that is not YYYY-MM-DD ({e})") from None
        if out["date"].isna().any():
            raise ListingError(source, "has rows without a date; give every row a YYYY-MM-DD date")
        if (out["date"] < ARXIV_BEGAN).any():
            first = min(out["date"]).isoformat()
            raise ListingError(source, f"has a date before arXiv began ({first}); dates are YYYY-MM-DD")
    else:
        out["date"] = day or dt.date.today()
    ids = frame["arxiv_id"].reset_index(drop=True)
    if ids.isna().any() or (ids.astype(str).str.strip() == "").any():
        raise ListingError(source, "has rows without an arxiv_id; every paper needs one")
    out["arxiv_id"] = [bare_id(a) for a in ids]
    # the journal's rule for text (journal.text.rules): control characters (a terminal
    # escape) are dropped, so a listing's paper can become an entry and reach a terminal
    titles = frame["title"].reset_index(drop=True).fillna("").astype(str)
    out["title"] = [one_line(t) for t in titles]
    out["authors"] = [[one_line(a) for a in names] for names in _authors_column(frame["authors"], source)]
    abstracts = frame["abstract"].reset_index(drop=True).fillna("").astype(str)
    out["abstract"] = [clean_text(a).strip() for a in abstracts]
    category = frame["category"].reset_index(drop=True) if "category" in frame.columns else None
    out["category"] = category.astype(object).where(category.notna(), None) if category is not None else None
    return out


def read_listing_file(path: str | os.PathLike[str], *, day: dt.date | None = None) -> pd.DataFrame:
    """The papers of a listing file, every day it holds (see :func:`normalize`)."""
    import pandas as pd
    import pyarrow as pa

    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        choices = ", ".join(sorted(set(FORMATS)))
        raise ListingError(path, f"unknown listing format {path.suffix or '(none)'!r}; use one of: {choices}")
    if not path.is_file():
        raise ListingError(path, "no such file")
    try:
        if kind == "jsonl":
            with path.open("rb") as f:
                array = f.read(64).lstrip().startswith(b"[")  # a .json file of one array
            frame = pd.read_json(path, lines=not array, dtype=False)
        elif kind == "csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_parquet(path)
    except (ValueError, OSError, pa.ArrowException, UnicodeDecodeError) as e:
        first = str(e).splitlines()[0] if str(e) else e.__class__.__name__
        raise ListingError(path, f"cannot be read as {kind} ({first})") from None
    return normalize(frame, str(path), day=day)


def pick_day(listing: pd.DataFrame, source: str, day: dt.date | None = None) -> tuple[dt.date, pd.DataFrame]:
    """The day to rank (``day``, else the latest in the listing) and its papers.
    Raises :class:`~journal.errors.ListingError` when that day has none."""
    if listing.empty:
        raise ListingError(source, "holds no papers")
    days = sorted(set(listing["date"]))
    chosen = day or days[-1]
    papers = listing[listing["date"] == chosen].reset_index(drop=True)
    if papers.empty:
        shown = ", ".join(d.isoformat() for d in days[-5:])
        raise ListingError(source, f"has no papers on {chosen.isoformat()}; its latest days are {shown}")
    return chosen, papers
