"""Naming an entry by the paper it is about: an arXiv id or URL in show, edit, rm and search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import journal
from journal import textindex as ti

FORMS = [
    "2503.04625",
    "2503.04625v2",
    "arXiv:2503.04625",
    "https://arxiv.org/abs/2503.04625v2",
    "http://arxiv.org/pdf/2503.04625v1.pdf",
    "https://export.arxiv.org/abs/2503.04625/",
]


@pytest.fixture
def papers(seed_journal: Path) -> journal.Journal:
    """The seed day, one paper read twice and one old-style paper read once."""
    j = journal.open(seed_journal)
    j.add(title="Linear-Time Sequence Modeling", date="2025-03-07", arxiv_id="2503.04625v1", tags="ssm")
    j.add(title="Linear-Time, read again", date="2025-04-01", url="https://arxiv.org/abs/2503.04625v2")
    j.add(title="Large N limit", date="2025-04-02", arxiv_id="hep-th/9711200v3")
    j.add(title="Mentions it", date="2025-04-03", commentary="builds on arXiv:2503.04625")
    return j


def _ids(j: journal.Journal, *titles: str) -> list[str]:
    return [e.id for t in titles for e in j.entries() if e.title == t]


@pytest.mark.parametrize("given", FORMS)
def test_show_by_arxiv_id_or_url_shows_every_entry_of_the_paper(papers, cli, given):
    code, out, err = cli("show", given, "--journal", str(papers.path))
    assert code == 0
    first, second = _ids(papers, "Linear-Time Sequence Modeling", "Linear-Time, read again")
    assert f"  id       {first}" in out and f"  id       {second}" in out
    assert out.index(first) < out.index(second)  # oldest first
    assert out.count("\n  id       ") == 2  # "Mentions it" shows only as a backlink
    assert err == "journal: note: 2 entries are about this paper (oldest first)\n"


def test_show_old_style_id_and_a_hex_prefix_as_before(papers, cli):
    (maldacena,) = _ids(papers, "Large N limit")
    code, out, err = cli("show", "hep-th/9711200v3", "--journal", str(papers.path))
    assert (code, err) == (0, "") and out.startswith("Large N limit\n")
    code, out, _ = cli("show", maldacena[:5], "--journal", str(papers.path))
    assert code == 0 and out.startswith("Large N limit\n")


def test_an_unknown_paper_is_one_clear_line(papers, cli):
    code, out, err = cli("show", "2503.99999", "--journal", str(papers.path))
    assert (code, out) == (1, "")
    assert err == (
        "journal: error: no entry is about the arXiv paper 2503.99999; `journal add --arxiv 2503.99999` "
        "adds it, `journal search 2503.99999` finds entries that mention it\n"
    )


def test_edit_and_rm_take_the_paper_of_one_entry_and_refuse_several(papers, cli):
    where = ["--journal", str(papers.path)]
    code, out, _ = cli("edit", "https://arxiv.org/abs/hep-th/9711200", "--tags", "holography", *where)
    assert code == 0 and out.startswith("updated ")
    assert journal.open(papers.path).get("hep-th/9711200").tags == ("holography",)
    before = journal.open(papers.path).entries()
    for command in (["rm", "2503.04625"], ["edit", "2503.04625v2", "--tags", "x"]):
        code, out, err = cli(*command, *where)
        assert (code, out) == (1, "")
        assert err.startswith("journal: error: several entries are about the arXiv paper 2503.04625 (")
        assert err.count("\n") == 1
    assert journal.open(papers.path).entries() == before  # nothing changed
    code, out, _ = cli("rm", "arXiv:hep-th/9711200", *where)
    assert code == 0 and out.startswith("removed ") and "Large N limit" in out


@pytest.mark.parametrize("given", FORMS)
def test_search_finds_the_paper_by_any_form_of_its_id(papers, cli, given):
    code, out, _ = cli("search", given, "--json", "--limit", "0", "--journal", str(papers.path))
    assert code == 0
    titles = {json.loads(line)["title"] for line in out.splitlines()}
    assert titles == {"Linear-Time Sequence Modeling", "Linear-Time, read again", "Mentions it"}


def test_search_cache_file_holds_the_arxiv_id(papers, monkeypatch):
    from journal.search import search

    monkeypatch.setattr(ti, "DISK_MIN_ROWS", 1)
    papers.compact()
    assert {h.title for h in search(papers, "hep-th/9711200").hits} == {"Large N limit"}
    assert (papers.sidecar / ti.CACHE_NAME).exists()
    fresh = journal.open(papers.path)  # reads the cache file
    assert {h.title for h in search(fresh, "hep-th/9711200").hits} == {"Large N limit"}
    assert {h.title for h in search(fresh, '"linear time"').hits} == {
        "Linear-Time Sequence Modeling",
        "Linear-Time, read again",
    }


@given(st.text(alphabet="0123456789abcdef", min_size=1, max_size=12))
def test_an_id_prefix_is_never_taken_for_an_arxiv_id(prefix):
    from journal.refs import arxiv_ref

    assert arxiv_ref(prefix) is None
