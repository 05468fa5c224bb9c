"""The triage ranker: what it learns from and what it returns (no I/O, small frames)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from journal.triage.ranker import SEEN_DAYS, rank_papers

DATA = Path(__file__).parent / "data" / "triage"
DAY = dt.date(2025, 3, 12)

TOPICS = {
    "diffusion": "diffusion denoising score sampler image generation noise schedule guidance latent unet",
    "protein": "protein folding residue structure sequence binding enzyme molecular docking amino",
    "speech": "speech acoustic phoneme recognition waveform speaker audio prosody vocoder transcription",
    "robot": "robot manipulation grasping locomotion control policy gripper trajectory arm sim2real",
    "graph": "graph node edge message passing neighbourhood spectral clustering vertex link prediction",
}
COMMON = "we propose method results show approach model performance experiments paper novel"


def paper(topic: str, i: int, rng: np.random.Generator, **extra: object) -> dict[str, object]:
    words = TOPICS[topic].split()
    body = " ".join(rng.choice(words, 25)) + " " + " ".join(rng.choice(COMMON.split(), 10))
    row: dict[str, object] = {
        "arxiv_id": f"2503.{list(TOPICS).index(topic) + 1}{i:04d}",
        "title": f"{topic.title()} {' '.join(rng.choice(words, 4))}",
        "authors": [f"{topic} author {i % 7}", f"someone {topic} {i}"],
        "abstract": body,
    }
    row.update(extra)
    return row


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows).drop_duplicates("arxiv_id").reset_index(drop=True)


def journal(topics: dict[str, int], days_ago: int = 3, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for topic, count in topics.items():
        for i in range(count):
            rows.append(paper(topic, 1000 + i, rng, date=DAY - dt.timedelta(days=days_ago + i), tags=[topic]))
    return frame(rows)


def seen_papers(seed: int = 1, per_topic: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        paper(topic, 2000 + i, rng, date=DAY - dt.timedelta(days=1 + i % 20))
        for topic in TOPICS
        for i in range(per_topic)
    ]
    return frame(rows)


def listing(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return frame([paper(topic, 3000 + i, rng, date=DAY) for topic in TOPICS for i in range(6)])


def top_topic(ranked: pd.DataFrame) -> str:
    return str(ranked.iloc[0]["title"]).split()[0].lower()


def test_read_papers_are_marked_and_left_out_of_the_ranking() -> None:
    entries = journal({"diffusion": 10})
    today = listing()
    today.loc[3, "arxiv_id"] = str(entries.loc[0, "arxiv_id"]) + "v2"  # any version counts
    ranked = rank_papers(entries, today, seen_papers(), day=DAY)
    assert len(ranked) == len(today)
    assert ranked["read"].dtype == bool
    assert ranked["read"].sum() == 1
    assert bool(ranked.iloc[-1]["read"]) and pd.isna(ranked.iloc[-1]["rank"])
    ranks = ranked.loc[~ranked["read"], "rank"]
    assert str(ranks.dtype) == "Int64"
    assert ranks.tolist() == list(range(1, len(today)))
    scores = ranked.loc[~ranked["read"], "score"].to_numpy()
    assert (np.diff(scores) <= 0).all()


def test_papers_like_the_journal_come_first() -> None:
    ranked = rank_papers(journal({"protein": 12}), listing(), seen_papers(), day=DAY)
    top = ranked.head(6)["title"].str.split().str[0].str.lower()
    assert (top == "protein").all()


def test_papers_by_authors_the_reader_reads_rise() -> None:
    entries = journal({"graph": 10})
    entries.loc[0, "authors"] = ["Ada Lovelace", "graph author 1"]
    today = listing()
    twin = today[today["title"].str.startswith("Speech")].head(2).copy()
    twin["abstract"] = twin["abstract"].iloc[0]
    twin["title"] = twin["title"].iloc[0]
    twin["arxiv_id"] = ["2503.99001", "2503.99002"]
    twin["authors"] = [["Ada Lovelace", "Somebody New"], ["Grace Hopper", "Somebody Else"]]
    ranked = rank_papers(entries, pd.concat([today, twin], ignore_index=True), seen_papers(), day=DAY)
    rank = ranked.set_index("arxiv_id")["rank"]
    assert rank["2503.99001"] < rank["2503.99002"]
    reason = ranked.set_index("arxiv_id").loc["2503.99001", "reason"]
    assert "authors you read: Ada Lovelace" in reason


def test_recent_interest_outweighs_old_interest() -> None:
    old = journal({"robot": 15}, days_ago=700, seed=3)
    recent = journal({"speech": 15}, days_ago=3, seed=4)
    ranked = rank_papers(pd.concat([old, recent], ignore_index=True), listing(), seen_papers(), day=DAY)
    assert top_topic(ranked) == "speech"
    # The same entries with their dates swapped: the dates decide, not the words.
    swapped = pd.concat([old.assign(date=recent["date"]), recent.assign(date=old["date"])], ignore_index=True)
    assert top_topic(rank_papers(swapped, listing(), seen_papers(), day=DAY)) == "robot"


@pytest.mark.parametrize("seen", [None, "empty"])
def test_first_days_without_recorded_listings(seen: str | None) -> None:
    recorded = seen_papers().head(0) if seen == "empty" else None
    ranked = rank_papers(journal({"diffusion": 10}), listing(), recorded, day=DAY)
    assert top_topic(ranked) == "diffusion"
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))


def test_empty_journal_keeps_the_listing_order_and_says_why() -> None:
    today = listing()
    ranked = rank_papers(journal({}).reindex(columns=["date", "title", "arxiv_id"]), today, seen_papers())
    assert ranked["arxiv_id"].tolist() == today["arxiv_id"].tolist()
    assert (ranked["score"] == 0).all()
    assert ranked["rank"].tolist() == list(range(1, len(today) + 1))
    assert ranked["reason"].str.contains("journal is empty").all()


@pytest.mark.parametrize("commentary", ["absent", "empty", "korean", "english terms"])
def test_commentary_present_or_absent(commentary: str) -> None:
    entries = journal({"protein": 12})
    if commentary == "empty":
        entries["commentary"] = ""
    elif commentary == "korean":
        entries["commentary"] = "구조 예측이 흥미롭다. 다음에 다시 읽어 볼 것."
    elif commentary == "english terms":
        entries["commentary"] = "folding 구조 residue 예측"
    ranked = rank_papers(entries, listing(), seen_papers(), day=DAY)
    assert (ranked.head(6)["title"].str.split().str[0] == "Protein").all()


def test_reason_names_the_nearest_entry_and_its_tags() -> None:
    entries = journal({"diffusion": 10})
    ranked = rank_papers(entries, listing(), seen_papers(), day=DAY)
    reason = ranked.iloc[0]["reason"]
    assert reason.startswith("like \u201cDiffusion")
    assert "#diffusion" in reason


def test_the_ranking_is_deterministic() -> None:
    entries = journal({"graph": 8, "speech": 8})
    first = rank_papers(entries, listing(), seen_papers(), day=DAY)
    second = rank_papers(entries.copy(), listing().copy(), seen_papers().copy(), day=DAY)
    pd.testing.assert_frame_equal(first, second)


def test_a_real_slice_ranks_whole_with_reasons() -> None:
    """Two real listing days (cs.CL/cs.AI) and three dozen entries of a real reader."""
    papers = pd.read_parquet(DATA / "listings.parquet")
    rows = [json.loads(line) for line in (DATA / "reader.jsonl").read_text().splitlines()]
    entries = pd.DataFrame(rows)
    today = papers[papers["date"] == DAY]
    read_id = today["arxiv_id"].iloc[5]
    entries.loc[len(entries)] = {**rows[-1], "arxiv_id": read_id, "date": "2025-03-09"}
    ranked = rank_papers(entries, today, papers[papers["date"] < DAY])
    assert len(ranked) == len(today)
    assert set(ranked["arxiv_id"]) == set(today["arxiv_id"])
    assert ranked.loc[ranked["read"], "arxiv_id"].tolist() == [read_id]
    assert ranked["rank"].dropna().tolist() == list(range(1, len(today)))
    assert ranked.loc[~ranked["read"], "reason"].str.startswith("like \u201c").all()
    assert list(ranked.columns[: len(today.columns)]) == list(today.columns)


def test_recorded_papers_older_than_the_window_are_not_learned_from() -> None:
    entries = journal({"graph": 10})
    old = seen_papers().assign(date=DAY - dt.timedelta(days=SEEN_DAYS + 1))
    with_old = rank_papers(entries, listing(), old, day=DAY)
    pd.testing.assert_frame_equal(with_old, rank_papers(entries, listing(), None, day=DAY))


def test_a_reader_back_after_a_long_pause_still_gets_their_interests() -> None:
    entries = journal({"speech": 12}, days_ago=5 * 365)
    assert top_topic(rank_papers(entries, listing(), seen_papers(), day=DAY)) == "speech"


def test_a_dismissed_papers_weight_is_a_parameter_defaulting_to_the_constant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sklearn.svm import LinearSVC

    from journal.triage import ranker
    from journal.triage.preferences import Feedback

    weights = []
    real_fit = LinearSVC.fit

    def spy(self, x, y, sample_weight=None):  # type: ignore[no-untyped-def]
        weights.append(sample_weight[y == 0])
        return real_fit(self, x, y, sample_weight=sample_weight)

    monkeypatch.setattr(LinearSVC, "fit", spy)
    seen = seen_papers()
    feedback = Feedback(dismissed=frozenset(seen.loc[seen["title"].str.startswith("Diffusion"), "arxiv_id"]))
    entries = journal({"diffusion": 10, "protein": 5})

    def rank(**weight: float) -> pd.DataFrame:
        return rank_papers(entries, listing(), seen, day=DAY, feedback=feedback, **weight)

    default, same, heavy = rank(), rank(dismiss_weight=ranker.DISMISS_WEIGHT), rank(dismiss_weight=8.0)
    pd.testing.assert_frame_equal(default, same)
    assert (weights[0] == ranker.DISMISS_WEIGHT).sum() == len(feedback.dismissed)
    assert (weights[2] == 8.0).sum() == len(feedback.dismissed) and not (
        weights[2] == ranker.DISMISS_WEIGHT
    ).any()
    assert not np.allclose(heavy["score"], default["score"])
    # without feedback the weight changes nothing
    plain = rank_papers(entries, listing(), seen, day=DAY)
    pd.testing.assert_frame_equal(plain, rank_papers(entries, listing(), seen, day=DAY, dismiss_weight=8.0))
