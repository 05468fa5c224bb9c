"""Triage ranking on real data, side by side with arxiv-sanity-lite's method, and its speed.

    python bench/bench_triage.py [--listings ../shared/triage/listings-dev.parquet]
        [--reader ../shared/triage/reader-dev.jsonl] [--start YYYY-MM-DD] [--quick]
        [--only recall|replay|speed]

Prints, for one run on this machine:
- mean recall@20 of the product (``journal.triage.ranker.rank_papers``) and of the reference
  (arxiv-sanity-lite: TF-IDF + LinearSVC, its settings) over the same judged days, by the
  protocol of ../shared/triage/README.md, overall and on each half of the judged days;
- speed, by this protocol: a 4,000-entry journal, days 1..N recorded (30,000 papers), day N
  triaged once (filling the term-count cache), then day N+1 triaged in a fresh process as a
  reader would the next morning. (a) the reference cost: start-up of ``python -c "import
  sklearn, pyarrow.parquet"`` + the reference's daily fit-and-rank in process on features
  computed ahead of time (as arxiv-sanity-lite does: LinearSVC of the journal against every
  recorded paper, decision values of the day); (b) ``journal triage --listing`` of day N+1,
  cache warm, and the ratio b / a (target <= 1.5), medians of interleaved runs; the same
  with no cache (cold);
- (c) the same with 1,000,000 synthetic recorded papers (warm, and cold);
- the replay (``--only replay``): the protocol walked by a reader who, after each day is
  ranked, dismisses its top 20 papers they did not journal in the week after (the day's
  non-positives; counted from the next day on), for each ``dismiss_weight`` of
  ``WEIGHTS`` on the first half of the judged days, then the best of them (and the
  shipped ``DISMISS_WEIGHT``) on the second half, beside the recall with no feedback.
``--quick`` judges every third day and times one run of each. ``--start`` (the first judged
day; earlier ones are only recorded) defaults to 29 days after the listings' first day
(2025-01-15 for the dev data, as the README's check has it), so other listings, such as a
later half-year, are judged the same way without choosing a date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp
from bench_store import wall
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

import journal
from journal.model import make_entry
from journal.store import SideState, side_path_for
from journal.triage.countcache import FILE_NAME as CACHE_FILE
from journal.triage.listings import FILE_NAME
from journal.triage.preferences import Feedback
from journal.triage.ranker import DISMISS_WEIGHT, SEEN_DAYS, rank_papers

HERE = Path(__file__).resolve().parents[1]
TOP = 20
# By default the first judged day is this many days after the listings' first day (the
# README's check: the dev listings start 2024-12-17 and are judged from 2025-01-15).
RECORDED_FIRST_DAYS = 29


def load(listings: Path, reader: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    papers = pd.read_parquet(listings)
    papers["date"] = pd.to_datetime(papers["date"])
    # json, not pandas.read_json: arXiv ids such as 2501.01230 must stay strings.
    rows = [json.loads(line) for line in reader.read_text().splitlines() if line.strip()]
    entries = pd.DataFrame(rows)
    entries["date"] = pd.to_datetime(entries["date"])
    for column in ("authors", "tags"):
        entries[column] = entries[column].map(lambda v: v if isinstance(v, list) else [])
    entries["abstract"] = entries["abstract"].fillna("")
    entries["arxiv_id"] = entries["arxiv_id"].astype(object).where(entries["arxiv_id"].notna(), None)
    return papers, entries


def listed_days(papers: pd.DataFrame, entries: pd.DataFrame, start: pd.Timestamp) -> list[tuple]:
    """(day, positives) for each announcement day from ``start``: papers listed that day
    that the reader journaled from the day before to a week after, and not earlier (an
    empty set on a day with none)."""
    first = entries.dropna(subset=["arxiv_id"]).groupby("arxiv_id")["date"].min()
    days = []
    for day in sorted(papers["date"].unique()):
        if day < start:
            continue
        ids = papers.loc[papers["date"] == day, "arxiv_id"]
        read_on = ids.map(first)
        window = (read_on >= day - pd.Timedelta(days=1)) & (read_on <= day + pd.Timedelta(days=7))
        days.append((pd.Timestamp(day), set(ids[window.to_numpy()])))
    return days


def judged_days(papers: pd.DataFrame, entries: pd.DataFrame, start: pd.Timestamp) -> list[tuple]:
    """The days of :func:`listed_days` with positives (the protocol skips the others)."""
    return [(day, positives) for day, positives in listed_days(papers, entries, start) if positives]


def recall(ranked_ids: list[str], positives: set[str]) -> float:
    return len(positives & set(ranked_ids[:TOP])) / len(positives)


def _text(frame: pd.DataFrame) -> list[str]:
    return (frame["title"].fillna("") + " " + frame["abstract"].fillna("")).tolist()


def reference_vectorizer() -> TfidfVectorizer:
    """arxiv-sanity-lite's TF-IDF settings (compute.py)."""
    return TfidfVectorizer(
        ngram_range=(1, 2),
        max_features=20_000,
        max_df=0.1,
        min_df=5,
        sublinear_tf=True,
        stop_words="english",
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
        strip_accents="unicode",
        dtype=np.float32,
    )


def reference_svm() -> LinearSVC:
    """arxiv-sanity-lite's classifier (serve.py)."""
    return LinearSVC(C=0.01, class_weight="balanced", tol=1e-6, max_iter=10_000)


def reference_recalls(papers: pd.DataFrame, entries: pd.DataFrame, days: list[tuple]) -> list[float]:
    """Features precomputed once, as arxiv-sanity-lite does; the SVM fitted afresh each day."""
    vectorizer = reference_vectorizer().fit(_text(papers) + _text(entries))
    x_papers, x_entries = vectorizer.transform(_text(papers)), vectorizer.transform(_text(entries))
    out = []
    for day, positives in days:
        in_journal = (entries["date"] <= day - pd.Timedelta(days=2)).to_numpy()
        read = set(entries.loc[in_journal, "arxiv_id"].dropna())
        seen = ((papers["date"] < day) & ~papers["arxiv_id"].isin(read)).to_numpy()
        today = ((papers["date"] == day) & ~papers["arxiv_id"].isin(read)).to_numpy()
        if not in_journal.any() or not seen.any():
            # One class only (a judged day with nothing recorded yet): no SVM can be
            # fitted, so the reference keeps the listing's order.
            scores = np.zeros(int(today.sum()))
        else:
            x = sp.vstack([x_entries[in_journal], x_papers[seen]])
            y = np.r_[np.ones(in_journal.sum()), np.zeros(seen.sum())]
            scores = reference_svm().fit(x, y).decision_function(x_papers[today])
        ids = papers.loc[today, "arxiv_id"].to_numpy()
        out.append(recall(list(ids[np.argsort(-scores, kind="stable")]), positives))
    return out


def product_ranking(
    papers: pd.DataFrame, entries: pd.DataFrame, day: pd.Timestamp, **feedback: Any
) -> list[str]:
    """The product's ranking of ``day`` (unread papers, best first), as the protocol has
    it: the journal up to ``day`` - 2, the ``SEEN_DAYS`` recorded before it.
    ``feedback``: ``feedback=`` and ``dismiss_weight=`` of ``rank_papers``."""
    in_journal = entries[entries["date"] <= day - pd.Timedelta(days=2)]
    recent = (papers["date"] < day) & (papers["date"] >= day - pd.Timedelta(days=SEEN_DAYS))
    ranked = rank_papers(
        in_journal, papers[papers["date"] == day], papers[recent], day=day.date(), **feedback
    )
    return ranked.loc[~ranked["read"], "arxiv_id"].tolist()


def product_recalls(papers: pd.DataFrame, entries: pd.DataFrame, days: list[tuple]) -> list[float]:
    return [recall(product_ranking(papers, entries, day), positives) for day, positives in days]


def figures(name: str, recalls: list[float]) -> str:
    half = len(recalls) // 2
    return (
        f"{name:<34} recall@{TOP} {np.mean(recalls):.3f}   first half {np.mean(recalls[:half]):.3f}"
        f"   second half {np.mean(recalls[half:]):.3f}   ({len(recalls)} days)"
    )


# -- replay: a reader who dismisses --------------------------------------------------------

# Candidate weights of a dismissed paper as a negative (``rank_papers(dismiss_weight=)``).
WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def dismissals(ranked_ids: list[str], positives: set[str]) -> set[str]:
    """What the simulated reader dismisses after a day is ranked: its top ``TOP`` papers
    they did not journal in the week after (the day's papers that are not positives)."""
    return set(ranked_ids[:TOP]) - positives


class Replay:
    """The protocol walked day by day by a reader who uses the Dismiss button: after each
    day is ranked, its :func:`dismissals` join the reader's feedback, which counts from the
    next day on (a day's own dismissals leave its ranking as it was). ``plain``: the
    rankings with no feedback, by day, shared by every weight (a walk ranks with no
    feedback until its first dismissal, and no weight changes such a ranking)."""

    def __init__(
        self, papers: pd.DataFrame, entries: pd.DataFrame, weight: float, plain: dict[pd.Timestamp, list[str]]
    ) -> None:
        self.papers, self.entries, self.weight, self.plain = papers, entries, weight, plain
        self.dismissed: set[str] = set()

    def rank(self, day: pd.Timestamp) -> list[str]:
        if not self.dismissed:
            if day not in self.plain:
                self.plain[day] = product_ranking(self.papers, self.entries, day)
            return self.plain[day]
        feedback = Feedback(dismissed=frozenset(self.dismissed))
        return product_ranking(self.papers, self.entries, day, feedback=feedback, dismiss_weight=self.weight)

    def walk(self, days: list[tuple]) -> list[float]:
        """recall@20 of each of ``days`` with positives, walking all of them in order."""
        out = []
        for day, positives in days:
            ranked = self.rank(day)
            if positives:
                out.append(recall(ranked, positives))
            self.dismissed |= dismissals(ranked, positives)
        return out


def split(days: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """``days`` (all listed days) cut where the second half of the judged ones begins, as
    :func:`figures` halves the judged days."""
    judged = [day for day, positives in days if positives]
    cut = judged[len(judged) // 2]
    return [d for d in days if d[0] < cut], [d for d in days if d[0] >= cut]


def replay(papers: pd.DataFrame, entries: pd.DataFrame, start: pd.Timestamp, quick: bool) -> None:
    """Recall@20 with and without the replay: each weight of ``WEIGHTS`` on the first half,
    the best of them (and the shipped ``DISMISS_WEIGHT``) then on the second half."""
    days = listed_days(papers, entries, start)
    if quick:
        days = days[::3]
    first, second = split(days)
    started = time.perf_counter()
    plain: dict[pd.Timestamp, list[str]] = {}
    none = Replay(papers, entries, DISMISS_WEIGHT, plain)
    base = [recall(none.rank(day), positives) for day, positives in days if positives]
    half = len(base) // 2
    print(
        f"replay: {len(days)} listed days from {start.date()}; after each day the reader dismisses "
        f"its top {TOP} they did not journal in the week after (counted from the next day on)"
    )
    print(figures("no feedback", base))
    walks = {weight: Replay(papers, entries, weight, plain) for weight in WEIGHTS}
    on_first = {weight: float(np.mean(walk.walk(first))) for weight, walk in walks.items()}
    print(
        f"first half ({first[0][0].date()}..{first[-1][0].date()}, {half} judged days), recall@{TOP} with replay:"
    )
    print(f"  no feedback {np.mean(base[:half]):.3f}")
    for weight, figure in on_first.items():
        shipped = "   (shipped DISMISS_WEIGHT)" if weight == DISMISS_WEIGHT else ""
        print(
            f"  dismiss_weight {weight:<5} {figure:.3f}   ({len(walks[weight].dismissed)} dismissed){shipped}"
        )
    # The best on the first half; a tie goes to the shipped weight, then the smaller one.
    chosen = max(WEIGHTS, key=lambda w: (round(on_first[w], 6), w == DISMISS_WEIGHT, -w))
    print(f"second half ({second[0][0].date()}..{second[-1][0].date()}, {len(base) - half} judged days):")
    print(f"  no feedback {np.mean(base[half:]):.3f}")
    for weight in dict.fromkeys([chosen, DISMISS_WEIGHT]):
        name = "chosen on the first half" if weight == chosen else "shipped"
        print(
            f"  dismiss_weight {weight:<5} {np.mean(walks[weight].walk(second)):.3f}   with replay ({name})"
        )
    print(f"  ({time.perf_counter() - started:.0f} s)")


# -- speed ---------------------------------------------------------------------------------


def synthetic_papers(papers: pd.DataFrame, rows: int, last_day: dt.date, per_day: int, seed: int) -> pa.Table:
    """``rows`` recorded papers resampled from real ones, new ids, ``per_day`` a day up to
    ``last_day``: text statistics of a real store at no cost of writing new text."""
    rng = np.random.default_rng(seed)
    source = pa.Table.from_pandas(papers.drop(columns=["date"]), preserve_index=False)
    table = source.take(pa.array(rng.integers(0, len(papers), rows)))
    days_back = np.arange(rows) // per_day + 1
    dates = pd.to_datetime(last_day) - pd.to_timedelta(days_back, unit="D")
    # Ids of months arXiv has not reached (20YY from 2030), one month per seed.
    ids = [f"{30 + seed // 12 + i // 100_000:02d}{seed % 12 + 1:02d}.{i % 100_000:05d}" for i in range(rows)]
    table = table.set_column(table.schema.get_field_index("arxiv_id"), "arxiv_id", pa.array(ids))
    return table.append_column("date", pa.array(dates.date, pa.date32()))


def write_store(folder: Path, table: pa.Table) -> None:
    """A date-partitioned Parquet dataset in the layout ``journal triage`` records
    (``date=YYYY-MM-DD/listing.parquet``, the date in the folder name only)."""
    dates = table["date"].to_numpy(zero_copy_only=False)
    for day in sorted(set(dates)):
        target = folder / f"date={day}"
        target.mkdir(parents=True, exist_ok=True)
        rows = pa.array(np.flatnonzero(dates == day))
        pq.write_table(table.take(rows).drop_columns(["date"]), target / FILE_NAME)


def write_big_store(folder: Path, papers: pd.DataFrame, rows: int, last_day: dt.date, per_day: int) -> None:
    """``rows`` recorded papers, ``per_day`` a day back from ``last_day``, written cheaply:
    ``distinct`` days of real resampled rows (more than SEEN_DAYS, so no window repeats a
    paper), every other day's file a hard link to one of them (a partition's file holds no
    date: the folder name gives it)."""
    import os

    distinct = SEEN_DAYS + 30
    files = []
    for k in range(distinct):
        part = synthetic_papers(papers, per_day, last_day, per_day, seed=10 + k).drop_columns(["date"])
        files.append(folder / f"distinct-{k}.parquet")
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(part, files[-1])
    for back in range(1, rows // per_day + 1):
        target = folder / f"date={last_day - dt.timedelta(days=back)}"
        target.mkdir()
        os.link(files[back % distinct], target / FILE_NAME)
    for file in files:
        file.unlink()


def write_journal(path: Path, entries: pd.DataFrame, rows: int, last_day: dt.date) -> None:
    """A ``rows``-entry journal resampled from the reader's, the latest a day before."""
    sample = entries.sample(n=rows, replace=True, random_state=1).reset_index(drop=True)
    made = []
    for i, row in sample.iterrows():
        made.append(
            make_entry(
                title=str(row["title"]),
                date=last_day - dt.timedelta(days=1 + int(i) // 3),
                authors=list(row["authors"]),
                abstract=str(row["abstract"] or ""),
                arxiv_id=f"2912.{int(i):05d}",
                tags=list(row["tags"]),
            )
        )
    journal.open(path).add_many(made)


def fresh_triage(journal_path: Path, listing: Path, env: dict[str, str], cache: bytes | None) -> float:
    """Wall time of ``journal triage --listing`` in a fresh process, the term-count cache
    set to ``cache`` first (None: no cache, a cold run)."""
    path = side_path_for(journal_path, SideState.TRIAGE_CACHE) / CACHE_FILE
    path.unlink(missing_ok=True)
    if cache is not None:
        path.write_bytes(cache)
    argv = [sys.executable, "-m", "journal", "triage", "--listing", str(listing)]
    return wall([*argv, "--journal", str(journal_path), "--limit", "20"], env)


def warm_up(journal_path: Path, listing: Path, env: dict[str, str]) -> tuple[float, bytes]:
    """Triage of day N (records it, fills the cache, cold); the cache it leaves."""
    seconds = fresh_triage(journal_path, listing, env, None)
    return seconds, (side_path_for(journal_path, SideState.TRIAGE_CACHE) / CACHE_FILE).read_bytes()


def reference_features(entries: pd.DataFrame, seen: pd.DataFrame, listing: pd.DataFrame) -> sp.csr_matrix:
    """arxiv-sanity-lite's TF-IDF of everything, computed ahead of time as it does."""
    return reference_vectorizer().fit_transform(_text(entries) + _text(seen) + _text(listing)).tocsr()


def reference_fit_and_rank(x: sp.csr_matrix, positives: int, negatives: int) -> float:
    """Seconds of arxiv-sanity-lite's daily work on precomputed features: fit its SVM
    (the journal against every recorded paper) and score the day."""
    started = time.perf_counter()
    cut = positives + negatives
    y = np.r_[np.ones(positives), np.zeros(negatives)]
    reference_svm().fit(x[:cut], y).decision_function(x[cut:])
    return time.perf_counter() - started


def speed(papers: pd.DataFrame, entries: pd.DataFrame, runs: int, million: int) -> None:
    import shutil

    root = Path(tempfile.mkdtemp(prefix="journal-bench-triage-"))
    try:
        timed(papers, entries, runs, million, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def timed(papers: pd.DataFrame, entries: pd.DataFrame, runs: int, million: int, root: Path) -> None:
    """Protocol: days 1..N recorded (30,000 papers), day N triaged once (this fills the
    cache), then day N+1 triaged in a fresh process with the cache day N left (warm: what a
    reader's morning costs) and with none (cold), interleaved with the reference."""
    import os

    env = dict(os.environ, PYTHONPATH=str(HERE))
    day = dt.date(2030, 6, 3)
    journal_path = root / "entries.parquet"
    write_journal(journal_path, entries, 4000, day)
    recorded = synthetic_papers(papers, 30_000, day, 220, seed=1)
    write_store(side_path_for(journal_path, SideState.LISTINGS), recorded)
    day_n = synthetic_papers(papers, 220, day + dt.timedelta(days=1), 220, seed=2)
    day_next = synthetic_papers(papers, 220, day + dt.timedelta(days=2), 220, seed=3)
    listing_n, listing_next = root / "day-n.parquet", root / "day-n+1.parquet"
    pq.write_table(day_n, listing_n)
    pq.write_table(day_next, listing_next)

    journal_frame = journal.open(journal_path).to_pandas()
    seen_frame = pa.concat_tables([recorded, day_n]).to_pandas()
    x = reference_features(journal_frame, seen_frame, day_next.to_pandas())
    _, cache = warm_up(journal_path, listing_n, env)
    startup, svm, warm, cold = [], [], [], []
    for _ in range(runs):  # interleaved, so load on the machine affects all alike
        startup.append(wall([sys.executable, "-c", "import sklearn, pyarrow.parquet"], env))
        svm.append(reference_fit_and_rank(x, len(journal_frame), len(seen_frame)))
        warm.append(fresh_triage(journal_path, listing_next, env, cache))
        cold.append(fresh_triage(journal_path, listing_next, env, None))
    reference = statistics.median(startup) + statistics.median(svm)
    ratio = statistics.median(warm) / reference
    print(
        f"(a) reference: start-up {statistics.median(startup):.2f} s + SVM fit-and-rank on precomputed "
        f"TF-IDF {statistics.median(svm):.2f} s = {reference:.2f} s  (4,000 entries, 30,220 recorded)"
    )
    print(
        f"(b) journal triage --listing of day N+1 in a fresh process, cache warm: "
        f"{statistics.median(warm):.2f} s = {ratio:.2f} x (a)  (target <= 1.5 x; median of {runs})"
    )
    print(
        f"    the same with no cache (cold, as a first triage): {statistics.median(cold):.2f} s"
        f" = {statistics.median(cold) / reference:.2f} x (a)"
    )

    big = root / "million" / "entries.parquet"
    big.parent.mkdir()
    journal_path.replace(big)
    started = time.perf_counter()
    write_big_store(side_path_for(big, SideState.LISTINGS), papers, million, day, 700)
    print(f"    (writing {million:,} synthetic recorded papers took {time.perf_counter() - started:.0f} s)")
    first, cache = warm_up(big, listing_n, env)
    seconds = fresh_triage(big, listing_next, env, cache)
    print(
        f"(c) with {million:,} recorded papers: day N+1 {seconds:.2f} s with the cache warm "
        f"({seconds / reference:.2f} x (a)), day N {first:.2f} s cold  (1 run each)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    data_arguments(parser)
    parser.add_argument("--quick", action="store_true", help="judge every third day; time one run")
    parser.add_argument("--million", type=int, default=1_000_000, help="synthetic recorded papers for (c)")
    parser.add_argument("--only", choices=["recall", "replay", "speed"], help="run one part of the bench")
    args = parser.parse_args()
    papers, entries = load(args.listings, args.reader)
    if args.only in (None, "recall"):
        recalls(papers, entries, first_judged_day(papers, args.start), args.quick)
    if args.only in (None, "replay"):
        replay(papers, entries, first_judged_day(papers, args.start), args.quick)
    if args.only in (None, "speed"):
        speed(papers, entries, 1 if args.quick else 5, args.million)


def data_arguments(parser: argparse.ArgumentParser) -> None:
    """The protocol's data (``--listings``, ``--reader``) and ``--start``: shared by the benches."""
    shared = HERE.parent / "shared" / "triage"
    parser.add_argument("--listings", type=Path, default=shared / "listings-dev.parquet")
    parser.add_argument("--reader", type=Path, default=shared / "reader-dev.jsonl")
    parser.add_argument(
        "--start",
        type=dt.date.fromisoformat,
        help="first judged day, YYYY-MM-DD (earlier days are only recorded; default: 29 days after the first listed day)",
    )


def first_judged_day(papers: pd.DataFrame, start: dt.date | None) -> pd.Timestamp:
    """``start``, else ``RECORDED_FIRST_DAYS`` after the listings' first day (dev: 2025-01-15)."""
    if start is not None:
        return pd.Timestamp(start)
    return pd.Timestamp(papers["date"].min()) + pd.Timedelta(days=RECORDED_FIRST_DAYS)


def recalls(papers: pd.DataFrame, entries: pd.DataFrame, start: pd.Timestamp, quick: bool) -> None:
    days = judged_days(papers, entries, start)
    if quick:
        days = days[::3]
    print(f"{len(days)} judged days from {start.date()}, {sum(len(p) for _, p in days)} positives")
    started = time.perf_counter()
    print(figures("arxiv-sanity-lite (reference)", reference_recalls(papers, entries, days)), end="")
    print(f"   {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    print(figures("journal triage (product)", product_recalls(papers, entries, days)), end="")
    print(f"   {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
