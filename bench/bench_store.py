"""Store benchmarks on a 100k-entry journal, each measured side by side with its floor.

    python bench/bench_store.py [--rows 100000] [--adds 300]

Prints, for one run on this machine:
- in-process add vs a durable small-file write (write 4 KiB, fsync, rename, fsync dir);
- Journal.to_pandas() vs pyarrow.parquet.read_table(one file of the same rows).to_pandas(),
  with no pending changes and with the adds above pending beside the file;
- a CLI `journal add` vs `python -c "import pyarrow.parquet"` (process wall time);
- importing 100k JSONL entries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyarrow.parquet as pq
from corpus import entries

import journal
from journal.formats import jsonl
from journal.model import make_entry


def durable_floor(folder: Path, n: int) -> list[float]:
    data = os.urandom(4096)
    times = []
    for i in range(n):
        t = time.perf_counter()
        tmp = folder / f"f{i}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
        os.replace(tmp, folder / f"f{i}")
        dfd = os.open(folder, os.O_RDONLY)
        os.fsync(dfd)
        os.close(dfd)
        times.append(time.perf_counter() - t)
    return times


def wall(argv: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--adds", type=int, default=300)
    parser.add_argument("--cli-runs", type=int, default=7)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="journal-bench-"))
    path = root / "entries.parquet"
    print(f"generating {args.rows:,} entries ...", file=sys.stderr)
    corpus = entries(args.rows)
    t = time.perf_counter()
    journal.open(path).add_many(corpus)
    print(f"writing them with add_many: {time.perf_counter() - t:.2f} s ({path.stat().st_size / 1e6:.1f} MB)")

    # -- add vs the durable write floor, interleaved in blocks so load affects both ------
    floor_dir = root / "floor"
    floor_dir.mkdir()
    j = journal.open(path)
    j.add(title="warm-up", date="2030-01-01")  # loads the id index once, as a notebook would
    adds: list[float] = []
    floors: list[float] = []
    for block in range(args.adds // 20):
        sub = floor_dir / f"b{block}"
        sub.mkdir()
        floors += durable_floor(sub, 20)
        for i in range(20):
            e = make_entry(title=f"bench add {block}-{i}", date="2030-01-02", commentary="짧은 메모")
            t = time.perf_counter()
            j.add(e)
            adds.append(time.perf_counter() - t)
    f_med, a_med, a_mean = statistics.median(floors), statistics.median(adds), statistics.mean(adds)
    print(
        f"add (in-process, 100k journal): median {a_med * 1e3:.2f} ms, mean {a_mean * 1e3:.2f} ms; "
        f"durable write floor median {f_med * 1e3:.2f} ms -> ratio {a_med / f_med:.2f}x (target <= 3x)"
    )
    print(f"  pending change files after the adds: {j.pending_changes()}")

    # -- read all: to_pandas vs pyarrow of the same rows in one file --------------------
    single = root / "single.parquet"
    pq.write_table(journal.open(path).to_arrow(), single, compression="zstd")

    def read_ratio(label: str) -> None:
        ours, base = [], []
        for _ in range(5):
            t = time.perf_counter()
            journal.open(path).to_pandas()  # a fresh Journal: nothing cached
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            pq.read_table(single).to_pandas()
            base.append(time.perf_counter() - t)
        o, b = statistics.median(ours), statistics.median(base)
        print(
            f"read all ({label}): to_pandas {o:.3f} s vs read_table().to_pandas() {b:.3f} s -> ratio {o / b:.2f}x (target <= 1.5x)"
        )

    read_ratio(f"{j.pending_changes()} pending changes")
    journal.open(path).compact()
    pq.write_table(journal.open(path).to_arrow(), single, compression="zstd")
    read_ratio("after compact")

    # -- CLI add vs import pyarrow.parquet ----------------------------------------------
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    cli, base = [], []
    for i in range(args.cli_runs):
        base.append(wall([sys.executable, "-c", "import pyarrow.parquet"], env))
        cli.append(
            wall(
                [
                    sys.executable,
                    "-m",
                    "journal",
                    "add",
                    "--title",
                    f"cli {i}",
                    "--date",
                    "2030-01-03",
                    "--journal",
                    str(path),
                ],
                env,
            )
        )
    c, b = statistics.median(cli), statistics.median(base)
    print(
        f"CLI journal add (100k journal): {c:.3f} s vs python -c 'import pyarrow.parquet' {b:.3f} s -> ratio {c / b:.2f}x (target <= 2x)"
    )

    # -- JSONL import ---------------------------------------------------------------------
    src = root / "all.jsonl"
    jsonl.write(corpus, src)
    fresh = root / "fresh.parquet"
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "journal", "import", "jsonl", str(src), "--journal", str(fresh)],
        check=True,
        env=env,
        capture_output=True,
    )
    print(f"CLI import of {args.rows:,} JSONL entries: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
