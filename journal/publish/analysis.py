"""The reader's own reading, as DataFrames and plots (the analysis notebook).

Every ``*`` function takes the frame of :func:`frame` (one row per entry) and returns a
plain DataFrame, so the numbers can be re-plotted or exported; every ``plot_*`` function
takes that DataFrame and returns a matplotlib ``Figure`` (made without pyplot, so it works
under any backend, Agg included). pandas and matplotlib are imported on first use.

    from journal.publish import analysis
    df = analysis.frame("entries.parquet", start="2024-01-01")
    weekly = analysis.entries_per_week(df)          # week, entries
    analysis.plot_entries_per_week(weekly).savefig("weekly.png")
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from journal.model import parse_date
from journal.text.wording import count, entries_count

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Hosts of papers rather than of a lab's own posts: not counted as labs.
PAPER_HOSTS = _words(
    "arxiv.org openreview.net doi.org aclanthology.org semanticscholar.org huggingface.co "
    "github.com github.io youtube.com proceedings.mlr.press papers.nips.cc neurips.cc "
    "dl.acm.org ieeexplore.ieee.org biorxiv.org medrxiv.org ssrn.com x.com twitter.com"
)
_ORG_WORDS = _words(
    "ai lab labs research team inc inc. ltd corp corporation institute university college "
    "foundation group deepmind openai anthropic google meta microsoft nvidia apple amazon "
    "alibaba tencent baidu bytedance naver kakao lmsys huggingface mistral cohere "
    "consortium center centre"
)
_CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]")


# --- the frame -----------------------------------------------------------------------


def frame(
    journal: Any, start: dt.date | str | None = None, until: dt.date | str | None = None
) -> pd.DataFrame:
    """One row per entry (columns of SPEC section 1, ``date`` as ``datetime64``), from
    ``start`` to ``until`` inclusive. ``journal``: a path, a Journal or a DataFrame."""
    import pandas as pd

    if isinstance(journal, pd.DataFrame):
        df = journal.copy()
    else:
        from journal.store import Journal

        j = Journal(journal) if isinstance(journal, (str, os.PathLike)) else journal
        df = j.to_pandas()
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    if start is not None:
        df = df[df["date"] >= pd.Timestamp(parse_date(start, "from"))]
    if until is not None:
        df = df[df["date"] <= pd.Timestamp(parse_date(until, "until"))]
    for name in ("authors", "tags", "links"):
        if name in df:
            df[name] = [list(v) if v is not None else [] for v in df[name]]
    for name in ("commentary", "abstract", "title"):
        if name in df:
            df[name] = df[name].fillna("").astype(str)
    return df.reset_index(drop=True)


def overview(df: pd.DataFrame) -> str:
    """One line of markdown: how many entries, over which days."""
    if df.empty:
        return "**No entries in this range.**"
    first, last = df["date"].min().date(), df["date"].max().date()
    commented = int((df["commentary"].str.strip() != "").sum())
    return (
        f"**{entries_count(len(df))}** from {first} to {last} "
        f"({count(df['date'].dt.normalize().nunique(), 'day')} with entries, {commented} with commentary)"
    )


def _weeks(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("W-SUN").dt.start_time  # weeks start on Monday


def _week_index(df: pd.DataFrame) -> pd.DatetimeIndex:
    import pandas as pd

    if df.empty:
        return pd.DatetimeIndex([], name="week")
    weeks = _weeks(df["date"])
    return pd.date_range(weeks.min(), weeks.max(), freq="W-MON", name="week")


# --- the numbers -----------------------------------------------------------------------


def entries_per_week(df: pd.DataFrame) -> pd.DataFrame:
    """``week`` (Monday) and ``entries``, every week from the first to the last (zeros
    included, so gaps in the reading show)."""
    counts = _weeks(df["date"]).value_counts() if not df.empty else None
    index = _week_index(df)
    values = counts.reindex(index, fill_value=0) if counts is not None else []
    import pandas as pd

    return pd.DataFrame({"week": index, "entries": list(values)}).astype({"entries": "int64"})


def _explode(df: pd.DataFrame, column: str) -> pd.DataFrame:
    import pandas as pd

    rows = [(d, item) for d, items in zip(df["date"], df[column], strict=True) for item in items]
    return pd.DataFrame(rows, columns=["date", column[:-1]])


def tag_counts(df: pd.DataFrame) -> Counter[str]:
    return Counter(t for tags in df["tags"] for t in tags)


def tag_trends(df: pd.DataFrame, top: int = 8, freq: str | None = None) -> pd.DataFrame:
    """Entries per period (rows) for the ``top`` tags (columns, most used first).

    ``freq``: ``"W"`` (weeks) or ``"M"`` (months); by default weeks for up to 16 weeks of
    reading, else months."""
    import pandas as pd

    tags = [t for t, _ in tag_counts(df).most_common(top)]
    if freq is None:
        span = (df["date"].max() - df["date"].min()).days if not df.empty else 0
        freq = "W" if span <= 16 * 7 else "M"
    if freq not in ("W", "M"):
        raise ValueError(f"freq must be 'W' or 'M', not {freq!r}")
    long = _explode(df, "tags")
    long = long[long["tag"].isin(tags)]
    if df.empty:
        return pd.DataFrame(columns=tags, dtype="int64")
    if freq == "W":
        period = _weeks(long["date"])
        index = _week_index(df)
    else:
        period = long["date"].dt.to_period("M").dt.start_time
        months = df["date"].dt.to_period("M")
        index = pd.period_range(months.min(), months.max(), freq="M").start_time
    table = pd.crosstab(period, long["tag"]) if len(long) else pd.DataFrame(index=index)
    table = table.reindex(index=index, columns=tags, fill_value=0).fillna(0).astype("int64")
    table.index.name = "week" if freq == "W" else "month"
    table.columns.name = "tag"
    return table


def tag_cooccurrence(df: pd.DataFrame, top: int = 12) -> pd.DataFrame:
    """How many entries carry both tags, for the ``top`` tags (the diagonal: entries with
    that tag)."""
    import pandas as pd

    tags = [t for t, _ in tag_counts(df).most_common(top)]
    counts = {a: dict.fromkeys(tags, 0) for a in tags}
    for entry_tags in df["tags"]:
        present = [t for t in dict.fromkeys(entry_tags) if t in counts]
        for a in present:
            for b in present:
                counts[a][b] += 1
    table = pd.DataFrame(counts, index=tags, columns=tags, dtype="int64").T
    table.index.name = table.columns.name = "tag"
    return table


def top_authors(df: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The ``n`` most-read people (``author``, ``entries``); organisations are in
    :func:`top_labs`."""
    import pandas as pd

    counts = Counter(a for authors in df["authors"] for a in dict.fromkeys(authors) if not is_organisation(a))
    return pd.DataFrame(counts.most_common(n), columns=["author", "entries"])


def is_organisation(name: str) -> bool:
    """Whether an author name looks like a lab or company rather than a person: one
    Latin-script word (``OpenAI``, ``LMSYS``) or a name holding a word such as AI, Lab,
    Research, Team, University, DeepMind (``Google DeepMind``, ``Qwen Team``)."""
    words = name.split()
    if not words:
        return False
    if len(words) == 1:
        return not _CJK.search(name) and not name.endswith(".")
    return any(w.lower().strip(",()") in _ORG_WORDS for w in words)


def site(url: str | None) -> str | None:
    """The site of a URL (``cdn.openai.com`` -> ``openai.com``), or None for paper hosts."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    parts = host.split(".")
    short = ".".join(
        parts[-3:] if len(parts) > 2 and len(parts[-1]) == 2 and len(parts[-2]) <= 3 else parts[-2:]
    )
    if not host or short in PAPER_HOSTS or host in PAPER_HOSTS:
        return None
    return short


def top_labs(df: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The ``n`` most-read labs (``lab``, ``entries``, ``kind``): organisations named as
    authors (see :func:`is_organisation`, kind ``author``) and, for entries without one,
    the site of a non-paper URL such as a lab's blog (kind ``site``). Entries have no
    affiliations, so people's labs cannot be counted."""
    import pandas as pd

    counts: Counter[str] = Counter()
    kinds: dict[str, str] = {}
    for authors, url in zip(df["authors"], df["url"], strict=True):
        orgs = [a for a in dict.fromkeys(authors) if is_organisation(a)]
        if orgs:
            for o in orgs:
                counts[o] += 1
                kinds.setdefault(o, "author")
            continue
        s = site(url if isinstance(url, str) else None)
        if s:
            counts[s] += 1
            kinds.setdefault(s, "site")
    rows = [(lab, c, kinds[lab]) for lab, c in counts.most_common(n)]
    return pd.DataFrame(rows, columns=["lab", "entries", "kind"])


def commentary_length(df: pd.DataFrame) -> pd.DataFrame:
    """Per entry: ``date``, ``title``, ``chars`` (characters of commentary, 0 when none)."""
    import pandas as pd

    return pd.DataFrame(
        {"date": df["date"], "title": df["title"], "chars": df["commentary"].str.strip().str.len()}
    ).astype({"chars": "int64"})


def read_vs_commented(df: pd.DataFrame) -> pd.DataFrame:
    """Per week: ``read`` (entries) and ``commented`` (entries with commentary)."""
    import pandas as pd

    index = _week_index(df)
    if df.empty:
        return pd.DataFrame({"week": index, "read": [], "commented": []}).astype(
            {"read": "int64", "commented": "int64"}
        )
    weeks = _weeks(df["date"])
    read = weeks.value_counts().reindex(index, fill_value=0)
    commented = weeks[df["commentary"].str.strip() != ""].value_counts().reindex(index, fill_value=0)
    return pd.DataFrame({"week": index, "read": read.to_numpy(), "commented": commented.to_numpy()})


# --- plots ---------------------------------------------------------------------------


def _figure(ax: Axes | None, size: tuple[float, float] = (9, 3.6)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    from matplotlib.figure import Figure

    _fonts()
    fig = Figure(figsize=size, dpi=100, layout="constrained")
    return fig, fig.add_subplot()


_FONTS_SET = False


def _fonts() -> None:
    """Korean and other CJK labels: fall back to an installed CJK font when there is one."""
    global _FONTS_SET
    if _FONTS_SET:
        return
    import matplotlib
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    wanted = [
        "Noto Sans CJK KR",
        "Noto Sans KR",
        "NanumGothic",
        "Malgun Gothic",
        "AppleGothic",
        "Noto Sans CJK JP",
    ]
    fallback = [name for name in wanted if name in installed]
    if fallback:
        matplotlib.rcParams["font.sans-serif"] = [*matplotlib.rcParams["font.sans-serif"], *fallback]
    _FONTS_SET = True


def _empty(ax: Axes, what: str) -> None:
    ax.text(
        0.5, 0.5, f"no {what} in this range", ha="center", va="center", transform=ax.transAxes, color="0.4"
    )
    ax.set_xticks([])
    ax.set_yticks([])


def plot_entries_per_week(weekly: pd.DataFrame, ax: Axes | None = None) -> Figure:
    fig, ax = _figure(ax)
    if weekly.empty:
        _empty(ax, "entries")
        return fig
    ax.bar(weekly["week"], weekly["entries"], width=6, align="edge", color="#4c72b0")
    ax.set_title("Entries per week")
    ax.set_ylabel("entries")
    ax.grid(axis="y", alpha=0.3)
    fig.autofmt_xdate()
    return fig


def plot_tag_trends(trends: pd.DataFrame, ax: Axes | None = None) -> Figure:
    fig, ax = _figure(ax)
    if trends.empty or trends.shape[1] == 0:
        _empty(ax, "tags")
        return fig
    for tag in trends.columns:
        ax.plot(trends.index, trends[tag], marker="o", markersize=3, label=f"#{tag}")
    per = "week" if trends.index.name == "week" else "month"
    ax.set_title(f"Top tags per {per}")
    ax.set_ylabel("entries")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize="small")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return fig


def plot_tag_cooccurrence(matrix: pd.DataFrame, ax: Axes | None = None) -> Figure:
    n = len(matrix)
    fig, ax = _figure(ax, (max(4.5, 0.5 * n + 2.5), max(4.0, 0.5 * n + 1.5)))
    if matrix.empty:
        _empty(ax, "tags")
        return fig
    image = ax.imshow(matrix.to_numpy(), cmap="Blues")
    labels = [f"#{t}" for t in matrix.index]
    ax.set_xticks(range(n), labels, rotation=45, ha="right")
    ax.set_yticks(range(n), labels)
    for i in range(n):
        for j in range(n):
            value = int(matrix.iat[i, j])
            if value:
                dark = value > matrix.to_numpy().max() * 0.6
                ax.text(
                    j,
                    i,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize="x-small",
                    color="white" if dark else "black",
                )
    ax.set_title("Tags read together (entries with both)")
    fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def _barh(ax: Axes, labels: Iterable[str], values: Iterable[int], title: str, color: str) -> None:
    labels, values = list(labels)[::-1], list(values)[::-1]
    ax.barh(labels, values, color=color)
    ax.set_title(title)
    ax.set_xlabel("entries")
    ax.grid(axis="x", alpha=0.3)


def plot_top_authors(authors: pd.DataFrame, labs: pd.DataFrame | None = None) -> Figure:
    """Most-read authors and, beside them, labs (the frames of :func:`top_authors` and
    :func:`top_labs`)."""
    _fonts()
    from matplotlib.figure import Figure

    rows = max(len(authors), len(labs) if labs is not None else 0, 3)
    fig = Figure(figsize=(10, 0.32 * rows + 1.4), dpi=100, layout="constrained")
    panels = fig.subplots(1, 2 if labs is not None else 1, squeeze=False)[0]
    if authors.empty:
        _empty(panels[0], "authors")
    else:
        _barh(panels[0], authors["author"], authors["entries"], "Most-read authors", "#55a868")
    if labs is not None:
        if labs.empty:
            _empty(panels[1], "labs")
        else:
            names = [
                f"{lab} (site)" if kind == "site" else lab
                for lab, kind in zip(labs["lab"], labs["kind"], strict=True)
            ]
            _barh(panels[1], names, labs["entries"], "Most-read labs", "#c44e52")
    return fig


def plot_commentary_length(lengths: pd.DataFrame, ax: Axes | None = None) -> Figure:
    fig, ax = _figure(ax)
    if lengths.empty:
        _empty(ax, "entries")
        return fig
    ax.scatter(lengths["date"], lengths["chars"], s=10, alpha=0.45, color="#8172b3", label="one entry")
    weekly = lengths.assign(week=_weeks(lengths["date"])).groupby("week")["chars"].median()
    ax.plot(weekly.index, weekly.to_numpy(), color="#333333", linewidth=1.5, label="weekly median")
    ax.set_title("Commentary length")
    ax.set_ylabel("characters")
    ax.legend(frameon=False, fontsize="small")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return fig


def plot_read_vs_commented(weekly: pd.DataFrame, ax: Axes | None = None) -> Figure:
    fig, ax = _figure(ax)
    if weekly.empty:
        _empty(ax, "entries")
        return fig
    ax.bar(weekly["week"], weekly["read"], width=6, align="edge", color="#c8d4e8", label="read")
    ax.bar(
        weekly["week"], weekly["commented"], width=6, align="edge", color="#4c72b0", label="with commentary"
    )
    ax.set_title("Papers read vs. papers with commentary, per week")
    ax.set_ylabel("entries")
    ax.legend(frameon=False, fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    fig.autofmt_xdate()
    return fig


def show(fig: Figure) -> None:
    """Display a figure in a notebook as a PNG (whatever the matplotlib backend)."""
    import io

    from IPython.display import Image, display

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        fig.savefig(buffer, format="png")
    display(Image(data=buffer.getvalue(), format="png"))
