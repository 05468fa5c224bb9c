"""Calibration of triage's chance on real data (the dev protocol of ../shared/triage/README.md).

    python bench/bench_triage_chance.py [--listings ../shared/triage/listings-dev.parquet]
        [--reader ../shared/triage/reader-dev.jsonl] [--start YYYY-MM-DD]

Every listed day is ranked as the reader would have ranked it that morning (the journal
holding the entries dated up to the day before the day before, the recorded days before it),
and its scores are kept, as ``journal triage`` keeps them. The chance of a judged day is
``journal.triage.chance.fit`` on the kept days whose week was over (positives: the papers
journaled from the day before their listing to a week after), then applied to the day.

Prints: the sum of chance over the judged days (days with positives, the recall protocol's)
against their positives (target: within 25%), the same over every day from ``--start``
(days without positives too: what a reader's chance adds up to), and a reliability table:
the papers of the judged days pooled, cut into ten bins of equal count by chance, mean
chance against the share that were positives (target: within 0.1 in each bin).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pandas as pd
from bench_triage import data_arguments, first_judged_day, load

from journal.triage.chance import fit, label
from journal.triage.ranker import SEEN_DAYS, rank_papers

HERE = Path(__file__).resolve().parents[1]
BINS = 10


def ranked_days(papers: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """Each listed day ranked as that morning: ``date``, ``arxiv_id``, ``score`` of its
    unread papers (what ``journal triage`` keeps), labelled ``positive``."""
    frames = []
    for day in sorted(papers["date"].unique()):
        day = pd.Timestamp(day)
        in_journal = entries[entries["date"] <= day - pd.Timedelta(days=2)]
        recent = (papers["date"] < day) & (papers["date"] >= day - pd.Timedelta(days=SEEN_DAYS))
        ranked = rank_papers(in_journal, papers[papers["date"] == day], papers[recent], day=day.date())
        unread = ranked[~ranked["read"]]
        frames.append(
            pd.DataFrame({"date": day.date(), "arxiv_id": unread["arxiv_id"], "score": unread["score"]})
        )
    return label(pd.concat(frames, ignore_index=True), entries)


def chances(history: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """The days from ``start`` with ``chance`` (NaN where there was too little history)."""
    out = []
    for day, papers in history[history["date"] >= start].groupby("date", sort=True):
        calibration = fit(history[history["date"] < day], day)
        chance = (
            calibration.chance(papers["score"].to_numpy()) if calibration else np.full(len(papers), np.nan)
        )
        out.append(papers.assign(chance=chance))
    return pd.concat(out, ignore_index=True)


def report(scored: pd.DataFrame) -> None:
    per_day = scored.groupby("date").agg(positives=("positive", "sum"), chance=("chance", "sum"))
    judged = per_day[per_day["positives"] > 0]
    missing = scored.groupby("date")["chance"].apply(lambda c: c.isna().all())
    print(
        f"{len(per_day)} days from {min(per_day.index)}; {int(missing.sum())} without a chance (too little history)"
    )
    for name, days in (("judged days (with positives)", judged), ("every day", per_day)):
        ratio = days["chance"].sum() / days["positives"].sum()
        print(
            f"{name:<30} {len(days):>4} days: sum of chance {days['chance'].sum():7.1f}  "
            f"positives {int(days['positives'].sum()):>4}  ratio {ratio:.2f}  (target 0.75..1.25)"
        )
    pooled = scored[scored["date"].isin(judged.index) & scored["chance"].notna()]
    worst = reliability(pooled, f"reliability, papers of the judged days pooled ({len(pooled)})")
    print(f"largest difference {worst:.4f} (target <= 0.1)")
    # Most papers have a chance under 1%, so the ten bins above say little about the few
    # that matter: the top tenth, cut again.
    top = pooled[pooled["chance"] >= pooled["chance"].quantile(0.9)]
    reliability(top, f"the top tenth by chance ({len(top)} papers), cut again")


def reliability(pooled: pd.DataFrame, title: str) -> float:
    """Print the reliability table of ``pooled``; the largest difference."""
    order = np.argsort(pooled["chance"].to_numpy(), kind="stable")
    print(f"{title}, {BINS} bins of equal count by chance:")
    print("  bin  papers  chance from..to     mean chance  share positive  difference")
    worst = 0.0
    for k, rows in enumerate(np.array_split(order, BINS), 1):
        part = pooled.iloc[rows]
        mean, share = part["chance"].mean(), part["positive"].mean()
        worst = max(worst, abs(mean - share))
        print(
            f"  {k:>3}  {len(part):>6}  {part['chance'].min():.4f}..{part['chance'].max():.4f}"
            f"  {mean:11.4f}  {share:14.4f}  {mean - share:+10.4f}"
        )
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    data_arguments(parser)
    parser.add_argument(
        "--history", type=Path, help="a Parquet file of the ranked days: read when it exists, else written"
    )
    args = parser.parse_args()
    papers, entries = load(args.listings, args.reader)
    started = time.perf_counter()
    if args.history is not None and args.history.exists():
        history = pd.read_parquet(args.history)
        history["date"] = history["date"].map(lambda d: pd.Timestamp(d).date())
    else:
        history = ranked_days(papers, entries)
        if args.history is not None:
            history.to_parquet(args.history)
    print(f"ranked {history['date'].nunique()} days in {time.perf_counter() - started:.0f} s")
    report(chances(history, first_judged_day(papers, args.start).date()))


if __name__ == "__main__":
    main()
