"""Links between entries: mentions by arXiv id or URL and [[wiki links]]; one entry's
links in a big journal; `journal show`."""

from __future__ import annotations

import random

import pytest

import journal
from journal.model import make_entry
from journal.search import links as L
from journal.search.links import arxiv_mentions, build_index, entry_links, wiki_targets


def E(title, date="2024-05-09", **fields):
    return make_entry(title=title, date=date, **fields)


def linked(entries):
    index = build_index(entries)
    name = {e.id: e.title for e in entries}
    return {name[s]: [name[t] for t in ts] for s, ts in index.outgoing.items()}


def test_arxiv_mentions_in_every_form():
    text = (
        "Emu (https://arxiv.org/abs/2309.15807) 에 대한 Distillation, arXiv:2305.08891v2, "
        "see 2312.00210. Also https://arxiv.org/pdf/hep-th/9901001v1 and arxiv.org/html/2401.00001v3"
    )
    assert arxiv_mentions(text) == ["2309.15807", "2305.08891", "2312.00210", "hep-th/9901001", "2401.00001"]


@pytest.mark.parametrize(
    "text",
    [
        "version 1.2345",
        "2023.12345 (no month 23)",
        "github.com/x/2405.05254",
        "12405.05254",
        "2405.052541",
        "v2405.05254x",
    ],
)
def test_numbers_that_are_not_arxiv_ids(text):
    assert arxiv_mentions(text) == []


def test_wiki_targets_drop_alias_and_heading():
    assert wiki_targets("[[240509 You Only Cache Once.md|YOCO]] and [[Other#Section]] [[ spaced ]]") == [
        "240509 You Only Cache Once.md",
        "Other",
        "spaced",
    ]


def test_mentions_by_arxiv_url_and_bare_id():
    yoco = E("You Only Cache Once", url="https://arxiv.org/abs/2405.05254")
    flash = E("Imagine Flash", commentary="YOCO(2405.05254v2)와 비교해보면 흥미롭네요.")
    spec = E("Model Spec", url="https://cdn.openai.com/spec/model-spec-2024-05-08.html")
    note = E(
        "Note",
        commentary="스펙: https://cdn.openai.com/spec/model-spec-2024-05-08.html/ 참고",
        links=["https://arxiv.org/abs/2405.05254"],
    )
    assert linked([yoco, flash, spec, note]) == {
        "Imagine Flash": ["You Only Cache Once"],
        "Note": ["You Only Cache Once", "Model Spec"],
    }


def test_wiki_links_to_notes_then_titles():
    target = E("You Only Cache Once: Decoder-Decoder Architectures", source="arXiv/2024/240509 YOCO.md")
    by_title = E("What's up with Llama 3? Arena data analysis", date="2024-05-10")
    mentions = E(
        "Reading list",
        date="2024-05-11",
        commentary="[[240509 YOCO]] 그리고 [[240510 What's up with Llama 3 Arena data analysis.md]] 그리고 [[없는 노트]]",
    )
    assert linked([target, by_title, mentions]) == {
        "Reading list": [
            "You Only Cache Once: Decoder-Decoder Architectures",
            "What's up with Llama 3? Arena data analysis",
        ]
    }


def test_a_mention_of_a_paper_read_twice_goes_to_the_latest_reading_not_after_it():
    first = E("YOCO", date="2024-05-01", arxiv_id="2405.05254")
    second = E("YOCO again", date="2024-05-20", arxiv_id="2405.05254")
    between = E("Between", date="2024-05-10", commentary="arXiv:2405.05254")
    before = E("Before", date="2024-04-01", commentary="arXiv:2405.05254")
    index = build_index([before, first, between, second])
    assert index.links_of(between.id) == [first.id]
    assert index.links_of(before.id) == [first.id]  # none before it: the earliest
    assert index.backlinks_of(first.id) == [before.id, between.id]


def test_no_self_links_and_no_duplicates():
    yoco = E(
        "YOCO", url="https://arxiv.org/abs/2405.05254", commentary="https://arxiv.org/abs/2405.05254 [[YOCO]]"
    )
    other = E(
        "Other", commentary="arXiv:2405.05254, https://arxiv.org/abs/2405.05254v1 and 2405.05254 and [[YOCO]]"
    )
    index = build_index([yoco, other])
    assert index.links_of(yoco.id) == []
    assert index.links_of(other.id) == [yoco.id]
    assert index.backlinks_of(yoco.id) == [other.id]


# --- one entry in a big journal ----------------------------------------------------------


def _random_journal(path, n=400, seed=3):
    rng = random.Random(seed)
    entries = []
    for i in range(n):
        day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        mentions = []
        for _ in range(rng.choice([0, 0, 1, 2])):
            k = rng.randrange(max(i, 1))
            mentions.append(
                rng.choice(
                    [
                        f"arXiv:2401.{k % 50:05d}",
                        f"https://arxiv.org/abs/2401.{k % 50:05d}v2",
                        f"https://blog.example.com/post{k % 40}",
                        f"[[note {k % 60}]]",
                        f"[[Title {k % 70}]]",
                        f"[[240101 Title {k % 70}]]",
                        f"2401.{k % 50:05d}",
                    ]
                )
            )
        entries.append(
            make_entry(
                title=f"Title {i % 70}",
                date=day,
                arxiv_id=f"2401.{i % 50:05d}" if i % 3 == 0 else None,
                url=f"https://blog.example.com/post{i % 40}" if i % 3 == 1 else None,
                source=f"vault/note {i % 60}.md" if i % 4 == 0 else None,
                commentary=" 그리고 ".join(mentions) or "언급 없음",
                id=f"e{i:04d}",
            )
        )
    j = journal.open(str(path))
    j.add_many(entries, on_existing="error")
    return j


def test_entry_links_in_a_big_journal_equal_the_whole_index(tmp_path, monkeypatch):
    j = _random_journal(tmp_path / "j.parquet")
    entries = j.entries()
    index = build_index(entries)
    assert sum(len(v) for v in index.outgoing.values()) > 100
    monkeypatch.setattr(L, "SMALL", 0)  # take the shortlist path
    for e in entries[::7]:
        out, back = entry_links(j, e)
        assert [x.id for x in out] == index.links_of(e.id), e.id
        assert [x.id for x in back] == index.backlinks_of(e.id), e.id


def test_entry_links_accepts_an_id(tmp_path):
    j = journal.open(str(tmp_path / "j.parquet"))
    a = j.add(title="A", date="2024-01-01", url="https://arxiv.org/abs/2401.00001")
    b = j.add(title="B", date="2024-01-02", commentary="A를 참고: arXiv:2401.00001")
    assert entry_links(j, b.id) == ([a], [])
    assert entry_links(j, a.id[:6]) == ([], [b])


# --- journal show --------------------------------------------------------------------------


def test_show_lists_links_and_backlinks_only_when_there_are_some(tmp_path, cli):
    path = tmp_path / "j.parquet"
    j = journal.open(str(path))
    a = j.add(title="YOCO", date="2024-05-09", url="https://arxiv.org/abs/2405.05254")
    b = j.add(title="Flash", date="2024-05-10", commentary="YOCO와 비교: https://arxiv.org/abs/2405.05254")
    c = j.add(title="Alone", date="2024-05-11", commentary="아무 링크도 없음")
    _, out_a, _ = cli("show", a.id, "--journal", str(path))
    assert "Linked from\n  " + f"{b.id}  2024-05-10  Flash" in out_a and "\nLinks\n" not in out_a
    _, out_b, _ = cli("show", b.id, "--journal", str(path))
    assert "Links\n  " + f"{a.id}  2024-05-09  YOCO" in out_b and "Linked from" not in out_b
    _, out_c, _ = cli("show", c.id, "--journal", str(path))
    assert "Links" not in out_c and "Linked from" not in out_c


def test_show_on_the_seed_journal(seed_journal, cli):
    code, out, _ = cli("show", "fba49364850a", "--journal", str(seed_journal))
    assert code == 0 and "Imagine Flash" in out and "Linked from" not in out
