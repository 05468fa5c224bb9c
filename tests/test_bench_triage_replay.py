"""The triage bench's replay (bench/bench_triage.py): a reader who dismisses, each day, the
top-20 papers they did not journal, their dismissals counting from the next day on."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_triage.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_triage_under_test", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_each_days_dismissals_count_from_the_next_day_on(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[pd.Timestamp, dict[str, Any]]] = []

    def ranking(papers: object, entries: object, day: pd.Timestamp, **feedback: Any) -> list[str]:
        calls.append((day, feedback))
        return [f"{day.day}.{i:02d}" for i in range(30)]  # 30 papers a day, in this order

    monkeypatch.setattr(bench, "product_ranking", ranking)
    days = [pd.Timestamp(f"2025-01-{d:02d}") for d in (1, 2, 3)]
    positives = [{"1.00", "1.25"}, set(), {"3.05"}]
    walk = bench.Replay(None, None, 4.0, {})
    recalls = walk.walk(list(zip(days, positives, strict=True)))

    assert recalls == [0.5, 1.0]  # days with positives only; 1.25 is not in the top 20
    assert calls[0] == (days[0], {})  # nothing dismissed yet: no feedback
    first = {f"1.{i:02d}" for i in range(1, 20)}  # the top 20 but the positive 1.00
    second = {f"2.{i:02d}" for i in range(20)}  # a day with no positives: all its top 20
    assert calls[1][1]["feedback"].dismissed == first and calls[1][1]["dismiss_weight"] == 4.0
    assert calls[2][1]["feedback"].dismissed == first | second  # not day 3's own
    assert walk.dismissed == first | second | {f"3.{i:02d}" for i in range(20)} - {"3.05"}


def test_the_halves_cut_where_the_second_half_of_the_judged_days_begins(bench: ModuleType) -> None:
    days = [(pd.Timestamp(f"2025-01-{d:02d}"), {"x"} if d % 2 else set()) for d in range(1, 10)]
    first, second = bench.split(days)  # judged: 1, 3, 5, 7, 9; the second half from 5
    assert [d.day for d, _ in first] == [1, 2, 3, 4] and [d.day for d, _ in second] == [5, 6, 7, 8, 9]
