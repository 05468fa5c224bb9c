"""Search: matching a parsed query against the search index, and ranking the matches.

The query language is :mod:`journal.search.parse`; the snippet shown for each hit is
:mod:`journal.search.snippets`.

Matching is case-insensitive substring matching (Unicode simple case folding, as Python's
``re.IGNORECASE`` but for the Turkish dotted and dotless i), so Korean words match inside
longer words: ``학습`` finds ``학습을`` and ``재학습``. Results are ranked by a BM25-like
score: each word counts by how rare it is in the journal and how often it occurs in the
entry (saturating); a word in the title adds twice its rarity more; ties go to the more
recent entry.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from journal.errors import ValidationError
from journal.model import parse_date, tag_key
from journal.search import textindex as ti
from journal.search.parse import Condition, Query, parse_query
from journal.search.snippets import highlight, query_pattern, snippet
from journal.store import kernels as pc
from journal.store.schema import one_of, strings, tag_rows

if TYPE_CHECKING:
    import datetime as dt

    import pandas as pd

    from journal.store import Journal

TITLE_WEIGHT = 2.0  # a title match adds this many times the word's rarity
K1 = 1.2  # BM25 saturation: the 2nd, 3rd... occurrence of a word adds less and less
SAMPLE_ROWS = 2048  # rows on which the rarity of a query's words is estimated
COUNT_LIMIT = 0.25  # above this share of a big journal matching, occurrences are not counted
COUNT_ALWAYS = 5_000  # ... but up to this many matches they always are


# --- matching ------------------------------------------------------------------------------


# Between the words of a phrase: one or more characters that are neither letters nor
# digits (white space, punctuation, symbols), never the field separator of the index; in
# the authors column never a comma either (it separates two authors).
_GAP = r"[^\p{L}\p{N}\x{1f}]+"
_AUTHORS_GAP = r"[^\p{L}\p{N}\x{1f},]+"


def phrase_regex(words: tuple[str, ...], gap: str = _GAP) -> str:
    """An RE2 pattern for a phrase (Arrow's ``match_substring_regex``): the words
    literally, white space or punctuation between (``gap``)."""

    def literal(word: str) -> str:
        return "".join(c if c.isalnum() else f"\\x{{{ord(c):x}}}" for c in word)

    return gap.join(literal(w) for w in words)


def _match(
    column: pa.ChunkedArray | pa.Array, words: tuple[str, ...], gap: str = _GAP
) -> pa.ChunkedArray | pa.Array:
    if len(words) == 1:
        return pc.match_substring(column, pattern=words[0], ignore_case=True)
    return pc.match_substring_regex(column, pattern=phrase_regex(words, gap), ignore_case=True)


def _find(column: pa.ChunkedArray | pa.Array, words: tuple[str, ...]) -> np.ndarray:
    """The byte offset of the first match in each row (-1: none)."""
    if len(words) == 1:
        found = pc.find_substring(column, pattern=words[0], ignore_case=True)
    else:
        found = pc.find_substring_regex(column, pattern=phrase_regex(words), ignore_case=True)
    return ti.as_numpy(found, np.int32)


def _count(column: pa.ChunkedArray | pa.Array, words: tuple[str, ...]) -> np.ndarray:
    if len(words) == 1:
        counts = pc.count_substring(column, pattern=words[0], ignore_case=True)
    else:
        counts = pc.count_substring_regex(column, pattern=phrase_regex(words), ignore_case=True)
    return ti.as_numpy(counts, np.int32).astype(np.float64)


class _Rows:
    """The rows still in the running (positions in the index), the text of those taken
    lazily, and per-row arrays that follow them as rows drop out."""

    def __init__(self, index: pa.Table) -> None:
        self.index = index
        self.size = index.num_rows
        self.positions = np.arange(self.size)
        self.whole = True  # positions is every row, in order
        self.aligned: dict[Any, np.ndarray] = {}
        self._taken: dict[str, Any] = {}
        self._title_bytes: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.positions)

    def keep(self, local: np.ndarray) -> None:
        """Keep the rows at ``local`` (positions among the current rows)."""
        self.positions = self.positions[local]
        self.aligned = {k: v[local] for k, v in self.aligned.items()}
        self.whole = False
        self._taken = {}

    def few(self) -> bool:
        return not self._scan_all()

    def _scan_all(self) -> bool:
        # many rows left: scanning the whole column beats copying most of it first
        return self.whole or 3 * len(self) > self.size

    def _column(self, name: str) -> Any:
        if name not in self._taken:
            self._taken[name] = ti.take(self.index[name], self.positions)
        return self._taken[name]

    def matches(self, name: str, words: tuple[str, ...]) -> np.ndarray:
        """Which current rows have ``words`` in column ``name`` (boolean per row)."""
        gap = _AUTHORS_GAP if name == "authors" else _GAP
        if self._scan_all():
            hits = np.zeros(self.size, dtype=bool)
            hits[ti.true_positions(_match(self.index[name], words, gap))] = True
            return hits if self.whole else hits[self.positions]
        hits = np.zeros(len(self), dtype=bool)
        hits[ti.true_positions(_match(self._column(name), words, gap))] = True
        return hits

    def find(self, words: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Which current rows have ``words`` in their text, and which in their title: the
        text starts with the title, so the first match is in the title when any is."""
        if self._title_bytes is None:
            self._title_bytes = ti.as_numpy(pc.binary_length(self.index["title"]), np.int32)
        if self._scan_all():
            first = _find(self.index["text"], words)
            if not self.whole:
                first = first[self.positions]
        else:
            first = _find(self._column("text"), words)
        title_bytes = self._title_bytes if self.whole else self._title_bytes[self.positions]
        return first >= 0, (first >= 0) & (first < title_bytes)

    def counts(self, words: tuple[str, ...]) -> np.ndarray:
        """How often ``words`` occur in the text of each current row."""
        if self._scan_all():
            found = _count(self.index["text"], words)
            return found if self.whole else found[self.positions]
        return _count(self._column("text"), words)

    def require(self, ok: np.ndarray) -> None:
        self.keep(np.flatnonzero(ok))


def _tag_positions(index: pa.Table, key: str) -> np.ndarray:
    """Rows having a tag whose :func:`tag_key` is ``key`` (the one rule: :func:`tag_rows`)."""
    return ti.as_numpy(tag_rows(index["tags"], key), np.int64)


def _days(value: Any, name: str) -> int:
    return ti.day_number(parse_date(value, name))


# --- results -------------------------------------------------------------------------------


@dataclass
class Hit:
    id: str
    date: dt.date
    title: str
    score: float
    snippet: str
    tags: tuple[str, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "title": self.title,
            "score": self.score,
            "snippet": self.snippet,
        }


@dataclass
class Results:
    hits: list[Hit]
    total: int  # how many entries matched (hits holds the first ``limit``)
    query: Query


def search(
    journal: Journal,
    query: str = "",
    *,
    tag: str | None = None,
    start: Any = None,
    end: Any = None,
    limit: int | None = 20,
    reader: str | None = None,
) -> Results:
    """Entries matching ``query`` (the module doc), best first.

    ``tag``, ``start``/``end`` (inclusive days) and ``reader`` filter as in ``journal
    list``; ``limit`` (None or 0: all) caps the hits returned, ``Results.total`` counts
    every match.
    """
    ids = None if reader is None else strings(journal.columns(["id"], reader=reader)["id"])
    return search_in(ti.search_index(journal), query, tag=tag, start=start, end=end, limit=limit, ids=ids)


def search_in(
    index: pa.Table,
    query: str = "",
    *,
    tag: str | None = None,
    start: Any = None,
    end: Any = None,
    limit: int | None = 20,
    ids: Iterable[str | None] | None = None,
) -> Results:
    """:func:`search` over a search index (:mod:`journal.search.textindex`); ``ids``: only
    the entries with these ids (e.g. one reader's)."""
    parsed = parse_query(query)
    if tag is not None and not tag_key(tag):
        raise ValidationError("tag", f"{tag!r} is not a tag")
    if not parsed.conditions and tag is None and start is None and end is None and ids is None:
        raise ValidationError("query", "is empty; give words to search for (see `journal search --help`)")
    if limit is not None and limit < 0:
        raise ValidationError("limit", f"{limit} is negative")
    rows = _Rows(index)
    n_rows = max(index.num_rows, 1)

    # cheap filters first: ids, dates, tags, authors
    if ids is not None:
        ok = np.zeros(index.num_rows, dtype=bool)
        ok[ti.as_numpy(pc.indices_nonzero(one_of(index["id"], (i for i in ids if i))), np.uint64)] = True
        rows.require(ok)
    if start is not None or end is not None:
        days = ti.as_numpy(index["date"], np.int32)
        ok = np.ones(len(days), dtype=bool)
        if start is not None:
            ok &= days >= _days(start, "from")
        if end is not None:
            ok &= days <= _days(end, "to")
        rows.require(ok)
    tag_conditions = [c for c in parsed.conditions if c.field == "tag"]
    if tag is not None:
        tag_conditions.insert(0, Condition("tag", (tag_key(tag),)))
    for c in tag_conditions:
        having = np.zeros(index.num_rows, dtype=bool)
        having[_tag_positions(index, c.words[0])] = True
        rows.require(having[rows.positions] != c.negated)
    for c in parsed.conditions:
        if c.field == "author":
            rows.require(rows.matches("authors", c.words) != c.negated)

    # words and phrases, the rarest first (estimated on a sample) so that the others scan
    # fewer rows. A scan of many rows finds the first match (in the title, when the word
    # is there: the text starts with it), or counts the matches when few rows will match;
    # a scan of few rows counts.
    scored = list(dict.fromkeys(parsed.scored))
    df: dict[Condition, float] = {}
    if len(scored) > 1:
        sample = ti.take(index["text"], ti.spread(index.num_rows, SAMPLE_ROWS))  # all of a small journal
        for c in scored:
            df[c] = len(ti.true_positions(_match(sample, c.words))) * n_rows / max(len(sample), 1)
        scored.sort(key=lambda c: df[c])
    for c in scored:
        scanned = len(rows)
        if rows.few() or df.get(c, n_rows) <= COUNT_LIMIT * n_rows:
            tf = rows.counts(c.words)
            rows.aligned["tf", c] = tf
            found = tf > 0
        else:
            found, rows.aligned["title", c] = rows.find(c.words)
        if c not in df:  # exact when every row was scanned
            df[c] = float(found.sum()) * n_rows / max(scanned, 1)
        rows.require(found)
    for c in parsed.conditions:
        if c.field == "text" and c.negated:
            rows.require(~rows.matches("text", c.words))
    total = len(rows)
    if total == 0:
        return Results([], 0, parsed)

    # scores, only for the rows found; occurrences are counted unless most rows match
    idf = {c: math.log(1 + (n_rows - df[c] + 0.5) / (df[c] + 0.5)) for c in scored}
    rows.aligned["title"] = np.zeros(total)
    for c in scored:
        in_title = rows.aligned.get(("title", c))
        if in_title is None:
            in_title = rows.matches("title", c.words)
        rows.aligned["title"] += TITLE_WEIGHT * idf[c] * in_title
    once = sum(idf.values())  # every word once
    if total <= max(COUNT_LIMIT * n_rows, COUNT_ALWAYS) and scored:
        if limit and total > limit:
            # only rows that could still reach the top `limit` need their words counted
            least = once + rows.aligned["title"]
            bar = np.partition(least, total - limit)[total - limit]
            rows.require(once * (K1 + 1) + rows.aligned["title"] >= bar)
        score = rows.aligned["title"].copy()
        for c in scored:
            known = rows.aligned.get(("tf", c))
            occurrences = known if known is not None else rows.counts(c.words)
            score += idf[c] * occurrences * (K1 + 1) / (occurrences + K1)
    else:
        score = once + rows.aligned["title"]
    days = ti.as_numpy(index["date"], np.int32)[rows.positions]
    order = np.lexsort((-rows.positions, -days, -np.round(score, 6)))
    if limit:
        order = order[:limit]
    top = rows.positions[order]
    ids, titles, texts = (ti.strings(ti.take(index[name], top)) for name in ("id", "title", "text"))
    days_top = ti.dates(ti.take(index["date"], top))
    tags = [tuple(t or ()) for t in ti.take(index["tags"], top).to_pylist()]
    ranked = sorted(scored, key=lambda c: df[c])
    hits = [
        Hit(
            ids[k],
            days_top[k],
            titles[k],
            round(float(score[order[k]]), 3),
            snippet(texts[k], ranked),
            tags[k],
        )
        for k in range(len(top))
    ]
    return Results(hits, total, parsed)


def search_frame(journal: Journal, query: str = "", **options: Any) -> pd.DataFrame:
    """:func:`search` as a DataFrame: ``id``, ``date``, ``title``, ``score``, ``snippet``,
    ``tags``, best first."""
    import pandas as pd

    results = search(journal, query, **options)
    columns = ["id", "date", "title", "score", "snippet", "tags"]
    return pd.DataFrame(
        [[h.id, h.date, h.title, h.score, h.snippet, list(h.tags)] for h in results.hits], columns=columns
    )


def hits_text(results: Results, *, width: int | None = None, color: bool = False) -> str:
    """Results for a terminal: id, date and title, then the snippet indented, cut so that
    its first match shows (Korean takes two columns a character)."""
    import shutil

    from journal.text.termtable import clip
    from journal.text.termtable import width as columns

    width = width or shutil.get_terminal_size((100, 24)).columns
    marks = query_pattern(results.query)
    lines = []
    for hit in results.hits:
        lines.append(f"{hit.id}  {hit.date.isoformat()}  {clip(hit.title, max(20, width - 26))}")
        if not hit.snippet:
            continue
        room = max(20, width - 4)
        text = hit.snippet
        first = marks.search(text) if marks else None
        if first and columns(text[: first.start()]) > room // 3:
            cut = first.start() - 1
            while cut > 0 and columns(text[cut : first.start()]) < room // 4:
                cut -= 1
            space = text.find(" ", cut, first.start())
            text = "…" + text[space + 1 if space >= 0 else cut :]
        text = clip(text, room)
        lines.append("    " + (highlight(text, results.query) if color else text))
    return "\n".join(lines)
