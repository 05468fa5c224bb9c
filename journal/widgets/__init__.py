"""Jupyter widgets for capturing and browsing a journal (``notebooks/capture.ipynb``).

    from journal.widgets import journal_app
    journal_app("entries.parquet")      # the form, the browser and triage, in three tabs

Importing this module imports ipywidgets; ``import journal`` does not import it.
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as w

from journal.widgets.browser import JournalBrowser
from journal.widgets.capture_form import CaptureForm, fetch_fields
from journal.widgets.triage_panel import TriagePanel

__all__ = ["CaptureForm", "JournalApp", "JournalBrowser", "TriagePanel", "fetch_fields", "journal_app"]


class JournalApp(w.Tab):
    """The capture form, the browser and triage of one journal, wired together: a save
    shows up in the browser, the browser's Edit opens the entry in the form, a triaged
    paper's Capture opens the form filled with it. ``triage``: options of
    :class:`TriagePanel` (``day``, ``categories``, ``listing``, ``limit``, ``rank_now``)."""

    TRIAGE_TAB = 2

    def __init__(self, journal: Any, *, triage: dict[str, Any] | None = None, **form_options: Any) -> None:
        self.journal = journal
        self.form = CaptureForm(journal, **form_options)
        self.browser = JournalBrowser(journal, on_edit=self.edit)
        self.triage = TriagePanel(journal, on_capture=self.capture, **(triage or {}))
        self.form.on_saved(lambda entry: self.browser.refresh(select=entry.id))
        self.form.on_saved(self.triage.saved)
        super().__init__([self.form, self.browser, self.triage], titles=["Capture", "Browse", "Triage"])
        self.observe(self._tab_changed, names="selected_index")

    def capture(self, values: dict[str, Any]) -> None:
        """Open the capture form filled with ``values`` (a triaged paper)."""
        self.form.fill(values)
        self.selected_index = 0

    def edit(self, entry_id: str) -> None:
        self.form.edit(entry_id)
        self.selected_index = 0

    def _tab_changed(self, change: dict[str, Any]) -> None:
        if change["new"] == 1:
            self.browser.refresh()  # pick up what the command line or another tab wrote


def journal_app(
    path: str | os.PathLike[str] | None = None, *, triage: dict[str, Any] | None = None, **form_options: Any
) -> JournalApp:
    """The app for the journal at ``path`` (default: ``$JOURNAL``, else ``entries.parquet``)."""
    from journal import open as open_journal

    return JournalApp(
        open_journal(str(path or os.environ.get("JOURNAL") or "entries.parquet")),
        triage=triage,
        **form_options,
    )
