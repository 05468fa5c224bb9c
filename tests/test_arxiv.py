"""arXiv capture against recorded API answers served from a local http.server."""

from __future__ import annotations

import datetime as dt
import json
import socket
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import DATA, run_cli
from stub_server import StubServer

from journal import arxiv
from journal.capture import fetch_fields, fill_from_arxiv, find_same_paper, same_paper, with_fresh_id
from journal.errors import (
    ArxivBadResponse,
    ArxivNotFound,
    ArxivTimeout,
    ArxivUnreachable,
    InvalidArxivId,
)
from journal.model import make_entry
from journal.store import Journal

RECORDED = DATA / "arxiv"
INDEX = json.loads((RECORDED / "index.json").read_text(encoding="utf-8"))
SEED_LINES = (DATA / "digest-2024-05-09.txt").read_text(encoding="utf-8").split("\n")


class FakeArxiv(StubServer):
    """A local stand-in for export.arxiv.org that answers from tests/data/arxiv/."""

    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []
        super().__init__(self.answer)
        self.url = f"{self.base}/api/query"

    def answer(self, path: str) -> tuple[int, bytes, str]:
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        self.requests.append(query)
        answer = INDEX.get(",".join(query.get("id_list", [])))
        if parts.path != "/api/query" or answer is None:
            return 404, b"no recorded answer", "text/plain"
        body = (
            (RECORDED / answer["file"]).read_bytes() if "file" in answer else answer["body"].encode("utf-8")
        )
        return answer.get("status", 200), body, "application/atom+xml; charset=utf-8"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # no test may touch the real arXiv or the user's cache folder
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("JOURNAL_CACHE", raising=False)
    monkeypatch.setenv("JOURNAL_ARXIV_API", "http://127.0.0.1:9/never-used")


@pytest.fixture
def fake_arxiv(monkeypatch: pytest.MonkeyPatch):
    server = FakeArxiv()
    monkeypatch.setenv("JOURNAL_ARXIV_API", server.url)
    yield server
    server.close()


@pytest.fixture
def closed_port_api() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/query"


def _seed_entry(title: str) -> tuple[tuple[str, ...], str]:
    i = SEED_LINES.index(title)
    return tuple(SEED_LINES[i + 1].strip("()").split(", ")), SEED_LINES[i + 2]


# --- fetching -----------------------------------------------------------------------------


def test_fetch_one_paper(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    (record,) = arxiv.fetch(["2405.05254"], cache_dir=tmp_path / "cache")
    authors, abstract = _seed_entry("You Only Cache Once: Decoder-Decoder Architectures for Language Models")
    assert record.arxiv_id == "2405.05254"
    assert record.version == 2
    assert record.title == "You Only Cache Once: Decoder-Decoder Architectures for Language Models"
    assert record.authors == authors
    assert record.abstract == abstract  # the hard-wrapped summary is one paragraph again
    assert record.url == "https://arxiv.org/abs/2405.05254"
    assert record.primary_category == "cs.CL"
    assert record.published == dt.date(2024, 5, 8)
    assert fake_arxiv.requests == [{"id_list": ["2405.05254"], "max_results": ["1"]}]


def test_fetch_several_ids_in_one_request(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    records = arxiv.fetch(
        ["https://arxiv.org/abs/2405.05254", "arXiv:2309.15807", "hep-th/9711200"], cache_dir=tmp_path / "c"
    )
    assert len(fake_arxiv.requests) == 1
    assert fake_arxiv.requests[0]["id_list"] == ["2405.05254,2309.15807,hep-th/9711200"]
    # arXiv answers in its own order; the records come back in the order asked
    assert [r.arxiv_id for r in records] == ["2405.05254", "2309.15807", "hep-th/9711200"]
    emu, old = records[1], records[2]
    assert emu.title == "Emu: Enhancing Image Generation Models Using Photogenic Needles in a Haystack"
    assert len(emu.authors) == 26 and emu.authors[-1] == "Devi Parikh"
    assert "$82.9\\%$" in emu.abstract
    assert old.version == 3 and old.primary_category == "hep-th"
    assert old.journal_ref == "Adv.Theor.Math.Phys.2:231-252,1998"
    assert old.doi == "10.1023/A:1026654312961"
    assert old.authors == ("Juan M. Maldacena",)  # the affiliation is not part of the name
    assert old.url == "https://arxiv.org/abs/hep-th/9711200"


def test_cache_hit_makes_no_request(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = arxiv.fetch(["2309.15807"], cache_dir=cache)
    assert len(fake_arxiv.requests) == 1
    assert (cache / "2309.15807.json").exists() and (cache / "2309.15807v1.json").exists()
    again = arxiv.fetch(["https://arxiv.org/pdf/2309.15807"], cache_dir=cache)
    by_version = arxiv.fetch(["2309.15807v1"], cache_dir=cache)
    assert len(fake_arxiv.requests) == 1
    assert again == first == by_version


def test_cache_works_offline(fake_arxiv: FakeArxiv, tmp_path: Path, closed_port_api: str) -> None:
    cache = tmp_path / "cache"
    arxiv.fetch(["hep-th/9711200"], cache_dir=cache)
    assert (cache / "hep-th_9711200.json").exists()  # old-style ids make safe file names
    (record,) = arxiv.fetch(["hep-th/9711200v3"], cache_dir=cache, api=closed_port_api)
    assert record.title.startswith("The Large N Limit")


def test_damaged_cache_file_is_fetched_again(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "2405.05254.json").write_text("{not json", encoding="utf-8")
    (record,) = arxiv.fetch(["2405.05254"], cache_dir=cache)
    assert record.version == 2 and len(fake_arxiv.requests) == 1


def test_refresh_bypasses_the_cache(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    limiter = arxiv.RateLimiter(tmp_path / "state", clock=lambda: 0.0, sleep=lambda s: None)
    arxiv.fetch(["2405.05254"], cache_dir=tmp_path / "c", limiter=limiter)
    arxiv.fetch(["2405.05254"], cache_dir=tmp_path / "c", refresh=True, limiter=limiter)
    assert len(fake_arxiv.requests) == 2


def test_only_missing_ids_are_requested(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    arxiv.fetch(["2309.15807"], cache_dir=cache)
    arxiv.fetch(["2309.15807", "hep-th/9711200"], cache_dir=cache, limiter=_no_wait(tmp_path))
    assert [q["id_list"] for q in fake_arxiv.requests] == [["2309.15807"], ["hep-th/9711200"]]


def _no_wait(tmp_path: Path) -> arxiv.RateLimiter:
    return arxiv.RateLimiter(tmp_path / "state", clock=lambda: 0.0, sleep=lambda s: None)


# --- errors -----------------------------------------------------------------------------


def test_offline_gives_a_clear_error(closed_port_api: str, tmp_path: Path) -> None:
    with pytest.raises(ArxivUnreachable) as info:
        arxiv.fetch(["2405.05254"], cache_dir=tmp_path / "c", api=closed_port_api)
    message = str(info.value)
    assert message.startswith(f"cannot reach arXiv at {closed_port_api} (")
    assert "check your connection, or set JOURNAL_ARXIV_API" in message
    assert not (tmp_path / "c" / "2405.05254.json").exists()


def test_timeout_gives_a_clear_error(tmp_path: Path) -> None:
    # a server that accepts the connection and never answers
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        api = f"http://127.0.0.1:{silent.getsockname()[1]}/api/query"
        with pytest.raises(ArxivTimeout, match=r"did not answer within 0.2 s"):
            arxiv.fetch(["2405.05254"], cache_dir=tmp_path / "c", api=api, timeout=0.2)


@pytest.mark.parametrize(
    "text",
    [
        "2405.0525",
        "1234.12345",
        "0612.1234",
        "1401.12345",
        "24050.5254",
        "hello",
        "https://arxiv.org/abs/",
        "https://example.com/2405.05254",
    ],
)
def test_malformed_id_fails_before_any_request(fake_arxiv: FakeArxiv, tmp_path: Path, text: str) -> None:
    with pytest.raises(InvalidArxivId, match="is not an arXiv id or URL"):
        arxiv.fetch(["2405.05254", text], cache_dir=tmp_path / "c")
    assert fake_arxiv.requests == []


def test_unknown_id(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    with pytest.raises(
        ArxivNotFound,
        match=r"arXiv has no paper 2405\.99999; check the id at https://arxiv.org/abs/2405\.99999",
    ):
        arxiv.fetch(["2405.99999"], cache_dir=tmp_path / "c")


def test_unknown_id_among_known_ones_is_named(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    with pytest.raises(ArxivNotFound) as info:
        arxiv.fetch(["2405.05254", "2405.99999"], cache_dir=tmp_path / "c")
    assert info.value.ids == ["2405.99999"]
    assert len(fake_arxiv.requests) == 1
    assert (tmp_path / "c" / "2405.05254.json").exists()  # what was found is kept


def test_error_entry_is_reported(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    # arXiv rejects an id it finds malformed with an entry titled "Error" (here with HTTP 400)
    with pytest.raises(ArxivNotFound, match=r"bogus/9901001 \(incorrect id format for bogus/9901001\)"):
        arxiv.fetch(["bogus/9901001"], cache_dir=tmp_path / "c")


def test_error_entry_with_http_200_is_not_a_paper() -> None:
    records, errors = arxiv.parse_feed((RECORDED / "error.xml").read_bytes())
    assert records == [] and errors == ["incorrect id format for bogus/9901001"]


def test_rate_exceeded(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    with pytest.raises(ArxivBadResponse, match=r"limiting the request rate \(HTTP 503\); wait a minute"):
        arxiv.fetch(["2405.00001"], cache_dir=tmp_path / "c")


def test_not_a_feed(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    with pytest.raises(ArxivBadResponse, match="not an Atom feed; check JOURNAL_ARXIV_API"):
        arxiv.fetch(["2405.00002"], cache_dir=tmp_path / "c")


def test_api_must_be_http(tmp_path: Path) -> None:
    with pytest.raises(arxiv.ArxivError, match="not an http"):
        arxiv.fetch(["2405.05254"], cache_dir=tmp_path / "c", api="file:///etc/passwd")


# --- the rate limit (an injected clock: no real sleeping) ---------------------------------


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limiter_spaces_requests(tmp_path: Path) -> None:
    clock = FakeClock(1000.0)
    limiter = arxiv.RateLimiter(tmp_path, clock=clock, sleep=clock.sleep)
    assert limiter.wait() == 0
    clock.now += 1.0
    assert limiter.wait() == pytest.approx(2.0)
    # another process (another limiter on the same folder) queues behind
    other = arxiv.RateLimiter(tmp_path, clock=clock, sleep=clock.sleep)
    assert other.wait() == pytest.approx(3.0)
    clock.now += 60
    assert limiter.wait() == 0
    assert clock.slept == [pytest.approx(2.0), pytest.approx(3.0)]


def test_concurrent_reservations_get_distinct_slots(tmp_path: Path) -> None:
    clock = FakeClock(50.0)
    limiters = [arxiv.RateLimiter(tmp_path, clock=clock, sleep=clock.sleep) for _ in range(3)]
    assert sorted(round(lim.reserve(), 6) for lim in limiters) == [0.0, 3.0, 6.0]


def test_rate_limiter_survives_a_clock_set_back(tmp_path: Path) -> None:
    (tmp_path / "last-request").write_text("999999999999\n")
    clock = FakeClock(1000.0)
    limiter = arxiv.RateLimiter(tmp_path, clock=clock, sleep=clock.sleep)
    assert limiter.wait() <= arxiv.MIN_INTERVAL


def test_rate_limiter_ignores_a_damaged_stamp(tmp_path: Path) -> None:
    (tmp_path / "last-request").write_text("garbage")
    clock = FakeClock(10.0)
    assert arxiv.RateLimiter(tmp_path, clock=clock, sleep=clock.sleep).wait() == 0


def test_fetch_waits_between_requests(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    clock = FakeClock(500.0)
    limiter = arxiv.RateLimiter(tmp_path / "c", clock=clock, sleep=clock.sleep)
    arxiv.fetch(["2405.05254"], cache_dir=tmp_path / "c", limiter=limiter)
    arxiv.fetch(["2309.15807"], cache_dir=tmp_path / "c", limiter=limiter)
    arxiv.fetch(["2309.15807"], cache_dir=tmp_path / "c", limiter=limiter)  # cached: no wait
    assert clock.slept == [pytest.approx(3.0)]
    assert len(fake_arxiv.requests) == 2


def test_fetch_keeps_the_stamp_in_the_cache_folder(fake_arxiv: FakeArxiv, tmp_path: Path) -> None:
    arxiv.fetch(["2405.05254"], cache_dir=tmp_path / "c")
    assert float((tmp_path / "c" / "last-request").read_text()) > 0


# --- capture -----------------------------------------------------------------------------


def test_fetch_fields_and_cache_beside_the_journal(fake_arxiv: FakeArxiv, journal_path: Path) -> None:
    fields = fetch_fields("https://arxiv.org/pdf/2405.05254v2", journal_path)
    assert fields["title"].startswith("You Only Cache Once")
    assert fields["arxiv_id"] == "2405.05254" and fields["arxiv_version"] == 2
    assert fields["url"] == "https://arxiv.org/abs/2405.05254"
    assert isinstance(fields["authors"], list) and fields["authors"][0] == "Yutao Sun"
    assert (journal_path.parent / "entries.parquet.d" / "arxiv-cache" / "2405.05254v2.json").exists()
    assert make_entry(**fields).arxiv_version == 2


def test_journal_cache_variable_moves_the_cache(
    fake_arxiv: FakeArxiv, journal_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNAL_CACHE", str(tmp_path / "elsewhere"))
    fetch_fields("2309.15807", journal_path)
    assert (tmp_path / "elsewhere" / "2309.15807.json").exists()
    assert not (journal_path.parent / "entries.parquet.d").exists()


def test_user_fields_win(fake_arxiv: FakeArxiv, journal_path: Path) -> None:
    fields = fill_from_arxiv(
        "2405.05254",
        {"title": "YOCO", "tags": "efficiency", "url": "https://example.com/yoco-notes"},
        journal_path,
    )
    assert fields["title"] == "YOCO" and fields["tags"] == "efficiency"
    assert fields["url"] == "https://example.com/yoco-notes"
    assert fields["links"] == ["https://arxiv.org/abs/2405.05254"]  # kept, not dropped
    assert fields["abstract"].startswith("We introduce a decoder-decoder architecture")


def test_find_same_paper(journal_path: Path) -> None:
    j = Journal(journal_path)
    first = j.add(title="YOCO", arxiv_id="2405.05254v1", date="2024-05-09")
    blog = j.add(title="A post", url="http://example.com/post/", date="2024-05-10")
    j.add(title="Other", arxiv_id="2309.15807", date="2024-05-11")
    later = make_entry(title="You Only Cache Once", arxiv_id="2405.05254v2", date="2024-06-01")
    assert find_same_paper(j, later) == first
    assert find_same_paper(j, make_entry(title="x", url="https://example.com/post")) == blog
    assert find_same_paper(j, make_entry(title="YOCO", date="2024-05-09")) is None  # no id, no URL
    assert find_same_paper(Journal(journal_path.with_name("empty.parquet")), later) is None


def test_same_paper_sees_pending_changes(journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from journal import store

    monkeypatch.setattr(store, "SMALL_JOURNAL_ROWS", 0)  # every write a change file, as in big journals
    j = Journal(journal_path)
    yoco = make_entry(title="YOCO", arxiv_id="2405.05254", date="2024-06-01")
    assert same_paper(j, yoco) is None  # no snapshot, no changes
    first = j.add(title="YOCO", arxiv_id="2405.05254", date="2024-05-09")
    assert same_paper(j, yoco) == (first.id, first.date, "YOCO")  # only in a change file
    j.compact()
    assert j.pending_changes() == 0
    assert same_paper(j, yoco) == (first.id, first.date, "YOCO")  # in the snapshot
    second = j.add(title="YOCO again", arxiv_id="2405.05254v2", date="2024-05-20")
    # another reading the same day (an id of its own, as `--again` gives)
    third = j.add(
        make_entry(title="YOCO, same day", arxiv_id="2405.05254", date="2024-05-20", source_key="2nd")
    )
    assert j.pending_changes() == 2
    assert same_paper(j, yoco).id == third.id  # latest day; on that day the last added
    j.delete(third.id)
    assert same_paper(j, yoco).id == second.id
    j.update(second.id, arxiv_id="2309.15807")  # edited into another paper
    assert same_paper(j, yoco).id == first.id
    j.update(first.id, arxiv_id="2309.15807")
    assert same_paper(j, yoco) is None
    blog = make_entry(title="post", url="https://example.com/p/")
    j.add(title="Post", url="http://example.com/p", date="2024-05-01")
    assert same_paper(j, blog).title == "Post"
    assert find_same_paper(j, blog).url == "http://example.com/p"


def test_with_fresh_id(journal_path: Path) -> None:
    j = Journal(journal_path)
    stored = j.add(title="YOCO", arxiv_id="2405.05254", date="2024-05-09")
    again = make_entry(title="YOCO", arxiv_id="2405.05254", date="2024-05-09")
    fresh = with_fresh_id(j, again)
    assert fresh.id != stored.id and fresh.id == with_fresh_id(j, again).id  # stable
    j.add(fresh)
    assert with_fresh_id(j, again).id not in (stored.id, fresh.id)


# --- the command line --------------------------------------------------------------------


def test_cli_add_arxiv(fake_arxiv: FakeArxiv, journal_path: Path, cli) -> None:
    code, out, err = cli(
        "add", "--journal", str(journal_path), "--arxiv", "https://arxiv.org/pdf/2405.05254v2",
        "--commentary", "인코더-디코더가 이렇게 다시 등장하는군요.\n\n둘째 문단.",
        "--tags", "efficiency #yoco",
        "--date", "2024-05-09",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("added ") and "You Only Cache Once" in out
    (entry,) = Journal(journal_path).entries()
    assert entry.title == "You Only Cache Once: Decoder-Decoder Architectures for Language Models"
    assert entry.authors[0] == "Yutao Sun" and len(entry.authors) == 9
    assert entry.arxiv_id == "2405.05254" and entry.arxiv_version == 2
    assert entry.url == "https://arxiv.org/abs/2405.05254"
    assert entry.paragraphs == ["인코더-디코더가 이렇게 다시 등장하는군요.", "둘째 문단."]
    assert entry.tags == ("efficiency", "yoco")
    assert entry.abstract.endswith("Code is available at https://aka.ms/YOCO.")
    assert fake_arxiv.requests == [{"id_list": ["2405.05254v2"], "max_results": ["1"]}]


def test_cli_refuses_a_paper_already_read_unless_again(
    fake_arxiv: FakeArxiv, journal_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arxiv, "MIN_INTERVAL", 0.0)  # two requests; the limit is tested above
    j = ["--journal", str(journal_path)]
    assert cli("add", *j, "--arxiv", "2405.05254v2", "--date", "2024-05-09")[0] == 0
    (first,) = Journal(journal_path).entries()
    code, out, err = cli("add", *j, "--arxiv", "https://arxiv.org/abs/2405.05254", "--date", "2024-06-01")
    assert code == 1 and out == ""
    assert err.startswith("journal: error: this paper is already in the journal: ")
    assert f"journal show {first.id}" in err and "(2024-05-09)" in err and "--again" in err
    assert len(Journal(journal_path).entries()) == 1
    # the same day too: then --again needs an id of its own
    assert cli("add", *j, "--arxiv", "2405.05254v2", "--date", "2024-05-09")[0] == 1
    assert cli("add", *j, "--arxiv", "2405.05254", "--date", "2024-06-01", "--again")[0] == 0
    assert cli("add", *j, "--arxiv", "2405.05254v2", "--date", "2024-05-09", "--again")[0] == 0
    entries = Journal(journal_path).entries()
    assert [e.date.isoformat() for e in entries] == ["2024-05-09", "2024-05-09", "2024-06-01"]
    assert len({e.id for e in entries}) == 3
    assert len(fake_arxiv.requests) == 2  # 2405.05254v2 once, 2405.05254 once; the rest cached


def test_cli_same_url_is_the_same_paper(journal_path: Path, cli) -> None:
    j = ["--journal", str(journal_path)]
    assert cli("add", *j, "--title", "Model Spec", "--url", "https://cdn.openai.com/spec/x.html")[0] == 0
    code, _, err = cli("add", *j, "--title", "Model Spec again", "--url", "http://cdn.openai.com/spec/x.html",
                       "--date", "2024-01-01")  # fmt: skip
    assert code == 1 and "this paper is already in the journal" in err


def test_cli_malformed_arxiv_id(fake_arxiv: FakeArxiv, journal_path: Path, cli) -> None:
    code, _out, err = cli("add", "--journal", str(journal_path), "--arxiv", "2405.0525")
    assert code == 1 and "'2405.0525' is not an arXiv id or URL" in err
    assert fake_arxiv.requests == [] and not journal_path.exists()


def test_cli_offline_is_one_clear_line(journal_path: Path, closed_port_api: str) -> None:
    result = run_cli("add", "--arxiv", "2405.05254", journal=journal_path, JOURNAL_ARXIV_API=closed_port_api,
                     XDG_CACHE_HOME=str(journal_path.parent / "xdg"))  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith(f"journal: error: cannot reach arXiv at {closed_port_api} (")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not journal_path.exists()


def test_cli_subprocess_uses_the_api_variable(fake_arxiv: FakeArxiv, journal_path: Path) -> None:
    result = run_cli("add", "--arxiv", "hep-th/9711200", "--tags", "holography", journal=journal_path,
                     JOURNAL_ARXIV_API=fake_arxiv.url)  # fmt: skip
    assert result.returncode == 0, result.stderr
    (entry,) = Journal(journal_path).entries()
    assert entry.arxiv_id == "hep-th/9711200" and entry.arxiv_version == 3 and entry.tags == ("holography",)


@pytest.mark.parametrize(
    "given", ["2405.05254", "2405.05254v1", "arXiv:2405.05254v2", "https://arxiv.org/pdf/2405.05254v2.pdf"]
)
def test_cli_paper_already_read_is_refused_offline(
    seed_journal: Path, closed_port_api: str, cli, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    # no network and no metadata cache: the refusal needs neither
    monkeypatch.setenv("JOURNAL_ARXIV_API", closed_port_api)
    j = ["--journal", str(seed_journal)]
    code, out, _ = cli("add", *j, "--title", "YOCO", "--arxiv-id", "2405.05254v2", "--date", "2024-05-10")
    assert code == 0
    yoco = out.split()[1]
    code, out, err = cli("add", *j, "--arxiv", given)
    assert (code, out) == (1, "")
    assert err.startswith(f"journal: error: this paper is already in the journal: {yoco} (2024-05-10)")
    assert "cannot reach" not in err
    assert len(Journal(seed_journal).entries()) == 6
    # --again adds it all the same: then arXiv (or the cache) must answer
    code, _, err = cli("add", *j, "--arxiv", given, "--again")
    assert code == 1 and err.startswith(f"journal: error: cannot reach arXiv at {closed_port_api} (")
    assert len(Journal(seed_journal).entries()) == 6
