"""The analysis DataFrames and plots, in-process (the notebook is run in test_render)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from journal import analysis
from journal.model import make_entry
from journal.store import Journal


def entry(
    day: str,
    title: str,
    *,
    tags: str = "",
    authors: str = "A. Person",
    url: str | None = None,
    commentary: str = "",
):
    return make_entry(title=title, date=day, tags=tags, authors=authors, url=url, commentary=commentary)


@pytest.fixture(scope="module")
def df(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("analysis") / "entries.parquet"
    Journal(path).add_many(
        [
            entry("2024-04-29", "a", tags="llm rl", commentary="좋은 논문입니다."),  # Monday
            entry(
                "2024-05-05", "b", tags="llm", authors="OpenAI", url="https://cdn.openai.com/x.html"
            ),  # Sunday
            entry(
                "2024-05-06", "c", tags="rl llm vision", authors="Google DeepMind, Jane Doe", commentary="xx"
            ),
            entry("2024-05-21", "d", tags="vision", url="https://lmsys.org/blog/2024-05-08-llama3/"),
            entry("2024-05-21", "e", url="https://arxiv.org/abs/2405.05254", commentary="abc"),
        ]
    )
    return analysis.frame(path)


def test_frame_filters_and_types(df: pd.DataFrame, tmp_path: Path) -> None:
    assert len(df) == 5 and str(df["date"].dtype) == "datetime64[ns]"
    assert list(analysis.frame(df, "2024-05-06", "2024-05-21")["title"]) == ["c", "d", "e"]
    assert analysis.frame(df, until="2024-04-01").empty
    assert analysis.frame(tmp_path / "none.parquet").empty  # an empty journal is an empty frame


def test_entries_per_week_counts_every_week(df: pd.DataFrame) -> None:
    weekly = analysis.entries_per_week(df)
    assert list(weekly["week"].dt.date) == [
        dt.date(2024, 4, 29),
        dt.date(2024, 5, 6),
        dt.date(2024, 5, 13),
        dt.date(2024, 5, 20),
    ]
    assert list(weekly["entries"]) == [2, 1, 0, 2]  # the empty week is there


def test_tag_trends(df: pd.DataFrame) -> None:
    weekly = analysis.tag_trends(df, top=2)  # a short span: weeks
    assert list(weekly.columns) == ["llm", "rl"] and weekly.index.name == "week"
    assert weekly["llm"].tolist() == [2, 1, 0, 0]
    monthly = analysis.tag_trends(df, freq="M")
    assert monthly.index.name == "month" and monthly.loc["2024-05-01", "vision"] == 2
    with pytest.raises(ValueError):
        analysis.tag_trends(df, freq="D")


def test_tag_cooccurrence_is_symmetric(df: pd.DataFrame) -> None:
    m = analysis.tag_cooccurrence(df)
    assert (m.to_numpy() == m.to_numpy().T).all()
    assert m.loc["llm", "llm"] == 3 and m.loc["llm", "rl"] == 2 and m.loc["vision", "rl"] == 1


def test_authors_and_labs(df: pd.DataFrame) -> None:
    authors = analysis.top_authors(df)
    assert authors.iloc[0].tolist() == ["A. Person", 3]
    assert "OpenAI" not in set(authors["author"]) and "Jane Doe" in set(authors["author"])
    labs = analysis.top_labs(df)
    assert set(zip(labs["lab"], labs["kind"], strict=True)) == {
        ("OpenAI", "author"),
        ("Google DeepMind", "author"),
        ("lmsys.org", "site"),
    }
    assert analysis.is_organisation("Qwen Team") and not analysis.is_organisation("김철수")
    assert (
        analysis.site("https://www.bbc.co.uk/x") == "bbc.co.uk"
        and analysis.site("https://arxiv.org/abs/1") is None
    )


def test_commentary_and_read_vs_commented(df: pd.DataFrame) -> None:
    lengths = analysis.commentary_length(df)
    assert lengths["chars"].tolist() == [9, 0, 2, 0, 3]
    weekly = analysis.read_vs_commented(df)
    assert weekly["read"].tolist() == [2, 1, 0, 2] and weekly["commented"].tolist() == [1, 1, 0, 1]


def test_overview(df: pd.DataFrame) -> None:
    assert (
        analysis.overview(df)
        == "**5 entries** from 2024-04-29 to 2024-05-21 (4 days with entries, 3 with commentary)"
    )
    assert analysis.overview(df.iloc[0:0]) == "**No entries in this range.**"
    assert analysis.overview(df.iloc[0:1]).startswith("**1 entry** from 2024-04-29 to 2024-04-29 (1 day with")


@pytest.mark.parametrize("empty", [False, True])
def test_every_plot_draws(df: pd.DataFrame, empty: bool) -> None:
    data = df.iloc[0:0] if empty else df
    figures = [
        analysis.plot_entries_per_week(analysis.entries_per_week(data)),
        analysis.plot_tag_trends(analysis.tag_trends(data)),
        analysis.plot_tag_cooccurrence(analysis.tag_cooccurrence(data)),
        analysis.plot_top_authors(analysis.top_authors(data), analysis.top_labs(data)),
        analysis.plot_commentary_length(analysis.commentary_length(data)),
        analysis.plot_read_vs_commented(analysis.read_vs_commented(data)),
    ]
    for fig in figures:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        assert buffer.getvalue().startswith(b"\x89PNG")
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert any("no " in t for t in texts) == empty


def test_plot_into_given_axes(df: pd.DataFrame) -> None:
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert analysis.plot_entries_per_week(analysis.entries_per_week(df), ax=ax) is fig
    assert len(ax.patches) == 4
