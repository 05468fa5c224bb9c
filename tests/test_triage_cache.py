"""The cache of the ranker's hashed term counts beside the journal (triage/countcache.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journal
from journal import fileio
from journal.model import make_entry
from journal.triage import countcache, listings, ranker, service

TRIAGE = DATA / "triage"
DAY1, DAY2 = dt.date(2025, 3, 11), dt.date(2025, 3, 12)


@pytest.fixture
def reader(journal_path: Path) -> Path:
    """Three dozen entries of a real reader; DAY1's listing recorded."""
    rows = [json.loads(line) for line in (TRIAGE / "reader.jsonl").read_text().splitlines()]
    made = [
        make_entry(
            title=r["title"],
            date=r["date"],
            authors=r.get("authors") or [],
            abstract=r.get("abstract") or "",
            arxiv_id=r.get("arxiv_id"),
            tags=r.get("tags") or [],
        )
        for r in rows
    ]
    journal.open(journal_path).add_many(made)
    listings.record_listing(journal_path, day(DAY1))
    return journal_path


def day(when: dt.date) -> pd.DataFrame:
    papers = pd.read_parquet(TRIAGE / "listings.parquet")
    papers["date"] = pd.to_datetime(papers["date"]).dt.date
    return papers[papers["date"] == when].reset_index(drop=True)


@pytest.fixture
def tokenised(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the ranker tokenises, in order (and no in-memory rows: a fresh process)."""
    texts: list[str] = []
    real = ranker._tokenise

    def spy(docs: list[str]):
        texts.extend(docs)
        return real(docs)

    monkeypatch.setattr(ranker, "_tokenise", spy)
    monkeypatch.setattr(ranker, "_COUNTS", {})
    return texts


def test_a_second_ranking_tokenises_only_texts_never_seen(reader: Path, tokenised: list[str]) -> None:
    service.rank(reader, day(DAY1))
    first = len(tokenised)
    assert first > len(day(DAY1))  # the journal and the day
    assert countcache.cache_path(journal.open(reader)).exists()

    ranker._COUNTS.clear()  # as a new process: only the file remains
    service.rank(reader, day(DAY1))
    assert len(tokenised) == first  # nothing again

    service.rank(reader, day(DAY2))  # the next day: only its papers are new
    new = tokenised[first:]
    assert 0 < len(new) <= len(day(DAY2))
    assert set(new) == set(ranker._texts(day(DAY2))) - set(tokenised[:first])


def test_an_edited_entry_is_tokenised_again(reader: Path, tokenised: list[str]) -> None:
    service.rank(reader, day(DAY1))
    j = journal.open(reader)
    entry = j.to_pandas().iloc[0]
    j.update(entry["id"], abstract="a brand new abstract about sparse autoencoders")
    del tokenised[:]
    service.rank(reader, day(DAY1))
    assert len(tokenised) == 1 and "sparse autoencoders" in tokenised[0]


def test_a_fresh_process_finds_the_cache_and_leaves_it_alone(reader: Path, tmp_path: Path) -> None:
    file = tmp_path / "day.parquet"
    day(DAY2).to_parquet(file)
    assert run_cli("triage", "--listing", str(file), journal=reader).returncode == 0
    cache = countcache.cache_path(journal.open(reader))
    before = cache.stat()
    result = run_cli("triage", "--listing", str(file), "--json", journal=reader)
    assert result.returncode == 0, result.stderr
    # Written only when something had to be tokenised: the file was replaced by nobody.
    after = cache.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_other_hashing_settings_ignore_the_cache(
    reader: Path, tokenised: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    service.rank(reader, day(DAY1))
    first = len(tokenised)
    monkeypatch.setattr(ranker, "counts_version", lambda: "other settings")
    service.rank(reader, day(DAY1))
    assert len(tokenised) == 2 * first  # everything again
    counts = countcache.load_term_counts(journal.open(reader), "other settings")
    assert len(counts) == first  # rebuilt under the new version


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"not a cache"),
        lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
        lambda path: np.savez(path, keys=np.zeros(3)),  # someone else's npz
        lambda path: path.write_bytes(path.read_bytes()[:-200] + bytes(200)),
    ],
    ids=["garbage", "truncated", "foreign", "zeroed-tail"],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(reader: Path, tokenised: list[str], damage) -> None:
    expected = service.rank(reader, day(DAY1))
    first = len(tokenised)
    path = countcache.cache_path(journal.open(reader))
    damage(path)
    ranked = service.rank(reader, day(DAY1))
    pd.testing.assert_frame_equal(ranked, expected)
    assert len(tokenised) == 2 * first
    assert len(countcache.load_term_counts(journal.open(reader), ranker.counts_version())) == first


def test_the_cache_changes_no_result(reader: Path) -> None:
    entries = journal.open(reader).to_pandas()
    seen = listings.read_listings(reader)
    ranker._COUNTS.clear()
    plain = ranker.rank_papers(entries, day(DAY2), seen, day=DAY2)
    store = countcache.TermCounts("v")
    cold = ranker.rank_papers(entries, day(DAY2), seen, day=DAY2, term_counts=store)
    j = journal.open(reader)
    assert countcache.save_term_counts(j, store)
    warm_store = countcache.load_term_counts(j, "v")
    warm = ranker.rank_papers(entries, day(DAY2), seen, day=DAY2, term_counts=warm_store)
    assert warm_store.tokenised == 0
    pd.testing.assert_frame_equal(cold, plain)
    pd.testing.assert_frame_equal(warm, plain)


def test_the_cache_keeps_only_what_the_last_ranking_used(reader: Path, tokenised: list[str]) -> None:
    j = journal.open(reader)
    service.rank(reader, day(DAY1))
    service.rank(reader, day(DAY2))
    kept = countcache.load_term_counts(j, ranker.counts_version())
    assert all(text in kept for text in ranker._texts(day(DAY2)))
    # DAY1's papers are learned from (recorded) when ranking DAY2, so they stay too.
    assert all(text in kept for text in ranker._texts(day(DAY1)))
    service.rank(reader, day(DAY1).assign(title="retitled " + day(DAY1)["title"]))
    kept = countcache.load_term_counts(j, ranker.counts_version())
    assert not any(text in kept for text in ranker._texts(day(DAY2)))


def test_the_cache_is_beside_the_journal_not_in_the_listings_dataset(reader: Path) -> None:
    service.rank(reader, day(DAY1))
    path = countcache.cache_path(journal.open(reader))
    assert path.parent == Path(f"{reader}.d") / "triage-cache"
    assert not any(p.suffix == ".npz" for p in listings.listings_dir(reader).rglob("*"))


def test_an_unwritable_cache_is_skipped(reader: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("read-only file system")

    monkeypatch.setattr(fileio, "write_atomic", refuse)  # what every cache write goes through
    ranked = service.rank(reader, day(DAY1))
    assert len(ranked) == len(day(DAY1))
    assert not countcache.cache_path(journal.open(reader)).exists()


def test_a_busy_store_reads_only_the_days_the_ranker_keeps(
    reader: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = day(DAY1).assign(date=DAY1 - dt.timedelta(days=1), arxiv_id=lambda f: "9" + f["arxiv_id"])
    listings.record_listing(reader, older)
    monkeypatch.setattr(ranker, "MAX_NEGATIVES", 30)  # DAY1 alone holds more than that
    entries = journal.open(reader).to_pandas()
    everything = listings.read_listings(reader)
    expected = ranker.rank_papers(entries, day(DAY2), everything, day=DAY2)

    seen = listings.read_listings(reader, limit=30, exclude=set(day(DAY2)["arxiv_id"]))
    assert set(seen["date"]) == {DAY1}
    assert set(listings.read_listings(reader, limit=10**6)["date"]) == {DAY1, older["date"][0]}
    pd.testing.assert_frame_equal(service.rank(reader, day(DAY2)).drop(columns="chance"), expected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    held=st.lists(st.text(max_size=40), max_size=8, unique=True),
    asked=st.lists(st.text(max_size=40), max_size=12),
)
def test_the_gathered_matrix_is_the_rows_one_by_one(
    tmp_path: Path, held: list[str], asked: list[str]
) -> None:
    """``TermCounts.matrix`` (the ranker's fast path) gives, in order, what looking each
    text up gives: rows from the file, rows added now and texts never seen alike."""
    j = journal.open(tmp_path / f"j{abs(hash((tuple(held), tuple(asked))))}.parquet")
    first = countcache.TermCounts("v")
    first.matrix(held, ranker._tokenise, ranker._HASH_FEATURES)
    countcache.save_term_counts(j, first)
    store = countcache.load_term_counts(j, "v")
    texts = asked + held[:2]
    gathered = store.matrix(texts, ranker._tokenise, ranker._HASH_FEATURES)
    assert gathered.shape == (len(texts), ranker._HASH_FEATURES)
    assert store.tokenised == len(set(asked) - set(held))
    for row, text in enumerate(texts):
        indices, counts = store[text]
        expected = ranker._tokenise([text])
        assert list(gathered[row].indices) == list(indices) == list(expected.indices)
        assert list(gathered[row].data) == list(counts) == list(expected.data)
    # What is written back (when anything was new) is what this ranking used, found again.
    if countcache.save_term_counts(j, store):
        again = countcache.load_term_counts(j, "v")
        assert len(again) == len(set(texts))
        assert all(text in again for text in texts)


def test_a_text_whose_key_ends_in_a_zero_byte_is_found_again(tmp_path: Path) -> None:
    # One text in 256 has such a key; numpy's fixed-width bytes once dropped the zero.
    text = next(t for t in map(str, range(10_000)) if countcache._key(t).endswith(b"\0"))
    j = journal.open(tmp_path / "entries.parquet")
    store = countcache.TermCounts("v")
    store.matrix([text, "another paper"], ranker._tokenise, ranker._HASH_FEATURES)
    assert countcache.save_term_counts(j, store)
    again = countcache.load_term_counts(j, "v")
    assert text in again and "another paper" in again
    again.matrix([text], ranker._tokenise, ranker._HASH_FEATURES)
    assert again.tokenised == 0
