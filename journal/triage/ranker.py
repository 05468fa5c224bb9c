"""Rank a day's arXiv listing by the reader's own journal (the model; no I/O).

PLACEHOLDER: a plain TF-IDF similarity to the journal, to be replaced by the learned ranker.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# How many days of recorded listings (before the day ranked) the ranker learns from: the
# caller reads only these partitions, so a store of a million papers costs no more.
SEEN_DAYS = 60


def rank_papers(
    entries: pd.DataFrame,
    listing: pd.DataFrame,
    seen: pd.DataFrame | None = None,
    *,
    day: dt.date | None = None,
) -> pd.DataFrame:
    """Return ``listing`` with ``score``, ``rank``, ``read`` and ``reason`` columns.

    ``entries``: the journal (columns of SPEC section 1; ``commentary`` may be absent).
    ``listing``: the day's papers: ``arxiv_id``, ``title``, ``authors`` (list), ``abstract``.
    ``seen``: earlier recorded listing papers (same columns and ``date``); those not in the
    journal are what the reader passed over. ``day``: the day being ranked (default: today).
    Papers whose arXiv id (any version) is in the journal are ``read``: no rank, listed last.
    Ranked papers come first in rank order (rank 1 = best).
    """
    import numpy as np
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer

    out = listing.reset_index(drop=True).copy()
    journal_ids = set(entries["arxiv_id"].dropna().astype(str)) if "arxiv_id" in entries else set()
    out["read"] = out["arxiv_id"].astype(str).str.replace(r"v\d+$", "", regex=True).isin(journal_ids)

    def text(df: pd.DataFrame) -> pd.Series:
        return df["title"].fillna("").astype(str) + " " + df["abstract"].fillna("").astype(str)

    scores = np.zeros(len(out))
    if len(entries) and len(out):
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
        vectorizer.fit(pd.concat([text(entries), text(out)]))
        profile = np.asarray(vectorizer.transform(text(entries)).mean(axis=0))
        scores = np.asarray(vectorizer.transform(text(out)) @ profile.T).ravel()
    out["score"] = scores
    out["reason"] = ""
    ranked = out[~out["read"]].sort_values("score", ascending=False, kind="stable")
    ranked["rank"] = pd.array(range(1, len(ranked) + 1), dtype="Int64")
    read = out[out["read"]].assign(rank=pd.array([pd.NA] * int(out["read"].sum()), dtype="Int64"))
    return pd.concat([ranked, read], ignore_index=True)
