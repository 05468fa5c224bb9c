"""``journal related``: the entries most like one entry.

Four signals, added up (each between 0 and 1, then weighted):

- links: the entry links to the other or the other links to it (``journal.links``);
- tags: the shared tags' share of the entry's tags, each tag weighted by its rarity;
- text: cosine similarity of character 2- and 3-gram TF-IDF vectors of title, abstract and
  commentary (n-grams work for Korean, where a word carries particles: ``학습을``,
  ``학습은`` share ``학습``);
- authors: the share of the entry's authors that the other shares; the same paper (arXiv
  id) read on another day counts as well.

Journals of up to ``FULL`` entries are compared whole. In bigger ones the text signal is
computed for a shortlist: entries that share links, tags or authors, and those holding the
most of the entry's rarest words (found with one scan of the search index).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow.compute as pc

from . import textindex as ti
from .errors import ValidationError
from .links import entry_links
from .model import tag_key
from .table import one_of

if TYPE_CHECKING:
    from .model import Entry
    from .store import Journal

WEIGHTS = {"links": 0.6, "tags": 0.4, "text": 1.0, "authors": 0.2, "paper": 0.5}
FULL = 3_000  # journals up to this size: every entry is a candidate
SHORTLIST = 400  # entries kept by the word scan of a big journal
SAMPLE = 1_024  # rows on which word rarity and n-gram rarity are estimated in a big journal
PROBES = 8  # rare words of the entry scanned for


@dataclass
class Related:
    entry: Entry
    score: float
    reason: str


def _doc(text: str) -> tuple[str, str]:
    """(text to compare, authors) from a search index text."""
    parts = text.split(ti.SEP)
    if len(parts) not in (4, 5):  # title, authors, abstract, commentary (and the arXiv id)
        return text, ""
    title, authors, abstract, commentary = parts[:4]
    return f"{title} {abstract} {commentary}", authors


def _grams(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The character 2- and 3-grams of ``text`` (case-folded, punctuation as spaces) as
    sorted integer codes (21 bits per character) and their counts."""
    clean = " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())
    chars = np.frombuffer(clean.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    bigrams = (chars[:-1] << 21) | chars[1:]
    trigrams = (chars[:-2] << 42) | (chars[1:-1] << 21) | chars[2:]  # >= 2**42 > any bigram
    codes, counts = np.unique(np.concatenate([bigrams, trigrams]), return_counts=True)
    return codes, counts


def _vector(grams: tuple[np.ndarray, np.ndarray], vocabulary: np.ndarray, idf: np.ndarray, default: float):
    """Unit TF-IDF weights (sublinear tf) for ``grams``, aligned with its codes."""
    codes, counts = grams
    at = np.searchsorted(vocabulary, codes)
    known = (at < len(vocabulary)) & (vocabulary[np.minimum(at, len(vocabulary) - 1)] == codes)
    weights = (1 + np.log(counts)) * np.where(known, idf[np.minimum(at, len(vocabulary) - 1)], default)
    norm = float(np.sqrt((weights * weights).sum())) or 1.0
    return codes, weights / norm


def _cosine(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float((a[1][ia] * b[1][ib]).sum())


# Korean particles a word may end with, longest first
_PARTICLE_TEXT = "을 를 이 가 은 는 의 에 도 만 와 과 로 에서 으로 처럼 까지 부터 에게 보다 이나 에는 에도 과의 와의 으로는"
_PARTICLES = sorted(_PARTICLE_TEXT.split(), key=len, reverse=True)


def _probes(text: str) -> list[str]:
    """Words of ``text`` worth scanning for: a Korean word without its particle
    (``모델을`` -> ``모델``); short and numeric words are dropped."""
    out = []
    for word in re.findall(r"\w+", text.casefold()):
        if word.isdigit():
            continue
        korean = any("\uac00" <= c <= "\ud7a3" for c in word)
        if korean:
            particle = next((p for p in _PARTICLES if word.endswith(p) and len(word) - len(p) >= 2), "")
            word = word[: len(word) - len(particle)]
        if len(word) >= (2 if korean else 4):
            out.append(word)
    return list(dict.fromkeys(out))


def _shortlist(index: object, text: str, own: int) -> np.ndarray:
    """Rows of a big journal that hold the most of the entry's rarest words."""
    from .search import _regex

    texts = index["text"]  # type: ignore[index]
    sample = ti.take(texts, ti.spread(len(texts), SAMPLE))
    rarity = []
    for probe in _probes(text)[:40]:
        hits = ti.true_positions(pc.match_substring(sample, pattern=probe, ignore_case=True))
        share = len(hits) / len(sample)
        if share <= 0.1:
            rarity.append((share, probe))
    rarity.sort()
    probes = [p for _, p in rarity[:PROBES]]
    if not probes:
        return np.empty(0, dtype=np.int64)
    pattern = "|".join(f"(?:{_regex((p,))})" for p in probes)
    rows = ti.true_positions(pc.match_substring_regex(texts, pattern=pattern, ignore_case=True))
    rows = rows[rows != own]
    if len(rows) <= SHORTLIST:
        return rows
    taken = ti.take(texts, rows)
    votes = np.zeros(len(rows))
    for share, probe in rarity[:PROBES]:
        hit = ti.true_positions(pc.match_substring(taken, pattern=probe, ignore_case=True))
        votes[hit] += math.log(1 / max(share, 1 / len(sample)))
    return np.sort(rows[np.argsort(-votes, kind="stable")[:SHORTLIST]])


def related(journal: Journal, entry: Entry | str, *, limit: int = 10) -> list[Related]:
    """The ``limit`` entries most like ``entry`` (an Entry or an id), best first."""
    if limit < 1:
        raise ValidationError("limit", f"{limit} is not a positive number")
    if isinstance(entry, str):
        entry = journal.get(entry)
    index = ti.search_index(journal)
    n = index.num_rows
    ids = ti.strings(index["id"])
    row_of = {i: k for k, i in enumerate(ids)}
    own = row_of[entry.id]

    # links
    links, backlinks = entry_links(journal, entry)
    linked: dict[str, str] = {}
    for e in backlinks:
        linked[e.id] = "links to it"
    for e in links:
        linked[e.id] = "linked from it" if e.id not in linked else "linked both ways"

    # tags, weighted by rarity
    flat = pc.list_flatten(index["tags"])
    parents = ti.as_numpy(pc.list_parent_indices(index["tags"]), np.int64)
    shared_tags: dict[int, list[str]] = {}
    tag_idf: dict[str, float] = {}
    if entry.tags:
        # tags match by the one rule (model.tag_key: case, - and _ ignored), shown as the entry spells them
        spelling: dict[str, str] = {}
        for t in entry.tags:
            spelling.setdefault(tag_key(t), t)
        known = [t for t in ti.strings(pc.unique(flat)) if tag_key(t) in spelling]
        at = ti.true_positions(one_of(flat, known))
        names = [spelling[tag_key(t)] for t in ti.strings(ti.take(flat, at))]
        pairs = dict.fromkeys(zip(names, parents[at].tolist(), strict=True))  # two spellings count once
        counts = Counter(t for t, _ in pairs)
        tag_idf = {t: math.log(1 + n / counts[t]) for t in spelling.values() if t in counts}
        for t, row in pairs:
            if row != own:
                shared_tags.setdefault(int(row), []).append(t)

    # candidates
    text, _ = _doc(ti.strings(ti.take(index["text"], np.array([own])))[0])
    candidates = {row_of[i] for i in linked if i in row_of}
    candidates.update(sorted(shared_tags, key=lambda r: -sum(tag_idf[t] for t in shared_tags[r]))[:SHORTLIST])
    authors = {a.casefold() for a in entry.authors}
    if n <= FULL:
        candidates = set(range(n))
    else:
        candidates.update(int(r) for r in _shortlist(index, text, own))
        for name in list(authors)[:8]:
            hits = ti.true_positions(pc.match_substring(index["authors"], pattern=name, ignore_case=True))
            candidates.update(int(r) for r in hits[:SHORTLIST])
    same_paper = set(_same_paper(journal, entry))
    candidates.update(row_of[i] for i in same_paper if i in row_of)
    candidates.discard(own)
    if not candidates:
        return []
    rows = np.array(sorted(candidates), dtype=np.int64)
    docs = [_doc(t) for t in ti.strings(ti.take(index["text"], rows))]

    # n-gram TF-IDF: document frequencies over the candidates and (big journal) a sample
    grams = [_grams(d) for d, _ in docs]
    reference = list(grams)
    if n > FULL:
        sample_rows = ti.spread(n, SAMPLE)
        reference += [_grams(_doc(t)[0]) for t in ti.strings(ti.take(index["text"], sample_rows))]
    vocabulary, df = np.unique(np.concatenate([codes for codes, _ in reference]), return_counts=True)
    idf = np.log((len(reference) + 1) / (1 + df)) + 1
    default = math.log(len(reference) + 1) + 1
    query = _vector(_grams(text), vocabulary, idf, default)

    found: list[tuple[float, int, str]] = []
    for k, row in enumerate(rows):
        cosine = _cosine(query, _vector(grams[k], vocabulary, idf, default))
        parts = []
        score = WEIGHTS["text"] * cosine
        rid = ids[row]
        if rid in linked:
            score += WEIGHTS["links"]
            parts.append(linked[rid])
        if row in shared_tags:
            score += WEIGHTS["tags"] * sum(tag_idf[t] for t in shared_tags[row]) / sum(tag_idf.values())
            parts.append(" ".join("#" + t for t in shared_tags[row]))
        theirs = {a.strip().casefold() for a in docs[k][1].split(",") if a.strip()}
        common = authors & theirs
        if common:
            score += WEIGHTS["authors"] * len(common) / len(authors)
            parts.append(f"{len(common)} shared author{'s' if len(common) > 1 else ''}")
        if rid in same_paper:
            score += WEIGHTS["paper"]
            parts.append("same paper")
        parts.append(f"text {cosine:.2f}")
        found.append((score, int(row), " · ".join(parts)))
    found.sort(key=lambda f: (-f[0], -f[1]))
    top = found[:limit]
    by_id = {e.id: e for e in _entries(journal, [ids[row] for _, row, _ in top])}
    return [Related(by_id[ids[row]], round(score, 3), reason) for score, row, reason in top]


def _entries(journal: Journal, wanted: list[str]) -> list[Entry]:
    return [journal.get(i) for i in wanted]


def _same_paper(journal: Journal, entry: Entry) -> list[str]:
    """Ids of the other entries with the entry's arXiv id."""
    if not entry.arxiv_id:
        return []
    return [ref[0] for ref in journal.lookup("arxiv_id", [entry.arxiv_id]) if ref[0] != entry.id]
