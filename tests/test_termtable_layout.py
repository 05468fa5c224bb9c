"""The tables of ``journal triage`` and ``journal list`` in a terminal of 80, 120 and 200
columns: the title keeps the room, the arXiv id shows, the reason and the tags give way
(with an ellipsis), no line is wider than the terminal, Korean counted two columns;
``--json`` stays whole."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from conftest import DATA

import journal
from journal.text.termtable import table

TRIAGE = DATA / "triage"
WIDTHS = [80, 120, 200]
KOREAN_TITLE = "대규모 언어 모델의 추론 능력을 강화 학습으로 키우는 방법에 관한 긴 연구 보고서 제목입니다"
ENGLISH_TITLE = "Scaling Laws for Neural Language Models and Their Limits in Practice"
MANY_TAGS = [f"topic-{n:02d}" for n in range(30)]


def columns(text: str) -> int:
    """Terminal columns, character by character (East Asian wide and full width: 2)."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text
    )


@pytest.fixture
def reader(journal_path: Path) -> Path:
    """A journal of real entries (tests/data/triage/reader.jsonl): reasons are long."""
    from journal.formats import jsonl

    journal.open(journal_path).add_many(jsonl.read(TRIAGE / "reader.jsonl"))
    return journal_path


def _triage(cli, reader: Path, monkeypatch: pytest.MonkeyPatch, width: int, *extra: str) -> tuple[str, str]:
    monkeypatch.setenv("COLUMNS", str(width))
    code, out, err = cli(
        "triage", "--listing", str(TRIAGE / "listing.jsonl"), *extra, "--journal", str(reader)
    )
    assert code == 0, err
    return out, err


@pytest.mark.parametrize("width", WIDTHS)
def test_triage_table_fits_the_terminal_and_keeps_the_title(
    cli, reader: Path, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    records = [
        json.loads(line) for line in _triage(cli, reader, monkeypatch, width, "--json")[0].splitlines()
    ]
    out, _ = _triage(cli, reader, monkeypatch, width)
    lines = out.splitlines()
    assert lines[0].split() == ["rank", "score", "arxiv", "title", "why"]
    assert max(columns(line) for line in lines) <= width
    ranked = [r for r in records if not r["read"]][:20]
    for line, record in zip(lines[1:21], ranked, strict=True):
        assert line.split()[:3] == [str(record["rank"]), f"{record['score']:.2f}", record["arxiv_id"]]
        assert record["title"][:40] in line  # the title keeps at least 40 columns
        if width == 200:
            assert record["title"][:70] in line
    assert any(r["reason"] and r["reason"] not in out for r in ranked)  # reasons gave way...
    assert any(line.endswith("…") for line in lines[1:21])  # ...with an ellipsis


def test_triage_json_is_whole_at_any_width(cli, reader: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outs = {w: _triage(cli, reader, monkeypatch, w, "--json", "--limit", "0")[0] for w in (40, *WIDTHS)}
    assert len(set(outs.values())) == 1
    records = [json.loads(line) for line in outs[40].splitlines()]
    assert max(len(r["reason"]) for r in records) > 100 and not any("…" in r["title"] for r in records)


@pytest.fixture
def tagged(journal_path: Path) -> Path:
    j = journal.open(journal_path)
    j.add(title=ENGLISH_TITLE, tags=["llm"])
    j.add(title=KOREAN_TITLE, tags=MANY_TAGS)
    j.add(title="Short", tags=["a", "b"])
    return journal_path


@pytest.mark.parametrize("width", WIDTHS)
def test_list_with_many_tags_keeps_the_titles(
    cli, tagged: Path, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    code, out, err = cli("list", "--journal", str(tagged))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["id", "date", "title", "tags"]
    assert max(columns(line) for line in lines) <= width
    english = next(line for line in lines if "Scaling" in line)
    korean = next(line for line in lines if "대규모" in line)
    assert ENGLISH_TITLE[:40] in english  # 40 characters at least
    assert KOREAN_TITLE[:20] in korean  # 40 columns at least: 20 Korean characters
    assert korean.endswith("…") and "#topic-29" not in out  # the tags gave way
    assert english.endswith("#llm") and next(line for line in lines if "Short" in line).endswith("#a #b")


def test_table_cut_columns_give_way_before_the_title() -> None:
    rows = [["1", "x" * 100, "why " * 30], ["2", "학" * 50, "short"]]
    out = table(["n", "title", "why"], rows, flex=1, max_width=60, cut=[2])
    assert [columns(line) for line in out.splitlines()] == [49, 60, 51]
    assert "x" * 40 + "…" in out and "학" * 20 + "…" in out  # the title keeps 40 columns
    narrow = table(["n", "title", "why"], rows, flex=1, max_width=20, cut=[2])
    assert max(columns(line) for line in narrow.splitlines()) <= 20  # even below every floor
