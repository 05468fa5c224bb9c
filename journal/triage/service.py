"""Triage a day: read the journal and the recorded listings, rank, record what was seen.

What the command line, the widget and the notebook call; the model is in ``ranker``,
the recorded listings in ``listings``, the sources of a listing in ``listingfile`` and
``feed``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journal.errors import ListingError, StoreReadOnly
from journal.store import as_journal
from journal.triage.listingfile import REQUIRED, pick_day
from journal.triage.listings import read_listings, record_days

if TYPE_CHECKING:
    import pandas as pd

    from journal.store import Journal


def rank(
    journal: Journal | str | os.PathLike[str],
    listing: pd.DataFrame,
    *,
    day: dt.date | None = None,
    reader: str | None = None,
) -> pd.DataFrame:
    """``listing`` (any DataFrame of papers: ``arxiv_id``, ``title``, ``authors``,
    ``abstract``) ranked by the journal: with ``score``, ``rank`` (1 = best; NA for
    papers already in the journal), ``read``, ``reason`` and ``chance`` (see ``chance``:
    None when read or without enough history), ranked papers first.

    ``day``: the day ranked (default: the latest ``date`` of ``listing``, else today); the
    ranker learns from the listings recorded in the ``SEEN_DAYS`` before it. Nothing is
    recorded (see :func:`triage_listing`); the reader's feedback
    (:func:`journal.triage.feedback.feedback_for`) is applied; the texts' term counts are cached beside the
    journal (``countcache``), so the next call tokenises only texts it has not seen.
    ``reader`` (default: the current reader): whose entries and feedback the ranking
    learns from, and whose entries make a paper read (see :func:`reader_entries`).
    """
    from journal.triage.chance import add_chance
    from journal.triage.countcache import load_term_counts, save_term_counts
    from journal.triage.feedback import feedback_for
    from journal.triage.ranker import MAX_NEGATIVES, SEEN_DAYS, base_id, counts_version, rank_papers

    missing = [c for c in REQUIRED if c not in listing.columns]
    if missing:
        raise ListingError(
            "listing", f"has no {', '.join(missing)} column; a listing needs {', '.join(REQUIRED)}"
        )
    j = as_journal(journal)
    if day is None:
        day = max(listing["date"]) if "date" in listing.columns and len(listing) else dt.date.today()
    entries, others, reader = reader_entries(j, reader)
    # The ranker learns from at most MAX_NEGATIVES recorded papers, the latest ones not in
    # the journal or the listing: a busy store's older days in the window are not read.
    known = {base_id(i) for frame in (entries, listing) if "arxiv_id" in frame for i in frame["arxiv_id"]}
    window = {"start": day - dt.timedelta(days=SEEN_DAYS), "end": day - dt.timedelta(days=1)}
    seen = read_listings(j, **window, limit=MAX_NEGATIVES, exclude={i for i in known if i})
    counts = load_term_counts(j, counts_version())
    feedback = feedback_for(j, reader)  # the reader's dismissals, follows and mutes (none: no change)
    ranked = rank_papers(entries, listing, seen, day=day, term_counts=counts, feedback=feedback)
    save_term_counts(j, counts)
    return journaled_by_others(add_chance(j, entries, ranked, day, reader), others)


def reader_entries(journal: Journal, reader: str | None) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """What triage learns from for ``reader`` (default: :func:`current_reader`): their
    entries and those without a reader (from before readers, everyone's); the other
    readers' entries; and the reader. A reader with no entry of their own yet learns from
    everyone's (a new lab member's first triage ranks by the lab's reading), and nothing
    is left as the others'."""
    from journal.store import current_reader

    who = current_reader() if reader is None else reader
    everyone = journal.to_pandas()
    if "reader" not in everyone:
        return everyone, everyone.iloc[:0], who
    named = everyone["reader"]
    theirs = (named == who).to_numpy(bool)
    if not theirs.any():
        return everyone, everyone.iloc[:0], who
    mine = theirs | named.isna().to_numpy(bool)
    return everyone[mine].reset_index(drop=True), everyone[~mine].reset_index(drop=True), who


def journaled_by_others(ranked: pd.DataFrame, others: pd.DataFrame) -> pd.DataFrame:
    """``ranked`` with "journaled by NAME, ..." added to the reason of each unread paper
    that other readers journaled (a paper is read only when the reader journaled it)."""
    from journal.triage.ranker import base_id

    if not len(others) or "arxiv_id" not in others:
        return ranked
    by: dict[str, list[str]] = {}
    for arxiv_id, name in zip(others["arxiv_id"], others["reader"], strict=True):
        key = base_id(arxiv_id)
        if key and name not in by.setdefault(key, []):
            by[key].append(str(name))
    reasons = []
    for arxiv_id, read, reason in zip(ranked["arxiv_id"], ranked["read"], ranked["reason"], strict=True):
        names = None if read else by.get(base_id(arxiv_id) or "")
        note = f"journaled by {', '.join(names)}" if names else ""
        reasons.append(" \u00b7 ".join(p for p in (str(reason or ""), note) if p))
    return ranked.assign(reason=reasons)


@dataclass
class TriageResult:
    """A ranked day: ``papers`` as :func:`rank` returns them."""

    day: dt.date
    papers: pd.DataFrame
    source: str
    note: str = ""  # something the reader should know (e.g. arXiv was unreachable)

    @property
    def ranked(self) -> pd.DataFrame:
        return self.papers[~self.papers["read"]]

    @property
    def read(self) -> pd.DataFrame:
        return self.papers[self.papers["read"]]


def triage_listing(
    journal: Journal | str | os.PathLike[str],
    listing: pd.DataFrame,
    *,
    day: dt.date | None = None,
    source: str = "listing",
    reader: str | None = None,
) -> TriageResult:
    """Record every day of ``listing`` (normalized: see ``listingfile.normalize``) as seen,
    then rank ``day`` (default: its latest). A day without papers raises
    :class:`~journal.errors.ListingError` before anything is recorded. Where the record
    kept its own row of a paper (the listing's holds less: see ``listings.record_days``),
    that row is ranked, and ``note`` says so. With read-only keys (a lab journal) nothing
    is recorded, the day is ranked all the same, and ``note`` says so."""
    chosen, papers = pick_day(listing, source, day)
    j = as_journal(journal)
    try:
        recorded = record_days(j, listing)
    except StoreReadOnly as e:  # a read-only member ranks, and is told nothing was recorded
        note = f"{chosen} was ranked but not recorded as seen: {e.detail}"
        return TriageResult(chosen, rank(j, papers, day=chosen, reader=reader), source, note=note)
    if recorded.kept.get(chosen):  # rank the better rows the record kept
        kept = read_listings(j, start=chosen, end=chosen).set_index("arxiv_id")
        papers = kept.loc[list(papers["arxiv_id"])].reset_index()[papers.columns]
    return TriageResult(chosen, rank(j, papers, day=chosen, reader=reader), source, note=recorded.note())


def rank_recorded(
    journal: Journal | str | os.PathLike[str],
    day: dt.date,
    categories: list[str] | None = None,
    reader: str | None = None,
) -> TriageResult | None:
    """Rank ``day`` from its recorded listing, with no request: the papers of
    ``categories`` (None: all; papers recorded without a category count as any), or None
    when the day is not recorded or holds none of them."""
    j = as_journal(journal)
    papers = read_listings(j, start=day, end=day)
    if categories is not None and len(papers):
        papers = papers[papers["category"].isna() | papers["category"].isin(categories)]
    if papers.empty:
        return None
    return TriageResult(
        day, rank(j, papers.reset_index(drop=True), day=day, reader=reader), f"the listing recorded for {day}"
    )


def triage_file(
    journal: Journal | str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    day: dt.date | None = None,
    reader: str | None = None,
) -> TriageResult:
    """:func:`triage_listing` of a JSONL, CSV or Parquet listing file."""
    from journal.triage.listingfile import read_listing_file

    return triage_listing(journal, read_listing_file(path, day=day), day=day, source=str(path), reader=reader)


def paper_records(
    result: TriageResult, *, limit: int = 20, min_chance: float | None = None
) -> list[dict[str, Any]]:
    """The best ``limit`` ranked papers (0: all) then every read one, as JSON-ready dicts:
    ``arxiv_id``, ``title``, ``authors``, ``abstract``, ``url``, ``category``, ``date``,
    ``score``, ``rank`` (None when read), ``read``, ``reason``, ``chance`` (None: none yet).
    ``min_chance``: instead of the best ``limit``, every ranked paper whose chance is above
    it (none when the day has no chance), and every paper by an author the reader follows
    (``followed``), whatever its chance."""
    import pandas as pd

    from journal.model import abs_url

    ranked = result.ranked
    if limit and "muted" in ranked:  # muted papers are shown only with limit 0 (all)
        ranked = ranked[~ranked["muted"].astype(bool)]
    if min_chance is not None:
        chance = ranked["chance"].tolist() if "chance" in ranked else [None] * len(ranked)
        above = [c is not None and c == c and c > min_chance for c in chance]
        followed = ranked["followed"].astype(bool).tolist() if "followed" in ranked else above
        ranked = ranked[[a or f for a, f in zip(above, followed, strict=True)]]
    else:
        ranked = ranked if limit == 0 else ranked.head(limit)
    out = []
    for frame in (ranked, result.read):
        for row in frame.to_dict("records"):
            rank_value = row.get("rank")
            out.append(
                {
                    "arxiv_id": str(row["arxiv_id"]),
                    "title": str(row["title"]),
                    "authors": [str(a) for a in row["authors"]],
                    "abstract": str(row.get("abstract") or ""),
                    "url": abs_url(str(row["arxiv_id"])),
                    "category": row.get("category") if isinstance(row.get("category"), str) else None,
                    "date": result.day.isoformat(),
                    "score": round(float(row["score"]), 4),
                    "rank": None if pd.isna(rank_value) else int(rank_value),
                    "read": bool(row["read"]),
                    "reason": str(row.get("reason") or ""),
                    "chance": _chance(row.get("chance")),
                }
            )
    return out


def _chance(value: object) -> float | None:
    return None if value is None or value != value else round(float(value), 4)  # type: ignore[arg-type]


def triage_fetch(
    journal: Journal | str | os.PathLike[str],
    categories: list[str] | None = None,
    *,
    day: dt.date | None = None,
    reader: str | None = None,
) -> TriageResult:
    """Rank the announcements of ``day`` (default: the latest) in ``categories`` (default:
    :func:`feed.default_categories`; checked against arXiv's taxonomy before anything
    else). A day whose feed answers are cached is read from them; else a recorded day is
    ranked from its record (:func:`rank_recorded`); else the feed is fetched, recorded and
    ranked. A day that is neither recorded nor reachable is one error pointing to
    ``--listing FILE``."""
    from journal.errors import ArxivUnreachable
    from journal.triage.rss import FeedCache, check_categories, default_categories, fetch_listing

    j = as_journal(journal)
    if categories is not None:
        categories = check_categories(categories)
    chosen = default_categories(j) if categories is None else categories
    if day is not None and not all(FeedCache(j).get(day, c) for c in chosen):
        recorded = rank_recorded(j, day, categories, reader)
        if recorded is not None:
            return recorded
    try:
        listing = fetch_listing(j, chosen, day=day)
    except ArxivUnreachable as error:
        if day is None:
            raise
        raise ListingError(
            day.isoformat(),
            f"is not recorded beside the journal, and arXiv (at {error.api}) cannot be reached to "
            "see whether its feed, which holds only the latest announcement day, has it; rank a "
            "listing file of that day: journal triage --listing FILE (see docs/triage.md)",
        ) from None
    result = triage_listing(j, listing, source=f"arXiv {','.join(chosen)}", reader=reader)
    result.note = "; ".join(n for n in (str(listing.attrs.get("note") or ""), result.note) if n)
    return result
