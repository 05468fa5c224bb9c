"""Triage in a journal of several readers: the ranking learns from one reader's entries
(``--reader``, default: the current reader), and a paper is read when that reader journaled
it; another reader's paper stays in the ranking, with "journaled by NAME"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA

import journal
from journal.triage import service

LISTING = DATA / "triage" / "listing.jsonl"
GRACES = "2501.08335"  # listed on the day ranked (2025-01-15)
ADAS = "2501.08365"


def add_as(monkeypatch: pytest.MonkeyPatch, path: Path, reader: str, **fields: str) -> None:
    monkeypatch.setenv("JOURNAL_READER", reader)
    journal.open(path).add(**fields)


@pytest.fixture
def lab(journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ada reads language models, grace reinforcement learning; one paper of the day each."""
    add_as(
        monkeypatch,
        journal_path,
        "ada",
        title="Scaling data for LLM training",
        abstract="language model data",
    )
    add_as(monkeypatch, journal_path, "ada", title="A paper of the day", arxiv_id=ADAS, date="2025-01-15")
    add_as(
        monkeypatch, journal_path, "grace", title="Reinforcement learning from ratings", abstract="rewards"
    )
    add_as(monkeypatch, journal_path, "grace", title="MERaLiON-TextLLM", arxiv_id=GRACES, date="2025-01-15")
    monkeypatch.setenv("JOURNAL_READER", "ada")
    return journal_path


def ranking(path: Path, **kwargs: str) -> dict[str, dict[str, object]]:
    result = service.triage_file(path, LISTING, **kwargs)  # type: ignore[arg-type]
    return {r["arxiv_id"]: r for r in service.paper_records(result, limit=0)}


def test_the_ranking_learns_from_the_current_readers_entries(
    lab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = tmp_path / "ada-alone.parquet"  # the same journal holding only ada's entries
    for e in journal.open(lab).entries(reader="ada"):
        add_as(
            monkeypatch,
            alone,
            "ada",
            title=e.title,
            abstract=e.abstract,
            arxiv_id=e.arxiv_id or "",
            date=str(e.date),
        )
    monkeypatch.setenv("JOURNAL_READER", "ada")
    mine, theirs = ranking(lab), ranking(alone)
    assert {i: r["score"] for i, r in mine.items()} == {i: r["score"] for i, r in theirs.items()}
    assert mine[ADAS]["read"] and not mine[GRACES]["read"]  # grace's paper is still to read for ada
    assert mine[GRACES]["reason"].endswith("journaled by grace")
    assert "journaled by" not in theirs[GRACES]["reason"]
    everyones = ranking(lab, reader="bob")  # no entry of bob's: everyone's, as before readers
    assert {i: r["score"] for i, r in everyones.items()} != {i: r["score"] for i, r in mine.items()}


def test_reader_option_ranks_for_another_reader(lab: Path, cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli(
        "--journal",
        str(lab),
        "triage",
        "--listing",
        str(LISTING),
        "--json",
        "--limit",
        "0",
        "--reader",
        "grace",
    )
    assert code == 0
    records = {r["arxiv_id"]: r for r in map(json.loads, out.splitlines())}
    assert records[GRACES]["read"] and not records[ADAS]["read"]
    assert records[ADAS]["reason"].endswith("journaled by ada")
    assert records == ranking(lab, reader="grace")


def test_read_only_keys_rank_for_the_reader_asked_for(lab: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With keys that may not record the day, ``reader`` still chooses whose ranking it is."""
    from journal.errors import StoreReadOnly

    def refused(*args: object, **kwargs: object) -> None:
        raise StoreReadOnly("s3://lab/j", "these credentials are read-only")

    expected = ranking(lab, reader="grace")
    monkeypatch.setattr(service, "record_days", refused)
    result = service.triage_file(lab, LISTING, reader="grace")
    assert "not recorded as seen" in (result.note or "")
    assert {r["arxiv_id"]: r for r in service.paper_records(result, limit=0)} == expected


def test_a_reader_without_entries_learns_from_everyones(
    lab: Path, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new lab member's first triage ranks by the lab's reading, as before readers."""
    everyone = service.triage_file(lab, LISTING, reader="bob")
    entries, others, who = service.reader_entries(journal.store.open(lab), "bob")
    assert who == "bob" and len(entries) == 4 and len(others) == 0
    read = set(everyone.read["arxiv_id"])
    assert read == {ADAS, GRACES}


def test_entries_from_before_readers_count_as_everyones(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    add_as(monkeypatch, journal_path, "ada", title="Old paper", arxiv_id=GRACES, date="2025-01-15")
    table = pq.read_table(journal_path)
    column = table.schema.get_field_index("reader")
    pq.write_table(table.set_column(column, "reader", pa_nulls(len(table))), journal_path)
    add_as(monkeypatch, journal_path, "ada", title="Scaling data for LLM training", abstract="data")
    monkeypatch.setenv("JOURNAL_READER", "grace")
    add_as(
        monkeypatch, journal_path, "grace", title="Reinforcement learning from ratings", abstract="rewards"
    )
    assert ranking(journal_path, reader="grace")[GRACES]["read"]
    assert ranking(journal_path, reader="ada")[GRACES]["read"]


def pa_nulls(n: int):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    return pa.nulls(n, pa.string())


@pytest.mark.parametrize(
    ("reader", "heading"), [("grace", "already in grace's journal"), ("ada", "already in your journal")]
)
def test_the_read_papers_are_said_to_be_in_the_journal_of_the_reader_ranked_for(  # type: ignore[no-untyped-def]
    lab: Path, cli, reader: str, heading: str
) -> None:
    code, out, _ = cli("--journal", str(lab), "triage", "--listing", str(LISTING), "--reader", reader)
    assert code == 0
    assert f"\n{heading} (1):\n" in out
    code, out, _ = cli("--journal", str(lab), "triage", "--listing", str(LISTING))
    assert code == 0 and "\nalready in your journal (1):\n" in out
