"""The Atom feed of the daily pages: `export html` writes it, `render` adds days to it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser
import pytest

from journal.errors import ValidationError
from journal.model import make_entry
from journal.publish import atom as feed
from journal.publish import site as html
from journal.store import Journal

TRICKY = "Attack <script>alert(\"x\")</script> & 'quotes'"


def _journal(path: Path) -> Journal:
    j = Journal(path)
    j.add(title="First", date="2024-05-01", url="https://example.org/first", tags="a", commentary="one")
    j.add(title="Second", date="2024-05-02", authors="A. Author", commentary="two\n\nparagraphs")
    j.add(title="Third", date="2024-05-02", arxiv_id="2405.05254v2")
    j.add(title="Fourth", date="2024-05-09", commentary="later")
    return j


def _export(j: Journal, folder: Path, **options) -> feedparser.FeedParserDict:
    html.write(j.entries(), folder, lang="ko", **options)
    parsed = feedparser.parse(str(folder / "feed.xml"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_export_writes_a_feed_of_days_newest_first(journal_path: Path, tmp_path: Path) -> None:
    parsed = _export(_journal(journal_path), tmp_path / "site")
    assert parsed.version == "atom10"
    assert [e.title for e in parsed.entries] == ["2024년 5월 9일", "2024년 5월 2일", "2024년 5월 1일"]
    assert [e.link for e in parsed.entries] == ["2024-05-09.html", "2024-05-02.html", "2024-05-01.html"]
    assert all((tmp_path / "site" / e.link).is_file() for e in parsed.entries)  # links lead to the pages
    day2 = parsed.entries[1].summary
    assert "Second" in day2 and "Third" in day2 and "A. Author" in day2 and "<p>paragraphs</p>" in day2
    assert 'href="https://arxiv.org/abs/2405.05254v2"' in day2  # no URL: the arXiv page
    assert parsed.feed.title == "읽기 일지" and parsed.feed.language == "ko"


def test_ids_and_updated_are_stable_and_follow_changes(journal_path: Path, tmp_path: Path) -> None:
    j = _journal(journal_path)
    first = _export(j, tmp_path / "a")
    again = _export(j, tmp_path / "b")
    assert (tmp_path / "a" / "feed.xml").read_bytes() == (tmp_path / "b" / "feed.xml").read_bytes()
    ids = [e.id for e in first.entries]
    assert ids == ["urn:journal:day:2024-05-09", "urn:journal:day:2024-05-02", "urn:journal:day:2024-05-01"]
    assert ids == [e.id for e in again.entries]
    # an entry of 2024-05-02 changes: that day's updated moves, the others stay
    second = next(e for e in j.entries() if e.title == "Second")
    j.update(second.id, commentary="edited")
    changed = _export(j, tmp_path / "a")
    assert [e.id for e in changed.entries] == ids
    before = {e.id: e.updated for e in first.entries}
    after = {e.id: e.updated for e in changed.entries}
    assert after[ids[1]] > before[ids[1]]
    assert after[ids[0]] == before[ids[0]] and after[ids[2]] == before[ids[2]]
    assert "edited" in changed.entries[1].summary
    # the ids do not depend on the base URL either (adding one later shows no day twice)
    with_base = _export(j, tmp_path / "c", base_url="https://example.org/reading")
    assert [e.id for e in with_base.entries] == ids


def test_a_deleted_entry_moves_its_day(journal_path: Path, tmp_path: Path) -> None:
    j = _journal(journal_path)
    site = tmp_path / "site"
    before = {e.id: e.updated_parsed for e in _export(j, site).entries}
    # "Second" was not the day's latest change: the latest updated_at of 2024-05-02 stays,
    # but the day's text changed, so its updated moves
    j.delete(next(e.id for e in j.entries() if e.title == "Second"))
    after = _export(j, site)
    day = "urn:journal:day:2024-05-02"
    moved = {e.id: e.updated_parsed for e in after.entries}
    assert moved[day] > before[day] and "Second" not in after.entries[1].summary
    assert all(moved[i] == before[i] for i in moved if i != day)
    written = (site / "feed.xml").read_bytes()
    _export(j, site)  # nothing changed since: the same feed, byte for byte
    assert (site / "feed.xml").read_bytes() == written


def test_text_is_escaped(journal_path: Path, tmp_path: Path) -> None:
    j = Journal(journal_path)
    j.add(title=TRICKY, date="2024-05-09", authors='Bob "the" <b>', commentary=f"{TRICKY}\n\na < b && c > d")
    raw = (tmp_path / "site").joinpath("feed.xml")
    _export(j, tmp_path / "site")
    xml = raw.read_text(encoding="utf-8")
    assert "<script>" not in xml and "&lt;script&gt;" not in xml.replace("&amp;lt;script&amp;gt;", "")
    entry = feedparser.parse(xml, sanitize_html=False).entries[0]
    # the summary is HTML in which the journal's text is escaped once
    assert (
        "Attack &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in entry.summary
    )
    assert "a &lt; b &amp;&amp; c &gt; d" in entry.summary
    assert "Bob &quot;the&quot; &lt;b&gt;" in entry.summary
    assert "<script>" not in entry.summary


def test_feed_days_and_base_url(journal_path: Path, tmp_path: Path) -> None:
    j = _journal(journal_path)
    parsed = _export(j, tmp_path / "site", feed_days=2, base_url="https://example.org/reading")
    assert [e.id for e in parsed.entries] == ["urn:journal:day:2024-05-09", "urn:journal:day:2024-05-02"]
    assert parsed.entries[0].link == "https://example.org/reading/2024-05-09.html"
    assert parsed.feed.id == "https://example.org/reading/"
    assert {link.rel: link.href for link in parsed.feed.links}[
        "self"
    ] == "https://example.org/reading/feed.xml"


@pytest.mark.parametrize("url", ["example.org", "ftp://example.org/", "https://", "https://x.org/?a=1"])
def test_bad_base_url_changes_nothing(journal_path: Path, tmp_path: Path, url: str) -> None:
    with pytest.raises(ValidationError, match="base-url"):
        html.write(_journal(journal_path).entries(), tmp_path / "site", base_url=url)
    assert not (tmp_path / "site").exists()


def test_cli_export_options(journal_path: Path, tmp_path: Path, cli) -> None:
    _journal(journal_path)
    site = tmp_path / "site"
    code, _, err = cli("--journal", str(journal_path), "export", "html", str(site), "--feed-days", "1")
    assert code == 0, err
    assert [e.title for e in feedparser.parse(str(site / "feed.xml")).entries] == ["2024년 5월 9일"]
    code, _, err = cli("--journal", str(journal_path), "export", "html", str(site), "--feed-days", "0")
    assert code == 1 and "feed-days" in err and len(err.splitlines()) == 1
    code, _, err = cli(
        "--journal", str(journal_path), "export", "jsonl", str(tmp_path / "x"), "--feed-days", "3"
    )
    assert code == 1 and "--feed-days does not apply to export jsonl" in err
    assert not (tmp_path / "x").exists()
    code, _, err = cli("--journal", str(journal_path), "export", "html", str(site), "--base-url", "nope")
    assert code == 1 and "http(s) URL" in err


def test_adding_days_keeps_the_other_days(tmp_path: Path) -> None:
    """What `journal render` does to DIR/feed.xml, without a kernel."""
    a = make_entry(title="A", date="2024-05-01", commentary="x")
    b = make_entry(title="B & <b>", date="2024-05-02", commentary="y")
    feed.add_days(tmp_path, [a], [a.date], "en")
    first = (tmp_path / "feed.xml").read_bytes()
    feed.add_days(tmp_path, [b], [b.date], "en")
    parsed = feedparser.parse(str(tmp_path / "feed.xml"))
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == ["May 2, 2024", "May 1, 2024"]
    assert "B &amp; &lt;b&gt;" in parsed.entries[0].summary
    # rendering day A again with the same entries changes nothing of A
    feed.add_days(tmp_path, [a], [a.date], "en")
    again = feedparser.parse(str(tmp_path / "feed.xml"))
    assert [(e.id, e.updated, e.summary) for e in again.entries] == [
        (e.id, e.updated, e.summary) for e in parsed.entries
    ]
    # a day re-rendered without entries leaves the feed; feed_days keeps the newest
    feed.add_days(tmp_path, [], [b.date], "en")
    assert [e.title for e in feedparser.parse(str(tmp_path / "feed.xml")).entries] == ["May 1, 2024"]
    assert (tmp_path / "feed.xml").read_bytes() == first
    c = make_entry(title="C", date="2024-05-03")
    feed.add_days(tmp_path, [c], [c.date], "en", feed_days=1)
    assert [e.title for e in feedparser.parse(str(tmp_path / "feed.xml")).entries] == ["May 3, 2024"]


def test_updated_is_the_latest_change_of_the_day() -> None:
    early = make_entry(title="A", date="2024-05-01", updated_at="2024-05-01T10:00:00Z")
    late = make_entry(title="B", date="2024-05-01", updated_at="2024-05-03T08:00:00Z")
    item = feed.day_item(dt.date(2024, 5, 1), [early, late], "en")
    assert item.updated == dt.datetime(2024, 5, 3, 8, tzinfo=dt.timezone.utc)
    assert item.id == "urn:journal:day:2024-05-01" and item.title == "May 1, 2024"
