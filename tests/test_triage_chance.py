"""Triage's chance (journal/triage/chance.py), ``--min-chance`` and the picks as an Atom
feed (journal/triage/picks_feed.py)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import feedparser
import numpy as np
import pandas as pd
import pytest

import journal
from journal.triage import chance, ranker, service

START = dt.date(2025, 2, 3)
DAYS = 16
LIKED = "language model reasoning benchmark chain thought evaluation"
OTHER = ["robot control grid power", "protein folding molecule drug", "traffic forecasting road sensor"]


def day_of(k: int) -> dt.date:
    return START + dt.timedelta(days=k)


def listing_of(k: int) -> pd.DataFrame:
    """Day ``k``: 3 papers on the reader's topic, 15 on others; paper 0 gets journaled."""
    rows = []
    for i in range(18):
        topic = LIKED if i < 3 else OTHER[i % 3]
        rows.append(
            {
                "date": day_of(k),
                "arxiv_id": f"2502.{k:02d}{i:03d}",
                "title": f"{topic.split()[i % 3].title()} study {k}-{i}",
                "authors": [f"Author {k}{i}", "Shared Person" if i < 3 else f"Other {i}"],
                "abstract": f"We study {topic} with new {topic.split()[(i + k) % 4]} results {i}",
                "category": "cs.CL",
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def history_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A journal whose reader triaged DAYS - 1 days, each morning before journaling that
    day's pick: DAY - 1 is the last, so day DAYS - 1 has a chance."""
    folder = tmp_path_factory.mktemp("history")
    j = journal.open(folder / "entries.parquet")
    for n in range(4):
        j.add(title=f"Reasoning benchmark {n}", abstract=LIKED, date=START - dt.timedelta(days=10 + n))
    for k in range(DAYS - 1):
        service.triage_listing(j, listing_of(k), day=day_of(k))
        pick = listing_of(k).iloc[0]
        j.add(title=pick["title"], abstract=pick["abstract"], arxiv_id=pick["arxiv_id"], date=day_of(k))
    return folder


@pytest.fixture
def history(history_dir: Path, tmp_path: Path) -> Path:
    shutil.copytree(history_dir, tmp_path / "h")
    return tmp_path / "h" / "entries.parquet"


@pytest.fixture
def last_day(tmp_path: Path) -> Path:
    """The listing of the day after the history, as a file."""
    path = tmp_path / "last.jsonl"
    listing_of(DAYS - 1).assign(date=day_of(DAYS - 1).isoformat()).to_json(path, orient="records", lines=True)
    return path


# --- the model ---------------------------------------------------------------------------


def synthetic_history(days: int, seed: int = 0, per_day: int = 200) -> pd.DataFrame:
    """Days whose papers are positive with probability sigmoid(2 z - 5)."""
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(days):
        score = rng.normal(size=per_day)
        p = 1 / (1 + np.exp(-(2 * chance.standardised(score) - 5)))
        frames.append(pd.DataFrame({"date": day_of(k), "score": score, "positive": rng.random(per_day) < p}))
    return pd.concat(frames, ignore_index=True)


def test_fit_recovers_a_known_calibration_and_sums_to_the_positives() -> None:
    history = synthetic_history(60)
    day = day_of(60 + chance.LABEL_DAYS + 2)
    fitted = chance.fit(history, day)
    assert fitted is not None and fitted.days == 60
    assert fitted.slope == pytest.approx(2, abs=0.3) and fitted.intercept == pytest.approx(-5, abs=0.4)
    later = synthetic_history(20, seed=1)
    total = sum(fitted.chance(g["score"].to_numpy()).sum() for _, g in later.groupby("date"))
    assert total == pytest.approx(later["positive"].sum(), rel=0.25)


def test_the_chance_of_a_day_is_fitted_only_on_days_whose_week_is_over() -> None:
    history = synthetic_history(30)
    day = day_of(25)
    fitted = chance.fit(history, day)
    # what happens on later days, or on days whose week is not over, changes nothing
    changed = history.copy()
    recent = changed["date"] > chance.last_fit_day(day)
    changed.loc[recent, "positive"] = True
    changed.loc[recent, "score"] = 0.0
    assert chance.fit(changed, day) == fitted
    assert fitted is not None and fitted.days == (chance.last_fit_day(day) - START).days + 1


def test_too_little_history_gives_no_chance() -> None:
    history = synthetic_history(30)
    assert chance.fit(history, day_of(chance.MIN_DAYS - 2 + chance.LABEL_DAYS + 2)) is None  # 4 days
    assert chance.fit(history, day_of(chance.MIN_DAYS - 1 + chance.LABEL_DAYS + 2)) is not None
    none_journaled = history.assign(positive=False)
    none_journaled.loc[:1, "positive"] = True  # 2 positives
    assert chance.fit(none_journaled, day_of(40)) is None
    assert chance.fit(history.iloc[:0], day_of(40)) is None


def test_a_paper_is_journaled_from_the_day_before_its_listing_to_a_week_after() -> None:
    listed = dt.date(2025, 3, 10)
    kept = pd.DataFrame({"date": [listed] * 5, "arxiv_id": ["a", "b", "c", "d", "e"], "score": [0.0] * 5})
    entries = pd.DataFrame(
        {
            "arxiv_id": ["av2", "b", "c", "d", None],
            "date": [
                listed - dt.timedelta(days=1),
                listed + dt.timedelta(days=7),
                listed - dt.timedelta(days=2),
                listed + dt.timedelta(days=8),
                listed,
            ],
        }
    )
    assert chance.label(kept, entries)["positive"].tolist() == [True, True, False, False, False]


# --- the service --------------------------------------------------------------------------


def test_every_ranked_paper_carries_a_chance_and_the_ranking_is_unchanged(history: Path) -> None:
    j = journal.open(history)
    listing = listing_of(DAYS - 1)
    result = service.rank(j, listing, day=day_of(DAYS - 1))
    unread = result[~result["read"]]
    assert unread["chance"].map(lambda c: isinstance(c, float) and 0 < c < 1).all()
    # the chance follows the score, and the order and scores are the ranker's own
    assert unread["chance"].is_monotonic_decreasing
    seen = service.read_listings(j, start=day_of(DAYS - 1 - ranker.SEEN_DAYS), end=day_of(DAYS - 2))
    alone = ranker.rank_papers(j.to_pandas(), listing, seen, day=day_of(DAYS - 1))
    assert result["arxiv_id"].tolist() == alone["arxiv_id"].tolist()
    assert result["score"].tolist() == alone["score"].tolist()
    # the reader's topic is far likelier than the rest
    liked = unread["arxiv_id"].str[-3:].astype(int) < 3
    assert unread.loc[liked, "chance"].min() > unread.loc[~liked, "chance"].max()


def test_a_day_is_kept_as_first_ranked_and_never_after_the_fact(history: Path) -> None:
    j = journal.open(history)
    path = chance.scores_path(j)

    def kept() -> pd.DataFrame:
        return pd.read_parquet(path).assign(date=lambda f: pd.to_datetime(f["date"]).dt.date)

    before = kept()
    assert sorted(set(before["date"])) == [day_of(k) for k in range(DAYS - 1)]
    assert len(before[before["date"] == day_of(0)]) == 18  # nothing was read that morning
    service.rank(j, listing_of(0), day=day_of(0))  # again: the journal holds its pick now
    pd.testing.assert_frame_equal(kept(), before)
    late = day_of(DAYS + 5)
    service.rank(j, listing_of(DAYS + 5).assign(date=late), day=late)
    assert late in set(kept()["date"])
    early = START - dt.timedelta(days=3)  # the journal holds entries dated after it
    service.rank(j, listing_of(40).assign(date=early), day=early)
    assert early not in set(kept()["date"])


def test_a_damaged_score_file_is_no_error_and_is_rebuilt(history: Path, last_day: Path, cli) -> None:
    path = chance.scores_path(journal.open(history))
    path.write_bytes(b"not parquet")
    code, out, err = cli("--journal", str(history), "triage", "--listing", str(last_day), "--json")
    assert code == 0 and err == ""
    assert json.loads(out.splitlines()[0])["chance"] is None
    assert set(pd.read_parquet(path)["date"].astype(str)) == {day_of(DAYS - 1).isoformat()}


def test_a_young_journal_has_no_chance_and_says_so(journal_path: Path, last_day: Path, cli) -> None:
    journal.open(journal_path).add(title="Reasoning benchmark", abstract=LIKED)
    code, out, err = cli("triage", "--listing", str(last_day), "--json", "--limit", "0")
    assert code == 0 and all(json.loads(line)["chance"] is None for line in out.splitlines())
    code, out, err = cli("triage", "--listing", str(last_day))
    assert code == 0 and out.splitlines()[0].split() == ["rank", "score", "arxiv", "title", "why"]
    assert chance.NO_CHANCE in err
    code, out, err = cli("triage", "--listing", str(last_day), "--min-chance", "0.1", "--limit", "3")
    assert code == 0 and f"journal: note: {chance.NO_CHANCE}; showing the best 3 instead" in err
    assert len(out.splitlines()) == 4


# --- the command line ---------------------------------------------------------------------


def test_the_table_shows_chance_and_min_chance_lists_all_above(history: Path, last_day: Path, cli) -> None:
    code, out, err = cli("--journal", str(history), "triage", "--listing", str(last_day))
    assert code == 0 and out.splitlines()[0].split() == ["rank", "score", "chance", "arxiv", "title", "why"]
    assert chance.NO_CHANCE not in err
    code, out, _ = cli(
        "--journal", str(history), "triage", "--listing", str(last_day), "--json", "--limit", "0"
    )
    records = [json.loads(line) for line in out.splitlines()]
    chances = [r["chance"] for r in records if not r["read"]]
    threshold = (sorted(chances)[-4] + sorted(chances)[-3]) / 2  # three papers lie above it
    code, out, err = cli(
        "--journal",
        str(history),
        "triage",
        "--listing",
        str(last_day),
        "--json",
        "--min-chance",
        str(threshold),
    )
    shown = [json.loads(line) for line in out.splitlines() if not json.loads(line)["read"]]
    assert code == 0 and [r["chance"] > threshold for r in shown] == [True] * 3
    code, out, err = cli("--journal", str(history), "triage", "--listing", str(last_day), "--min-chance", "1")
    assert code == 0 and out == "" and "showing the 0 with a chance above 1" in err


@pytest.mark.parametrize("value", ["1.5", "-0.1", "half", "nan", ""])
def test_a_bad_min_chance_is_one_line_and_records_nothing(
    journal_path: Path, last_day: Path, cli, value: str
) -> None:
    code, out, err = cli(
        "--journal", str(journal_path), "triage", "--listing", str(last_day), "--min-chance", value
    )
    assert code != 0 and out == ""
    assert (
        err
        == f"journal: error: min-chance: {value!r} is not a probability; give a number from 0 to 1, such as 0.05\n"
    )
    assert not journal_path.exists() and not Path(f"{journal_path}.d").exists()


# --- the feed -------------------------------------------------------------------------------


def test_picks_feed_has_an_item_per_pick_with_stable_ids(
    history: Path, last_day: Path, tmp_path: Path, cli
) -> None:
    feed_file = tmp_path / "picks.xml"
    args = [
        "--journal",
        str(history),
        "triage",
        "--listing",
        str(last_day),
        "--limit",
        "5",
        "--atom",
        str(feed_file),
    ]
    code, out, _ = cli(*args, "--json")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()][:5]
    first = feed_file.read_bytes()
    parsed = feedparser.parse(first)
    assert not parsed.bozo and len(parsed.entries) == 5
    for item, record in zip(parsed.entries, records, strict=True):
        assert item.id == f"urn:journal:triage:{record['arxiv_id']}"
        assert item.title == record["title"] and item.link == f"https://arxiv.org/abs/{record['arxiv_id']}"
        assert [a.name for a in item.authors] == record["authors"]
        assert "Why:" in item.summary and record["reason"].split(" \u00b7 ")[0][:20] in item.summary
        assert f"Chance:</b> {chance.percent(record['chance'])}" in item.summary
    assert cli(*args)[0] == 0
    assert feed_file.read_bytes() == first  # a second run of the day writes the same feed


def test_picks_feed_to_a_missing_folder_is_one_line_and_records_nothing(
    journal_path: Path, last_day: Path, tmp_path: Path, cli
) -> None:
    journal.open(journal_path).add(title="Reasoning benchmark", abstract=LIKED)
    code, out, err = cli("triage", "--listing", str(last_day), "--atom", str(tmp_path / "nowhere" / "f.xml"))
    assert code != 0 and out == "" and len(err.splitlines()) == 1 and "does not exist" in err
    assert not (Path(f"{journal_path}.d") / "listings").exists()


def test_the_tab_shows_each_chance_or_says_there_is_none(
    history: Path, last_day: Path, journal_path: Path
) -> None:
    from journal.widgets import TriagePanel

    panel = TriagePanel(journal.open(history), listing=str(last_day), limit=3, rank_now=True)
    heads = [box.children[0].children[0].value for box in panel.papers.children]
    assert len(heads) == 3 and all(" · chance " in h for h in heads)
    assert chance.NO_CHANCE not in panel.status.value
    journal.open(journal_path).add(title="Reasoning benchmark", abstract=LIKED)
    young = TriagePanel(journal.open(journal_path), listing=str(last_day), limit=3, rank_now=True)
    assert chance.NO_CHANCE in young.status.value
    assert not any(" · chance " in box.children[0].children[0].value for box in young.papers.children)


@pytest.mark.parametrize(
    ("value", "shown"), [(None, "-"), (float("nan"), "-"), (0.001, "<1%"), (0.123, "12%"), (0.999, ">99%")]
)
def test_a_chance_is_shown_as_a_percentage(value: float | None, shown: str) -> None:
    assert chance.percent(value) == shown


def test_a_chance_reads_the_kept_scores_once_and_labels_only_the_days_it_is_fitted_on(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    j = journal.open(history)
    day = day_of(DAYS - 1)
    entries = j.to_pandas()
    everything = pd.read_parquet(chance.scores_path(j)).assign(
        date=lambda f: pd.to_datetime(f["date"]).dt.date
    )
    monkeypatch.setattr(chance, "HISTORY_DAYS", 5)
    # what the chance was before: every kept day up to last_fit_day labelled, fit keeps 5
    expected = chance.fit(
        chance.label(everything[everything["date"] <= chance.last_fit_day(day)], entries), day
    )
    reads, labelled = [], []
    real_read, real_label = chance._read_scores, chance.label
    monkeypatch.setattr(chance, "_read_scores", lambda path: reads.append(path) or real_read(path))
    monkeypatch.setattr(chance, "label", lambda kept, e: labelled.append(kept) or real_label(kept, e))
    result = service.rank(j, listing_of(DAYS - 1), day=day)
    assert len(reads) == 1  # keeping the day and fitting share one read of the file
    fitted_days = [chance.last_fit_day(day) - dt.timedelta(days=k) for k in range(5)]
    assert [sorted(set(kept["date"])) for kept in labelled] == [sorted(fitted_days)]
    unread = result[~result["read"]]
    assert expected is not None
    np.testing.assert_allclose(unread["chance"].astype(float), expected.chance(unread["score"].to_numpy()))


# --- two readers on one machine -----------------------------------------------------------

ROBOTS = OTHER[0]  # grace's topic: papers 3, 6, ... of a day; she journals paper 3


@pytest.fixture(scope="module")
def two_readers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ada and grace triage each day on one machine: ada journals paper 0 (language
    models), grace paper 3 (robots)."""
    path = tmp_path_factory.mktemp("two") / "entries.parquet"
    picks = {"ada": (LIKED, 0), "grace": (ROBOTS, 3)}
    with pytest.MonkeyPatch.context() as mp:
        for reader, (topic, _) in picks.items():
            mp.setenv("JOURNAL_READER", reader)
            for n in range(4):
                journal.open(path).add(
                    title=f"{topic} {n}", abstract=topic, date=START - dt.timedelta(days=10 + n)
                )
        for k in range(DAYS - 1):
            for reader, (_, row) in picks.items():
                mp.setenv("JOURNAL_READER", reader)
                j = journal.open(path)
                service.triage_listing(j, listing_of(k), day=day_of(k))
                pick = listing_of(k).iloc[row]
                j.add(
                    title=pick["title"], abstract=pick["abstract"], arxiv_id=pick["arxiv_id"], date=day_of(k)
                )
    return path.parent


@pytest.fixture
def two_readers(two_readers_dir: Path, tmp_path: Path) -> Path:
    shutil.copytree(two_readers_dir, tmp_path / "two")
    return tmp_path / "two" / "entries.parquet"


@pytest.mark.parametrize(("reader", "topic_rows"), [("ada", {0, 1, 2}), ("grace", {3, 6, 9, 12, 15})])
def test_two_readers_on_one_machine_each_get_a_chance_fitted_on_their_own_history(
    two_readers: Path, reader: str, topic_rows: set[int]
) -> None:
    j = journal.open(two_readers)
    day = day_of(DAYS - 1)
    kept = pd.read_parquet(chance.scores_path(j))
    for who in ("ada", "grace"):  # each reader's every day is kept, as they first ranked it
        theirs = kept[kept["reader"] == who]
        assert sorted(set(pd.to_datetime(theirs["date"]).dt.date)) == [day_of(k) for k in range(DAYS - 1)]
    result = service.rank(j, listing_of(DAYS - 1), day=day, reader=reader)
    unread = result[~result["read"]]
    entries, _, _ = service.reader_entries(j, reader)
    own = chance.kept_scores(j, day, reader)
    assert set(own["reader"]) == {reader}
    expected = chance.fit(chance.label(own, entries), day)
    assert expected is not None
    np.testing.assert_allclose(unread["chance"].astype(float), expected.chance(unread["score"].to_numpy()))
    theirs = unread["arxiv_id"].str[-3:].astype(int).isin(topic_rows)
    assert unread.loc[theirs, "chance"].min() > unread.loc[~theirs, "chance"].max()


def test_scores_kept_before_readers_are_the_current_readers(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    j = journal.open(history)
    day = day_of(DAYS - 1)
    monkeypatch.setenv("JOURNAL_READER", "ada")
    path = chance.scores_path(j)
    kept = pd.read_parquet(path)
    kept.drop(columns=["reader"], errors="ignore").to_parquet(path)  # as a file of before readers
    old = chance.kept_scores(j, day)
    assert len(old) and set(old["reader"]) == {"ada"}
    assert chance.kept_scores(j, day, "grace").empty


def test_a_followed_authors_paper_is_kept_by_min_chance_and_in_the_feed(
    history: Path, last_day: Path, tmp_path: Path, cli
) -> None:
    args = ["--journal", str(history), "triage", "--listing", str(last_day), "--json"]
    records = [json.loads(line) for line in cli(*args, "--limit", "0")[1].splitlines()]
    low = min((r for r in records if not r["read"]), key=lambda r: r["chance"])
    threshold = low["chance"] + 0.01
    assert cli("--journal", str(history), "follow", low["authors"][0])[0] == 0
    feed_file = tmp_path / "picks.xml"
    code, out, _ = cli(*args, "--min-chance", str(threshold), "--atom", str(feed_file))
    shown = [json.loads(line) for line in out.splitlines() if not json.loads(line)["read"]]
    assert code == 0 and shown[0]["arxiv_id"] == low["arxiv_id"]
    assert shown[0]["rank"] == 1 and shown[0]["reason"].startswith(f"you follow {low['authors'][0]}")
    assert all(r["chance"] > threshold for r in shown[1:])
    ids = [item.id for item in feedparser.parse(feed_file.read_bytes()).entries]
    assert f"urn:journal:triage:{low['arxiv_id']}" in ids
    code, _, err = cli(*args[:-1], "--min-chance", str(threshold))  # the table says why it is there
    assert (
        code == 0 and f"{len(shown) - 1} with a chance above {threshold:g} and 1 by authors you follow" in err
    )
