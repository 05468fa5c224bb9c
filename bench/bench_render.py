"""`journal render` speed, measured side by side in one run.

    python bench/bench_render.py [--rounds 5] [--entries 2000] [--cold]

Compares, on a generated journal (a year of days, realistic entry sizes):

- papermill running a trivial one-cell notebook (``x = 1``), in-process, as a user would
  call it: ``papermill.execute_notebook(nb, out, kernel_name="python3")``;
- ``render_days`` of one day (the daily notebook, plus the .ipynb/.html/.md writes);
- ``render_days`` of a 30-day range (one kernel).

Targets (issue 5): one day <= 1.3x the trivial notebook; 30 days <= 2x one day.
Rounds are interleaved and medians reported (the machine is noisy). ``--cold`` also runs
each case in a fresh process (imports included), as the command lines would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _words(text: str) -> list[str]:
    return text.split()


sys.path.insert(0, str(REPO))

WORDS = _words("model diffusion attention cache decoder token training data scaling image video loss")
KOREAN = _words("모델 학습 데이터 추론 효율 방법 결과 실험 구조 성능 문제 생각 부분 정도 가능성")
TAGS = _words("efficiency diffusion distillation benchmark hallucination llm vision rl alignment agents")


def make_journal(path: Path, n: int, seed: int = 5) -> dt.date:
    """``n`` entries spread over a year ending on the returned day."""
    from journal.model import make_entry
    from journal.store import Journal

    rnd = random.Random(seed)
    last = dt.date(2024, 6, 30)
    days = [last - dt.timedelta(days=d) for d in range(365)]
    entries = []
    for i in range(n):
        day = days[-1 - (i * len(days)) // n]
        arxiv = f"24{rnd.randint(1, 6):02d}.{rnd.randint(10000, 19999)}"
        commentary = " ".join(rnd.choice(KOREAN) for _ in range(60))
        if i > 10 and rnd.random() < 0.2:
            commentary += f" (https://arxiv.org/abs/{entries[rnd.randrange(len(entries))].arxiv_id})"
        entries.append(
            make_entry(
                title=" ".join(rnd.choice(WORDS).title() for _ in range(7)) + f" {i}",
                date=day,
                authors=[f"Author {rnd.randint(1, 300)}" for _ in range(rnd.randint(1, 8))],
                arxiv_id=arxiv,
                abstract=" ".join(rnd.choice(WORDS) for _ in range(90)),
                commentary=commentary,
                tags=rnd.sample(TAGS, rnd.randint(0, 3)),
            )
        )
    Journal(path).add_many(entries, on_existing="skip")
    return last


def trivial_notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    nbformat.write(nb, str(path))


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def cold(argv: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(argv, check=True, env=env, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--entries", type=int, default=2000)
    ap.add_argument("--cold", action="store_true", help="also time fresh processes")
    args = ap.parse_args()

    import papermill

    from journal.publish.notebooks import render_days

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        journal = tmpdir / "entries.parquet"
        last = make_journal(journal, args.entries)
        first = last - dt.timedelta(days=29)
        trivial = tmpdir / "trivial.ipynb"
        trivial_notebook(trivial)
        out = tmpdir / "digests"
        cases = {
            "papermill, trivial notebook": lambda: papermill.execute_notebook(
                str(trivial), str(tmpdir / "trivial-out.ipynb"), kernel_name="python3", progress_bar=False
            ),
            "render_days, one day": lambda: render_days(journal, last, to_dir=out),
            "render_days, 30 days": lambda: render_days(journal, first, last, to_dir=out, progress=False),
        }
        for fn in cases.values():  # warm-up: imports, templates, disk cache
            fn()
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, fn in cases.items():
                times[name].append(timed(fn))
        med = {name: statistics.median(ts) for name, ts in times.items()}
        print(
            f"journal: {args.entries} entries over 365 days; "
            f"{args.rounds} interleaved rounds, medians (in-process)"
        )
        for name, ts in times.items():
            print(f"  {name:32s} {med[name]:6.3f} s   (min {min(ts):.3f}, max {max(ts):.3f})")
        triv, one, thirty = med.values()
        print(f"  one day / trivial notebook   {one / triv:5.2f}x   (target <= 1.3)")
        print(f"  30 days / one day            {thirty / one:5.2f}x   (target <= 2)")
        print(f"  30 one-day runs would take   {30 * one:6.1f} s vs {thirty:.2f} s for the range")

        if args.cold:
            env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
            run_trivial = [
                sys.executable,
                "-c",
                "import sys, papermill; papermill.execute_notebook(sys.argv[1], sys.argv[2], "
                "kernel_name='python3', progress_bar=False)",
                str(trivial),
                str(tmpdir / "trivial-out.ipynb"),
            ]
            render = [sys.executable, "-m", "journal", "--journal", str(journal), "render"]
            cold_cases = {
                "python: papermill trivial": run_trivial,
                "journal render DAY": [*render, str(last), "--to", str(out)],
                "journal render DAY --until": [*render, str(first), "--until", str(last), "--to", str(out)],
            }
            ctimes: dict[str, list[float]] = {name: [] for name in cold_cases}
            for _ in range(args.rounds):
                for name, argv in cold_cases.items():
                    ctimes[name].append(cold(argv, env))
            cmed = {name: statistics.median(ts) for name, ts in ctimes.items()}
            print("fresh processes (imports included), medians")
            for name in cold_cases:
                print(f"  {name:32s} {cmed[name]:6.3f} s")
            ctriv, cone, cthirty = cmed.values()
            print(f"  one day / trivial notebook   {cone / ctriv:5.2f}x")
            print(f"  30 days / one day            {cthirty / cone:5.2f}x")


if __name__ == "__main__":
    main()
