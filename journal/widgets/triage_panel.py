"""The Triage tab: a day's arXiv listing ranked by the journal, abstracts folded, the
reason shown, and a Capture button per paper that opens the capture form filled in;
Dismiss and Follow per paper and Mute for a phrase give the reader's feedback
(:mod:`journal.triage.feedback`), one click each, and Undo takes the last one back.

The panel holds no logic of its own: :mod:`journal.triage.service` fetches or reads the
listing, records it and ranks it; :func:`journal.capture.form_values.values_from_paper` turns a paper
into form values.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from journal.capture import form_values as forms
from journal.errors import JournalError
from journal.model import Entry
from journal.text import wording
from journal.triage.chance import NO_CHANCE, percent

_STYLE = {"description_width": "7em"}
_LINK = "color:#1565c0;text-decoration:none"


def _authors(authors: list[str], limit: int = 4) -> str:
    shown = ", ".join(authors[:limit])
    return shown + (f" and {len(authors) - limit} more" if len(authors) > limit else "")


class TriagePanel(w.VBox):
    """Rank a day's listing of ``journal``: fetched for ``categories`` (comma-separated;
    default: the journal's), or read from ``listing`` (a JSONL, CSV or Parquet file).
    ``on_capture(values)`` receives the form values of a paper whose Capture was clicked.
    ``rank_now``: rank when shown rather than on the Rank button."""

    def __init__(
        self,
        journal: Any,
        *,
        day: dt.date | str | None = None,
        categories: str | list[str] | None = None,
        listing: str | None = None,
        limit: int = 20,
        on_capture: Callable[[dict[str, Any]], None] | None = None,
        rank_now: bool = False,
    ) -> None:
        from journal.model import parse_date

        self.journal = journal
        self._on_capture = on_capture
        self.records: list[dict[str, Any]] = []
        self.capture_buttons: dict[str, w.Button] = {}
        self.dismiss_buttons: dict[str, w.Button] = {}
        self.follow_buttons: dict[str, tuple[w.Dropdown, w.Button]] = {}
        self.last_feedback: tuple[str, str] | None = None
        if isinstance(categories, list):
            categories = ",".join(categories)
        self.date = w.DatePicker(description="Day", value=parse_date(day) if day else None, style=_STYLE)
        self.categories = w.Text(
            description="Categories",
            value=categories or "",
            placeholder="cs.CL,cs.LG (default: those of your journal)",
            style=_STYLE,
            layout=w.Layout(width="28em"),
        )
        self.listing = w.Text(
            description="Listing file",
            value=listing or "",
            placeholder="optional: a .jsonl, .csv or .parquet listing instead of arXiv",
            style=_STYLE,
            layout=w.Layout(width="40em"),
        )
        self.limit = w.BoundedIntText(
            description="Show", value=limit, min=0, max=5000, style=_STYLE, layout=w.Layout(width="12em")
        )
        self.rank_button = w.Button(description="Rank", icon="sort-amount-desc", button_style="primary")
        self.mute_text = w.Text(
            description="Mute",
            placeholder="a word or phrase: papers holding it go last",
            style=_STYLE,
            layout=w.Layout(width="28em"),
        )
        self.mute_button = w.Button(
            description="Mute", icon="volume-off", tooltip="Rank papers holding it last"
        )
        self.undo_button = w.Button(description="Undo", icon="undo", layout=w.Layout(display="none"))
        self.feedback_note = w.HTML()
        self.status = w.HTML()
        self.papers = w.VBox()
        self.read = w.HTML()
        for name in (
            *("date", "categories", "listing", "limit", "rank_button", "status", "papers", "read"),
            *("mute_text", "mute_button", "undo_button", "feedback_note"),
        ):
            getattr(self, name).add_class("journal-triage-" + name.replace("_", "-"))
        self.add_class("journal-triage")
        super().__init__(
            [
                w.HBox([self.date, self.categories]),
                w.HBox([self.listing, self.limit, self.rank_button]),
                w.HBox([self.mute_text, self.mute_button]),
                self.status,
                w.HBox([self.feedback_note, self.undo_button]),
                self.papers,
                self.read,
            ],
            layout=w.Layout(max_width="60em"),
        )
        self.rank_button.on_click(lambda _: self.run())
        self.mute_button.on_click(lambda _: self.mute(self.mute_text.value))
        self.undo_button.on_click(lambda _: self.undo())
        if rank_now:
            self.run()

    def run(self) -> bool:
        """Rank the day as the boxes say; shows the papers, or only what went wrong (the
        list shown before is cleared). Returns whether it ranked."""
        from journal.triage.service import paper_records, triage_fetch, triage_file

        self.status.value = "<i>Ranking…</i>"
        try:
            if self.listing.value.strip():
                result = triage_file(self.journal, self.listing.value.strip(), day=self.date.value)
            else:
                cats = [c.strip() for c in self.categories.value.split(",") if c.strip()] or None
                result = triage_fetch(self.journal, cats, day=self.date.value)
        except JournalError as e:
            # the list shown before was another day's: it goes, and only the error shows
            self.records, self.capture_buttons, self.dismiss_buttons, self.follow_buttons = [], {}, {}, {}
            self.papers.children, self.read.value = (), ""
            self.status.value = f'<span style="color:#c62828">{html.escape(str(e))}</span>'
            return False
        self.records = paper_records(result, limit=self.limit.value)
        ranked = [r for r in self.records if not r["read"]]
        read = [r for r in self.records if r["read"]]
        total = len(result.ranked)
        self.capture_buttons, self.dismiss_buttons, self.follow_buttons = {}, {}, {}
        self.papers.children = [self._paper(r) for r in ranked]
        self.read.value = (
            "<p><b>Already in your journal:</b><br>"
            + "<br>".join(f"{html.escape(r['arxiv_id'])} {html.escape(r['title'])}" for r in read)
            + "</p>"
            if read
            else ""
        )
        shown = f"; showing the best {len(ranked)}" if len(ranked) < total else ""
        self.status.value = (
            f"<b>{result.day.isoformat()}</b>: {wording.count(total, 'new paper')} from {html.escape(result.source)} "
            f"ranked by your journal, {len(read)} already read{shown}."
        )
        if total and all(r.get("chance") is None for r in ranked):
            self.status.value += f'<br><span style="color:#777">{html.escape(NO_CHANCE)}.</span>'
        if result.note:
            self.status.value += f'<br><span style="color:#8a6d00">{html.escape(result.note)}</span>'

        return True

    def _paper(self, record: dict[str, Any]) -> w.VBox:
        href = html.escape(record["url"], quote=True)
        reason = (
            f'<br><span style="color:#555">{html.escape(record["reason"])}</span>' if record["reason"] else ""
        )
        chance = "" if record.get("chance") is None else f" · chance {percent(record['chance'])}"
        head = w.HTML(
            f"<b>{record['rank']}.</b> "
            f'<a href="{href}" target="_blank" rel="noopener" style="{_LINK}"><b>{html.escape(record["title"])}</b></a>'
            f' <span style="color:#777">({record["score"]:.2f}){chance} {html.escape(record["arxiv_id"])}</span><br>'
            f"{html.escape(_authors(record['authors']))}{reason}",
            layout=w.Layout(flex="1"),
        )
        abstract = w.Accordion([w.HTML(f"<p>{html.escape(record['abstract'])}</p>")], titles=("Abstract",))
        abstract.selected_index = None  # folded
        button = w.Button(
            description="Capture", icon="pencil", tooltip="Open the capture form filled with this paper"
        )
        button.add_class("journal-triage-capture")
        button.on_click(lambda _: self.capture(record["arxiv_id"]))
        self.capture_buttons[record["arxiv_id"]] = button
        box = w.VBox([w.HBox([head, self._feedback_buttons(record, button)]), abstract])
        box.layout.margin = "0 0 8px 0"
        box.add_class("journal-triage-paper")
        return box

    def _feedback_buttons(self, record: dict[str, Any], capture: w.Button) -> w.VBox:
        arxiv_id = record["arxiv_id"]
        dismiss = w.Button(
            description="Dismiss", icon="times", tooltip="Not for me: drop it and teach the ranker"
        )
        dismiss.add_class("journal-triage-dismiss")
        dismiss.on_click(lambda _: self.dismiss(arxiv_id))
        self.dismiss_buttons[arxiv_id] = dismiss
        buttons = [capture, dismiss]
        if record["authors"]:
            author = w.Dropdown(options=list(dict.fromkeys(record["authors"])), layout=w.Layout(width="12em"))
            follow = w.Button(
                description="Follow", icon="user-plus", tooltip="Rank this author's papers first"
            )
            follow.add_class("journal-triage-follow")
            follow.on_click(lambda _: self.follow(str(author.value)))
            self.follow_buttons[arxiv_id] = (author, follow)
            buttons += [author, follow]
        return w.VBox(buttons)

    def give(self, action: str, value: str, *, undo: bool = False) -> bool:
        """Give (or take back) feedback ``action`` on ``value`` for the reader, then rank
        again; a bad value is shown, nothing written. Returns whether it was given."""
        from journal.triage.feedback import DONE, give

        try:
            kept = give(self.journal, action, [value], undo=undo)[0][0]
        except JournalError as e:
            self.feedback_note.value = f'<span style="color:#c62828">{html.escape(str(e))}</span>'
            return False
        self.last_feedback = None if undo else (action, kept)
        if self.records:
            self.run()
        said = f"no longer {DONE[action]}" if undo else DONE[action]
        self.feedback_note.value = f"{html.escape(kept)}: {said}"
        self.undo_button.layout.display = None if self.last_feedback else "none"
        return True

    def dismiss(self, arxiv_id: str) -> bool:
        """Not for me: paper ``arxiv_id`` leaves the ranking and teaches the ranker."""
        return self.give("dismiss", arxiv_id)

    def follow(self, name: str) -> bool:
        """Follow author ``name``: their papers rank first."""
        return self.give("follow", name)

    def mute(self, phrase: str) -> bool:
        """Mute ``phrase``: papers holding it rank below every other (shown with Show 0)."""
        done = self.give("mute", phrase)
        if done:
            self.mute_text.value = ""
        return done

    def undo(self) -> bool:
        """Take back the last feedback given here."""
        if self.last_feedback is None:
            return False
        return self.give(*self.last_feedback, undo=True)

    def capture(self, arxiv_id: str) -> dict[str, Any]:
        """The form values of paper ``arxiv_id``, handed to ``on_capture``."""
        record = next(r for r in self.records if r["arxiv_id"] == arxiv_id)
        values = forms.values_from_paper(record)
        if self._on_capture is not None:
            self._on_capture(values)
        return values

    def saved(self, entry: Entry) -> None:
        """An entry was saved: its paper's button says so."""
        button = self.capture_buttons.get(entry.arxiv_id or "")
        if button is not None:
            button.description = "Captured"
            button.icon = "check"
            button.disabled = True
