"""Fetching a day's listing from arXiv's RSS feed, offline: recorded feeds in
tests/data/triage/rss/ served by a local http.server (as JOURNAL_ARXIV_RSS)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import DATA, run_cli
from stub_server import StubServer

import journal
from journal import arxiv
from journal.errors import ArxivBadResponse, ArxivUnreachable, ListingError, NoAnnouncements
from journal.triage import categories, feed, listings

RSS = DATA / "triage" / "rss"
DAY = dt.date(2025, 1, 15)  # a Wednesday: the day the recorded feeds hold
CL_NEW = 12  # new papers in the cs.CL feed (plus one replacement, dropped)
AI_NEW = 10  # new in cs.AI (plus a cross-list of a cs.CL paper and a replace-cross)


class FakeFeed(StubServer):
    """A stand-in for rss.arxiv.org: ``/rss/CAT`` answers ``files[CAT]`` (a file of
    tests/data/triage/rss/, or ``!`` and a literal body)."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.requests: list[str] = []
        super().__init__(self.answer)
        self.url = f"{self.base}/rss/"

    def answer(self, path: str) -> tuple[int, bytes, str]:
        self.requests.append(path)
        name = self.files.get(path.removeprefix("/rss/"))
        if name is None:
            return 404, b"<html>no such category</html>", "text/html"
        body = name[1:].encode() if name.startswith("!") else (RSS / name).read_bytes()
        return 200, body, "application/rss+xml"


WEEKDAY_FILES = {"cs.CL": "cs.CL-2025-01-15.xml", "cs.AI": "cs.AI-2025-01-15.xml"}


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("JOURNAL_CACHE", raising=False)
    monkeypatch.setenv("JOURNAL_ARXIV_RSS", "http://127.0.0.1:9/never-used/")
    monkeypatch.setattr(arxiv, "MIN_INTERVAL", 0.0)  # the limit itself is tested below


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    server = FakeFeed(dict(WEEKDAY_FILES))
    monkeypatch.setenv("JOURNAL_ARXIV_RSS", server.url)
    yield server
    server.close()


def test_fetch_keeps_new_and_cross_once_per_paper(journal_path: Path, fake: FakeFeed) -> None:
    frame = feed.fetch_listing(journal.open(journal_path), ["cs.CL", "cs.AI"], today=DAY)
    assert fake.requests == ["/rss/cs.CL", "/rss/cs.AI"]  # one request per category
    assert len(frame) == CL_NEW + AI_NEW and frame["arxiv_id"].is_unique
    assert set(frame["date"]) == {DAY}
    assert frame["category"].value_counts().to_dict() == {"cs.CL": CL_NEW, "cs.AI": AI_NEW}
    assert "2501.01" not in " ".join(frame["arxiv_id"])  # replacements (older papers) dropped
    first = frame.iloc[0]
    assert first["arxiv_id"] == "2501.08406" and first["title"].startswith("OptiChat")
    assert len(first["authors"]) > 1 and not first["abstract"].startswith(("arXiv:", "Abstract"))


def test_a_second_triage_of_the_day_is_offline(journal_path: Path, fake: FakeFeed) -> None:
    j = journal.open(journal_path)
    first = feed.fetch_listing(j, ["cs.CL", "cs.AI"], today=DAY)
    fake.close()  # arXiv gone: the cache answers
    again = feed.fetch_listing(j, ["cs.CL", "cs.AI"], today=DAY)
    by_date = feed.fetch_listing(j, ["cs.CL", "cs.AI"], day=DAY, today=DAY + dt.timedelta(days=3))
    assert again.equals(first) and by_date.equals(first)
    assert len(fake.requests) == 2
    assert (j.sidecar / "arxiv-rss" / "2025-01-15" / "cs.CL.xml").exists()


def test_triage_command_fetches_records_and_ranks(journal_path: Path, fake: FakeFeed, cli) -> None:
    journal.open(journal_path).add(title="Yiddish OCR", arxiv_id="2501.08442")
    code, out, err = cli(
        "triage", "--cat", "cs.CL,cs.AI", "--json", "--limit", "0", "--journal", str(journal_path)
    )
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == CL_NEW + AI_NEW
    assert [r["arxiv_id"] for r in records if r["read"]] == ["2501.08442"]
    assert listings.recorded_days(journal_path) == [DAY]
    assert len(listings.read_listings(journal_path)) == CL_NEW + AI_NEW
    fake.close()
    code, out2, _ = cli(
        "triage",
        "2025-01-15",
        "--cat",
        "cs.CL,cs.AI",
        "--json",
        "--limit",
        "0",
        "--journal",
        str(journal_path),
    )
    assert code == 0 and out2 == out  # from the cache


def test_unreachable_and_nothing_cached_is_one_clear_line(journal_path: Path, cli) -> None:
    code, out, err = cli("triage", "--cat", "cs.CL", "--journal", str(journal_path))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "cannot reach arXiv" in err and "JOURNAL_ARXIV_RSS" in err
    assert not listings.listings_dir(journal_path).exists()


def test_unreachable_with_a_cached_day_shows_it_and_says_so(journal_path: Path, fake: FakeFeed, cli) -> None:
    j = journal.open(journal_path)
    feed.fetch_listing(j, ["cs.CL"], today=DAY)
    fake.close()  # the next morning arXiv is unreachable
    frame = feed.fetch_listing(j, ["cs.CL"], today=DAY + dt.timedelta(days=1))
    assert len(frame) == CL_NEW and set(frame["date"]) == {DAY}
    assert "cannot reach arXiv" in frame.attrs["note"] and "showing 2025-01-15" in frame.attrs["note"]
    code, out, err = cli("triage", "--cat", "cs.CL", "--journal", str(journal_path))
    assert code == 0 and out and "journal: note: cannot reach arXiv" in err
    with pytest.raises(ArxivUnreachable):  # a day asked for by date is not replaced by another
        feed.fetch_listing(j, ["cs.CL"], day=DAY + dt.timedelta(days=1), today=DAY + dt.timedelta(days=1))


def test_unreachable_in_a_fresh_process(journal_path: Path) -> None:
    done = run_cli(
        "triage", "--cat", "cs.CL", journal=journal_path, JOURNAL_ARXIV_RSS="http://127.0.0.1:9/rss/"
    )
    assert done.returncode == 1 and "cannot reach arXiv at http://127.0.0.1:9/rss/cs.CL" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_empty_feed_says_weekend_and_names_the_last_day(journal_path: Path, fake: FakeFeed) -> None:
    j = journal.open(journal_path)
    feed.fetch_listing(j, ["cs.CL"], today=DAY)  # Wednesday, cached
    fake.files["cs.CL"] = "cs.CL-2025-01-18.xml"  # Saturday's feed: empty
    with pytest.raises(
        NoAnnouncements, match=r"no papers on that day.*weekend or a holiday.*2025-01-15"
    ) as e:
        feed.fetch_listing(j, ["cs.CL"], today=dt.date(2025, 1, 18))
    assert e.value.last_day == "2025-01-15"
    fake.close()  # asked again the same day: no request, the same answer
    with pytest.raises(NoAnnouncements, match=r"empty when asked today.*2025-01-15"):
        feed.fetch_listing(j, ["cs.CL"], today=dt.date(2025, 1, 18))


def test_a_weekend_date_is_refused_without_a_request(journal_path: Path, fake: FakeFeed) -> None:
    with pytest.raises(NoAnnouncements, match=r"weekends.*last announcement day is 2025-01-17"):
        feed.fetch_listing(
            journal.open(journal_path), ["cs.CL"], day=dt.date(2025, 1, 19), today=dt.date(2025, 1, 20)
        )
    assert fake.requests == []


def test_an_earlier_day_not_cached_points_to_listing(journal_path: Path, fake: FakeFeed) -> None:
    with pytest.raises(ListingError, match=r"only the latest announcement day.*--listing FILE"):
        feed.fetch_listing(journal.open(journal_path), ["cs.CL"], day=dt.date(2025, 1, 14), today=DAY)


def test_a_day_after_the_feed_is_not_announced_yet(journal_path: Path, fake: FakeFeed) -> None:
    with pytest.raises(NoAnnouncements, match=r"2025-01-16.*not announced yet.*2025-01-15"):
        feed.fetch_listing(
            journal.open(journal_path), ["cs.CL"], day=dt.date(2025, 1, 16), today=dt.date(2025, 1, 16)
        )


def test_an_answer_that_is_not_a_feed(journal_path: Path, fake: FakeFeed) -> None:
    fake.files["cs.CL"] = "!Rate exceeded."
    with pytest.raises(ArxivBadResponse, match=r"did not answer with an RSS feed.*JOURNAL_ARXIV_RSS"):
        feed.fetch_listing(journal.open(journal_path), ["cs.CL"], today=DAY)
    with pytest.raises(ArxivBadResponse, match=r"cs.RO did not answer with an RSS feed"):
        feed.fetch_listing(journal.open(journal_path), ["cs.RO"], today=DAY)  # a 404 page


@pytest.mark.parametrize(
    ("cats", "message"),
    [
        ("cs.CL,not a category", "not a category: is not an arXiv category; the archives are astro-ph, "),
        (",", "--cat: is not an arXiv category list"),
        ("cs.XX", "cs.XX: is not an arXiv category; cs has cs.AI, cs.AR, "),
        ("cs.CL,stat.XX", "stat.XX: is not an arXiv category; stat has stat.AP, stat.CO, stat.ME, stat.ML"),
    ],
)
def test_bad_categories_are_refused_before_any_request(
    journal_path: Path, fake: FakeFeed, cli, cats: str, message: str
) -> None:
    code, out, err = cli("triage", "--cat", cats, "--journal", str(journal_path))
    assert code == 1 and out == "" and err.count("\n") == 1 and message in err
    assert fake.requests == [] and not journal_path.with_name(journal_path.name + ".d").exists()


def test_category_names_are_taken_as_arxiv_spells_them(journal_path: Path, fake: FakeFeed, cli) -> None:
    code, _, err = cli("triage", "--cat", "CS.cl,cs.AI,cs.ai", "--json", "--journal", str(journal_path))
    assert code == 0, err
    assert fake.requests == ["/rss/cs.CL", "/rss/cs.AI"]
    assert set(categories.CATEGORIES) >= {
        "cs.CL",
        "stat.ML",
        "math.PR",
        "hep-th",
        "cond-mat.str-el",
        "q-bio.MN",
    }


# --- a recorded day ----------------------------------------------------------------------


def test_a_recorded_day_is_ranked_from_the_record_offline(journal_path: Path, cli) -> None:
    listing = str(DATA / "triage" / "listing.jsonl")
    code, first, err = cli("triage", "--listing", listing, "--json", "--journal", str(journal_path))
    assert code == 0, err
    # arXiv unreachable (JOURNAL_ARXIV_RSS points nowhere): the day comes from the record
    code, again, err = cli("triage", "2025-01-15", "--json", "--journal", str(journal_path))
    assert code == 0, err
    assert again == first
    code, out, err = cli("triage", "2025-01-14", "--journal", str(journal_path))
    assert code == 0 and "2025-01-14: 24 new papers ranked from the listing recorded for 2025-01-14" in err
    code, out, err = cli(
        "triage", "2025-01-15", "--cat", "cs.AI", "--json", "--limit", "0", "--journal", str(journal_path)
    )
    assert code == 0, err
    assert {json.loads(line)["category"] for line in out.splitlines()} == {"cs.AI"}


def test_a_day_neither_recorded_nor_reachable_is_one_line_naming_listing(journal_path: Path, cli) -> None:
    code, out, err = cli("triage", "2025-03-07", "--cat", "cs.CL", "--journal", str(journal_path))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "2025-03-07: is not recorded beside the journal" in err
    assert "only the latest announcement day" in err and "journal triage --listing FILE" in err
    assert not listings.listings_dir(journal_path).exists()


def test_requests_keep_the_arxiv_rate_limit(journal_path: Path, fake: FakeFeed, tmp_path: Path) -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = arxiv.RateLimiter(tmp_path / "state", 3.0, clock=lambda: now[0], sleep=sleep)
    feed.fetch_listing(journal.open(journal_path), ["cs.CL", "cs.AI"], today=DAY, limiter=limiter)
    assert slept == [3.0]  # the second category waits its turn


def test_default_categories_come_from_the_arxiv_cache(journal_path: Path) -> None:
    j = journal.open(journal_path)
    assert feed.default_categories(j) == list(feed.DEFAULT_CATEGORIES)
    folder = j.sidecar / arxiv.CACHE_FOLDER
    folder.mkdir(parents=True)
    for n, cat in enumerate(["cs.CV"] * 3 + ["cs.CL"] * 5 + ["math.PR"]):
        record = {"record": {"arxiv_id": f"2501.{n:05d}", "primary_category": cat}}
        (folder / f"2501.{n:05d}.json").write_text(json.dumps(record))
        (folder / f"2501.{n:05d}v1.json").write_text(json.dumps(record))  # a version: not counted again
    assert feed.default_categories(j) == ["cs.CL", "cs.CV"]


def test_default_categories_read_the_cache_that_capture_uses(
    journal_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared-cache"  # $JOURNAL_CACHE: where `journal add --arxiv` keeps records
    shared.mkdir()
    monkeypatch.setenv("JOURNAL_CACHE", str(shared))
    for n in range(3):
        record = {"record": {"arxiv_id": f"2501.{n:05d}", "primary_category": "stat.ML"}}
        (shared / f"2501.{n:05d}.json").write_text(json.dumps(record))
    assert feed.default_categories(journal.open(journal_path)) == ["stat.ML"]
