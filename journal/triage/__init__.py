"""Triage: rank each day's arXiv listing by the reader's own journal.

``journal.triage.rank(journal, listing)`` ranks a DataFrame of papers;
``read_listings(journal)`` gives what was recorded as seen (see ``listings``),
``read_feedback(journal)`` every reader's dismissals, follows and mutes (see ``feedback``).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    *("TriageResult", "rank", "read_feedback", "read_listings", "record_listing"),
    *("triage_file", "triage_listing"),
]


def __getattr__(name: str) -> Any:
    # pyarrow and pandas load on first use, so `journal --help` stays fast
    if name in ("rank", "triage_listing", "triage_file", "TriageResult"):
        from journal.triage import service

        return getattr(service, name)
    if name in ("read_listings", "record_listing"):
        from journal.triage import listings

        return getattr(listings, name)
    if name == "read_feedback":
        from journal.triage import feedback

        return feedback.read_feedback
    raise AttributeError(f"module 'journal.triage' has no attribute {name!r}")
