"""A lab journal (Delta Lake on S3) against a local one, command by command.

    python bench/bench_lab.py [--rows 10000] [--commits 5] [--repeat 3]

Starts a moto S3 server here that counts the requests it answers, builds the same
``--rows`` synthetic entries as a local journal and as a compacted lab journal (then
``--commits`` single adds after the compaction's checkpoint), and runs each command as a
fresh process (``python -m journal ...``): add one entry, list, search, and a day as
text (``digest``) and rendered (``render DAY --to DIR``: papermill, slow, so
``--rows 2000 --repeat 1`` is enough). For each it prints the local and lab wall time
(best of ``--repeat``), their ratio, and the S3 requests the lab command made, counted at
the server. ``list`` is run with this machine's table cache warm and empty. Targets
(issue 21): warm unchanged list <= 3 requests and <= 1.5x local; empty cache <= 3x; an
add <= 20 requests on a table checkpointed within its last 10 commits.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests"))

from corpus import entries  # noqa: E402
from lab_helpers import CountingS3Server  # noqa: E402

KEYS = {"AWS_ACCESS_KEY_ID": "bench-key", "AWS_SECRET_ACCESS_KEY": "bench-secret", "AWS_REGION": "us-east-1"}


RUNS = iter(range(1_000_000))


def run(argv: list[str], env: dict[str, str]) -> float:
    n = str(next(RUNS))  # "{n}" in an argument: a new value each run (an add of a new entry)
    argv = [a.replace("{n}", n) for a in argv]
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "journal", *argv], env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"journal {' '.join(argv)} failed: {proc.stderr.strip()}")
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--commits", type=int, default=5, help="single adds after the compaction (default 5)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    server = CountingS3Server()
    endpoint = server.start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-lab-"))
    cache = tmp / "cache"
    env = {**os.environ, **KEYS, "AWS_ENDPOINT_URL": endpoint, "JOURNAL_CACHE": str(cache)}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("JOURNAL", None)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("AWS_", "JOURNAL_CACHE"))})
    try:
        import boto3

        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="bench-lab")
        import journal

        rows = entries(args.rows)
        day = rows[len(rows) // 2].date.isoformat()
        local = str(tmp / "entries.parquet")
        lab = "s3://bench-lab/j"
        for where in (local, lab):
            j = journal.open(where)
            j.add_many(rows)
            j.compact()
        for i in range(args.commits):
            journal.open(lab).add(title=f"after the checkpoint {i}", date=day)
        server.reset()

        def measure(name: str, argv: list[str], *, cold: bool = False, warm: bool = True) -> None:
            times = {}
            counts = []
            for where in (local, lab):
                best = float("inf")
                for _ in range(args.repeat):
                    if where == lab:
                        if cold:
                            shutil.rmtree(cache / "bench-lab", ignore_errors=True)
                        elif warm:
                            run([*argv, "--journal", where], env)  # the cache holds this version
                        server.reset()
                    best = min(best, run([*argv, "--journal", where], env))
                    if where == lab:
                        counts.append(len(server.taken()))
                times[where] = best
            ratio = times[lab] / times[local]
            print(
                f"{name:<28} local {times[local]:6.2f} s   lab {times[lab]:6.2f} s   "
                f"x{ratio:4.2f}   requests {min(counts)}-{max(counts)}"
            )

        print(f"{args.rows} entries, compacted, {args.commits} commits since; best of {args.repeat}")
        measure("list (warm cache)", ["list"])
        measure("list (empty cache)", ["list"], cold=True)
        measure("search (warm cache)", ["search", "diffusion"])
        measure("digest a day (warm cache)", ["digest", day])
        measure("render a day (warm cache)", ["render", day, "--to", str(tmp / "pages")])
        measure("add one entry (warm cache)", ["add", "--title", "one more {n}", "--date", day], warm=False)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
