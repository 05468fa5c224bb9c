"""Rank a day's arXiv listing by the reader's own journal (the model; no I/O).

One linear model a day (scikit-learn): positives are the journal's entries, weighted by how
recently they were read; negatives are the recorded listing papers the reader passed over
(the last ``SEEN_DAYS`` days, at most ``MAX_NEGATIVES`` of them). Features are the TF-IDF
of title + abstract (plus the commentary's words, when an entry has some) next to one
indicator per author, so papers by people the reader keeps reading rise. The model's score
is added to how close a paper is to the entries of the last weeks it is most like. See
docs/triage-ranking.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

    from journal.triage.preferences import Feedback

# How many days of recorded listings (before the day ranked) the ranker learns from: the
# caller reads only these partitions, so a store of a million papers costs no more.
SEEN_DAYS = 60
# At most this many passed-over papers are learned from (the most recent ones), so a reader
# of busy categories costs no more than a few weeks of a typical one.
MAX_NEGATIVES = 5_000
# Interest fades: an entry read this many days before the ranked day counts half as much.
HALF_LIFE_DAYS = 90
# The author block's scale next to the (unit-length) text block.
AUTHOR_WEIGHT = 0.5
# Beside the model, how close a paper is to the few entries it is most like, each entry's
# closeness fading with this half-life: what the reader read in the last weeks (a thread
# they follow now) lifts a paper more than a broad profile learned over years does.
NEAR_HALF_LIFE_DAYS = 30
NEAR_ENTRIES = 5
NEAR_WEIGHT = 0.5
# A word or bigram in fewer papers than this (of the journal, the window and the day) is
# not a feature: rarer ones hardly move a ranking (dev recall alike with 2, 3 and 5) but
# make up most of the columns the SVM fits.
TEXT_MIN_PAPERS = 3
# Regularisation of the linear SVM: small C = smooth weights over many words and authors.
SVM_C = 0.1
# A paper the reader dismissed weighs this much as a negative (the latest entry weighs 1 as
# a positive). A paper merely passed over weighs (sum of the entries' weights) / (papers
# passed over), typically 0.01-0.08, so a dismissal counts some 3-25 times more. Chosen
# by the bench's replay (bench/bench_triage.py --only replay) on the first half of the
# dev days among 0-8, checked on the second (docs/triage-ranking.md, Feedback replay).
DISMISS_WEIGHT = 0.25

_VERSION = re.compile(r"v\d+$")
_REASON_TITLE = 60
_NEAREST = 3
_HASH_FEATURES = 2**20
_CACHE_ROWS = 200_000
_COUNTS: dict[str, tuple[Any, Any]] = {}
_FOLDED: dict[str, str] = {}
# The term-count store of the current rank_papers call (see _term_counts).
_STORE: ContextVar[MutableMapping[str, tuple[Any, Any]] | None] = ContextVar("term_counts", default=None)


def base_id(value: object) -> str | None:
    """The arXiv id without its version suffix (``2405.05254v2`` -> ``2405.05254``)."""
    if value is None or value != value:  # None or NaN
        return None
    text = str(value).strip()
    return _VERSION.sub("", text) or None


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    import pandas as pd

    if name in frame:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _texts(frame: pd.DataFrame, *, commentary: bool = False) -> list[str]:
    parts = [_column(frame, "title"), _column(frame, "abstract")]
    if commentary:
        parts.append(_column(frame, "commentary"))
    joined = parts[0].fillna("").astype(str)
    for part in parts[1:]:
        joined = joined + "\n" + part.fillna("").astype(str)
    return joined.tolist()


def _fold(name: object) -> str:
    """One author name as a comparable key (case and spacing folded), memoised: the same
    names come back in every paper of a group and in every call."""
    text = name if isinstance(name, str) else str(name)
    key = _FOLDED.get(text)
    if key is None:
        if len(_FOLDED) >= _CACHE_ROWS:
            _FOLDED.clear()
        key = _FOLDED[text] = " ".join(text.lower().split())
    return key


def _names(value: Any) -> list[str]:
    """Author names as comparable keys (blank names dropped)."""
    if value is None or isinstance(value, float):
        return []
    return [key for key in map(_fold, [value] if isinstance(value, str) else value) if key]


def _dates(values: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.to_datetime(values, errors="coerce").dt.normalize()


def _day(listing: pd.DataFrame, day: dt.date | None) -> pd.Timestamp:
    import pandas as pd

    if day is not None:
        return pd.Timestamp(day).normalize()
    if "date" in listing and len(listing):
        latest = _dates(listing["date"]).max()
        if latest is not pd.NaT and latest == latest:
            return pd.Timestamp(latest)
    return pd.Timestamp(dt.date.today())


def _negatives(seen: pd.DataFrame | None, day: pd.Timestamp, exclude: set[str]) -> pd.DataFrame:
    """The recorded papers the reader passed over: recent days first, capped."""
    import pandas as pd

    if seen is None or not len(seen):
        return pd.DataFrame(columns=["arxiv_id", "title", "abstract", "authors"])
    frame = seen.assign(_id=seen["arxiv_id"].map(base_id))
    if "date" in frame:
        dates = _dates(frame["date"])
        recent = (dates < day) & (dates >= day - pd.Timedelta(days=SEEN_DAYS))
        frame = frame[recent.to_numpy()].assign(_date=dates[recent.to_numpy()])
        frame = frame.sort_values("_date", ascending=False, kind="stable")
    frame = frame[~frame["_id"].isin(exclude)].drop_duplicates("_id")
    return frame.head(MAX_NEGATIVES)


def _features(
    positives: pd.DataFrame, negatives: pd.DataFrame, listing: pd.DataFrame, names: list[list[str]]
) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix, int]:
    """Text TF-IDF and author indicators, fitted on everything seen this call.

    ``names``: the author keys of every row of the three frames, in order. Returns the
    three row blocks and the number of text columns (the author ones follow).
    """
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = _shared_columns(
        _term_counts(_texts(positives, commentary=True) + _texts(negatives) + _texts(listing)),
        TEXT_MIN_PAPERS,
    )
    text = TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32)
    hashed = FeatureHasher(_HASH_FEATURES, input_type="string", alternate_sign=False, dtype=np.float32)
    authors = _shared_columns(hashed.transform(names).tocsr())
    authors.data[:] = 1.0
    both = sp.hstack([text, AUTHOR_WEIGHT * authors], format="csr")
    cut = [len(positives), len(positives) + len(negatives)]
    return both[: cut[0]], both[cut[0] : cut[1]], both[cut[1] :], text.shape[1]


def _term_counts(docs: list[str]) -> sp.csr_matrix:
    """Hashed word and bigram counts of ``docs``, each text tokenised once.

    Hashing is stateless, so a paper's row is the same in every call: a long-lived process
    (a notebook, the benchmark) tokenises each recorded paper once. The rows come from the
    store :func:`rank_papers` was given (``term_counts``: e.g. ``countcache.TermCounts``,
    kept between processes), else from an in-memory one dropped whole when it outgrows
    ``_CACHE_ROWS``.
    """
    import numpy as np
    import scipy.sparse as sp

    given = _STORE.get()
    if given is not None and hasattr(given, "matrix"):  # countcache.TermCounts: gathered in C
        return given.matrix(docs, _tokenise, _HASH_FEATURES)
    store = _COUNTS if given is None else given
    missing = [doc for doc in dict.fromkeys(docs) if doc not in store]
    if missing:
        if given is None and len(_COUNTS) + len(missing) > _CACHE_ROWS:
            _COUNTS.clear()
        fresh = _tokenise(missing)
        for row, doc in enumerate(missing):
            start, end = fresh.indptr[row], fresh.indptr[row + 1]
            store[doc] = (fresh.indices[start:end], fresh.data[start:end])
    rows = [store[doc] for doc in docs]
    indptr = np.r_[0, np.cumsum([len(indices) for indices, _ in rows])]
    indices = np.concatenate([indices for indices, _ in rows]) if rows else np.zeros(0, np.int32)
    data = np.concatenate([data for _, data in rows]) if rows else np.zeros(0, np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(docs), _HASH_FEATURES))


def _hasher() -> Any:
    import numpy as np
    from sklearn.feature_extraction.text import HashingVectorizer

    # ASCII word tokens: the commentary's English terms (method and model names) join
    # the vocabulary the listing is written in, while other scripts stay out of it.
    return HashingVectorizer(
        ngram_range=(1, 2),
        n_features=_HASH_FEATURES,
        alternate_sign=False,
        norm=None,
        stop_words="english",
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
        strip_accents="unicode",
        dtype=np.float32,
    )


def _tokenise(docs: list[str]) -> sp.csr_matrix:
    """The one place texts are tokenised (the slow step a term-count store saves)."""
    return _hasher().transform(docs).tocsr()


def counts_version() -> str:
    """What a stored term-count row depends on: the hashing settings and scikit-learn's
    version. A store of another version must not be used."""
    import sklearn

    params = sorted((k, repr(v)) for k, v in _hasher().get_params().items())
    return f"sklearn {sklearn.__version__}; {params}"


def _with_store(term_counts: MutableMapping[str, tuple[Any, Any]], *args: Any, **kwargs: Any) -> pd.DataFrame:
    token = _STORE.set(term_counts)
    try:
        return rank_papers(*args, **kwargs)
    finally:
        _STORE.reset(token)


def _shared_columns(matrix: sp.csr_matrix, least: int = 2) -> sp.csr_matrix:
    """The columns set in ``least`` rows or more: a word or an author of a single paper
    says nothing about the reader."""
    import numpy as np

    papers = np.bincount(matrix.indices, minlength=matrix.shape[1])
    kept = np.flatnonzero(papers >= least)
    if not len(kept):  # a tiny journal and listing: what little there is
        kept = np.flatnonzero(papers > 0) if papers.any() else np.zeros(1, np.int64)
    return matrix[:, kept]


def _recency(dates: pd.Series, day: pd.Timestamp, half_life: float = HALF_LIFE_DAYS) -> np.ndarray:
    import numpy as np

    age = (day - _dates(dates)).dt.days.astype(float).fillna(10 * half_life).to_numpy()
    return np.asarray(0.5 ** (np.clip(age, 0, None) / half_life), dtype=float)


def _standardised(values: np.ndarray) -> np.ndarray:
    """Zero mean, unit spread (a constant stays zero), so two scores can be added."""
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else values * 0.0


def _scores(
    positives: pd.DataFrame,
    negatives: pd.DataFrame,
    candidates: pd.DataFrame,
    day: pd.Timestamp,
    names: list[list[str]],
    dismissed: np.ndarray | None = None,
    dismiss_weight: float = DISMISS_WEIGHT,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the day's candidates (the model's decision value plus closeness to recent
    entries, both standardised), and their text similarity to each entry. ``dismissed``:
    which negatives the reader dismissed (they weigh ``dismiss_weight``)."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    x_pos, x_neg, x_day, n_text = _features(positives, negatives, candidates, names)
    weight_pos = _recency(_column(positives, "date"), day)
    # Relative to the latest entry: a reader back after a long pause still has interests.
    weight_pos = weight_pos / weight_pos.max()
    # Both classes carry the same total weight, whatever their sizes.
    implicit = len(negatives) if dismissed is None else int((~dismissed).sum())
    weight_neg = np.full(len(negatives), weight_pos.sum() / max(implicit, 1))
    if dismissed is not None:
        weight_neg[dismissed] = dismiss_weight
    model = LinearSVC(C=SVM_C, random_state=0)
    model.fit(
        sp.vstack([x_pos, x_neg], format="csr"),
        np.r_[np.ones(len(positives)), np.zeros(len(negatives))],
        sample_weight=np.r_[weight_pos, weight_neg],
    )
    similarity = (x_day[:, :n_text] @ x_pos[:, :n_text].T).toarray()
    fading = _recency(_column(positives, "date"), day, NEAR_HALF_LIFE_DAYS)
    fading = fading / fading.max()
    near = np.sort(similarity * fading, axis=1)[:, -NEAR_ENTRIES:].mean(axis=1)
    learned = np.asarray(model.decision_function(x_day), dtype=float)
    return _standardised(learned) + NEAR_WEIGHT * _standardised(near), similarity


def rank_papers(
    entries: pd.DataFrame,
    listing: pd.DataFrame,
    seen: pd.DataFrame | None = None,
    *,
    day: dt.date | None = None,
    term_counts: MutableMapping[str, tuple[Any, Any]] | None = None,
    feedback: Feedback | None = None,
    dismiss_weight: float = DISMISS_WEIGHT,
) -> pd.DataFrame:
    """Return ``listing`` with ``score``, ``rank``, ``read`` and ``reason`` columns.

    ``entries``: the journal (columns of SPEC section 1; ``commentary`` may be absent).
    ``listing``: the day's papers: ``arxiv_id``, ``title``, ``authors`` (list), ``abstract``.
    ``seen``: earlier recorded listing papers (same columns and ``date``); those not in the
    journal are what the reader passed over. ``day``: the day being ranked (default: the
    listing's latest ``date``, else today); only ``seen`` of the ``SEEN_DAYS`` before it
    is used. ``term_counts``: where texts' hashed term counts are looked up and added
    (text -> (indices, counts); ``countcache.TermCounts`` keeps them between processes);
    default: an in-memory store of this process. It changes no result. ``feedback``: the
    reader's (:class:`~journal.triage.preferences.Feedback`): dismissed papers leave the
    result and are learned from as weighted negatives, papers by followed authors rank
    first, papers holding a muted phrase last (``muted`` is True); None or empty: no
    change at all. ``dismiss_weight``: a dismissed paper's weight as a negative (default
    ``DISMISS_WEIGHT``; the bench's replay tries others). Papers whose arXiv id (any
    version) is in the journal are ``read``: no rank, listed last. Ranked papers come first
    in rank order (rank 1 = best). With an empty journal there is nothing to learn from:
    the listing keeps its order, every score is 0 and the reason says so. Deterministic: the same inputs give the same ranking.
    """
    import numpy as np
    import pandas as pd

    if term_counts is not None:
        return _with_store(
            term_counts, entries, listing, seen, day=day, feedback=feedback, dismiss_weight=dismiss_weight
        )
    when = _day(listing, day)
    out = listing.reset_index(drop=True).copy()
    journal_ids = {i for i in _column(entries, "arxiv_id").map(base_id) if i}
    out["read"] = _column(out, "arxiv_id").map(base_id).isin(journal_ids).astype(bool)
    gone = out.iloc[:0]
    if feedback:  # dismissed papers leave the day (and teach, below)
        dismissed = _column(out, "arxiv_id").map(base_id).isin(feedback.dismissed) & ~out["read"]
        gone, out = out[dismissed], out[~dismissed].reset_index(drop=True)
    out["score"] = 0.0
    out["reason"] = ""
    candidates = out[~out["read"]]
    if len(entries) == 0:
        out.loc[~out["read"], "reason"] = "journal is empty: listing order"
    elif len(candidates):
        positives = entries.reset_index(drop=True)
        if "date" in positives:
            positives = positives.iloc[np.argsort(_dates(positives["date"]).to_numpy(), kind="stable")]
            positives = positives.reset_index(drop=True)
        negatives = _negatives(seen, when, journal_ids | set(_column(candidates, "arxiv_id").map(base_id)))
        if not len(negatives):
            # The first days, before anything is recorded: the day's own listing is the
            # background (almost all of it is passed over).
            negatives = candidates
        taught = None
        if feedback:
            negatives = pd.concat([negatives, gone], ignore_index=True)
            taught = _column(negatives, "arxiv_id").map(base_id).isin(feedback.dismissed).to_numpy()
        # Each group's author keys, folded once for the model and the reasons.
        known = [_names(a) for a in _column(positives, "authors")]
        names = known + [_names(a) for frame in (negatives, candidates) for a in _column(frame, "authors")]
        scores, similarity = _scores(positives, negatives, candidates, when, names, taught, dismiss_weight)
        out.loc[candidates.index, "score"] = scores
        out.loc[candidates.index, "reason"] = _reasons(positives, candidates, similarity, known)
    if feedback:
        from journal.triage.preferences import apply_feedback

        ranked = apply_feedback(out[~out["read"]], feedback)
        out["muted"] = False
        out["followed"] = False
    else:
        ranked = out[~out["read"]].sort_values("score", ascending=False, kind="stable")
    ranked["rank"] = pd.array(np.arange(1, len(ranked) + 1), dtype="Int64")
    read = out[out["read"]].assign(rank=pd.array([pd.NA] * int(out["read"].sum()), dtype="Int64"))
    return pd.concat([ranked, read], ignore_index=True)


def _reasons(
    positives: pd.DataFrame, candidates: pd.DataFrame, similarity: np.ndarray, known: list[list[str]]
) -> list[str]:
    """Short human text: the nearest journal entries, authors the reader has read, tags."""
    import numpy as np

    titles = _column(positives, "title").fillna("").astype(str).tolist()
    tags = [_listed(t) for t in _column(positives, "tags")]
    read_authors = {name for keys in known for name in keys}
    # Nearest entries, ties going to the later one (the journal is in date order).
    last = len(titles) - 1
    order = last - np.argsort(-similarity[:, ::-1], axis=1, kind="stable")[:, :_NEAREST]
    reasons = []
    for row, authors in enumerate(_column(candidates, "authors")):
        nearest = [int(i) for i in order[row] if similarity[row, i] > 0]
        parts = []
        if nearest:
            parts.append("like " + "; ".join(f"\u201c{_short(titles[i])}\u201d" for i in nearest[:2]))
        shared = [str(a) for a in _listed(authors) if _fold(a) in read_authors]
        if shared:
            parts.append("authors you read: " + ", ".join(shared[:3]))
        near_tags = list(dict.fromkeys(str(t) for i in nearest for t in tags[i]))
        if near_tags:
            parts.append(" ".join(f"#{t}" for t in near_tags[:3]))
        reasons.append(" \u00b7 ".join(parts))
    return reasons


def _listed(value: Any) -> list[Any]:
    """A list cell as a list (Parquet gives arrays, JSON lists, missing cells None)."""
    if value is None or isinstance(value, float | str):
        return [value] if isinstance(value, str) and value else []
    return list(value)


def _short(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= _REASON_TITLE else title[: _REASON_TITLE - 1].rstrip() + "\u2026"
