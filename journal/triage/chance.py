"""The chance that the reader journals a ranked paper, fitted on their own history.

Each time a day is ranked afresh (no journal entry dated after it), the scores the ranker
gave its unread papers are kept beside the journal (``<journal>.d/triage-cache/scores.parquet``:
``date``, ``arxiv_id``, ``score``, ``reader``: whose ranking it was). A reader's chance is
fitted on their own kept scores only. A kept paper is a *positive* when the
journal holds it with an entry dated from the day before it was listed to ``LABEL_DAYS``
after (the protocol of docs/triage-ranking.md). The chance of day D is Platt scaling: a
logistic regression of positive on the day-standardised score, fitted on the kept days
whose week is over before D (listed on D - ``LABEL_DAYS`` - 2 or earlier), so the chance
of a day is fitted only on days before it, with what was known then. With fewer than
``MIN_DAYS`` such days or ``MIN_POSITIVES`` positives among them, there is no chance.

Why kept scores and not a re-ranking of the past days: re-ranking each day as it was costs
a ranking per day (about a second each); scoring the past days with today's model would
score papers it was trained on (the journaled ones as positives), a calibration too sure
of itself. The kept scores are what the reader was shown, at the cost of a few KB
a day. They are a cache of this machine: without them, chance returns after
``MIN_DAYS`` ranked days have had their week.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from journal.fileio import keep_cached
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
FILE_NAME = "scores.parquet"
#: How many days of kept scores the file holds (a day is about 10 KB).
KEPT_DAYS = 2 * HISTORY_DAYS
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
    import pandas as pd

    if not len(history):
        return None
    dates = pd.to_datetime(history["date"]).to_numpy("datetime64[D]")
    usable = dates <= np.datetime64(last_fit_day(day), "D")
    days = np.unique(dates[usable])[-HISTORY_DAYS:]
    if len(days) < MIN_DAYS:
        return None
    usable &= dates >= days[0]
    frame = pd.DataFrame({"day": dates[usable], "score": history["score"].to_numpy(float)[usable]})
    y = history["positive"].to_numpy(bool)[usable]
    if int(y.sum()) < MIN_POSITIVES:
        return None
    by_day = frame.groupby("day")["score"]
    spread = by_day.transform("std", ddof=0).to_numpy()
    z = np.where(
        spread > 0,
        (frame["score"].to_numpy() - by_day.transform("mean").to_numpy()) / np.where(spread > 0, spread, 1),
        0.0,
    )
    from sklearn.linear_model import LogisticRegression

    # liblinear: one thread. The threaded solvers (newton-cholesky, lbfgs) took 0.2-0.8 s
    # for these ~26,000 rows on a busy two-core machine, liblinear 0.05-0.1 s; its
    # intercept is regularised too, which at C=100 moves the fit by about 1e-4.
    model = LogisticRegression(C=100.0, solver="liblinear").fit(z.reshape(-1, 1), y)
    return Calibration(
        float(model.coef_[0, 0]), float(model.intercept_[0]), len(days), len(frame), int(y.sum())
    )


def label(kept: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """``kept`` (``date``, ``arxiv_id`` without version, ``score``) with ``positive``: the journal holds
    the paper with an entry dated from the day before its listing to ``LABEL_DAYS`` after."""
    import numpy as np
    import pandas as pd

    from journal.triage.ranker import base_id

    flags = np.zeros(len(kept), dtype=bool)
    if len(kept) and len(entries) and "arxiv_id" in entries and "date" in entries:
        papers = entries[entries["arxiv_id"].notna()]
        journaled = pd.DataFrame(
            {
                "id": [base_id(a) for a in papers["arxiv_id"]],
                "journaled": pd.to_datetime(papers["date"], errors="coerce").to_numpy("datetime64[D]"),
            }
        ).dropna()
        listed = pd.DataFrame(
            {
                "row": np.arange(len(kept)),
                "id": kept["arxiv_id"].to_numpy(),
                "listed": pd.to_datetime(kept["date"]).to_numpy("datetime64[D]"),
            }
        )
        both = listed.merge(journaled, on="id")
        after = (both["journaled"] - both["listed"]).dt.days
        flags[both.loc[(after >= -1) & (after <= LABEL_DAYS), "row"].to_numpy()] = True
    return kept.assign(positive=flags)


# -- the kept scores ------------------------------------------------------------------------


def scores_path(journal: Journal) -> Path:
    """``<journal>.d/triage-cache/scores.parquet``: the kept scores (``date``, ``arxiv_id``
    without version, ``score``, ``reader``) of each reader's ``KEPT_DAYS`` latest days
    ranked afresh."""
    return journal.side_path(SideState.TRIAGE_CACHE) / FILE_NAME


def _read_scores(path: Path) -> pd.DataFrame | None:
    """The kept scores, None when there are none. A file kept before readers (no
    ``reader`` column) is the current reader's: it was kept by the reader of this machine
    (the one a ranking defaulted to), and reading it so keeps their chance as it was; it
    is dropped only when no current reader can be named."""
    import pyarrow.parquet as pq

    from journal.store import current_reader

    try:
        with pq.ParquetFile(path) as file:
            columns = ["date", "arxiv_id", "score"]
            columns += ["reader"] if "reader" in file.schema_arrow.names else []
            frame = file.read(columns=columns).to_pandas(date_as_object=True)
        if "reader" not in frame:
            frame["reader"] = current_reader()
    except Exception:  # absent, damaged or foreign: a cache is never worth an error
        return None
    return frame


def _theirs(frame: pd.DataFrame | None, reader: str) -> pd.DataFrame | None:
    """The kept scores of ``reader`` in ``frame``."""
    return None if frame is None else frame[(frame["reader"] == reader).to_numpy(bool)]


def keep_scores(journal: Journal, day: dt.date, ranked: pd.DataFrame, reader: str | None = None) -> bool:
    """Keep the scores of ``day``'s unread papers as ``reader``'s (default: the current
    reader), unless the day has some of theirs already (the first ranking of a day is what
    the reader saw); each reader's days beyond their ``KEPT_DAYS`` latest are dropped.
    Skipped, like any cache, when the file cannot be written. Returns whether the file
    was written."""
    from journal.store import current_reader

    path = scores_path(journal)
    who = current_reader() if reader is None else reader
    return _keep(path, day, ranked, _read_scores(path), who) is not None


def _keep(
    path: Path, day: dt.date, ranked: pd.DataFrame, old: pd.DataFrame | None, reader: str
) -> pd.DataFrame | None:
    """:func:`keep_scores` given the file's frame as read (``old``): the frame written, or
    None when nothing was."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from journal.triage.ranker import base_id

    papers = ranked[~ranked["read"]]
    theirs = _theirs(old, reader)
    if not len(papers) or (theirs is not None and (theirs["date"] == day).any()):
        return None
    new = pd.DataFrame(
        {
            "date": day,
            "arxiv_id": [base_id(a) or str(a) for a in papers["arxiv_id"]],
            "score": papers["score"].to_numpy(float),
            "reader": reader,
        }
    )
    frame = new if old is None else pd.concat([old, new], ignore_index=True)
    latest = frame.groupby("reader")["date"].transform(lambda d: d.isin(sorted(set(d))[-KEPT_DAYS:]))
    frame = frame[latest.to_numpy(bool)].sort_values("date", kind="stable")
    schema = pa.schema(
        [("date", pa.date32()), ("arxiv_id", pa.string()), ("score", pa.float64()), ("reader", pa.string())]
    )
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False), sink)
    return frame if keep_cached(path, sink.getvalue()) else None


def kept_scores(journal: Journal, day: dt.date, reader: str | None = None) -> pd.DataFrame:
    """The kept scores a chance of ``day`` for ``reader`` (default: the current reader) is
    fitted on: theirs of the ``HISTORY_DAYS`` latest days listed on :func:`last_fit_day` or
    earlier; ``date``, ``arxiv_id``, ``score``, ``reader``."""
    from journal.store import current_reader

    who = current_reader() if reader is None else reader
    return _fitted_on(_theirs(_read_scores(scores_path(journal)), who), day)


def _fitted_on(frame: pd.DataFrame | None, day: dt.date) -> pd.DataFrame:
    """Of the kept scores ``frame``, the days :func:`fit` uses for ``day`` (labelling
    the others would be work for nothing)."""
    import pandas as pd

    if frame is None:
        return pd.DataFrame({"date": [], "arxiv_id": [], "score": []})
    usable = frame[(frame["date"] <= last_fit_day(day)).to_numpy()]
    days = sorted(set(usable["date"]))[-HISTORY_DAYS:]
    return usable[usable["date"].isin(days).to_numpy()].reset_index(drop=True)


def add_chance(
    journal: Journal, entries: pd.DataFrame, ranked: pd.DataFrame, day: dt.date, reader: str | None = None
) -> pd.DataFrame:
    """``ranked`` (as ``ranker.rank_papers`` gives it for ``reader``, default the current
    reader) with ``chance``: a float for each unread paper, None for read ones and for all
    when there is too little history. Keeps the day's scores as ``reader``'s first when
    ``entries`` (``reader``'s, as the ranking learnt from) hold no entry dated after
    ``day``; the chance is fitted on ``reader``'s kept scores, positives from ``entries``."""
    import pandas as pd

    from journal.store import current_reader

    who = current_reader() if reader is None else reader
    latest = pd.to_datetime(entries["date"], errors="coerce").max() if len(entries) else None
    path = scores_path(journal)
    held = _read_scores(path)  # read once: keeping the day and fitting both need it
    if latest is None or latest != latest or latest.date() <= day:
        written = _keep(path, day, ranked, held, who)
        held = held if written is None else written
    calibration = fit(label(_fitted_on(_theirs(held, who), day), entries), day)
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
