"""This machine's copy of a lab journal's recorded days (journal/triage/listingcache.py):
a second ranking of an unchanged window makes no GET of a day, a day re-recorded on another
machine is fetched again, a day gone from the bucket is gone; requests counted at the server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import DATA

pytest.importorskip("deltalake")
pytest.importorskip("boto3")
pytest.importorskip("moto.server")

import test_lab_cache
from lab_helpers import CountingS3Server

import journal
from journal.store.objects import s3_client
from journal.triage import listingfile, listings, service

server = test_lab_cache.server  # the fixtures: a counting moto server, a fresh bucket on it
lab = test_lab_cache.lab
LISTING = DATA / "triage" / "listing.jsonl"
DAYS = [dt.date(2025, 1, 14), dt.date(2025, 1, 15)]  # the listing's days
NEXT = dt.date(2025, 1, 16)  # ranked: both recorded days are in its window


def on_machine(url: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> journal.Journal:
    monkeypatch.setenv("JOURNAL_CACHE", str(tmp_path / name))
    return journal.open(url)


def day_gets(server: CountingS3Server) -> list[str]:
    """The listing files fetched since the last count."""
    return sorted(p for m, p in server.taken() if m == "GET" and "/listings/date=" in p)


def rank_next(j: journal.Journal) -> list[str]:
    papers = listingfile.read_listing_file(LISTING).assign(date=NEXT)
    return service.rank(j, papers.drop_duplicates("arxiv_id"), day=NEXT)["arxiv_id"].tolist()


def test_a_recorded_day_is_fetched_once_until_it_changes_or_goes(
    lab: str, server: CountingS3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = on_machine(lab, "a", tmp_path, monkeypatch)
    a.add(title="Scaling data for LLM training", abstract="open datasets for language model training")
    service.triage_file(a, LISTING)  # records both days
    server.reset()
    first = rank_next(a)
    # the 14th was read (and copied) when the 15th was ranked; the 15th is fetched now
    assert [g.split("/")[-2] for g in day_gets(server)] == ["date=2025-01-15"]
    assert rank_next(a) == first
    assert day_gets(server) == []  # the unchanged window costs no GET
    assert len(listings.read_listings(a, start=DAYS[0], end=DAYS[0])) and day_gets(server) == []

    # machine B records a new paper on the first day: A fetches that day again, only it
    b = on_machine(lab, "b", tmp_path, monkeypatch)
    new = listingfile.read_listing_file(LISTING).head(1).assign(arxiv_id="2501.99999", date=DAYS[0])
    listings.record_listing(b, new)
    a = on_machine(lab, "a", tmp_path, monkeypatch)
    server.reset()
    seen = listings.read_listings(a, start=DAYS[0], end=DAYS[1])
    gets = day_gets(server)
    assert len(gets) == 1 and "date=2025-01-14" in gets[0]
    assert "2501.99999" in set(seen["arxiv_id"])
    copies = list((a.side_path(journal.store.SideState.TRIAGE_CACHE) / "listings").rglob("listing.parquet.*"))
    assert len(copies) == 2  # the day's old copy went

    # a day gone from the bucket is gone, though this machine had a copy
    bucket, prefix = lab[5:].split("/", 1)
    s3_client({**test_lab_cache.KEYS, "AWS_ENDPOINT_URL": server.endpoint}).delete_object(
        Bucket=bucket, Key=f"{prefix}/listings/date=2025-01-15/listing.parquet"
    )
    assert set(listings.read_listings(a)["date"]) == {DAYS[0]}


def test_a_damaged_copy_is_fetched_again(
    lab: str, server: CountingS3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = on_machine(lab, "a", tmp_path, monkeypatch)
    service.triage_file(a, LISTING)
    whole = listings.read_listings(a)
    for copy in (a.side_path(journal.store.SideState.TRIAGE_CACHE) / "listings").rglob("listing.parquet.*"):
        copy.write_bytes(b"not parquet")
    server.reset()
    again = listings.read_listings(a)
    assert again.equals(whole) and len(day_gets(server)) == 2
    server.reset()
    assert listings.read_listings(a).equals(whole) and day_gets(server) == []
