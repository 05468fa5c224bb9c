"""Search speed on a realistic journal, side by side with the floor it is measured against.

    python bench/bench_search.py [--rows 100000] [--small-rows 4000] [--dir DIR] [--repeat 11]

The floor is one ``pyarrow.compute.match_substring(text, term, ignore_case=True)`` over the
very text the search scans (title, authors, abstract and commentary of every entry joined
in one column). Each warm query is timed alternately with that floor (the machine is
noisy; alternating keeps both under the same load) and the median of the per-pair ratios
is printed. Also: the first query of a fresh Journal (with and without the index cache
file), and the ``journal search`` command line, wall clock in a fresh process.

Fresh processes (issue 10): ``journal search``, ``journal list`` and ``journal show`` on a
journal of ``--small-rows`` entries, and ``journal search`` on the big one, each run in
turn with ``python -c "import pyarrow.parquet"`` (round robin, so that both sides of a
ratio share the machine's load); the medians and their ratio are printed. The compiled
modules and the search cache are in place (one warm-up run), as a user's second command
finds them. ``--rows 0`` skips the big journal.

Targets: a query in-process <= 1.5x the floor; the command line < 0.5 s at 100k; a fresh
``journal search``/``list``/``show`` <= 2x ``import pyarrow.parquet`` (4,000 and 100k).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from make_journal import NAMES, make_journal  # noqa: E402

from journal import textindex as ti  # noqa: E402
from journal.search import search  # noqa: E402
from journal.store import Journal  # noqa: E402

QUERIES = [
    # (query, what it shows)
    (NAMES[17], "rare word (a method name)"),
    ("diffusion", "topical English word"),
    ("the", "word in almost every entry"),
    ("학습", "2-syllable Korean word, particles attached"),
    ("재학습", "Korean compound"),
    ("디노이징 diffusion", "two words, Korean and English"),
    ('"language model"', "phrase"),
    ("diffusion -denoising", "word and exclusion"),
    ("학습 tag:efficiency", "word and tag"),
    ('author:"li dong" 증류', "author and word"),
]


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def warm(j: Journal, repeat: int) -> list[tuple[str, str, float, float, float, int, int]]:
    text = ti.search_index(j)["text"]
    rows = []
    for query, what in QUERIES:
        first = next(w for w in query.replace('"', " ").split() if ":" not in w and not w.startswith("-"))
        floor, ours, ratios = [], [], []
        for _ in range(repeat):
            t = time.perf_counter()
            mask = pc.match_substring(text, pattern=first, ignore_case=True)
            b = time.perf_counter() - t
            t = time.perf_counter()
            results = search(j, query, limit=20)
            s = time.perf_counter() - t
            floor.append(b)
            ours.append(s)
            ratios.append(s / b)
        floor_hits = len(ti.true_positions(mask))
        rows.append(
            (
                query,
                what,
                median_ms(floor),
                median_ms(ours),
                statistics.median(ratios),
                results.total,
                floor_hits,
            )
        )
    return rows


def cold(path: Path, query: str) -> tuple[float, float, float]:
    """(first query without the cache file, first query with it, the floor), seconds."""
    cache = path.with_name(path.name + ".d") / ti.CACHE_NAME
    if cache.exists():
        cache.unlink()
    t = time.perf_counter()
    search(Journal(path), query)
    no_cache = time.perf_counter() - t
    t = time.perf_counter()
    search(Journal(path), query)
    with_cache = time.perf_counter() - t
    text = ti.search_index(Journal(path))["text"]
    t = time.perf_counter()
    pc.match_substring(text, pattern=query, ignore_case=True)
    return no_cache, with_cache, time.perf_counter() - t


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fresh_processes(
    commands: dict[str, list[str]], repeat: int, warm_up: bool = True, cpu: dict[str, float] | None = None
) -> dict[str, float]:
    """Median wall clock of each command in a fresh process, run round robin so that
    every command sees the same load (after one warm-up run each, unless told not to).
    ``cpu``, if given, receives the median CPU time (user + system) of each: less moved
    than the wall clock by the other load on a shared machine."""
    env = _env()
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu_times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeat + warm_up):
        for name, argv in commands.items():
            c, t = _children_cpu(), time.perf_counter()
            subprocess.run(argv, env=env, check=True, capture_output=True)
            if round_ or not warm_up:
                times[name].append(time.perf_counter() - t)
                cpu_times[name].append(_children_cpu() - c)
    if cpu is not None:
        cpu.update({name: statistics.median(values) for name, values in cpu_times.items()})
    return {name: statistics.median(values) for name, values in times.items()}


def once(argv: list[str]) -> float:
    """Wall clock of one run (no warm-up: e.g. the search that rebuilds the cache)."""
    return fresh_processes({"it": argv}, 1, warm_up=False)["it"]


FLOOR = "import pyarrow.parquet"


def cli(path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "journal", *args, "--journal", str(path)]


def read_commands(path: Path, repeat: int) -> None:
    """``journal search``/``list``/``show`` in a fresh process vs ``import pyarrow.parquet``."""
    python = sys.executable
    ids = ti.strings(pq.ParquetFile(path).read(columns=["id"])["id"])
    an_id = ids[len(ids) // 3]
    commands = {
        FLOOR: [python, "-c", FLOOR],
        "journal search 학습": cli(path, "search", "학습"),
        'journal search "language model"': cli(path, "search", '"language model"'),
        "journal search diffusion -denoising": cli(path, "search", "diffusion", "-denoising"),
        "journal list": cli(path, "list"),
        "journal list --tag efficiency": cli(path, "list", "--tag", "efficiency"),
        "journal show ID": cli(path, "show", an_id),
    }
    cpu: dict[str, float] = {}
    took = fresh_processes(commands, repeat, cpu=cpu)
    floor, cpu_floor = took.pop(FLOOR), cpu.pop(FLOOR)
    print(f"  (medians of {repeat} runs, each command in turn with the floor; CPU = user + system)")
    print(f"  {'python -c ' + repr(FLOOR):38} {floor:.3f} s            CPU {cpu_floor:.3f} s")
    worst = 0.0
    for name, seconds in took.items():
        worst = max(worst, seconds / floor)
        print(
            f"  {name:38} {seconds:.3f} s  {seconds / floor:4.2f}x    CPU {cpu[name]:.3f} s  {cpu[name] / cpu_floor:4.2f}x"
        )
    print(f"  worst {worst:.2f}x wall clock (target <= 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="the big journal (0: skip it)")
    parser.add_argument(
        "--small-rows", type=int, default=4_000, help="the journal of the fresh-process figures"
    )
    parser.add_argument(
        "--dir",
        default=str(Path(tempfile.gettempdir()) / "journal-bench"),
        help="where the journals are made (default: journal-bench in the temp folder)",
    )
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    python = sys.executable
    reps = max(3, args.repeat // 2)

    small = make_journal(Path(args.dir) / f"entries-{args.small_rows}.parquet", args.small_rows)
    print(f"journal: {small} ({args.small_rows:,} entries, {small.stat().st_size / 1e6:.1f} MB)")
    print(f"\nread commands, wall clock of a fresh process ({args.small_rows:,} entries)")
    read_commands(small, args.repeat)
    cache = small.with_name(small.name + ".d") / ti.CACHE_NAME
    cache.unlink()
    took = once(cli(small, "search", "학습"))
    print(f"  first search after the cache file is gone (rebuilds it): {took:.3f} s")
    if not args.rows:
        return

    path = Path(args.dir) / f"entries-{args.rows}.parquet"
    t = time.perf_counter()
    make_journal(path, args.rows)
    made = time.perf_counter() - t
    size = path.stat().st_size / 1e6
    print(f"\njournal: {path} ({args.rows:,} entries, {size:.0f} MB; ready in {made:.1f} s)")

    no_cache, with_cache, floor = cold(path, "학습")
    cache = path.with_name(path.name + ".d") / ti.CACHE_NAME
    cache_mb = cache.stat().st_size / 1e6 if cache.exists() else 0
    print("\nfirst query of a fresh Journal object ('학습'; files in the OS page cache)")
    print(f"  no index cache file (reads Parquet, builds and saves the index): {no_cache * 1000:7.0f} ms")
    print(
        f"  index cache file present ({cache_mb:.0f} MB, memory-mapped):            {with_cache * 1000:7.0f} ms"
    )
    print(f"  the floor, one match_substring over the text:                    {floor * 1000:7.0f} ms")

    j = Journal(path)
    search(j, "warm-up")
    print(f"\nwarm queries in-process (median of {args.repeat}, alternating with the floor)")
    header = (
        f"  {'query':26} {'what':42} {'floor':>7} {'search':>7} {'ratio':>6} {'found':>7} {'floor hits':>10}"
    )
    print(header)
    worst = 0.0
    for query, what, b, s, ratio, total, hits in warm(j, args.repeat):
        worst = max(worst, ratio)
        print(f"  {query:26} {what:42} {b:5.1f}ms {s:5.1f}ms {ratio:5.2f}x {total:7,} {hits:10,}")
    print(f"  worst ratio {worst:.2f}x (target <= 1.5x)")

    print(f"\ncommand line, wall clock of a fresh process (median of {reps}, run in turn with the floor)")
    queries = ["학습", "재학습", "diffusion", '"language model"', "diffusion -denoising"]
    commands = {FLOOR: [python, "-c", FLOOR]}
    for query in queries:
        commands[query] = cli(path, "search", *query.split(" "))
    commands["학습 --json --limit 0 (all matches)"] = cli(path, "search", "학습", "--json", "--limit", "0")
    cpu: dict[str, float] = {}
    took = fresh_processes(commands, reps, cpu=cpu)
    floor, cpu_floor = took.pop(FLOOR), cpu.pop(FLOOR)
    print(f"  {'python -c ' + repr(FLOOR):51} {floor:.3f} s         CPU {cpu_floor:.3f} s")
    for query, seconds in took.items():
        print(
            f"  journal search {query:36} {seconds:.3f} s  {seconds / floor:.2f}x  CPU {cpu[query]:.3f} s  {cpu[query] / cpu_floor:.2f}x"
        )
    slowest = max(took[q] for q in queries)
    print(f"  slowest {slowest:.3f} s = {slowest / floor:.2f}x (targets < 0.5 s, <= 2x)")
    cache.unlink()
    took_once = once(cli(path, "search", "학습"))
    print(f"  first search after the cache file is gone (rebuilds it): {took_once:.3f} s")


if __name__ == "__main__":
    main()
