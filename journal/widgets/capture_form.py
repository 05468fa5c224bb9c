"""The capture form: fetch a paper, write commentary, tag, save; drafts as you type.

The form holds no storage logic: :mod:`journal.capture.form_values` turns its values into entries (the
command line's validation), :mod:`journal.widgets.form_drafts` (over :mod:`journal.capture.drafts`)
keeps what is typed, the store saves.
Nothing here ever writes a text box back while the reader types into it (that would
break an input method composing Korean syllables): values flow from the boxes to
Python, and Python sets them only on load, fetch, restore and reset.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from journal.capture import form_values as forms
from journal.capture.drafts import Draft, DraftStore
from journal.errors import DuplicateEntry, JournalError, ValidationError
from journal.model import Entry, normalise_tags
from journal.search.tags import table_tag_counts
from journal.widgets.form_drafts import FormDrafts, other_draft_options, restored_note

Fetcher = Callable[[str, Any], dict[str, Any]]
FIELDS = ("source", "title", "authors", "abstract", "commentary", "tags", "date")
_WIDE = {"width": "auto"}  # stretched by the column; 100% overflows by the margins
_STYLE = {"description_width": "8em"}


def fetch_fields(id_or_url: str, journal_path: Any) -> dict[str, Any]:
    """Title, authors, abstract, url, arxiv_id, arxiv_version of an arXiv paper (the
    arXiv capture module; imported on first use)."""
    from journal.capture.paper import fetch_fields as fetch

    return fetch(id_or_url, journal_path)


def _error_box() -> w.HTML:
    box = w.HTML(layout=w.Layout(display="none", margin="0 0 0 8.5em"))
    box.add_class("journal-error")
    return box


class CaptureForm(w.VBox):
    """Capture a new entry, or edit one (:meth:`edit`), in a notebook or a Voila page.

    ``fetch`` is the function behind the Fetch button (tests inject a fake one);
    ``draft_delay`` is how long typing must pause before the draft is written.
    """

    def __init__(
        self,
        journal: Any,
        *,
        fetch: Fetcher = fetch_fields,
        draft_delay: float = 0.5,
        on_saved: Callable[[Entry], None] | None = None,
        on_open: Callable[[str], None] | None = None,
    ) -> None:
        self.journal = journal
        self.drafts = DraftStore(journal.path)
        self.form_drafts = FormDrafts(self.drafts, delay=draft_delay)
        self._fetch = fetch
        self._on_saved = [on_saved] if on_saved else []
        self._on_open = on_open
        self._loading = False
        self._fetched: dict[str, Any] = {}
        self.entry: Entry | None = None  # the entry being edited (None: a new entry)
        self._duplicate_id: str | None = None

        self.mode = w.HTML()
        self.new_button = w.Button(description="New entry", icon="plus", layout=w.Layout(display="none"))
        self.draft_note = w.HTML()
        self.discard_button = w.Button(
            description="Discard draft", icon="trash", layout=w.Layout(display="none")
        )
        self.other_drafts = w.Dropdown(
            description="Other drafts", style=_STYLE, layout=w.Layout(display="none")
        )

        self.source = w.Text(
            description="URL or arXiv",
            placeholder="2405.05254 or https://...",
            style=_STYLE,
            layout={"flex": "1"},
        )
        self.fetch_button = w.Button(
            description="Fetch", icon="download", tooltip="Fill title, authors, abstract"
        )
        self.title = w.Text(description="Title", style=_STYLE, layout=_WIDE)
        self.authors = w.Text(
            description="Authors", placeholder="Ada Lovelace, Alan Turing", style=_STYLE, layout=_WIDE
        )
        self.abstract = w.Textarea(description="Abstract", rows=4, style=_STYLE, layout=_WIDE)
        self.commentary = w.Textarea(
            description="Commentary",
            placeholder="What you think (a blank line between paragraphs)",
            rows=8,
            style=_STYLE,
            layout=_WIDE,
        )
        self.tags = w.TagsInput(
            allow_duplicates=False,
            placeholder="new tag, then Tab",
            layout=w.Layout(flex="1", border="1px solid #e0e0e0", min_height="30px"),
        )
        self.tag_picker = w.Combobox(
            placeholder="add an existing tag",
            ensure_option=False,
            continuous_update=False,
            layout=w.Layout(width="16em"),
        )
        self.date = w.DatePicker(description="Date", value=dt.date.today(), style=_STYLE)
        self.save_button = w.Button(description="Save", icon="check", button_style="primary")
        self.status = w.HTML()
        self.open_button = w.Button(
            description="Open that entry", icon="folder-open", layout=w.Layout(display="none")
        )
        self.again_button = w.Button(description="Save anyway", icon="copy", layout=w.Layout(display="none"))
        self.errors = {name: _error_box() for name in (*FIELDS, "form")}
        for name, box in self.errors.items():
            box.add_class(f"journal-error-{name}")
        self.add_class("journal-capture")
        for name in (
            *FIELDS,
            "tag_picker",
            "fetch_button",
            "save_button",
            "open_button",
            "again_button",
            "new_button",
            "discard_button",
            "other_drafts",
            "status",
        ):
            getattr(self, name).add_class("journal-" + name.replace("_", "-"))  # stable hooks for tests

        tags_label = w.Label(
            "Tags", layout=w.Layout(width="8em", justify_content="flex-end", padding="0 4px")
        )
        super().__init__(
            [
                w.HBox([self.mode, self.new_button]),
                w.HBox([self.draft_note, self.discard_button]),
                self.other_drafts,
                w.HBox([self.source, self.fetch_button]),
                self.errors["source"],
                self.title,
                self.errors["title"],
                self.authors,
                self.errors["authors"],
                self.abstract,
                self.errors["abstract"],
                self.commentary,
                self.errors["commentary"],
                w.HBox([tags_label, self.tags, self.tag_picker]),
                self.errors["tags"],
                self.date,
                self.errors["date"],
                w.HBox([self.save_button, self.open_button, self.again_button]),
                self.errors["form"],
                self.status,
            ],
            layout=w.Layout(max_width="60em"),
        )

        for box in (self.source, self.title, self.authors, self.abstract, self.commentary, self.date):
            box.observe(self._changed, names="value")
        self.tags.observe(self._tags_changed, names="value")
        self.tag_picker.observe(self._tag_picked, names="value")
        self.fetch_button.on_click(lambda _: self.fetch())
        self.save_button.on_click(lambda _: self.save())
        self.again_button.on_click(lambda _: self.save(again=True))
        self.open_button.on_click(lambda _: self._open_duplicate())
        self.new_button.on_click(lambda _: self.new())
        self.discard_button.on_click(lambda _: self.discard_draft())
        self.other_drafts.observe(self._other_draft_chosen, names="value")

        self._start_new(adopt=True)
        self.refresh_tags()

    # -- values --------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The form as JSON-ready values (see :mod:`journal.capture.form_values`)."""
        return {
            "source": self.source.value,
            "title": self.title.value,
            "authors": self.authors.value,
            "abstract": self.abstract.value,
            "commentary": self.commentary.value,
            "tags": list(self.tags.value),
            "date": self.date.value.isoformat() if self.date.value else "",
            "fetched": dict(self._fetched),
        }

    def set_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` (no draft is written for this change itself)."""
        self._loading = True
        try:
            for name in ("source", "title", "authors", "abstract", "commentary"):
                getattr(self, name).value = str(values.get(name) or "")
            self.tags.value = [t for t in (values.get("tags") or []) if isinstance(t, str) and t]
            day = values.get("date")
            try:
                self.date.value = dt.date.fromisoformat(day) if day else dt.date.today()
            except (TypeError, ValueError):
                self.date.value = dt.date.today()
            self._fetched = dict(values.get("fetched") or {})
        finally:
            self._loading = False

    @property
    def entry_id(self) -> str | None:
        return self.entry.id if self.entry is not None else None

    @property
    def draft_key(self) -> str:
        return self.form_drafts.key_for(self.entry)

    # -- drafts ----------------------------------------------------------------------

    def _changed(self, change: dict[str, Any] | None = None) -> None:
        if self._loading:
            return
        self._hide_duplicate()
        self.form_drafts.queue(self.entry, self.values())

    def flush_draft(self) -> None:
        """Write the pending draft now (tests; before anything that changes mode)."""
        error = self.form_drafts.flush()
        if error is not None:
            self._show("form", f"Your draft could not be saved: {error}")

    def _restore(self, draft: Draft, note: str) -> None:
        self.set_values(draft.values)
        self.draft_note.value = restored_note(draft, note)
        self.discard_button.layout.display = None

    def _start_new(self, adopt: bool = False) -> None:
        """Show a new-entry form: the form's own draft, else (``adopt``) the newest draft
        another form left, else a blank form."""
        self.entry = None
        self._clear_notes()
        self.mode.value = "<b>New entry</b>"
        self.new_button.layout.display = "none"
        own = self.form_drafts.own()
        if own is not None:
            self._restore(own, "Your unsaved new entry")
        elif adopt and (draft := self.form_drafts.claim_newest()) is not None:
            self._restore(draft, "Restored an unsaved draft")
        else:
            self.set_values(forms.blank_values())
        self._list_other_drafts()

    def _list_other_drafts(self) -> None:
        others = self.form_drafts.others()
        self._loading = True
        try:
            self.other_drafts.options = other_draft_options(others)
            self.other_drafts.value = ""
        finally:
            self._loading = False
        self.other_drafts.layout.display = None if others and self.entry is None else "none"

    def _other_draft_chosen(self, change: dict[str, Any]) -> None:
        if self._loading or not change["new"]:
            return
        self.flush_draft()  # the current text stays on disk, listed as another draft
        self.form_drafts.take(change["new"])
        self._start_new()

    def discard_draft(self) -> None:
        """Throw the restored draft away: the entry as stored, or a blank form."""
        self.form_drafts.cancel()
        self.drafts.delete(self.draft_key)
        if self.entry is not None:
            self.set_values(forms.values_from_entry(self.entry))
        else:
            self.set_values(forms.blank_values())
        self._clear_notes()

    # -- modes ---------------------------------------------------------------------

    def new(self) -> None:
        """Leave editing (its unsaved changes stay as a draft) for a new entry."""
        self.flush_draft()
        self._start_new()

    def fill(self, values: dict[str, Any]) -> None:
        """Start a new entry showing ``values`` (e.g. a paper from the Triage tab, see
        :func:`journal.capture.form_values.values_from_paper`). What the form held stays on disk as a
        draft, listed under "Other drafts"."""
        self.flush_draft()
        if self.form_drafts.own() is not None:
            self.form_drafts.renew()
        self._start_new()
        self.set_values(values)
        self._fetched = dict(values.get("fetched") or {})
        self._changed()  # the filled form is a draft from now on
        self.status.value = f"Filled from the listing: {html.escape(str(values.get('title') or ''))}"

    def edit(self, entry_id: str) -> None:
        """Open an existing entry (or its unsaved draft) in the form."""
        try:
            entry = self.journal.get(entry_id)
        except JournalError as e:
            self._show("form", str(e))
            return
        self.flush_draft()
        kept_new = self.entry is None and self.form_drafts.own() is not None
        self.entry = entry
        self._clear_notes()
        self.mode.value = f"<b>Editing</b> <code>{html.escape(entry.id)}</code> {html.escape(entry.title)}"
        self.new_button.layout.display = None
        self.other_drafts.layout.display = "none"
        draft = self.drafts.read(self.form_drafts.key_for(entry))
        if draft is not None:
            note = "Restored your unsaved changes to this entry"
            if entry.updated_at is not None and entry.updated_at > draft.saved_at:
                note += "; the entry was changed after you typed them, so check before saving"
            self._restore(draft, note)
        else:
            self.set_values(forms.values_from_entry(entry))
        if kept_new:
            self.status.value = "Your unsaved new entry is kept as a draft: <b>New entry</b> brings it back."

    def refresh_tags(self) -> None:
        """Autocomplete from the journal's tags, most used first."""
        try:
            self.tag_picker.options = [t for t, _ in table_tag_counts(self.journal.to_arrow())]
        except JournalError as e:  # typing (and drafts) still work; saving will say it again
            self._show("form", str(e))

    # -- tags ---------------------------------------------------------------------------

    def _tags_changed(self, change: dict[str, Any]) -> None:
        if self._loading:
            return
        clean = list(normalise_tags(" ".join(change["new"])))
        if clean != list(change["new"]):
            self.tags.value = clean  # "#a" -> "a", "a b" -> "a", "b"; observes again
            return
        self._changed()

    def _tag_picked(self, change: dict[str, Any]) -> None:
        text = (change["new"] or "").strip()
        if not text:
            return
        try:
            picked = normalise_tags(text)
        except ValidationError as e:
            self._show("tags", str(e))
            return
        self.tags.value = [*self.tags.value, *(t for t in picked if t not in self.tags.value)]
        self.tag_picker.value = ""

    # -- fetch -----------------------------------------------------------------------

    def fetch(self) -> None:
        """Fill title, authors and abstract from the paper named in the source box."""
        self._clear_errors()
        text = self.source.value.strip()
        if not text:
            self._show("source", "Type an arXiv id or URL first.")
            return
        self.status.value = f"Fetching {html.escape(text)} ..."
        try:
            fields = self._fetch(text, self.journal.path)
        except ImportError:
            self.status.value = ""
            self._show("source", "arXiv fetching is not available in this installation; type the fields.")
            return
        except Exception as e:  # offline, unknown id, bad answer: say it, keep every field
            self.status.value = ""
            self._show("source", str(e) if isinstance(e, JournalError) else f"Fetch failed: {e}")
            return
        self._loading = True
        try:
            for name in ("title", "abstract"):
                if fields.get(name):
                    getattr(self, name).value = fields[name]
            authors = fields.get("authors")
            if authors:
                self.authors.value = authors if isinstance(authors, str) else ", ".join(authors)
            if fields.get("url"):
                self.source.value = fields["url"]
            self._fetched = {k: fields.get(k) for k in ("url", "arxiv_id", "arxiv_version")}
        finally:
            self._loading = False
        self._changed()
        version = f"v{fields['arxiv_version']}" if fields.get("arxiv_version") else ""
        self.status.value = f"Fetched {html.escape(str(fields.get('arxiv_id') or text))}{version}."

    # -- save --------------------------------------------------------------------------

    def save(self, again: bool = False) -> Entry | None:
        """Validate and store; returns the stored entry, or None (errors shown)."""
        self._clear_errors()
        self.status.value = ""
        self.flush_draft()  # whatever happens next, the words are on disk
        values = self.values()
        try:
            entry, written = forms.save_form(self.journal, values, entry_id=self.entry_id, again=again)
        except ValidationError as e:
            self._show(forms.form_field(e) if forms.form_field(e) in self.errors else "form", str(e))
            return None
        except forms.SamePaper as e:
            self._show_duplicate(e.existing.id, f"This paper is already in the journal: {e}", again=True)
            return None
        except DuplicateEntry as e:
            self._show_duplicate(e.entry_id, str(e), again=False)
            return None
        except Exception as e:  # the store is busy, the disk is full...: the draft is kept
            message = str(e) if isinstance(e, JournalError) else f"{type(e).__name__}: {e}"
            self._show("form", f"Not saved: {message}. Your text is kept as a draft.")
            return None
        self.form_drafts.cancel()
        self.drafts.delete(self.draft_key)
        if written:
            verb = "Updated" if self.entry is not None else "Saved"
            self.status.value = (
                f'<span class="journal-saved">{verb} <code>{html.escape(entry.id)}</code> '
                f"{html.escape(entry.title)}</span>"
            )
        else:
            self.status.value = "No changes to save."
        for callback in self._on_saved:
            callback(entry)
        if self.entry is None:
            message = self.status.value
            self.form_drafts.renew()
            self._start_new()
            self.status.value = message  # the saved message stays above the blank form
        else:
            self.entry = entry
            self.draft_note.value = ""
            self.discard_button.layout.display = "none"
        self.refresh_tags()
        return entry

    def on_saved(self, callback: Callable[[Entry], None]) -> None:
        self._on_saved.append(callback)

    # -- messages ------------------------------------------------------------------------

    def _show(self, field: str, message: str) -> None:
        box = self.errors.get(field, self.errors["form"])
        box.value = f'<span style="color:#c62828">{html.escape(message)}</span>'
        box.layout.display = None

    def _clear_errors(self) -> None:
        for box in self.errors.values():
            box.value = ""
            box.layout.display = "none"
        self._hide_duplicate()

    def _clear_notes(self) -> None:
        self._clear_errors()
        self.draft_note.value = ""
        self.discard_button.layout.display = "none"
        self.status.value = ""

    def _show_duplicate(self, entry_id: str, message: str, *, again: bool) -> None:
        self._show("source", message)
        self._duplicate_id = entry_id
        self.open_button.layout.display = None
        self.again_button.layout.display = None if again else "none"

    def _hide_duplicate(self) -> None:
        self._duplicate_id = None
        self.open_button.layout.display = "none"
        self.again_button.layout.display = "none"

    def _open_duplicate(self) -> None:
        entry_id = self._duplicate_id
        if entry_id is None:
            return
        if self._on_open is not None:
            self._on_open(entry_id)
        else:
            self.edit(entry_id)
