"""Recorded listings: what ranking a day reads from a small and from a huge history.

    python bench/bench_listings.py [--days 2000] [--per-day 500]

Builds two synthetic stores of recorded listings beside empty journals (60 days x
``--per-day`` papers, about the 30,000 of the dev data, and ``--days`` x ``--per-day``,
by default 1,000,000 papers) and prints, measured side by side in one run, the time to read
the ``SEEN_DAYS`` days before the last day (what ``journal.triage.rank`` reads) from each,
their ratio, and for contrast the time to read the whole huge store. Also the time to
record one day (the crash-safe write under the journal lock).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd

from journal.triage.listings import read_listings, record_listing
from journal.triage.ranker import SEEN_DAYS

LAST = dt.date(2025, 6, 30)
WORDS = [
    "language",
    "model",
    "training",
    "data",
    "retrieval",
    "agent",
    "reasoning",
    "benchmark",
    "vision",
    "speech",
]


def synthetic(days: list[dt.date], per_day: int) -> pd.DataFrame:
    rows = []
    for day in days:
        for i in range(per_day):
            words = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(30))
            rows.append(
                {
                    "date": day,
                    "arxiv_id": f"{day:%y%m}.{day.day:02d}{i:03d}",
                    "title": f"Paper {i} on {WORDS[i % len(WORDS)]}",
                    "authors": [f"Author {i}", f"Author {i + 1}"],
                    "abstract": words,
                    "category": "cs.CL",
                }
            )
    return pd.DataFrame(rows)


def build(path: Path, n_days: int, per_day: int, chunk: int = 100) -> None:
    days = [LAST - dt.timedelta(days=n) for n in range(n_days)][::-1]
    for start in range(0, len(days), chunk):
        record_listing(path, synthetic(days[start : start + chunk], per_day))


def best(fn, repeat: int = 9) -> float:  # type: ignore[no-untyped-def]
    """The fastest of ``repeat`` runs: the machine is shared, the minimum is the cost."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=2000)
    parser.add_argument("--per-day", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        small, huge = tmp / "small" / "entries.parquet", tmp / "huge" / "entries.parquet"
        small.parent.mkdir()
        huge.parent.mkdir()
        t = time.perf_counter()
        build(small, SEEN_DAYS, args.per_day)
        build(huge, args.days, args.per_day)
        print(
            f"built {SEEN_DAYS * args.per_day:,} and {args.days * args.per_day:,} recorded papers "
            f"in {time.perf_counter() - t:.1f} s"
        )
        window = {"start": LAST - dt.timedelta(days=SEEN_DAYS), "end": LAST - dt.timedelta(days=1)}
        small_t = best(lambda: read_listings(small, **window))
        huge_t = best(lambda: read_listings(huge, **window))
        n = len(read_listings(huge, **window))
        print(
            f"read the {SEEN_DAYS} days before a day ({n:,} papers): "
            f"{small_t * 1000:.0f} ms from {SEEN_DAYS * args.per_day:,}, "
            f"{huge_t * 1000:.0f} ms from {args.days * args.per_day:,} (ratio {huge_t / small_t:.2f})"
        )
        whole = best(lambda: read_listings(huge), repeat=1)
        print(f"for contrast, reading all {args.days * args.per_day:,}: {whole:.1f} s")
        day = synthetic([LAST + dt.timedelta(days=1)], args.per_day)
        print(
            f"record a day of {args.per_day} papers: {best(lambda: record_listing(huge, day)) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
