"""The chance that the reader journals a ranked paper, fitted on their own history.

Each time a day is ranked afresh (no journal entry dated after it), the scores the ranker
gave its unread papers are kept beside the journal (``<journal>.d/triage-cache/scores/``,
a Parquet file a day: ``arxiv_id``, ``score``). A kept paper is a *positive* when the
journal holds it with an entry dated from the day before it was listed to ``LABEL_DAYS``
after (the protocol of docs/triage-ranking.md). The chance of day D is Platt scaling: a
logistic regression of positive on the day-standardised score, fitted on the kept days
whose week is over before D (listed on D - ``LABEL_DAYS`` - 2 or earlier), so the chance
of a day is fitted only on days before it, with what was known then. With fewer than
``MIN_DAYS`` such days or ``MIN_POSITIVES`` positives among them, there is no chance.

Why kept scores and not a re-ranking of the past days: re-ranking each day as it was costs
a ranking per day (about a second each); scoring the past days with today's model would
score papers it was trained on (the journaled ones as positives), a calibration too sure
of itself. The kept scores are what the reader was shown, at the cost of one small file
a day. They are a cache of this machine: without them, chance returns after
``MIN_DAYS`` ranked days have had their week.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from journal.fileio import write_atomic
from journal.store import SideState

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from journal.store import Journal

#: A paper listed on day D counts as journaled when an entry of it is dated D-1 .. D+LABEL_DAYS.
LABEL_DAYS = 7
#: The least history a chance is fitted on: kept days whose week is over, and positives.
MIN_DAYS = 5
MIN_POSITIVES = 3
#: The most recent kept days a chance is fitted on (interests drift).
HISTORY_DAYS = 120
FOLDER = "scores"
#: Said where a chance cannot be given (the table, the tab).
NO_CHANCE = (
    f"no chance yet: it is fitted on {MIN_DAYS} or more ranked days whose week is over "
    f"with {MIN_POSITIVES} or more papers journaled from them"
)


def standardised(scores: np.ndarray) -> np.ndarray:
    """A day's scores with zero mean and unit spread (one paper, or equal scores: 0)."""
    import numpy as np

    values = np.asarray(scores, dtype=float)
    spread = values.std() if len(values) else 0.0
    return (values - values.mean()) / spread if spread > 0 else values * 0.0


def last_fit_day(day: dt.date) -> dt.date:
    """The latest listed day whose week is over when ``day`` is ranked."""
    return day - dt.timedelta(days=LABEL_DAYS + 2)


@dataclass(frozen=True)
class Calibration:
    """Platt scaling of a day's standardised scores: ``P = 1 / (1 + exp(-(a z + b)))``,
    fitted on ``days`` days holding ``papers`` papers, ``positives`` of them journaled."""

    slope: float
    intercept: float
    days: int
    papers: int
    positives: int

    def chance(self, scores: np.ndarray) -> np.ndarray:
        """The chance of each of a day's papers, from the day's scores (all of them)."""
        import numpy as np

        z = standardised(scores)
        return np.asarray(1.0 / (1.0 + np.exp(-(self.slope * z + self.intercept))), dtype=float)


def fit(history: pd.DataFrame, day: dt.date) -> Calibration | None:
    """The calibration of ``day`` from ``history`` (``date``, ``score``, ``positive``: the
    kept papers of earlier days), or None when too little of it is over before ``day``.
    Only the days listed on :func:`last_fit_day` or earlier are used (the latest
    ``HISTORY_DAYS``); each day's scores are standardised within the day."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if not len(history):
        return None
    dates = history["date"].map(_as_date)
    usable = history[(dates <= last_fit_day(day)).to_numpy()].assign(_day=dates)
    days = sorted(set(usable["_day"]))[-HISTORY_DAYS:]
    usable = usable[usable["_day"].isin(days)]
    positives = int(usable["positive"].sum())
    if len(days) < MIN_DAYS or positives < MIN_POSITIVES:
        return None
    z = np.concatenate([standardised(g["score"].to_numpy()) for _, g in usable.groupby("_day", sort=True)])
    y = np.concatenate([g["positive"].to_numpy(bool) for _, g in usable.groupby("_day", sort=True)])
    model = LogisticRegression(C=100.0).fit(z.reshape(-1, 1), y)
    return Calibration(
        float(model.coef_[0, 0]), float(model.intercept_[0]), len(days), len(usable), positives
    )


def _as_date(value: object) -> dt.date:
    import pandas as pd

    return value if type(value) is dt.date else pd.Timestamp(value).date()


def label(kept: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """``kept`` (``date``, ``arxiv_id``, ``score``) with ``positive``: the journal holds
    the paper with an entry dated from the day before its listing to ``LABEL_DAYS`` after."""
    import pandas as pd

    from journal.triage.ranker import base_id

    journaled: dict[str, list[dt.date]] = {}
    if len(entries) and "arxiv_id" in entries and "date" in entries:
        for arxiv_id, when in zip(entries["arxiv_id"], entries["date"], strict=True):
            key = base_id(arxiv_id)
            if key and when is not None and when == when:
                journaled.setdefault(key, []).append(_as_date(when))

    def positive(arxiv_id: str, listed: dt.date) -> bool:
        first, last = listed - dt.timedelta(days=1), listed + dt.timedelta(days=LABEL_DAYS)
        return any(first <= d <= last for d in journaled.get(base_id(arxiv_id) or "", ()))

    flags = [positive(a, _as_date(d)) for a, d in zip(kept["arxiv_id"], kept["date"], strict=True)]
    return kept.assign(positive=pd.array(flags, dtype=bool))


# -- the kept scores ------------------------------------------------------------------------


def scores_dir(journal: Journal) -> Path:
    """``<journal>.d/triage-cache/scores``: a Parquet file of kept scores per ranked day."""
    return journal.side_path(SideState.TRIAGE_CACHE) / FOLDER


def keep_scores(journal: Journal, day: dt.date, ranked: pd.DataFrame) -> bool:
    """Keep the scores of ``day``'s unread papers, unless the day has some already (the
    first ranking of a day is what the reader saw). Skipped, like any cache, when the
    folder cannot be written. Returns whether a file was written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = scores_dir(journal) / f"{day.isoformat()}.parquet"
    papers = ranked[~ranked["read"]]
    if path.exists() or not len(papers):
        return False
    table = pa.table(
        {
            "arxiv_id": pa.array([str(a) for a in papers["arxiv_id"]], pa.string()),
            "score": pa.array(papers["score"].to_numpy(float), pa.float64()),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    try:
        os.makedirs(path.parent, exist_ok=True)
        write_atomic(path, sink.getvalue(), durable=False)
    except OSError:
        return False
    return True


def kept_scores(journal: Journal, day: dt.date) -> pd.DataFrame:
    """The kept scores of the ``HISTORY_DAYS`` latest days listed on :func:`last_fit_day`
    or earlier: ``date``, ``arxiv_id``, ``score`` (a damaged file is skipped)."""
    import pandas as pd
    import pyarrow.parquet as pq

    frames = []
    folder = scores_dir(journal)
    names = sorted(os.listdir(folder)) if folder.is_dir() else []
    days = []
    for name in names:
        try:
            listed = dt.date.fromisoformat(name.removesuffix(".parquet"))
        except ValueError:
            continue
        if name.endswith(".parquet") and listed <= last_fit_day(day):
            days.append(listed)
    for listed in days[-HISTORY_DAYS:]:
        try:
            frame = pq.read_table(folder / f"{listed.isoformat()}.parquet").to_pandas()
        except Exception:  # a cache is never worth an error
            continue
        frames.append(frame[["arxiv_id", "score"]].assign(date=listed))
    if not frames:
        return pd.DataFrame({"date": [], "arxiv_id": [], "score": []})
    return pd.concat(frames, ignore_index=True)


def add_chance(journal: Journal, entries: pd.DataFrame, ranked: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """``ranked`` (as ``ranker.rank_papers`` gives it) with ``chance``: a float for each
    unread paper, None for read ones and for all when there is too little history. Keeps
    the day's scores first when the journal holds no entry dated after ``day``."""
    import pandas as pd

    latest = pd.to_datetime(entries["date"], errors="coerce").max() if len(entries) else None
    if latest is None or latest != latest or latest.date() <= day:
        keep_scores(journal, day, ranked)
    calibration = fit(label(kept_scores(journal, day), entries), day)
    chance = pd.Series([None] * len(ranked), index=ranked.index, dtype=object)
    unread = ~ranked["read"].to_numpy(bool)
    if calibration is not None and unread.any():
        chance[unread] = calibration.chance(ranked.loc[unread, "score"].to_numpy(float)).tolist()
    return ranked.assign(chance=chance)


def check_min_chance(value: str | None) -> float | None:
    """``--min-chance``: a probability from 0 to 1 (None stays None)."""
    from journal.errors import ValidationError

    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not 0.0 <= number <= 1.0:
        raise ValidationError(
            "min-chance", f"{value!r} is not a probability; give a number from 0 to 1, such as 0.05"
        )
    return number


def percent(chance: float | None) -> str:
    """A chance as the table, the tab and the feed show it: ``12%``, ``<1%``, ``>99%``, or
    ``-`` (none)."""
    if chance is None or chance != chance:
        return "-"
    return "<1%" if chance < 0.005 else ">99%" if chance >= 0.995 else f"{chance:.0%}"
