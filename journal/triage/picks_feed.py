"""A triaged day's picks as an Atom feed: ``journal triage DAY --atom FILE``.

One item per paper shown (the best ``--limit``, or those above ``--min-chance``), in rank
order: its title, authors, the arXiv abs link, and a summary holding the reason and the
chance. An item's id is the paper's alone (``urn:journal:triage:ARXIV_ID``, no version),
so a feed reader or a mail bridge delivers a paper once, whatever the day, the machine or
how often the day is triaged; the feed's ``updated`` is the day's, so triaging a day twice
writes the same file. Written whole (a reader never sees half a feed) by feedgen, imported
when used.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.errors import ExportFailed
from journal.fileio import write_atomic
from journal.text.rules import for_xml

if TYPE_CHECKING:
    from journal.triage.service import TriageResult

ID_PREFIX = "urn:journal:triage:"


def check_feed_path(path: str | os.PathLike[str]) -> Path:
    """``path`` if a feed can be written there (checked before anything is ranked or
    recorded): not a folder, in a folder that exists."""
    target = Path(path)
    if target.is_dir():
        raise ExportFailed(target, "is a folder; give a file name for the feed, such as picks.xml")
    if not target.parent.is_dir():
        raise ExportFailed(target, f"folder {target.parent} does not exist")
    return target


def item_id(arxiv_id: str) -> str:
    """The stable id of a paper's item."""
    from journal.triage.ranker import base_id

    return ID_PREFIX + (base_id(arxiv_id) or arxiv_id)


def summary(record: dict[str, Any]) -> str:
    """A paper as HTML for a feed reader: authors, why it was picked, its chance, abstract."""
    from journal.triage.chance import percent

    parts = [f"<p>{html.escape(', '.join(record['authors']))}</p>"] if record["authors"] else []
    rank = f"#{record['rank']} of the day" if record.get("rank") is not None else "ranked"
    parts.append(f"<p><b>Why:</b> {html.escape(record['reason'] or '-')}</p>")
    parts.append(
        f"<p><b>Chance:</b> {percent(record.get('chance'))} ({rank}, score {record['score']:.2f})</p>"
    )
    if record["abstract"]:
        parts.append(f"<p>{html.escape(record['abstract'])}</p>")
    return for_xml("\n".join(parts))


def picks_feed(result: TriageResult, records: Sequence[dict[str, Any]]) -> bytes:
    """The Atom XML of ``records`` (as ``service.paper_records`` gives them; read papers
    are left out), for the day of ``result``."""
    from feedgen.feed import FeedGenerator

    day = result.day.isoformat()
    updated = dt.datetime.combine(result.day, dt.time(), tzinfo=dt.timezone.utc)
    feed = FeedGenerator()
    feed.id(f"{ID_PREFIX}day:{day}")
    feed.title(f"Triage picks of {day}")
    feed.subtitle(for_xml(f"arXiv papers ranked by your journal, from {result.source}"))
    feed.link(href="https://arxiv.org/", rel="related")
    feed.updated(updated)
    feed.generator("journal triage")
    for record in records:
        if record["read"]:
            continue
        item = feed.add_entry(order="append")
        item.id(item_id(record["arxiv_id"]))
        item.title(for_xml(record["title"]) or record["arxiv_id"])
        item.link(href=record["url"], rel="alternate")
        for name in record["authors"]:
            if for_xml(name).strip():
                item.author({"name": for_xml(name)})
        item.updated(updated)
        item.published(updated)
        item.summary(summary(record), type="html")
    return bytes(feed.atom_str(pretty=True))


def write_picks(
    path: str | os.PathLike[str], result: TriageResult, records: Sequence[dict[str, Any]]
) -> None:
    """Write the feed of ``records`` to ``path``, whole or not at all."""
    target = check_feed_path(path)
    try:
        write_atomic(target, picks_feed(result, records))
    except OSError as e:
        raise ExportFailed(target, f"cannot be written ({e.strerror or e})") from None
