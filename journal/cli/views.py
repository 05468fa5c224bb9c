"""How one entry reads in a terminal (``journal show``)."""

from __future__ import annotations

from typing import Any

from journal.model import Entry, format_timestamp


def entry_text(entry: Entry, journal: Any = None) -> str:
    lines = [entry.title, f"  id       {entry.id}", f"  date     {entry.date.isoformat()}"]
    if entry.authors:
        lines.append(f"  authors  {', '.join(entry.authors)}")
    if entry.url:
        lines.append(f"  url      {entry.url}")
    for link in entry.links:
        lines.append(f"  link     {link}")
    if entry.arxiv_id:
        version = f"v{entry.arxiv_version}" if entry.arxiv_version else ""
        lines.append(f"  arXiv    {entry.arxiv_id}{version}")
    if entry.tags:
        lines.append(f"  tags     {' '.join('#' + t for t in entry.tags)}")
    if entry.source:
        lines.append(f"  source   {entry.source}")
    if entry.created_at:
        lines.append(f"  added    {format_timestamp(entry.created_at)}")
    if entry.updated_at and entry.updated_at != entry.created_at:
        lines.append(f"  updated  {format_timestamp(entry.updated_at)}")
    if entry.abstract:
        lines += ["", "Abstract", entry.abstract]
    if entry.commentary:
        lines += ["", "Commentary", entry.commentary]
    if journal is not None:
        from journal.search.links import entry_links

        links, backlinks = entry_links(journal, entry)
        for heading, found in (("Links", links), ("Linked from", backlinks)):
            if found:
                lines += ["", heading]
                lines += [f"  {e.id}  {e.date.isoformat()}  {e.title}" for e in found]
    return "\n".join(lines)
