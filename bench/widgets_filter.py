"""How quickly the journal browser filters a 10,000-entry journal.

    python bench/widgets_filter.py [--entries 10000] [--repeat 5]

Builds a journal of realistic entries (English abstracts, Korean commentary) in a temp
folder, opens a JournalBrowser on it and times what a reader does: typing a word into the
filter box, picking a tag, setting a date range, all three at once, clearing. Each time
covers the whole widget update (filtering plus the list's options). Side by side, the
same filters as a plain Python scan over ``Journal.entries()``; the ratio is the scan
over the browser. The issue's target: filter results in well under a second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import journal
from journal.model import make_entry

WORDS = [
    "diffusion",
    "attention",
    "transformer",
    "cache",
    "decoder",
    "benchmark",
    "hallucination",
    "retrieval",
    "scaling",
    "distillation",
    "alignment",
    "reasoning",
    "vision",
    "language",
    "memory",
    "latency",
    "tokens",
]
KOREAN = "이 논문은 긴 문맥에서 메모리를 줄이는 방법을 제안합니다. 실험 결과가 흥미롭고 재현해 볼 만합니다. "
TAGS = [f"tag{i}" for i in range(60)] + ["efficiency", "diffusion", "llm", "benchmark"]


def build(path: Path, n: int) -> journal.Journal:
    rng = random.Random(7)
    start = dt.date(2020, 1, 1)
    j = journal.open(path)
    j.add_many(
        make_entry(
            title=" ".join(rng.choice(WORDS).title() for _ in range(7)) + f" {i}",
            authors=[f"Author {rng.randrange(500)}" for _ in range(4)],
            url=f"https://arxiv.org/abs/24{i % 12 + 1:02d}.{i:05d}",
            abstract=" ".join(rng.choice(WORDS) for _ in range(90)) + f" term{rng.randrange(2000)}",
            commentary=KOREAN * 3 + rng.choice(WORDS),
            tags=rng.sample(TAGS, 3),
            date=start + dt.timedelta(days=i // 5),
        )
        for i in range(n)
    )
    return j


def timed(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from journal.widgets import JournalBrowser

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        j = build(Path(tmp) / "entries.parquet", args.entries)
        print(f"built a {args.entries:,}-entry journal in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        browser = JournalBrowser(journal.open(j.path))
        print(
            f"JournalBrowser opened in {time.perf_counter() - t0:.3f} s (reads the store, builds the index)"
        )
        entries = j.entries()
        day_from, day_to = dt.date(2021, 1, 1), dt.date(2021, 6, 30)

        def scan(text: str = "", tag: str | None = None, start=None, end=None) -> list[str]:  # type: ignore[no-untyped-def]
            out = []
            for e in reversed(entries):
                hay = "\n".join(
                    [e.title, " ".join(e.authors), e.abstract, e.commentary, " ".join(e.tags)]
                ).lower()
                words = all(t in hay for t in text.lower().split()) and (not tag or tag in e.tags)
                if words and (start is None or e.date >= start) and (end is None or e.date <= end):
                    out.append(e.id)
            return out

        def ui(text: str = "", tag: str = "", start=None, end=None) -> Callable[[], object]:  # type: ignore[no-untyped-def]
            def run() -> object:
                return browser.apply_filter()  # what every change of a filter box runs

            def prepare() -> None:
                browser._busy = True  # set the boxes without refiltering on each
                browser.text.value, browser.tag.value = text, tag
                browser.start.value, browser.end.value = start, end
                browser._busy = False

            run.prepare = prepare  # type: ignore[attr-defined]
            return run

        cases = [
            ("common word 'cache'", ui("cache"), lambda: scan("cache")),
            ("rare word 'term123'", ui("term123"), lambda: scan("term123")),
            ("Korean word '메모리'", ui("메모리"), lambda: scan("메모리")),
            ("tag #efficiency", ui(tag="efficiency"), lambda: scan(tag="efficiency")),
            ("date range", ui(start=day_from, end=day_to), lambda: scan(start=day_from, end=day_to)),
            (
                "all three",
                ui("decoder", "llm", day_from, day_to),
                lambda: scan("decoder", "llm", day_from, day_to),
            ),
            ("no filter", ui(), lambda: scan()),
        ]
        print(f"\n{'filter':<24}{'browser (s)':>12}{'matches':>9}{'Python scan (s)':>17}{'ratio':>8}")
        worst = 0.0
        for name, widget_fn, scan_fn in cases:
            widget_fn.prepare()  # type: ignore[attr-defined]
            t_ui = timed(widget_fn, args.repeat)
            matches = browser.matches.total
            t_scan = timed(scan_fn, max(1, args.repeat // 2))
            assert len(scan_fn()) == matches, name
            worst = max(worst, t_ui)
            print(f"{name:<24}{t_ui:>12.4f}{matches:>9,}{t_scan:>17.4f}{t_scan / t_ui:>7.1f}x")

        # typing a word letter by letter: each keystroke is one value change
        browser.text.value, browser.tag.value, browser.start.value, browser.end.value = "", "", None, None
        t0 = time.perf_counter()
        for i in range(1, len("decoder cache") + 1):
            browser.text.value = "decoder cache"[:i]
        per_key = (time.perf_counter() - t0) / len("decoder cache")
        print(f"typing 'decoder cache': {per_key * 1000:.1f} ms per keystroke")
        worst = max(worst, per_key)
        # selecting entries: the first one builds the link index of the whole journal
        browser.text.value = ""
        ids = [v for _, v in browser.list.options[:6]]
        t0 = time.perf_counter()
        browser.list.value = ids[0]
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        for entry_id in ids[1:]:
            browser.list.value = entry_id
        later = (time.perf_counter() - t0) / (len(ids) - 1)
        print(
            f"select an entry: first {first * 1000:.0f} ms (builds the link index), "
            f"then {later * 1000:.1f} ms"
        )

        print(
            f"\nslowest browser update: {worst * 1000:.1f} ms "
            f"({worst:.4f} s of the 1 s target: {1 / worst:.0f}x under)"
        )


if __name__ == "__main__":
    main()
