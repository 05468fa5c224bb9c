"""The journal browser: a filterable list of entries (newest first), the selected entry
rendered, its links and backlinks, Edit and Delete (with confirmation).

Filtering runs over an in-memory index (:class:`journal.search.browse.EntryIndex`), read again
from the store only when the store changed, and the list shows at most ``limit`` rows,
so it stays quick on journals of tens of thousands of entries.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from journal.errors import JournalError
from journal.search.browse import EntryIndex, Matches
from journal.text.wording import count
from journal.widgets.entry_html import entry_html

_ANY = ""


class JournalBrowser(w.VBox):
    """Browse ``journal``; ``on_edit(entry_id)`` is called by the Edit button."""

    def __init__(
        self, journal: Any, *, limit: int = 200, on_edit: Callable[[str], None] | None = None
    ) -> None:
        self.journal = journal
        self.limit = limit
        self._on_edit = on_edit
        self.message = w.HTML()
        try:
            self.index = EntryIndex(journal)
        except JournalError as e:  # show the page anyway, with what is wrong
            from journal.store.schema import SCHEMA

            self.index = EntryIndex(journal, table=SCHEMA.empty_table())
            self._error(e)
        self._busy = False
        self.matches = Matches(0, [])

        self.text = w.Text(
            placeholder="filter: words of title, authors, abstract, commentary, tags",
            layout=w.Layout(flex="1"),
        )
        self.tag = w.Dropdown(
            description="Tag", style={"description_width": "3em"}, layout=w.Layout(width="16em")
        )
        self.start = w.DatePicker(description="From", style={"description_width": "3em"})
        self.end = w.DatePicker(description="To", style={"description_width": "3em"})
        self.reload_button = w.Button(
            icon="refresh", tooltip="Read the journal again", layout=w.Layout(width="3em")
        )
        self.count = w.HTML()
        self.list = w.Select(rows=14, layout=w.Layout(width="auto"))
        self.view = w.HTML()
        self.edit_button = w.Button(description="Edit", icon="pencil", disabled=True)
        self.delete_button = w.Button(description="Delete", icon="trash", disabled=True)
        self.confirm = w.HTML()
        self.confirm_button = w.Button(description="Yes, delete", button_style="danger")
        self.cancel_button = w.Button(description="Cancel")
        self.confirm_row = w.HBox(
            [self.confirm, self.confirm_button, self.cancel_button], layout=w.Layout(display="none")
        )
        self.links_box = w.VBox()
        self.add_class("journal-browser")

        super().__init__(
            [
                w.HBox([self.text, self.reload_button]),
                w.HBox([self.tag, self.start, self.end]),
                self.count,
                self.list,
                w.HBox([self.edit_button, self.delete_button]),
                self.confirm_row,
                self.message,
                self.view,
                self.links_box,
            ]
        )
        for box in (self.text, self.tag, self.start, self.end):
            box.observe(lambda _: self.apply_filter(), names="value")
        self.list.observe(self._selected, names="value")
        self.reload_button.on_click(lambda _: self.refresh())
        self.edit_button.on_click(lambda _: self._edit())
        self.delete_button.on_click(lambda _: self._ask_delete())
        self.confirm_button.on_click(lambda _: self._delete())
        self.cancel_button.on_click(lambda _: self._hide_confirm())
        self._fill_tags()
        self.apply_filter()

    # -- list ----------------------------------------------------------------------------

    @property
    def selected(self) -> str | None:
        return self.list.value or None

    def refresh(self, select: str | None = None) -> None:
        """Read the journal again if it changed, filter, and select ``select`` if given."""
        try:
            changed = self.index.sync()
        except JournalError as e:
            self._error(e)
            return
        if changed:
            self._fill_tags()
        self.apply_filter(select=select)

    def _fill_tags(self) -> None:
        options = [("any", _ANY)] + [(f"#{t} ({n})", t) for t, n in self.index.tag_counts]
        current = self.tag.value
        self._busy = True
        try:
            self.tag.options = options
            self.tag.value = current if any(v == current for _, v in options) else _ANY
        finally:
            self._busy = False

    def apply_filter(self, select: str | None = None) -> Matches:
        """Show the entries matching the filters (the first ``limit``)."""
        if self._busy:
            return self.matches
        try:
            self.matches = self.index.filter(
                self.text.value,
                tag=self.tag.value or None,
                start=self.start.value,
                end=self.end.value,
                limit=self.limit,
            )
        except JournalError as e:
            self._error(e)
            return self.matches
        shown = len(self.matches.rows)
        total, size = self.matches.total, len(self.index)
        more = f" (showing the newest {shown})" if total > shown else ""
        self.count.value = f"{total:,} of {count(size, 'entry', 'entries', grouped=True)}{more}"
        keep = select or self.list.value
        self._busy = True
        try:
            self.list.options = [(r.label, r.id) for r in self.matches.rows]
            ids = {r.id for r in self.matches.rows}
            self.list.value = keep if keep in ids else None
        finally:
            self._busy = False
        self._show(self.list.value)
        return self.matches

    def _selected(self, change: dict[str, Any]) -> None:
        if not self._busy:
            self._show(change["new"])

    def select(self, entry_id: str) -> None:
        """Show one entry, clearing filters that hide it."""
        self.refresh()
        if entry_id not in {r.id for r in self.matches.rows}:
            self._busy = True
            try:
                self.text.value, self.tag.value, self.start.value, self.end.value = "", _ANY, None, None
            finally:
                self._busy = False
        self.apply_filter(select=entry_id)

    def _error(self, error: Exception) -> None:
        self.message.value = f'<span style="color:#c62828">{html.escape(str(error))}</span>'

    # -- one entry -----------------------------------------------------------------------

    def _show(self, entry_id: str | None) -> None:
        self._hide_confirm()
        self.edit_button.disabled = self.delete_button.disabled = entry_id is None
        if entry_id is None:
            self.view.value = ""
            self.links_box.children = ()
            return
        try:
            entry = self.journal.get(entry_id)
        except JournalError as e:
            self._error(e)
            self.view.value = ""
            self.links_box.children = ()
            return
        self.message.value = ""
        self.view.value = entry_html(entry)
        self.links_box.children = self._link_buttons(entry_id)

    def _link_buttons(self, entry_id: str) -> tuple[w.Widget, ...]:
        index = self.index.link_index()
        rows: list[w.Widget] = []
        for label, ids in (
            ("Links to", index.links_of(entry_id)),
            ("Linked from", index.backlinks_of(entry_id)),
        ):
            known = [i for i in ids if i in self.index]
            if not known:
                continue
            buttons = []
            for target in known[:20]:
                row = self.index.row(target)
                button = w.Button(
                    description=f"{row.date} {row.title}"[:70],
                    tooltip=row.title,
                    layout=w.Layout(width="auto"),
                )
                button.on_click(lambda _, t=target: self.select(t))
                buttons.append(button)
            rows.append(w.HBox([w.HTML(f"<b>{label}</b>", layout=w.Layout(width="7em")), w.VBox(buttons)]))
        return tuple(rows)

    # -- actions ---------------------------------------------------------------------------

    def _edit(self) -> None:
        if self.selected and self._on_edit is not None:
            self._on_edit(self.selected)

    def on_edit(self, callback: Callable[[str], None]) -> None:
        self._on_edit = callback

    def _ask_delete(self) -> None:
        if not self.selected:
            return
        row = self.index.row(self.selected)
        self.confirm.value = f"Delete <b>{html.escape(row.title)}</b> ({row.date})?&nbsp;"
        self.confirm_row.layout.display = None

    def _hide_confirm(self) -> None:
        self.confirm_row.layout.display = "none"

    def _delete(self) -> None:
        entry_id = self.selected
        self._hide_confirm()
        if not entry_id:
            return
        try:
            removed = self.journal.delete(entry_id)
        except JournalError as e:
            self._error(e)
            return
        self.refresh()
        self.message.value = f"Deleted <code>{html.escape(removed.id)}</code> {html.escape(removed.title)}."
