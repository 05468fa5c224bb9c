"""Search: the query language, matching, ranking and snippets.

A query is words separated by white space, all of which must match::

    diffusion 학습            both words, anywhere in title, authors, abstract or commentary
    "key value cache"         a phrase: these words in this order (white space or punctuation between)
    2503.04625                an arXiv paper (any form of its id or URL): its entries and mentions
    -distillation             entries without the word (also -"a phrase")
    tag:efficiency            entries with the tag (case, - and _ ignored; -tag: excludes)
    author:dong               an author name containing "dong" (author:"Li Dong" for two words)

Matching is case-insensitive substring matching (Unicode simple case folding, as Python's
``re.IGNORECASE`` but for the Turkish dotted and dotless i), so Korean words match inside
longer words: ``학습`` finds ``학습을`` and ``재학습``. Results are ranked by a BM25-like
score: each word counts by how rare it is in the journal and how often it occurs in the
entry (saturating); a word in the title adds twice its rarity more; ties go to the more
recent entry.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from . import kernels as pc
from . import textindex as ti
from .errors import ValidationError
from .model import parse_date, tag_key
from .refs import arxiv_ref
from .table import tag_rows

if TYPE_CHECKING:
    import datetime as dt

    import pandas as pd

    from .store import Journal

TITLE_WEIGHT = 2.0  # a title match adds this many times the word's rarity
K1 = 1.2  # BM25 saturation: the 2nd, 3rd... occurrence of a word adds less and less
SAMPLE_ROWS = 2048  # rows on which the rarity of a query's words is estimated
COUNT_LIMIT = 0.25  # above this share of a big journal matching, occurrences are not counted
COUNT_ALWAYS = 5_000  # ... but up to this many matches they always are
SNIPPET_WIDTH = 160
_QUALIFIER = re.compile(r"(tags?|authors?):", re.IGNORECASE)


# --- the query language ----------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One part of a query. ``words``: one word (a term) or several (a phrase)."""

    field: str  # "text", "tag" or "author"
    words: tuple[str, ...]
    negated: bool = False

    def __str__(self) -> str:
        value = self.words[0] if len(self.words) == 1 else '"' + " ".join(self.words) + '"'
        prefix = "" if self.field == "text" else f"{self.field}:"
        return ("-" if self.negated else "") + prefix + value


@dataclass
class Query:
    conditions: list[Condition] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(str(c) for c in self.conditions)

    @property
    def scored(self) -> list[Condition]:
        """The conditions that rank results: positive text words and phrases."""
        return [c for c in self.conditions if c.field == "text" and not c.negated]


def parse_query(text: str) -> Query:
    """Parse the query language (module doc). Raises only :class:`ValidationError`."""
    if not isinstance(text, str):
        raise ValidationError("query", f"{text!r} is not text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("query", "is not valid text (it holds an unpaired surrogate)") from None
    conditions: list[Condition] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        kind = "text"
        qualifier = _QUALIFIER.match(text, i)
        if qualifier:
            kind = qualifier.group(1).lower().rstrip("s")
            i = qualifier.end()
        quoted = i < n and text[i] == '"'
        if quoted:
            end = text.find('"', i + 1)
            end = n if end < 0 else end  # an unclosed quote runs to the end
            value, i = text[i + 1 : end], end + 1
        else:
            start = i
            while i < n and not text[i].isspace():
                i += 1
            value = text[start:i]
        words = tuple(value.split())
        if len(words) > 1:
            words = _phrase_words(list(words))
        if kind == "text" and not quoted and len(words) == 1:
            words = (arxiv_ref(value) or value,)  # a paper by any form of its id or URL
        if kind == "tag":
            key = _tag_query_key(value)
            if not key:
                raise ValidationError("query", "tag: needs a tag after the colon, e.g. tag:diffusion")
            words = (key,)
        elif not words:
            if kind == "author":
                raise ValidationError(
                    "query", 'author: needs a name after the colon, e.g. author:dong or author:"Li Dong"'
                )
            continue  # an empty phrase ""
        conditions.append(Condition(kind, words, negated))
    return Query(conditions)


def _tag_query_key(text: str) -> str:
    """The :func:`~journal.model.tag_key` of a tag as typed in a query (``#`` allowed)."""
    return tag_key(text)


# --- matching ------------------------------------------------------------------------------


# Between the words of a phrase: one or more characters that are neither letters nor
# digits (white space, punctuation, symbols), never the field separator of the index; in
# the authors column never a comma either (it separates two authors).
_GAP = r"[^\p{L}\p{N}\x{1f}]+"
_AUTHORS_GAP = r"[^\p{L}\p{N}\x{1f},]+"
_PY_GAP = r"[\W_]+"  # the same in Python's re, for snippets and highlighting


def _regex(words: tuple[str, ...], gap: str = _GAP) -> str:
    """An RE2 pattern for a phrase: the words literally, white space or punctuation between."""

    def literal(word: str) -> str:
        return "".join(c if c.isalnum() else f"\\x{{{ord(c):x}}}" for c in word)

    return gap.join(literal(w) for w in words)


def _phrase_words(words: list[str]) -> tuple[str, ...]:
    """The words of a phrase as matched: punctuation where two words meet belongs to the
    gap between them (``"linear, time"`` is ``linear`` then ``time``); the phrase's own
    two ends stay as typed."""

    def ends(k: int) -> tuple[int, int]:
        word = words[k]
        a, b = 0, len(word)
        if k > 0:
            while a < b and not word[a].isalnum():
                a += 1
        if k < len(words) - 1:
            while b > a and not word[b - 1].isalnum():
                b -= 1
        return a, b

    cut = [words[k][slice(*ends(k))] for k in range(len(words))]
    return tuple(w for w in cut if w)


def _match(
    column: pa.ChunkedArray | pa.Array, words: tuple[str, ...], gap: str = _GAP
) -> pa.ChunkedArray | pa.Array:
    if len(words) == 1:
        return pc.match_substring(column, pattern=words[0], ignore_case=True)
    return pc.match_substring_regex(column, pattern=_regex(words, gap), ignore_case=True)


def _find(column: pa.ChunkedArray | pa.Array, words: tuple[str, ...]) -> np.ndarray:
    """The byte offset of the first match in each row (-1: none)."""
    if len(words) == 1:
        found = pc.find_substring(column, pattern=words[0], ignore_case=True)
    else:
        found = pc.find_substring_regex(column, pattern=_regex(words), ignore_case=True)
    return ti.as_numpy(found, np.int32)


def _count(column: pa.ChunkedArray | pa.Array, words: tuple[str, ...]) -> np.ndarray:
    if len(words) == 1:
        counts = pc.count_substring(column, pattern=words[0], ignore_case=True)
    else:
        counts = pc.count_substring_regex(column, pattern=_regex(words), ignore_case=True)
    return ti.as_numpy(counts, np.int32).astype(np.float64)


@functools.lru_cache(maxsize=256)
def _python_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(_PY_GAP.join(re.escape(w) for w in words), re.IGNORECASE)


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
    return parse_date(value, name).toordinal() - ti._EPOCH


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
) -> Results:
    """Entries matching ``query`` (the module doc), best first.

    ``tag``, ``start``/``end`` (inclusive days) filter as in ``journal list``; ``limit``
    (None or 0: all) caps the hits returned, ``Results.total`` counts every match.
    """
    return search_in(ti.search_index(journal), query, tag=tag, start=start, end=end, limit=limit)


def search_in(
    index: pa.Table,
    query: str = "",
    *,
    tag: str | None = None,
    start: Any = None,
    end: Any = None,
    limit: int | None = 20,
) -> Results:
    """:func:`search` over a search index (:mod:`journal.textindex`)."""
    parsed = parse_query(query)
    if tag is not None and not _tag_query_key(tag):
        raise ValidationError("tag", f"{tag!r} is not a tag")
    if not parsed.conditions and tag is None and start is None and end is None:
        raise ValidationError("query", "is empty; give words to search for (see `journal search --help`)")
    if limit is not None and limit < 0:
        raise ValidationError("limit", f"{limit} is negative")
    rows = _Rows(index)
    n_rows = max(index.num_rows, 1)

    # cheap filters first: dates, tags, authors
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
        tag_conditions.insert(0, Condition("tag", (_tag_query_key(tag),)))
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


def snippet(text: str, conditions: list[Condition], width: int = SNIPPET_WIDTH) -> str:
    """About ``width`` characters of the commentary or abstract around the first match
    of the first of ``conditions`` found there (commentary first); else the start of the
    commentary (or abstract). White space is collapsed; empty when the entry has neither."""
    parts = text.split(ti.SEP)
    fields = [parts[3], parts[2]] if len(parts) in (4, 5) else [text]  # else: a field held SEP
    for c in conditions:
        pattern = _python_regex(c.words)
        for body in fields:
            found = pattern.search(body)
            if found:
                return _around(body, found.start(), found.end(), width)
    body = next((f for f in fields if f.strip()), "")
    return _around(body, 0, 0, width)


def _around(body: str, start: int, end: int, width: int) -> str:
    """The window of ``body`` around ``start:end``, white space collapsed in the piece
    looked at only (a commentary may be long)."""
    a, b = max(0, start - width), min(len(body), end + 2 * width)
    if a > 0:  # start and end the piece at white space, so no word is cut
        space = next((i for i in range(a, start) if body[i].isspace()), start)
        a = space if space < start else a
    if b < len(body):
        space = next((i for i in range(b - 1, end, -1) if body[i].isspace()), end)
        b = space if space > end else b
    before, match, after = _flat(body[a:start]), _flat(body[start:end]), _flat(body[end:b])
    if before and match and body[start - 1].isspace():
        before += " "
    if after and (match or before) and body[end].isspace():
        after = " " + after
    piece = before + match + after
    window = _window(piece, len(before), len(before) + len(match), width)
    if a > 0 and not window.startswith("…"):
        window = "…" + window
    if b < len(body) and not window.endswith("…"):
        window += "…"
    return window


def _flat(text: str) -> str:
    return " ".join(text.split())


def _window(body: str, start: int, end: int, width: int) -> str:
    if len(body) <= width:
        return body
    lead = min(start, max(width // 4, width - (len(body) - start)))
    a = start - lead
    if a > 0:  # start at a word
        space = body.find(" ", a, start)
        a = space + 1 if space >= 0 else a
    b = min(len(body), a + width)
    if b < len(body):  # end at a word
        space = body.rfind(" ", max(end, a + width // 2), b)
        b = space if space > 0 else b
    return ("…" if a > 0 else "") + body[a:b] + ("…" if b < len(body) else "")


def highlight(text: str, query: Query, before: str = "\x1b[1m", after: str = "\x1b[0m") -> str:
    """``text`` with the query's words and phrases marked (for a terminal)."""
    marks = _marker(query)
    return marks.sub(lambda m: before + m.group(0) + after, text) if marks else text


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

    from .termtable import clip
    from .termtable import width as columns

    width = width or shutil.get_terminal_size((100, 24)).columns
    marks = _marker(results.query)
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


def _marker(query: Query) -> re.Pattern[str] | None:
    patterns = sorted((_python_regex(c.words).pattern for c in query.scored), key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None
