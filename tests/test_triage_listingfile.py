"""Listing files written by other tools (pandas' to_csv of a Parquet day), the authors
cell forms, and a recorded day that a worse file never replaces."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.text.rules import one_line
from journal.triage import listings
from journal.triage.listingfile import AUTHOR_FORMS, parse_authors, read_listing_file

TRIAGE = DATA / "triage"
DAY = dt.date(2025, 1, 15)


@pytest.fixture
def real_day() -> pd.DataFrame:
    """One day of listings-dev.parquet as pandas reads it (authors: numpy arrays)."""
    frame = pd.read_parquet(TRIAGE / "listing.parquet")
    day = frame[frame["date"] == DAY].reset_index(drop=True)
    assert isinstance(day["authors"][0], np.ndarray) and max(map(len, day["authors"])) > 1
    return day


def _recorded(journal_path: Path) -> pd.DataFrame:
    frame = listings.read_listings(journal_path, start=DAY, end=DAY)
    return frame.assign(authors=[list(a) for a in frame["authors"]])


def test_to_csv_of_a_parquet_day_keeps_its_authors_and_the_record(
    journal_path: Path, tmp_path: Path, real_day: pd.DataFrame, cli
) -> None:
    real_day.to_parquet(tmp_path / "day.parquet")
    code, _, err = cli("triage", "--listing", str(tmp_path / "day.parquet"), "--journal", str(journal_path))
    assert code == 0, err
    before = _recorded(journal_path)
    real_day.to_csv(tmp_path / "day.csv")  # exactly what a user types: index column and all
    assert "['" in (tmp_path / "day.csv").read_text() and "' '" in (tmp_path / "day.csv").read_text()

    code, out, err = cli(
        "triage",
        "--listing",
        str(tmp_path / "day.csv"),
        "--json",
        "--limit",
        "0",
        "--journal",
        str(journal_path),
    )
    assert code == 0, err
    expected = {a: list(names) for a, names in zip(real_day["arxiv_id"], real_day["authors"], strict=True)}
    shown = {r["arxiv_id"]: r["authors"] for r in map(json.loads, out.splitlines())}
    assert shown == expected  # separate names, as the Parquet day has them
    assert read_listing_file(tmp_path / "day.csv")["authors"].tolist() == list(expected.values())
    pd.testing.assert_frame_equal(_recorded(journal_path), before)


def test_a_worse_listing_never_replaces_the_record(
    journal_path: Path, tmp_path: Path, real_day: pd.DataFrame, cli
) -> None:
    listings.record_listing(journal_path, real_day)
    before = _recorded(journal_path)
    worse = real_day.head(10).assign(authors=[" ".join(a) for a in real_day["authors"].head(10)])
    worse.loc[0, "abstract"] = ""
    worse.to_csv(tmp_path / "worse.csv", index=False)  # names fused into one, fewer papers
    code, out, err = cli(
        "triage",
        "--listing",
        str(tmp_path / "worse.csv"),
        "--json",
        "--limit",
        "0",
        "--journal",
        str(journal_path),
    )
    assert code == 0, err
    pd.testing.assert_frame_equal(_recorded(journal_path), before)
    several = sum(len(a) > 1 for a in real_day["authors"].head(10)) + (len(real_day["authors"][0]) == 1)
    assert f"2025-01-15 was recorded before: kept the recorded version of {several} papers" in err
    assert f"{len(real_day) - 10} recorded papers the listing lacks stay recorded" in err
    assert err.count("\n") == 1  # the note, one line (--json prints no summary)
    ranked = {r["arxiv_id"]: r for r in map(json.loads, out.splitlines())}
    assert len(ranked) == 10  # the file's papers, ranked with the record's better rows
    first = real_day.iloc[0]
    assert ranked[first["arxiv_id"]]["authors"] == list(first["authors"])
    assert ranked[first["arxiv_id"]]["abstract"] == first["abstract"]


def test_a_listing_that_holds_as_much_replaces_the_recorded_rows(
    journal_path: Path, real_day: pd.DataFrame
) -> None:
    listings.record_listing(journal_path, real_day)
    fixed = real_day.head(3).assign(title=["Corrected " + t for t in real_day["title"].head(3)])
    report = listings.record_days(journal_path, fixed)
    assert report.kept == {} and report.lacked == {DAY: len(real_day) - 3}
    after = _recorded(journal_path).set_index("arxiv_id")
    assert all(after.loc[a, "title"].startswith("Corrected ") for a in fixed["arxiv_id"])
    assert len(after) == len(real_day)


@pytest.mark.parametrize(
    "cell",
    [
        "{'A': 1}",
        "['A', 'B' 'C']",  # commas and side-by-side strings: ambiguous
        "[1, 2]",
        "['A', None]",
        "[b'A']",
        "['unclosed'",
        "A\nB",
    ],
)
def test_an_authors_cell_in_no_known_form_is_one_line(
    journal_path: Path, tmp_path: Path, cli, cell: str
) -> None:
    pd.DataFrame([{"arxiv_id": "2501.00001", "title": "t", "authors": cell, "abstract": "x"}]).to_csv(
        tmp_path / "day.csv", index=False
    )
    code, out, err = cli("triage", "--listing", str(tmp_path / "day.csv"), "--journal", str(journal_path))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "row 1: authors cell" in err and AUTHOR_FORMS in err
    assert not listings.listings_dir(journal_path).exists()


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("['A. Author', 'B. Author']", ["A. Author", "B. Author"]),
        ("['A. Author' 'B. Author']", ["A. Author", "B. Author"]),  # numpy's form
        ("('A. Author',)", ["A. Author"]),
        ('["O\'Brien, J.", "Doe, A."]', ["O'Brien, J.", "Doe, A."]),
        ("Smith, J.; Doe, A.", ["Smith, J.", "Doe, A."]),
        ("A. Author, B. Author", ["A. Author", "B. Author"]),
        ("", []),
        ("[]", []),
        (None, []),
        (float("nan"), []),
        (np.array(["A", "B"], dtype=object), ["A", "B"]),
        (["A ", " ", "B"], ["A", "B"]),
    ],
)
def test_authors_cell_forms(cell: object, names: list[str]) -> None:
    assert parse_authors(cell) == names


@pytest.mark.parametrize("cell", [[1, 2], {"name": "A"}, 3, b"A, B", [None]])
def test_authors_that_are_not_names_are_refused(cell: object) -> None:
    with pytest.raises(ValueError, match="not a"):
        parse_authors(cell)


NAME = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=24)
    .map(str.strip)
    .filter(bool)
)


@given(st.lists(NAME, max_size=8))
def test_authors_lists_round_trip_through_every_written_form(names: list[str]) -> None:
    assert parse_authors(repr(names)) == names  # a list column of Python lists, to_csv
    assert parse_authors(str(np.array(names, dtype=object))) == names  # a Parquet list column, to_csv
    assert parse_authors(repr(tuple(names))) == names
    assert parse_authors(np.array(names, dtype=object)) == names
    plain = [n for n in names if ";" not in n]
    # one name with a comma and no ";" reads as "A, B" (the forms cannot tell them apart)
    if plain and not plain[0].startswith(("[", "(", "{")) and (len(plain) > 1 or "," not in plain[0]):
        assert parse_authors("; ".join(plain)) == plain
        simple = [n for n in plain if "," not in n]
        if simple and not simple[0].startswith(("[", "(", "{")):
            assert parse_authors(", ".join(simple)) == simple


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(NAME, max_size=5), min_size=1, max_size=4))
def test_a_csv_pandas_wrote_reads_back_the_same_authors(tmp_path_factory, authors: list[list[str]]) -> None:
    folder = tmp_path_factory.mktemp("csv")
    frame = pd.DataFrame(
        {
            "arxiv_id": [f"2501.{n:05d}" for n in range(len(authors))],
            "title": "t",
            "authors": [np.array(a, dtype=object) for a in authors],
            "abstract": "x",
        }
    )
    frame.to_csv(folder / "day.csv")
    # names come back under the journal's rule for one-line text (white space folded)
    expected = [[one_line(n) for n in names] for names in authors]
    assert read_listing_file(folder / "day.csv", day=DAY)["authors"].tolist() == expected


@given(st.text(max_size=40))
def test_any_authors_cell_reads_as_names_or_is_refused(cell: str) -> None:
    try:
        names = parse_authors(cell)
    except ValueError:
        return
    assert all(isinstance(n, str) and n and n == n.strip() for n in names)
