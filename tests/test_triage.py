"""Triage: the recorded listings, listing files, ``journal.triage.rank`` and ``journal triage
--listing`` (fetching is in test_triage_feed.py)."""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import DATA, cli_env, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

import journal
from journal.errors import JournalFileError, ListingError
from journal.triage import listings, ranker, service
from journal.triage.listingfile import read_listing_file

TRIAGE = DATA / "triage"
DAY1, DAY2 = dt.date(2025, 1, 14), dt.date(2025, 1, 15)
READ_ID = "2501.08335"  # listed on DAY2, already journaled in the fixture below


@pytest.fixture
def listing() -> pd.DataFrame:
    return read_listing_file(TRIAGE / "listing.jsonl")


@pytest.fixture
def reader(journal_path: Path) -> Path:
    """A journal that holds one paper of DAY2's listing (as version 2) and two others."""
    j = journal.open(journal_path)
    j.add(
        title="MERaLiON-TextLLM",
        arxiv_id=f"{READ_ID}v2",
        abstract="Cross-lingual understanding of large language models",
        date="2025-01-16",
    )
    j.add(title="Scaling data for LLM training", abstract="open datasets for language model training")
    j.add(title="Reinforcement learning from ratings", abstract="reinforcement learning rewards")
    return journal_path


def _day_file(journal_path: Path, day: dt.date) -> Path:
    return listings.listings_dir(journal_path) / f"date={day}" / listings.FILE_NAME


# --- the recorded listings -------------------------------------------------------------


def test_record_and_read_listings_round_trip(journal_path: Path, listing: pd.DataFrame) -> None:
    assert listings.record_listing(journal_path, listing) == [DAY1, DAY2]
    back = listings.read_listings(journal_path)
    assert list(back.columns) == listings.COLUMNS
    assert len(back) == len(listing) == 48
    assert back.groupby("date").size().to_dict() == {DAY1: 24, DAY2: 24}
    first = back[back["arxiv_id"] == READ_ID].iloc[0]
    expected = listing[listing["arxiv_id"] == READ_ID].iloc[0]
    assert first["title"] == expected["title"]
    assert list(first["authors"]) == expected["authors"]
    assert first["category"] == expected["category"]


PAPER = st.fixed_dictionaries(
    {
        "title": st.text(max_size=40),
        "authors": st.lists(st.text(min_size=1, max_size=15), max_size=4),
        "abstract": st.text(max_size=80),
        "category": st.none() | st.sampled_from(["cs.CL", "cs.AI", "stat.ML"]),
    }
)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), PAPER), min_size=1, max_size=12))
def test_any_listing_reads_back_as_recorded(papers: list[tuple[int, dict]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _round_trip(Path(folder) / "entries.parquet", papers)


def sorted_papers(papers: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    return sorted(papers, key=lambda dp: dp[0])  # by day; ids grow with the position


def _round_trip(path: Path, papers: list[tuple[int, dict]]) -> None:
    rows = [
        {"date": DAY1 + dt.timedelta(days=d), "arxiv_id": f"2501.{n:05d}", **p}
        for n, (d, p) in enumerate(papers)
    ]
    frame = pd.DataFrame(rows, columns=listings.COLUMNS)
    listings.record_listing(path, frame)
    back = listings.read_listings(path)
    expected = frame.sort_values(["date", "arxiv_id"], kind="stable").reset_index(drop=True)
    back = back.sort_values(["date", "arxiv_id"], kind="stable").reset_index(drop=True)
    assert back["arxiv_id"].tolist() == expected["arxiv_id"].tolist()
    assert back["date"].tolist() == expected["date"].tolist()
    assert back["title"].tolist() == expected["title"].tolist()
    assert [list(a) for a in back["authors"]] == expected["authors"].tolist()
    assert back["abstract"].tolist() == expected["abstract"].tolist()

    def categories(frame: pd.DataFrame) -> list[str | None]:
        return [c if isinstance(c, str) else None for c in frame["category"]]

    assert categories(back) == categories(expected) == [p["category"] for _, p in sorted_papers(papers)]


def test_recorded_listings_are_a_hive_dataset_duckdb_and_pandas_read(
    journal_path: Path, listing: pd.DataFrame
) -> None:
    import duckdb

    listings.record_listing(journal_path, listing)
    root = listings.listings_dir(journal_path)
    assert sorted(p.name for p in root.iterdir()) == ["date=2025-01-14", "date=2025-01-15"]
    rows = duckdb.sql(
        f"SELECT date, count(*), count(DISTINCT arxiv_id) FROM "
        f"read_parquet('{root}/*/*.parquet', hive_partitioning=true) GROUP BY date ORDER BY date"
    ).fetchall()
    assert rows == [(DAY1, 24, 24), (DAY2, 24, 24)]
    frame = pd.read_parquet(root)  # pyarrow's hive discovery: date from the folder names
    assert len(frame) == 48 and set(frame["date"].astype(str)) == {"2025-01-14", "2025-01-15"}


def test_recording_a_day_again_merges_without_duplicates(journal_path: Path, listing: pd.DataFrame) -> None:
    day2 = listing[listing["date"] == DAY2]
    listings.record_listing(journal_path, day2.head(10))
    listings.record_listing(journal_path, day2.head(20))  # 10 again, 10 new
    listings.record_listing(journal_path, day2.head(20))
    back = listings.read_listings(journal_path)
    assert len(back) == 20 and back["arxiv_id"].is_unique


def test_record_accepts_dates_as_text_and_needs_ids(journal_path: Path, listing: pd.DataFrame) -> None:
    listings.record_listing(journal_path, listing.assign(date=listing["date"].astype(str)))
    assert listings.recorded_days(journal_path) == [DAY1, DAY2]
    with pytest.raises(ListingError, match="has no arxiv_id column"):
        listings.record_listing(journal_path, listing.drop(columns="arxiv_id"))


def test_read_listings_reads_only_the_days_asked(
    journal_path: Path, listing: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    listings.record_listing(journal_path, listing)
    opened: list[str] = []
    real = pq.ParquetFile
    monkeypatch.setattr(pq, "ParquetFile", lambda path, **kw: opened.append(str(path)) or real(path, **kw))
    back = listings.read_listings(journal_path, start=DAY2, end=DAY2)
    assert set(back["date"]) == {DAY2}
    assert len(opened) == 1 and "date=2025-01-15" in opened[0]
    assert listings.read_listings(journal_path, end=DAY1 - dt.timedelta(days=1)).empty
    assert len(opened) == 1


def test_a_failed_write_leaves_the_day_as_it_was(
    journal_path: Path, listing: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    day2 = listing[listing["date"] == DAY2]
    listings.record_listing(journal_path, day2.head(5))
    before = _day_file(journal_path, DAY2).read_bytes()

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("journal.fileio.os.replace", fail)
    with pytest.raises(JournalFileError, match="No space left"):
        listings.record_listing(journal_path, day2)
    assert _day_file(journal_path, DAY2).read_bytes() == before
    assert list(journal.open(journal_path).tmp_dir.iterdir()) == []


KILLED_WRITER = """
import sys, pandas as pd
from journal.triage import listings
from journal.triage.listingfile import read_listing_file
listing = read_listing_file(sys.argv[2])
print("ready", flush=True)
n = 0
while True:  # rewrite both days with ids made unique per round: each file is 24 rows
    frame = listing.copy()
    frame["arxiv_id"] = frame["arxiv_id"] + f"-{n}"
    for day, rows in frame.groupby("date"):
        path = listings.listings_dir(sys.argv[1]) / f"date={day}" / listings.FILE_NAME
        if path.exists():
            path.unlink()  # not crash-safe on purpose: the file must reappear whole
        listings.record_listing(sys.argv[1], rows)
    n += 1
"""


def test_a_kill_leaves_each_day_whole_or_absent(journal_path: Path) -> None:
    for pause in (0.15, 0.3, 0.45, 0.6):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLED_WRITER, str(journal_path), str(TRIAGE / "listing.jsonl")],
            stdout=subprocess.PIPE,
            env=cli_env(),
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(pause)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for day in listings.recorded_days(journal_path):
            assert len(pq.read_table(_day_file(journal_path, day))) == 24
    assert all(f.severity != "error" for f in journal.open(journal_path).check())
    assert listings.recorded_days(journal_path), "the writer never finished a day: kill later"


def test_journal_check_and_writes_ignore_the_listings_folder(reader: Path, listing: pd.DataFrame) -> None:
    listings.record_listing(reader, listing)
    j = journal.open(reader)
    assert [f for f in j.check() if f.severity == "error"] == []
    j.add(title="after recording")
    j.compact()
    assert len(j) == 4 and len(listings.read_listings(reader)) == 48


# --- listing files ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["listing.jsonl", "listing.csv", "listing.parquet"])
def test_listing_files_read_alike(name: str, listing: pd.DataFrame) -> None:
    frame = read_listing_file(TRIAGE / name)
    assert list(frame.columns) == listings.COLUMNS
    assert frame["date"].tolist() == listing["date"].tolist()
    assert frame["arxiv_id"].tolist() == listing["arxiv_id"].tolist()
    assert frame["authors"].tolist() == listing["authors"].tolist()
    assert all(isinstance(a, list) and a for a in frame["authors"])


def test_listing_file_normalizes_ids_and_dates(tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    path.write_text(
        json.dumps(
            {
                "arxiv_id": "https://arxiv.org/abs/2501.00001v3",
                "title": " T ",
                "authors": "A. B, C. D",
                "abstract": "x",
            }
        )
        + "\n"
    )
    frame = read_listing_file(path, day=DAY2)
    assert frame.iloc[0]["arxiv_id"] == "2501.00001"
    assert frame.iloc[0]["authors"] == ["A. B", "C. D"]
    assert frame.iloc[0]["date"] == DAY2 and frame.iloc[0]["title"] == "T"


def test_listing_jsonl_written_by_pandas_keeps_its_dates(tmp_path: Path, listing: pd.DataFrame) -> None:
    # DataFrame.to_json writes dates as epoch milliseconds; they are the same days, not 1970
    path = tmp_path / "day.jsonl"
    listing.to_json(path, orient="records", lines=True)
    assert '"date":17' in path.read_text()
    frame = read_listing_file(path)
    assert frame["date"].tolist() == listing["date"].tolist()


def test_listing_files_written_by_pandas_read_alike(tmp_path: Path, listing: pd.DataFrame) -> None:
    # to_csv writes the authors list as "['A', 'B']"; to_json writes one JSON array
    listing.to_csv(tmp_path / "day.csv", index=False)
    listing.to_json(tmp_path / "day.json", orient="records", date_format="iso")
    for name in ("day.csv", "day.json"):
        frame = read_listing_file(tmp_path / name)
        assert frame["authors"].tolist() == listing["authors"].tolist(), name
        assert frame["date"].tolist() == listing["date"].tolist(), name


def test_control_characters_of_a_listing_never_reach_the_terminal(reader: Path, tmp_path: Path, cli) -> None:
    path = tmp_path / "day.jsonl"
    paper = {
        "arxiv_id": "2501.00001",
        "title": "\x1b[31mRed\x07 title",
        "authors": ["A\x1b[0m"],
        "abstract": "x",
    }
    path.write_text(json.dumps(paper) + "\n")
    code, out, _ = cli("triage", "--listing", str(path), "--journal", str(reader))
    assert code == 0 and "\x1b" not in out and "[31mRed title" in out
    assert read_listing_file(path).iloc[0]["authors"] == ["A[0m"]


@pytest.mark.parametrize("date", ["1970-01-01", 1])
def test_a_listing_dated_before_arxiv_is_refused(tmp_path: Path, date: object) -> None:
    path = tmp_path / "day.jsonl"
    path.write_text(
        json.dumps({"arxiv_id": "2501.00001", "title": "t", "authors": [], "abstract": "", "date": date})
    )
    with pytest.raises(ListingError, match="before arXiv began"):
        read_listing_file(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "no-abstract.jsonl",
            '{"arxiv_id": "2501.00001", "title": "t", "authors": []}\n',
            "has no abstract column",
        ),
        ("listing.txt", "whatever", "unknown listing format '.txt'"),
        ("broken.parquet", "not parquet", "cannot be read as parquet"),
        ("empty.jsonl", "", "holds no papers"),
    ],
)
def test_a_bad_listing_file_is_one_clear_line_and_records_nothing(
    reader: Path, tmp_path: Path, cli, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    code, out, err = cli("triage", "--listing", str(path), "--journal", str(reader))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and message in err and str(path) in err
    assert not listings.listings_dir(reader).exists()


def test_a_day_the_file_does_not_hold_records_nothing(reader: Path, cli) -> None:
    code, _, err = cli(
        "triage", "--listing", str(TRIAGE / "listing.csv"), "--date", "2025-01-16", "--journal", str(reader)
    )
    assert code == 1
    assert "no papers on 2025-01-16" in err and "2025-01-15" in err
    assert listings.recorded_days(reader) == []


# --- ranking ---------------------------------------------------------------------------


def test_rank_marks_read_papers_and_ranks_the_rest(reader: Path, listing: pd.DataFrame) -> None:
    day2 = listing[listing["date"] == DAY2]
    ranked = journal.triage.rank(journal.open(reader), day2)
    assert len(ranked) == 24
    read = ranked[ranked["read"]]
    assert read["arxiv_id"].tolist() == [READ_ID] and read["rank"].isna().all()
    fresh = ranked[~ranked["read"]]
    assert fresh["rank"].tolist() == list(range(1, 24))
    assert ranked.index[ranked["read"]].min() > ranked.index[~ranked["read"]].max()  # read last
    assert {"score", "reason"} <= set(ranked.columns)
    assert not listings.listings_dir(reader).exists()  # rank alone records nothing


def test_rank_gives_the_ranker_the_seen_days_before_the_day(
    reader: Path, listing: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = listing[listing["date"] == DAY1].head(3).assign(date=DAY2 - dt.timedelta(days=ranker.SEEN_DAYS + 1))
    listings.record_listing(reader, pd.concat([listing, old]))
    calls = []
    real = ranker.rank_papers

    def spy(entries, papers, seen=None, *, day=None, **kwargs):
        calls.append((entries, seen, day))
        return real(entries, papers, seen, day=day, **kwargs)

    monkeypatch.setattr(ranker, "rank_papers", spy)
    service.rank(str(reader), listing[listing["date"] == DAY2])
    entries, seen, day = calls[0]
    assert day == DAY2 and len(entries) == 3
    assert set(seen["date"]) == {DAY1}  # the day itself and days older than SEEN_DAYS are left out


def test_rank_needs_the_paper_columns(reader: Path) -> None:
    with pytest.raises(ListingError, match="has no abstract column"):
        journal.triage.rank(reader, pd.DataFrame({"arxiv_id": ["1"], "title": ["t"], "authors": [[]]}))


# --- the command -----------------------------------------------------------------------


def test_triage_listing_prints_ranked_then_read(reader: Path, cli) -> None:
    code, out, err = cli("triage", "--listing", str(TRIAGE / "listing.jsonl"), "--journal", str(reader))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["rank", "score", "arxiv", "title", "why"]
    assert [line.split()[0] for line in lines[1:21]] == [str(n) for n in range(1, 21)]
    assert "already in your journal (1):" in out and READ_ID in out.split("already in your journal")[1]
    assert "2025-01-15: 23 new papers ranked" in err and "1 already read" in err
    assert "showing 20 (--limit 0 shows all)" in err
    assert listings.recorded_days(reader) == [DAY1, DAY2]  # every day of the file is recorded


@pytest.mark.parametrize(("limit", "shown"), [("5", 5), ("0", 23), ("50", 23)])
def test_triage_json_in_rank_order_with_limit(reader: Path, cli, limit: str, shown: int) -> None:
    code, out, _ = cli(
        "triage",
        "--listing",
        str(TRIAGE / "listing.parquet"),
        "--limit",
        limit,
        "--json",
        "--journal",
        str(reader),
    )
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    ranked = [r for r in records if not r["read"]]
    assert [r["rank"] for r in ranked] == list(range(1, shown + 1))
    assert records[-1]["read"] is True and records[-1]["rank"] is None and records[-1]["arxiv_id"] == READ_ID
    for key in ("arxiv_id", "title", "authors", "score", "rank", "read", "reason", "abstract", "url"):
        assert key in records[0]
    assert isinstance(records[0]["authors"], list) and records[0]["date"] == "2025-01-15"
    scores = [r["score"] for r in ranked]
    assert scores == sorted(scores, reverse=True)


def test_triage_date_picks_an_earlier_day_of_the_file(reader: Path, cli) -> None:
    code, out, _ = cli(
        "triage", "2025-01-14", "--listing", str(TRIAGE / "listing.csv"), "--json", "--journal", str(reader)
    )
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert {r["date"] for r in records} == {"2025-01-14"} and not any(r["read"] for r in records)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2025-01-14", "--date", "2025-01-15"], "differ"),
        (["--limit", "-1"], "negative"),
        (["--cat", "cs.CL"], "--cat chooses what to fetch"),
        (["2025-13-01"], "not a real date"),
    ],
)
def test_triage_bad_options_are_one_line(reader: Path, cli, args: list[str], message: str) -> None:
    code, out, err = cli("triage", *args, "--listing", str(TRIAGE / "listing.csv"), "--journal", str(reader))
    assert code != 0 and out == "" and message in err and err.count("\n") == 1
    assert not listings.listings_dir(reader).exists()


def test_triage_help(cli, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli("triage", "--help")
    out = capsys.readouterr().out
    for option in ("--cat", "--listing", "--date", "--limit", "--json", "DATE"):
        assert option in out


def test_triage_in_a_fresh_process(reader: Path) -> None:
    done = run_cli("triage", "--listing", str(TRIAGE / "listing.jsonl"), "--limit", "3", journal=reader)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.split("already in your journal")[0].strip().splitlines()) == 1 + 3
    assert "Traceback" not in done.stderr
