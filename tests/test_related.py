"""journal related: links, shared tags, authors and character n-gram text similarity."""

from __future__ import annotations

import pytest

import journal
from journal.errors import EntryNotFound, ValidationError
from journal.model import make_entry
from journal.search import related as R
from journal.search.related import _grams, _probes, related

BASE = [
    dict(
        id="distill",
        title="Diffusion Distillation Without Retraining",
        date="2024-05-01",
        authors="Minji Kim, Li Dong",
        commentary="디퓨전 모델을 재학습 없이 증류해서 샘플링 스텝을 네 번으로 줄였네요. 교사 모델의 궤적을 그대로 따라갑니다.",
        tags="diffusion distillation",
        url="https://arxiv.org/abs/2405.00001",
    ),
    dict(
        id="consistency",
        title="Consistency Models for Fast Sampling",
        date="2024-05-02",
        commentary="디퓨전 모델의 샘플링을 한 스텝으로 줄이는 증류 방법입니다. 교사 모델 없이도 학습할 수 있군요.",
        tags="",
    ),
    dict(
        id="cites",
        title="Follow-up Notes",
        date="2024-05-03",
        commentary="이전에 읽은 arXiv:2405.00001 의 후속 작업.",
        tags="",
    ),
    dict(
        id="tagged",
        title="Latent Diffusion at Scale",
        date="2024-05-04",
        commentary="큰 해상도의 이미지를 잠재 공간에서 생성합니다.",
        tags="diffusion",
    ),
    dict(
        id="rlhf",
        title="Reward Model Ensembles",
        date="2024-05-05",
        commentary="보상 모델 앙상블로 보상 해킹을 줄인다는 이야기입니다. 선호 데이터 품질이 중요합니다.",
        tags="alignment",
    ),
    dict(
        id="coauthor",
        title="Sparse Attention Kernels",
        date="2024-05-06",
        authors="Li Dong",
        commentary="희소 어텐션 커널을 GPU에서 빠르게 구현했습니다.",
        tags="efficiency",
    ),
    dict(
        id="again",
        title="Diffusion Distillation Without Retraining",
        date="2024-06-01",
        commentary="다시 읽음.",
        arxiv_id="2405.00001",
    ),
]


@pytest.fixture
def j(tmp_path):
    j = journal.open(str(tmp_path / "entries.parquet"))
    j.add_many([make_entry(**spec) for spec in BASE], on_existing="error")
    return j


def ranked(j, entry_id, **options):
    return [r.entry.id for r in related(j, entry_id, **options)]


def reasons(j, entry_id):
    return {r.entry.id: r.reason for r in related(j, entry_id)}


def test_similar_korean_text_ranks_above_unrelated_text(j):
    order = ranked(j, "consistency")
    assert order[0] == "distill"
    assert order.index("distill") < order.index("rlhf")
    assert order.index("distill") < order.index("coauthor")


def test_reasons_name_links_tags_authors_and_the_same_paper(j):
    why = reasons(j, "distill")
    assert why["cites"].startswith("links to it")
    assert why["tagged"].startswith("#diffusion")
    assert "1 shared author" in why["coauthor"]
    assert "same paper" in why["again"]
    assert all("text " in reason for reason in why.values())
    assert reasons(j, "cites")["distill"].startswith("linked from it")


def test_the_best_signals_come_first(j):
    order = ranked(j, "distill")
    assert order.index("rlhf") == len(order) - 1  # nothing shared
    assert set(order[:3]) >= {"cites", "again"}


def test_limit_and_self_excluded(j):
    assert len(related(j, "distill", limit=2)) == 2
    with pytest.raises(ValidationError, match="limit"):
        related(j, "distill", limit=0)
    assert "distill" not in ranked(j, "distill")


def test_scores_decrease(j):
    scores = [r.score for r in related(j, "distill")]
    assert scores == sorted(scores, reverse=True)


def test_an_entry_alone_has_no_related(tmp_path):
    j = journal.open(str(tmp_path / "j.parquet"))
    e = j.add(title="Only one", date="2024-01-01")
    assert related(j, e.id) == []


def test_unknown_id(j):
    with pytest.raises(EntryNotFound):
        related(j, "nope")


def test_character_ngrams_share_stems_across_particles():
    a_codes, _ = _grams("학습을")
    b_codes, _ = _grams("학습은")
    shared = set(a_codes) & set(b_codes)
    assert shared  # 학습
    _, counts = _grams("aa aa")
    assert counts.sum() == 4 + 3  # bigrams aa, "a ", " a", aa and trigrams "aa ", "a a", " aa"


def test_probes_drop_particles_and_short_words():
    assert _probes("디퓨전 모델을 재학습 없이 the distillation of 2405 model") == [
        "디퓨전",
        "모델",
        "재학습",
        "없이",
        "distillation",
        "model",
    ]


def test_big_journal_shortlist_finds_the_same_best_entries(tmp_path, monkeypatch):
    filler = [
        make_entry(
            title=f"Filler {i}",
            date="2023-01-01",
            commentary=f"관계없는 메모 {i}. 오늘은 날씨 이야기와 요리 레시피를 정리했습니다.",
            id=f"filler{i:03d}",
        )
        for i in range(200)
    ]
    j = journal.open(str(tmp_path / "big.parquet"))
    j.add_many([*filler, *(make_entry(**spec) for spec in BASE)], on_existing="error")
    assert ranked(j, "consistency", limit=1) == ["distill"]
    monkeypatch.setattr(R, "FULL", 0)
    monkeypatch.setattr(R, "SAMPLE", 64)
    assert ranked(j, "consistency", limit=1) == ["distill"]  # from the shortlist
    assert ranked(j, "cites", limit=1) == ["distill"]  # linked, though the text shares little


def test_cli_related(j, cli):
    code, out, _ = cli("related", "distill", "--journal", str(j.path), "--limit", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "date", "score", "title", "why"]
    assert len(lines) == 4


def test_cli_related_errors_and_help(j, cli, capsys):
    code, out, err = cli("related", "zzzzzz", "--journal", str(j.path))
    assert code == 1 and out == "" and "no entry with id 'zzzzzz'" in err
    from journal.cli import main

    with pytest.raises(SystemExit):
        main(["related", "--help"])
    assert "--limit" in capsys.readouterr().out


def test_cli_related_on_the_seed(seed_journal, cli):
    code, out, _ = cli("related", "fba49364850a", "--journal", str(seed_journal))
    assert code == 0
    assert out.splitlines()[1].startswith("d72335cdab44")  # YOCO: #efficiency and similar text
