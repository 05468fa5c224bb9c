"""What the same-paper check and a cached arXiv lookup cost `journal add` on a big journal.

    python bench/bench_capture.py [--rows 100000] [--runs 7]

Prints, measured side by side in one run (process wall time, medians):
- `python -c "import pyarrow.parquet"` (the floor the store's own benchmark uses);
- `journal add --url U --again` (no same-paper check: the add as the store does it);
- `journal add --url U` (with the check that refuses a paper already in the journal);
- `journal add --arxiv ID` with the metadata in the local cache (no network).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import wall
from corpus import entries

import journal
from journal.capture import arxiv

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "arxiv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="journal-bench-capture-"))
    path = root / "entries.parquet"
    print(f"generating {args.rows:,} entries ...", file=sys.stderr)
    journal.open(path).add_many(entries(args.rows))
    # YOCO's metadata in the cache beside the journal, as a first `add --arxiv` leaves it
    (record,), _ = arxiv.parse_feed((DATA / "2405.05254.xml").read_bytes())
    arxiv.cache_put(arxiv.cache_dir_for(path), "2405.05254", record)

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    env["JOURNAL_ARXIV_API"] = "http://127.0.0.1:9/unused"  # a cache miss would fail loudly
    add = [sys.executable, "-m", "journal", "add", "--journal", str(path)]
    floor, again, checked, cached = [], [], [], []
    for i in range(args.runs):
        tag = secrets.token_hex(4)
        floor.append(wall([sys.executable, "-c", "import pyarrow.parquet"], env))
        again.append(wall([*add, "--title", "a", "--url", f"https://example.com/a/{tag}", "--again"], env))
        checked.append(wall([*add, "--title", "c", "--url", f"https://example.com/c/{tag}"], env))
        cached.append(wall([*add, "--arxiv", "2405.05254", "--date", f"2031-01-{i + 1:02d}", "--again"], env))
    f, a, c, x = (statistics.median(v) for v in (floor, again, checked, cached))
    print(f"journal of {args.rows:,} entries, {args.runs} runs, medians:")
    print(f"  python -c 'import pyarrow.parquet'      {f:.3f} s")
    print(f"  journal add --again (no paper check)    {a:.3f} s  {a / f:.2f}x the floor")
    print(
        f"  journal add (same-paper check)          {c:.3f} s  {c / f:.2f}x the floor, {c / a:.2f}x --again"
    )
    print(f"  journal add --arxiv ID (cached)         {x:.3f} s  {x / f:.2f}x the floor")


if __name__ == "__main__":
    main()
